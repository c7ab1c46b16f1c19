"""The MkDocs plugin: short hooks that hand the parsed model to the renderers."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from .audience import view_site
from .clock import build_now
from .config import StatusmarkConfig
from .errors import Problem, errors_only
from .lint import lint_config, lint_site
from .model import AUDIENCES, Site, audience_level
from .render.api import api_files
from .render.badge import badge_files
from .render.calendar import maintenance_calendar
from .render.feeds import feed_files
from .render.markdown import render_markdown
from .render.pages import PageOptions, PageRenderer, PageSpec
from .render.theme_fixes import fix_theme_markup
from .repository import load_site

PACKAGE_DIR = Path(__file__).parent
ASSETS = ("assets/statusmark/statusmark.css", "assets/statusmark/statusmark.js")
AUDIENCE_VARIABLE = "STATUSMARK_AUDIENCE"


class StatusmarkPlugin(BasePlugin[StatusmarkConfig]):
    # Set by the `statusmark build` command, which parses once for every audience.
    preloaded: tuple[Site, list[Problem]] | None = None
    audience_override: str | None = None
    site_dir_override: str | None = None

    serving = False

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.serving = command == "serve"

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.audience = self.audience_override or os.environ.get(AUDIENCE_VARIABLE) or self.config.audience
        if self.audience not in AUDIENCES:
            raise PluginError(f"statusmark: audience: expected one of {', '.join(AUDIENCES)}; got {self.audience!r}")
        site, problems = self.preloaded or self.load(config)
        errors = errors_only(problems)
        if errors:
            raise PluginError("statusmark found problems:\n" + "\n".join(str(p) for p in errors))
        self.level = audience_level(self.audience)
        self.site = view_site(site, self.level)
        self.now = build_now()
        if self.site_dir_override:
            config.site_dir = self.site_dir_override
        elif self.level > 0 and not self.serving:
            # `mkdocs serve` builds into a temporary folder of its own: leave it there.
            config.site_dir = str(audience_site_dir(config, self.config, self.audience))
        if config.nav is None:
            config.nav = default_nav(Path(config.docs_dir))
        theme_dirs = config.theme.dirs
        theme_dirs.insert(1 if config.theme.custom_dir else 0, str(PACKAGE_DIR / "templates" / "theme"))
        config.extra_css.extend(a for a in ASSETS if a.endswith(".css"))
        config.extra_javascript.extend(a for a in ASSETS if a.endswith(".js"))
        return config

    def load(self, config: MkDocsConfig) -> tuple[Site, list[Problem]]:
        path = Path(config.config_file_path)
        site, problems = load_site(
            path, path.read_text(encoding="utf-8"), config.site_name, config.site_url, self.config
        )
        return site, problems + lint_site(site, lint_config(self.config), path, path.parent)

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        overrides = Path(config.config_file_path).parent / "templates" / "pages"
        self.renderer = PageRenderer(
            self.site,
            self.now,
            PageOptions(
                self.level,
                self.config.history_page_size,
                self.config.recent_days,
                self.config.uptime_days,
                config.use_directory_urls,
            ),
            str(overrides) if overrides.is_dir() else None,
        )
        self.pages: dict[str, PageSpec] = {}
        for spec in self.renderer.specs():
            if files.get_file_from_path(spec.src_uri):
                raise PluginError(
                    f"statusmark: {config.docs_dir}/{spec.src_uri}: generated page: Statusmark writes this page; rename or remove your file"
                )
            self.pages[spec.src_uri] = spec
            files.append(File.generated(config, spec.src_uri, content=_stub(spec)))
        # Feeds and API are files of the site like any other, so links to them validate.
        for relative, text in self.data_files().items():
            files.append(File.generated(config, relative, content=text))
        for asset in ASSETS:
            files.append(File.generated(config, asset, abs_src_path=str(PACKAGE_DIR / "assets" / Path(asset).name)))
        return files

    def data_files(self) -> dict[str, str]:
        statuses = self.renderer.statuses
        outputs = {
            **feed_files(self.site, render_markdown),
            **api_files(self.site, self.now),
            **badge_files(self.site, self.renderer.indicator, statuses),
            "maintenance.ics": maintenance_calendar(self.site),
        }
        if self.level > 0:
            outputs["robots.txt"] = "User-agent: *\nDisallow: /\n"
        return outputs

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        spec = self.pages.get(page.file.src_uri)
        return self.renderer.render(spec) if spec else html

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        return fix_theme_markup(output)

    def on_post_template(self, output_content: str, *, template_name: str, config: MkDocsConfig) -> str:
        return fix_theme_markup(output_content)  # 404.html

    def on_env(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        env.globals["statusmark_audience"] = self.audience
        return env


def audience_site_dir(config: MkDocsConfig, options: StatusmarkConfig, audience: str) -> Path:
    """Where a non-public audience's site goes: configured, else site-<audience>/ beside mkdocs.yml."""
    base = Path(config.config_file_path).parent
    configured = options.audiences.get(audience)
    relative = configured.site_dir if configured else f"site-{audience}"
    return (base / relative).resolve()


def default_nav(docs_dir: Path) -> list[Any]:
    """Status, History, then the site's own pages: never one entry per incident."""
    own = sorted(p.relative_to(docs_dir).as_posix() for p in docs_dir.rglob("*.md")) if docs_dir.is_dir() else []
    return [{"Status": "index.md"}, {"History": "history/index.md"}, *own]


def _stub(spec: PageSpec) -> str:
    # The body is replaced in on_page_content; MkDocs only needs the title and layout.
    title = spec.title.replace("\\", "\\\\").replace('"', '\\"')
    return f'---\ntitle: "{title}"\nhide:\n  - toc\n---\n'
