"""Generated pages without MkDocs' per-page pipeline: the theme renders once, pages many times.

MkDocs builds the status page, the first history page and the site's own pages as
usual. Every other generated page (one per event, the older history pages, the component
pages) is written here: the theme's ``main.html`` is rendered once per folder through
MkDocs' own machinery (context, plugins' ``on_page_context`` and ``on_post_page``) for a
stand-in page whose id, title and body are sentinels, and each page is that "shell" with
its own id, title and body put in. Nav, header, footer, audience banner and ``noindex``
are therefore exactly what a full render gives; a page whose title the theme could
render differently from the escaped text (tags, entities, runs of blanks) or whose id is
not plain gets the full render instead. ``tests/test_speed_shell.py`` compares both.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from typing import Any

from markupsafe import escape
from mkdocs.commands.build import _populate_page, get_context
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from .render.pages import url_for

SENTINEL_ID = "smshell7f3c9a"
SENTINEL_DIR = "smshelldir7f3c9a"
SENTINEL_TITLE = "Smshelltitle7f3c9a"
SENTINEL_BODY = "<!--smshell-body-7f3c9a-->"
_PLAIN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


def stub(title: str, searchable: bool = True) -> str:
    """The Markdown source MkDocs is given for a generated page: its title and layout."""
    title = title.replace("\\", "\\\\").replace('"', '\\"')
    search = "" if searchable else "search:\n  exclude: true\n"
    return f'---\ntitle: "{title}"\nhide:\n  - toc\n{search}---\n'


def dest_of(src_uri: str, use_directory_urls: bool) -> str:
    """Where MkDocs writes the page of ``src_uri``: its URL, with ``index.html`` in a folder's."""
    return url_for(src_uri, use_directory_urls) + ("index.html" if use_directory_urls else "")


def encode(html: str) -> bytes:
    return html.encode("utf-8", errors="xmlcharrefreplace")


class Shell:
    """A page of the theme with holes for its path, title and body.

    Kept as the bytes between the holes: a page is those and its own few, joined. (The
    theme's ~11 KB, not all Latin-1, took 10 µs to encode again for every page.)
    """

    def __init__(self, html: str, stem: str):
        self.stem, self.text = stem, html
        holes = (SENTINEL_TITLE, stem, SENTINEL_BODY)  # filled, in this order, by fill's arguments
        pieces = re.split("(" + "|".join(map(re.escape, holes)) + ")", html)
        # Bytes between the holes, and each hole by its place in ``holes``.
        self.pieces = [holes.index(p) if i % 2 else encode(p) for i, p in enumerate(pieces)]

    @classmethod
    def of(cls, html: str, stem: str) -> Shell | None:
        """The shell, if the sentinels only appear where they can be replaced whole."""
        uses = html.count(stem)
        if (
            html.count(SENTINEL_BODY) != 1
            or html.count(SENTINEL_ID) != uses
            or html.count(SENTINEL_DIR) != uses * stem.count(SENTINEL_DIR)
        ):
            return None
        return cls(html, stem)

    def fill(self, stem: str, title: str, body: str) -> bytes:
        holes = (encode(str(escape(title))), encode(stem), encode(body))
        return b"".join(holes[p] if isinstance(p, int) else p for p in self.pieces)


class Theme:
    """Renders generated pages through the configured theme, once per folder."""

    def __init__(self, config: MkDocsConfig, files: Files, nav: Navigation, env: Any):
        self.config, self.files, self.nav, self.env = config, files, nav, env
        self.shells: dict[tuple[int, bool], Shell | None] = {}
        self.doc_files = files.documentation_pages()

    def render_full(self, src_uri: str, title: str, body: str) -> str:
        """The page exactly as MkDocs would build it (without search indexing)."""
        config = self.config
        file = File.generated(config, src_uri, content=stub(title))
        page = Page(None, file, config)
        _populate_page(page, config, self.files)
        page.content = body
        page.active = True
        try:
            context = get_context(self.nav, self.doc_files, config, page)
            template = self.env.get_template(page.meta.get("template", "main.html"))
            context = config.plugins.on_page_context(context, page=page, config=config, nav=self.nav)
            output = template.render(context)
            output = config.plugins.on_post_page(output, page=page, config=config)
        finally:
            page.active = False
        _forget_search_entries(config, page.url)
        return output

    def shell(self, depth: int, heading: bool = True) -> Shell | None:
        """The shell of pages ``depth`` folders deep (``incidents/x.md``: 1).

        Themes look at the body (material adds an ``<h1>`` when it has none): ``heading``
        says whether the bodies that go into this shell have one.
        """
        if (depth, heading) not in self.shells:
            stem = "/".join([SENTINEL_DIR] * depth + [SENTINEL_ID])
            body = SENTINEL_BODY + ("<h1>" + SENTINEL_BODY if heading else "")
            html = self.render_full(stem + ".md", SENTINEL_TITLE, body)
            if heading:  # the stand-in heading goes; the page's own body brings its heading
                html = html.replace(SENTINEL_BODY + "<h1>" + SENTINEL_BODY, SENTINEL_BODY, 1)
            self.shells[(depth, heading)] = Shell.of(html, stem)
        return self.shells[(depth, heading)]

    def shell_text(self, depth: int) -> str:
        shell = self.shell(depth)
        return shell.text if shell else "full render"

    def page(self, src_uri: str, title: str, body: Callable[[], str]) -> bytes:
        stem = posixpath.splitext(src_uri)[0]
        parts = stem.split("/")
        content = body()
        shell = self.shell(len(parts) - 1, "<h1" in content)
        if shell is not None and all(_PLAIN_ID.match(p) for p in parts) and plain_title(title):
            return shell.fill(stem, title, content)
        return encode(self.render_full(src_uri, title, content))


class Placeholder(File):
    """A generated page MkDocs knows of (links to it validate) but neither builds nor copies."""

    @classmethod
    def for_page(cls, config: MkDocsConfig, src_uri: str) -> Placeholder:
        file = cls.generated(config, src_uri, content="", inclusion=InclusionLevel.INCLUDED)
        file.dest_uri = dest_of(src_uri, config.use_directory_urls)
        assert isinstance(file, Placeholder)
        return file

    def is_documentation_page(self) -> bool:
        return False

    def copy_file(self, dirty: bool = False) -> None:
        pass


def plain_title(title: str) -> bool:
    """Whether every filter the theme may apply (striptags, escape) leaves just the escaped title."""
    return "<" not in title and "&" not in title and title == " ".join(title.split()) and bool(title)


def _forget_search_entries(config: MkDocsConfig, url: str) -> None:
    """Material's search plugin indexes every page it sees in on_page_context: not ours here."""
    for plugin in config.plugins.values():
        index = getattr(plugin, "search_index", None)
        entries = getattr(index, "entries", None)
        if isinstance(entries, list):
            entries[:] = [e for e in entries if not str(e.get("location", "")).startswith(url)]
