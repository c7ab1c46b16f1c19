"""The MkDocs plugin: short hooks that hand the parsed model to the renderers."""

from __future__ import annotations

import gzip
import io
import json
import os
import posixpath
import re
from datetime import UTC, datetime
from functools import cache, partial
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.theme import Theme as MkDocsTheme
from mkdocs.utils import get_build_date

from . import forking
from .clock import build_now
from .config import StatusmarkConfig
from .datacache import DataCache, Deferred, TemplateCache, key_of
from .errors import Problem, errors_only
from .fastpages import Placeholder, Theme, dest_of, stub
from .fastview import view_site
from .lint import lint_config
from .model import AUDIENCES, Event, Site, audience_level
from .output import Manifest, Output, bytes_key
from .parsecache import cache_dir
from .prerender import Prerender
from .render.api import api_files
from .render.badge import badge_files
from .render.calendar import maintenance_calendar
from .render.fastevent import overridden
from .render.feeds import feed_files
from .render.markdown import render_update
from .render.pages import PageOptions, PageRenderer, PageSpec, event_src, event_url, url_for
from .render.theme_fixes import compact, fix_theme_markup
from .repository import file_digest, load_site
from .sitekeys import PageKeys
from .staticfiles import KeyedFile, OutputFiles
from .status import UPDATE_LABELS
from .themeenv import use_theme_env

PACKAGE_DIR = Path(__file__).parent
THEME_FOLDER = str(PACKAGE_DIR / "templates" / "theme")  # Statusmark's theme templates
ASSETS = ("assets/statusmark/statusmark.css", "assets/statusmark/statusmark.js")
AUDIENCE_VARIABLE = "STATUSMARK_AUDIENCE"
THEME_PAGES = ("index.md", "history/index.md")  # built by MkDocs: in the nav; the rest are written directly
SEARCH_EVENTS = 500  # the search index holds the newest events only: its size stays bounded


class StatusmarkPlugin(BasePlugin[StatusmarkConfig]):
    # Set by the `statusmark build` command, which parses once for every audience.
    preloaded: tuple[Site, list[Problem]] | None = None
    audience_override: str | None = None
    site_dir_override: str | None = None
    previous: Manifest | None = None  # the live site this build replaces, when its manifest is known
    output: Output | None = None  # what the last build generated (read by `statusmark build`)
    page_workers: int | None = None  # processes rendering pages; None: one per core

    serving = False

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.serving = command == "serve"

    @event_priority(100)  # before other plugins ask the theme for environments (search does)
    def _on_config_theme(self, config: MkDocsConfig) -> MkDocsConfig:
        self.cache_folder = cache_dir(Path(config.config_file_path))
        self.templates = TemplateCache(self.cache_folder)
        use_theme_env(config.theme, self.templates)
        return config

    def _on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.audience = self.audience_override or os.environ.get(AUDIENCE_VARIABLE) or self.config.audience
        if self.audience not in AUDIENCES:
            raise PluginError(f"statusmark: audience: expected one of {', '.join(AUDIENCES)}; got {self.audience!r}")
        self.level = audience_level(self.audience)
        site, problems = self.preloaded or self.load(config, render_for=(self.level,))
        errors = errors_only(problems)
        if errors:
            raise PluginError("statusmark found problems:\n" + "\n".join(str(p) for p in errors))
        self.full_site = site
        self.site = view_site(site, self.level)
        self.now = build_now()
        if self.site_dir_override:
            config.site_dir = self.site_dir_override
        elif self.level > 0 and not self.serving:
            # `mkdocs serve` builds into a temporary folder of its own: leave it there.
            config.site_dir = str(audience_site_dir(config, self.config, self.audience))
        if config.nav is None:
            config.nav = default_nav(Path(config.docs_dir))
        add_theme_folder(config.theme)
        config.extra_css.extend(a for a in ASSETS if a.endswith(".css"))
        config.extra_javascript.extend(a for a in ASSETS if a.endswith(".js"))
        return config

    on_config = CombinedEvent(_on_config_theme, _on_config)

    def load(
        self, config: MkDocsConfig, events: bool = True, render_for: tuple[int, ...] = ()
    ) -> tuple[Site, list[Problem]]:
        """The parsed site and its problems; ``events=False``: problems only; ``render_for``:
        the audience levels of the sites about to be built, whose event pages are rendered
        with the parse (see ``load_site``), unless the site overrides their templates."""
        path = Path(config.config_file_path)
        levels = () if overridden(page_overrides(config)) else tuple(sorted(set(render_for)))
        return load_site(
            path,
            path.read_text(encoding="utf-8"),
            config.site_name,
            config.site_url,
            self.config,
            lint_config(self.config),
            events,
            Prerender(levels, config.use_directory_urls) if levels else None,
        )

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        self.data_cache = DataCache(self.cache_folder)
        overrides = page_overrides(config)
        self.override_dir = str(overrides) if overrides.is_dir() else None
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
            self.override_dir,
            self.templates,
            made_with_parse=True,  # its site is the one just loaded, here or before the fork
        )
        in_nav = set(_nav_sources(config.nav))
        linked = _linked_pages(Path(config.docs_dir))
        own = set(files.src_uris)  # one lookup table, not one per generated page
        self.pages: dict[str, PageSpec] = {}
        self.direct: list[PageSpec] = []  # list pages written in on_post_build; and events':
        self.direct_events: list[Event] = []

        def place(spec: PageSpec) -> bool:
            """Hand ``spec`` to MkDocs (False), or keep it to be written directly (True)."""
            if spec.src_uri in own:
                raise PluginError(
                    f"{config.docs_dir}/{spec.src_uri}:1: generated page: Statusmark writes this page; rename or remove your file"
                )
            if spec.src_uri in THEME_PAGES or spec.src_uri in in_nav:
                self.pages[spec.src_uri] = spec
                # The status page's search entries would be its uptime bars' tooltips: left out.
                content = stub(spec.title, searchable=spec.src_uri != "index.md")
                files.append(File.generated(config, spec.src_uri, content=content))
                return False
            # Written in on_post_build. Pages the site's own pages link to are made known
            # to MkDocs, so that those links validate and resolve as before.
            if spec.src_uri in linked:
                files.append(Placeholder.for_page(config, spec.src_uri))
            return True

        renderer = self.renderer
        self.direct += filter(place, renderer.history_specs())
        self.events_at = len(self.direct)  # where event pages go in the sitemap's order
        # Event pages, eleven thousand per audience: a spec each only if one is named somewhere.
        named = {p for p in (*own, *in_nav, *linked) if p.startswith("incidents/")}
        for event in self.site.events:
            if not named or event_src(event.id) not in named or place(renderer.event_spec(event)):
                self.direct_events.append(event)
        self.direct += filter(place, renderer.component_specs())
        # Feeds and API are files of the site like any other, so links to them validate.
        for relative, text in self.data_files().items():
            if isinstance(text, Deferred):
                files.append(KeyedFile.deferred(config, relative, text))
            else:
                files.append(File.generated(config, relative, content=text))
        for asset in ASSETS:
            files.append(File.generated(config, asset, abs_src_path=str(PACKAGE_DIR / "assets" / Path(asset).name)))
        self.output = Output(Path(config.site_dir), self.previous)
        self.files = OutputFiles(files, self.output)
        return self.files

    def data_files(self) -> dict[str, str | Deferred]:
        statuses = self.renderer.statuses
        maintenance = [e for e in self.site.events if e.is_maintenance]
        outputs: dict[str, str | Deferred] = {
            **feed_files(self.site, render_update, cached=self._cached_pair),
            **api_files(self.site, self.now, cached=self._cached_list),
            **badge_files(self.site, self.renderer.indicator, statuses),
            "maintenance.ics": self.data_cache.deferred(
                self._key("ics", self.site.name, self.site.url, repr(self.site.components), maintenance),
                lambda: maintenance_calendar(self.site),
            ),
        }
        if self.level > 0:
            outputs["robots.txt"] = "User-agent: *\nDisallow: /\n"
        return outputs

    def _key(self, *parts: Any) -> str:
        """A data-cache key; events stand for their file's bytes (their view follows from them)."""
        flat: list[Any] = [self.level, self.full_site.default_audience]
        for part in parts:
            if isinstance(part, list):
                flat += [(e.id, file_digest(e.path) or repr(e)) for e in part]
            else:
                flat.append(part)
        return key_of(*flat)

    def _cached_list(self, parts: tuple[Any, ...], events: list[Event], make: Any) -> str:
        return self.data_cache.get_or_make(self._key(*parts, events), make)

    def _cached_pair(self, parts: tuple[Any, ...], events: Any, make: Any) -> dict[str, Deferred]:
        """A feed's RSS and Atom files, kept as one data-cache entry: neither is made, nor
        read from the cache, when the live site holds both as this key made them."""
        key = self._key(*parts, repr(self.site.components), list(events))
        rss_name, atom_name = f"{parts[3]}history.rss", f"{parts[3]}history.atom"

        @cache
        def split() -> tuple[str, str]:
            text = self.data_cache.get(key)
            if text is None:  # made here: kept as made, not cut out of what is cached
                pair = make()
                rss, atom = pair[rss_name], pair[atom_name]
                self.data_cache.put(key, f"{len(rss)}\n{rss}{atom}")  # split without parsing
                return rss, atom
            head, _, rest = text.partition("\n")
            return rest[: int(head)], rest[int(head) :]

        data = self.data_cache
        return {rss_name: Deferred(key, lambda: split()[0], data), atom_name: Deferred(key, lambda: split()[1], data)}

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        self.nav = nav
        return nav

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        spec = self.pages.get(page.file.src_uri)
        return self.renderer.render(spec) if spec else html

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        return compact(fix_theme_markup(output), page.content or "")

    def on_post_template(self, output_content: str, *, template_name: str, config: MkDocsConfig) -> str:
        if not template_name.endswith(".html"):
            return output_content  # sitemap.xml (1.4 MB at 10,000 events): no theme markup in it
        return compact(fix_theme_markup(output_content))  # 404.html

    def on_env(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        env.globals["statusmark_audience"] = self.audience  # (its bytecode cache: see use_theme_env)
        self.env = env
        return env

    @event_priority(50)  # before the search plugin writes its index
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        theme = Theme(config, self.files, self.nav, self.env)
        output = self.output
        assert output is not None
        keys = PageKeys(self, theme)
        jobs: list[tuple[PageSpec, str, str | None]] = []
        use_urls = config.use_directory_urls
        for spec in self.direct:
            relative = dest_of(spec.src_uri, use_urls)
            key = keys.of(spec)
            if key is None or not output.keep(relative, key):
                jobs.append((spec, relative, key))
        # Event pages in one loop of their own, without a spec each but for those written.
        event_urls = []
        keep, event_page, index = output.keep, keys.event_page, "index.html" if use_urls else ""
        for event in self.direct_events:
            url = event_url(event.id, use_urls)
            event_urls.append(url)
            key = event_page(event)
            if key is None or not keep(url + index, key):
                jobs.append((PageRenderer.event_spec(event), url + index, key))
        for depth in {spec.src_uri.count("/") for spec, _, _ in jobs}:
            theme.shell(depth)  # rendered once, before any worker starts
        render_pages(self, theme, output, jobs)
        self._add_search_entries(config)
        urls = [url_for(spec.src_uri, use_urls) for spec in self.direct]
        self._add_to_sitemap(config, urls[: self.events_at] + event_urls + urls[self.events_at :])

    def _add_search_entries(self, config: MkDocsConfig) -> None:
        """Material's search index, bounded: the newest events and the component pages."""
        entries = None
        for plugin in config.plugins.values():
            found = getattr(getattr(plugin, "search_index", None), "entries", None)
            if isinstance(found, list):
                entries = found
        if entries is None:
            return
        use_urls = config.use_directory_urls
        newest = list(self.site.events[:SEARCH_EVENTS])

        def make() -> str:
            found = []
            for event in newest:
                text = "".join(
                    f"<p>{UPDATE_LABELS.get(u.status, u.status)}</p>{render_update(u)}" for u in reversed(event.updates)
                )
                found.append(
                    {"location": url_for(f"incidents/{event.id}.md", use_urls), "title": event.title, "text": text}
                )
            for comp in self.site.components:
                location = url_for(f"components/{comp.id}.md", use_urls)
                found.append({"location": location, "title": comp.name, "text": comp.description})
            return json.dumps(found)

        key = self._key("search", use_urls, repr(self.site.components), newest)
        entries += json.loads(self.data_cache.get_or_make(key, make))

    def _add_to_sitemap(self, config: MkDocsConfig, urls: list[str]) -> None:
        """MkDocs' sitemap lists the pages it built; add those written here (``urls``) alike.

        Both files go through ``Output`` as every generated file does: known by their key
        (hashed once, here), and kept where the live site holds them as recorded, the
        gzip too (not compressed again: 1.4 MB at 10,000 events). MkDocs' own staged copy
        of a kept file is removed, so that publishing keeps the live one.
        """
        path = Path(config.site_dir) / "sitemap.xml"
        output = self.output
        if not path.is_file() or not config.site_url or output is None:
            return
        text = path.read_text(encoding="utf-8")
        end = text.rfind("</urlset>")
        if end < 0:
            return
        date = get_build_date()
        base = config.site_url
        before, after = f"\n    <url>\n         <loc>{base}", f"</loc>\n         <lastmod>{date}</lastmod>\n    </url>"
        rows = before + (after + before).join(urls) + after if urls else ""
        head = text[:end].rstrip("\n")
        text = head + rows + "\n" + text[end:]
        data = text.encode("utf-8")
        key = bytes_key(data)
        kept = output.keep("sitemap.xml", key)
        if kept:
            path.unlink()
        else:
            output.write("sitemap.xml", key, data)
        gz = path.with_name("sitemap.xml.gz")
        if not gz.is_file():
            return
        # The same sitemap (its pages and their date) compresses to the same bytes.
        recorded = output.previous.entries.get(gz.name) if kept and output.previous else None
        if recorded and output.keep(gz.name, recorded[0]):
            gz.unlink()
        else:
            packed = _gzip(data, gz.name, date)
            output.write(gz.name, bytes_key(packed), packed)


def _gzip(data: bytes, name: str, date: str) -> bytes:
    """``data`` gzipped as MkDocs gzips its sitemap: named ``name``, dated ``date``."""
    buffer = io.BytesIO()
    stamp = int(datetime.fromisoformat(date).replace(tzinfo=UTC).timestamp())
    with gzip.GzipFile(fileobj=buffer, filename=name, mode="wb", mtime=stamp) as handle:
        handle.write(data)
    return buffer.getvalue()


_LINK = re.compile(r"\]\(\s*<?([^)\s>#?]+\.md)|^\s*\[[^\]]+\]:\s*<?([^\s>#?]+\.md)", re.MULTILINE)


def _linked_pages(docs_dir: Path) -> set[str]:
    """Every ``.md`` path the site's own pages link to (inline or reference links), resolved."""
    found: set[str] = set()
    if not docs_dir.is_dir():
        return found
    for path in docs_dir.rglob("*.md"):
        folder = path.parent.relative_to(docs_dir).as_posix()
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for match in _LINK.finditer(text):
            target = unquote(match.group(1) or match.group(2))
            joined = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
            found.add(posixpath.normpath(joined))
    return found


_JOB: tuple[Any, ...] | None = None  # what forked workers render (set just before they start)
PARALLEL_PAGES = 300  # pages to write before worker processes pay for themselves


def render_pages(plugin: StatusmarkPlugin, theme: Theme, output: Output, jobs: list[Any]) -> None:
    """Render and write pages; with many, one share per core, in forked worker processes."""
    global _JOB
    workers = plugin.page_workers or forking.workers()
    if workers < 2 or len(jobs) < PARALLEL_PAGES or not forking.fork_is_safe() or plugin.serving:
        _render_share(plugin, theme, output, jobs)
        return
    _JOB = (plugin, theme, output.site_dir, jobs, workers)
    try:
        with forking.pool(workers - 1) as pool:
            futures = [pool.submit(_render_worker, share) for share in range(1, workers)]
            _render_share(plugin, theme, output, jobs[0::workers])
            for future in futures:
                output.add(future.result())
    finally:
        _JOB = None


def _render_worker(share: int) -> Output:
    assert _JOB is not None
    plugin, theme, site_dir, jobs, workers = _JOB
    output = Output(site_dir)
    _render_share(plugin, theme, output, jobs[share::workers])
    return output


def _render_share(plugin: StatusmarkPlugin, theme: Theme, output: Output, jobs: list[Any]) -> None:
    for spec, relative, key in jobs:
        output.put(relative, key, theme.page(spec.src_uri, spec.title, partial(plugin.renderer.render, spec)))


def _nav_sources(nav: Any) -> list[str]:
    """Every page path named in a nav config (strings at any depth)."""
    found: list[str] = []
    if isinstance(nav, str):
        found.append(posixpath.normpath(nav))
    elif isinstance(nav, dict):
        for value in nav.values():
            found += _nav_sources(value)
    elif isinstance(nav, list):
        for item in nav:
            found += _nav_sources(item)
    return found


def page_overrides(config: MkDocsConfig) -> Path:
    """Where a site keeps its own page templates (``templates/pages`` beside mkdocs.yml)."""
    return Path(config.config_file_path).parent / "templates" / "pages"


def add_theme_folder(theme: MkDocsTheme) -> None:
    """Statusmark's theme templates: after the site's own (``custom_dir``), before the theme's."""
    theme.dirs.insert(1 if theme.custom_dir else 0, THEME_FOLDER)


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
