"""HTML bodies of the generated pages (status, event, history, component).

MkDocs and the theme wrap these bodies in the site's chrome; this module only knows the
filtered Site, the clock and where each page lives.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, StrictUndefined
from markupsafe import Markup

from ..model import AUDIENCES, Event, Site
from ..status import (
    IMPACT_LABELS,
    INDICATOR_DESCRIPTIONS,
    STATUS_LABELS,
    UPDATE_LABELS,
    active_events,
    component_statuses,
    indicator,
    is_upcoming,
    uptime_days,
    uptime_percent,
)
from .fastevent import event_body, event_summary, overridden
from .markdown import render_markdown, render_update
from .timefmt import human, iso, time_tag
from .uptimebar import uptime_bar

if TYPE_CHECKING:
    from ..prerender import Pages


class PageSpec(NamedTuple):  # a tuple: eleven thousand per audience, made in a third of the time
    src_uri: str  # where MkDocs believes the page's source lives, e.g. "incidents/x.md"
    title: str
    template: str
    context: tuple[tuple[str, Any], ...] = ()


@lru_cache(maxsize=65536)  # pages link to the same few places over and over
def url_for(src_uri: str, use_directory_urls: bool = True) -> str:
    """The URL MkDocs gives a page with this source path (its documented rule)."""
    stem, _ = posixpath.splitext(src_uri)
    if not use_directory_urls:
        return stem + ".html"
    if posixpath.basename(stem) == "index":
        directory = posixpath.dirname(stem)
        return directory + "/" if directory else ""
    return stem + "/"


def history_src(page: int) -> str:
    return "history/index.md" if page == 1 else f"history/{page}.md"


def event_src(event_id: str) -> str:
    return f"incidents/{event_id}.md"


def event_url(event_id: str, use_directory_urls: bool = True) -> str:
    """``url_for(event_src(event_id))``, without its cache: ten thousand events, each once."""
    if not use_directory_urls:
        return f"incidents/{event_id}.html"
    return "incidents/" if event_id == "index" else f"incidents/{event_id}/"


def component_src(component_id: str, page: int = 1) -> str:
    return f"components/{component_id}.md" if page == 1 else f"components/{component_id}/{page}.md"


@dataclass
class PageOptions:
    audience: int = 0
    history_page_size: int = 25
    recent_days: int = 14
    uptime_days: int = 90
    use_directory_urls: bool = True


PAGE_TEMPLATES = ("status.html", "history.html", "component.html")  # and what they import


def page_environment(override_dir: str | None, bytecode_cache: Any = None) -> Environment:
    """The Jinja environment of the page bodies: the site's own templates first, then ours."""
    loaders: list[Any] = [PackageLoader("statusmark", "templates/pages")]
    if override_dir:
        loaders.insert(0, FileSystemLoader(override_dir))
    return Environment(
        loader=ChoiceLoader(loaders),
        autoescape=True,
        undefined=StrictUndefined,
        bytecode_cache=bytecode_cache,
        auto_reload=False,  # one build: no need to stat every template at every use
    )


class PageRenderer:
    """Renders every generated page of one audience's site from the same derived state."""

    def __init__(
        self,
        site: Site,
        now: datetime,
        options: PageOptions,
        override_dir: str | None = None,
        bytecode_cache: Any = None,
        made_with_parse: bool = False,
    ):
        """``made_with_parse``: take the event pages the last load made (``prerender``) where
        they were made for pages like these; only a build right after its own load may."""
        self.site, self.now, self.options = site, now, options
        self.made_with_parse = made_with_parse
        self.env = page_environment(override_dir, bytecode_cache)
        self.env.globals.update(
            time_tag=time_tag, iso=iso, human=human, markdown=render_markdown, update_html=render_update,
            status_label=STATUS_LABELS, update_label=UPDATE_LABELS, impact_label=IMPACT_LABELS,
            audience=AUDIENCES[options.audience], history_src=history_src, component_src=component_src,
        )  # fmt: skip
        self._summaries: dict[tuple[str, str, str], str] = {}
        self._summary_parts: dict[str, tuple[str, str] | None] = {}
        # Event pages and lines are written without Jinja unless the site overrides their templates.
        self.fast_events = not overridden(override_dir)
        if not override_dir or not os.path.exists(os.path.join(override_dir, "_macros.html")):
            self.env.globals["fast_uptime_bar"] = uptime_bar  # the macro's own body otherwise
        self._uptimes: dict[str, tuple[list[Any], float]] = {}

    # Derived once per site, shared by every page.
    @cached_property
    def statuses(self) -> dict[str, str]:
        return component_statuses(self.site, self.now)

    @cached_property
    def indicator(self) -> str:
        return indicator(self.site, self.statuses, self.now)

    @cached_property
    def component_names(self) -> dict[str, str]:
        return {c.id: c.name for c in self.site.components}

    @cached_property
    def prerendered(self) -> Pages:
        """Event pages and list lines made with the parse (``prerender``), for pages like these."""
        from ..prerender import NOTHING, made_for  # (prerender renders with this module)

        if not self.made_with_parse:
            return NOTHING
        return made_for(self.options.audience, self.options.use_directory_urls, self.component_names)

    @cached_property
    def events_by_component(self) -> dict[str, list[Event]]:
        found: dict[str, list[Event]] = {c.id: [] for c in self.site.components}
        for event in self.site.events:
            for cid in event.component_ids:
                found.setdefault(cid, []).append(event)
        return found

    @cached_property
    def in_uptime_window(self) -> dict[str, list[Event]]:
        """Per component, the events that can reach into the uptime bars' window, in site order.

        An event closed before the window began adds no span to any of its days
        (``uptime_days`` drops it anyway). Found in one pass over the events, not one per
        component.
        """
        since = datetime.combine(
            (self.now - timedelta(days=self.options.uptime_days)).date(), datetime.min.time(), self.now.tzinfo
        )
        found: dict[str, list[Event]] = {}
        for event in self.site.events:
            if event.updated_at >= since or not event.closed:  # closed before since: resolved before it too
                for cid in event.component_ids:
                    found.setdefault(cid, []).append(event)
        return found

    def uptime(self, component_id: str) -> tuple[list[Any], float]:
        if component_id not in self._uptimes:
            touching = tuple(self.in_uptime_window.get(component_id, ()))
            spans_site = Site(self.site.name, self.site.url, self.site.components, touching)
            days = uptime_days(spans_site, component_id, self.now, self.options.uptime_days)
            self._uptimes[component_id] = (days, uptime_percent(days))
        return self._uptimes[component_id]

    def component_pages(self, component_id: str) -> int:
        size = max(self.options.history_page_size, 1)
        return max(1, -(-len(self.events_by_component.get(component_id, ())) // size))

    def summary(self, event: Event, link: Any) -> Markup:
        """An event's line in a list (the ``event_summary`` macro), rendered once per place.

        Pages in different folders at the same depth share it: the key holds the links
        the line can depend on (to the site root and to the event).
        """
        key = (event.id, link("index.md"), link(f"incidents/{event.id}.md"))
        found = self._summaries.get(key)
        if found is None and self.fast_events:
            found = self._summaries[key] = event_summary(event, link)
        if found is None:
            macros = self.env.get_template("_macros.html").module
            found = self._summaries[key] = str(macros.event_summary(event, link, self.site))  # type: ignore[attr-defined]
        return Markup(found)

    def summaries(self, events: Iterable[Event], link: Any) -> Markup:
        """The lines of ``events`` in a list, joined (``summary`` of each).

        A line's only link goes to its event's page; from a page outside ``incidents/``
        that link is the page's way up to the root and the event's URL. So each line is
        made once per site, around a hole for that way up, and filled in per page.
        """
        up = link.up_to("incidents") if self.fast_events and isinstance(link, Link) else None
        if up is None:
            return Markup("".join(self.summary(e, link) for e in events))
        lines = []
        made = self.prerendered
        for event in events:
            parts = self._summary_parts.get(event.id)
            if parts is None:
                found, parts = made.line(event.id)  # with the parse, if it was
                if not found:
                    parts = summary_around_hole(event, self.options.use_directory_urls)
                self._summary_parts[event.id] = parts
            lines.append(parts[0] + up + parts[1] if parts else self.summary(event, link))
        return Markup("".join(lines))

    def specs(self) -> list[PageSpec]:
        """Every generated page: the status page, the history, each event's, each component's."""
        return self.history_specs() + [self.event_spec(e) for e in self.site.events] + self.component_specs()

    @staticmethod
    def event_spec(event: Event) -> PageSpec:
        return PageSpec(event_src(event.id), event.title, "event.html", (("event", event),))

    def history_specs(self) -> list[PageSpec]:
        """The status page and the history's pages."""
        size = max(self.options.history_page_size, 1)
        count = max(1, -(-len(self.site.events) // size))
        pages = [PageSpec("index.md", "Current status", "status.html")]
        pages += [
            PageSpec(
                history_src(n),
                "History" if n == 1 else f"History, page {n}",
                "history.html",
                (("number", n), ("count", count)),
            )
            for n in range(1, count + 1)
        ]
        return pages

    def component_specs(self) -> list[PageSpec]:
        pages = []
        for c in self.site.components:
            count = self.component_pages(c.id)
            pages += [
                PageSpec(
                    component_src(c.id, n),
                    c.name if n == 1 else f"{c.name}, page {n}",
                    "component.html",
                    (("component", c), ("number", n), ("count", count)),
                )
                for n in range(1, count + 1)
            ]
        return pages

    def render(self, spec: PageSpec) -> str:
        use_urls = self.options.use_directory_urls
        if spec.template == "event.html" and self.fast_events:
            event = dict(spec.context)["event"]
            made = self.prerendered.body(event.id)  # with the parse, if it was
            if made is not None:
                return made
            return event_body(event, self.component_names, Link(url_for(spec.src_uri, use_urls), use_urls))
        link = Link(url_for(spec.src_uri, use_urls), use_urls)
        context = dict(spec.context)
        context.update(page=spec, link=link, site=self.site, r=self, now=self.now)
        size = max(self.options.history_page_size, 1)
        if spec.template == "history.html":
            start = (context["number"] - 1) * size
            context["events"] = self.site.events[start : start + size]
        elif spec.template == "component.html":
            start = (context.get("number", 1) - 1) * size
            context.setdefault("number", 1)
            context.setdefault("count", 1)
            context["events"] = self.events_by_component.get(context["component"].id, [])[start : start + size]
        return self.env.get_template(spec.template).render(context)

    # Helpers the templates call.
    def status_summary(self) -> dict[str, Any]:
        active = active_events(self.site, self.now)
        recent_since = self.now - timedelta(days=self.options.recent_days)
        upcoming, recent = [], []
        for e in self.site.events:  # one pass over the whole history for both
            if is_upcoming(e, self.now):
                upcoming.append(e)
            if e.closed and e.updated_at >= recent_since:
                recent.append(e)
        return {
            "indicator": self.indicator,
            "description": INDICATOR_DESCRIPTIONS[self.indicator],
            "incidents": [e for e in active if not e.is_maintenance],
            "maintenance": [e for e in active if e.is_maintenance],
            "upcoming": sorted(upcoming, key=lambda e: e.scheduled_start or e.created_at),
            "recent": recent,
        }

    def groups(self) -> list[tuple[str, list[Any]]]:
        ordered: dict[str, list[Any]] = {}
        for comp in self.site.components:
            ordered.setdefault(comp.group, []).append(comp)
        return list(ordered.items())


_HOLE = "\x00"  # where a line of a list gets the page's way up to the root (see ``summaries``)


def summary_around_hole(event: Event, use_urls: bool) -> tuple[str, str] | None:
    """The line of ``event`` in a list, before and after the way up to the root (see
    ``PageRenderer.summaries``); None if it links elsewhere too, or holds the hole's mark."""

    def hole(src_uri: str) -> str:
        return _HOLE + url_for(src_uri, use_urls) if src_uri.startswith("incidents/") else _HOLE + _HOLE

    head, _, tail = event_summary(event, hole).partition(_HOLE)
    return None if _HOLE in tail else (head, tail)


class Link:
    """What templates call ``link``: the relative link from the page at URL ``here`` to a
    page (by its source path, ``incidents/x.md``) or a file (``history.rss``)."""

    __slots__ = ("here", "use_urls")

    def __init__(self, here: str, use_urls: bool):
        self.here, self.use_urls = here, use_urls

    def __call__(self, src_uri: str) -> str:
        target = (
            src_uri
            if "." in posixpath.basename(src_uri) and not src_uri.endswith(".md")
            else url_for(src_uri, self.use_urls)
        )
        return _relative(target, self.here)

    def up_to(self, folder: str) -> str | None:
        """What a link to any URL in the top folder ``folder`` puts before that URL: the
        link to the folder itself without its name ("../" per level, "" from the root), or
        None from inside ``folder``, where links are not the folder's name and more."""
        way = _relative(folder + "/", self.here)
        return way[: -len(folder) - 1] if way.endswith("/" + folder + "/") or way == folder + "/" else None


@lru_cache(maxsize=65536)
def _relative(target: str, here: str) -> str:
    """Relative link from page URL ``here`` (a directory-style or file URL) to ``target``."""
    base = here if here.endswith("/") or not here else posixpath.dirname(here) + "/"
    if base.strip("/") and target and target.split("/", 1)[0] != base.split("/", 1)[0] and not target.startswith("."):
        # No common folder: up to the root, then down (what relpath gives, without its cost).
        return "../" * base.count("/") + target
    rel = posixpath.relpath("/" + target, "/" + base) if target else posixpath.relpath("/", "/" + base)
    if (not target or target.endswith("/")) and not rel.endswith("/"):
        rel += "/"
    return "./" if rel in (".", "./") else rel
