"""HTML bodies of the generated pages (status, event, history, component).

MkDocs and the theme wrap these bodies in the site's chrome; this module only knows the
filtered Site, the clock and where each page lives.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, StrictUndefined

from ..model import AUDIENCES, Event, Site
from ..status import (
    IMPACT_LABELS,
    INDICATOR_DESCRIPTIONS,
    STATUS_LABELS,
    UPDATE_LABELS,
    component_statuses,
    indicator,
    is_active,
    is_upcoming,
    uptime_days,
    uptime_percent,
)
from .markdown import render_markdown
from .timefmt import human, iso, time_tag


@dataclass(frozen=True)
class PageSpec:
    src_uri: str  # where MkDocs believes the page's source lives, e.g. "incidents/x.md"
    title: str
    template: str
    context: tuple[tuple[str, Any], ...] = ()


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


@dataclass
class PageOptions:
    audience: int = 0
    history_page_size: int = 25
    recent_days: int = 14
    uptime_days: int = 90
    use_directory_urls: bool = True


class PageRenderer:
    """Renders every generated page of one audience's site from the same derived state."""

    def __init__(self, site: Site, now: datetime, options: PageOptions, override_dir: str | None = None):
        self.site, self.now, self.options = site, now, options
        loaders: list[Any] = [PackageLoader("statusmark", "templates/pages")]
        if override_dir:
            loaders.insert(0, FileSystemLoader(override_dir))
        self.env = Environment(loader=ChoiceLoader(loaders), autoescape=True, undefined=StrictUndefined)
        self.env.globals.update(
            time_tag=time_tag, iso=iso, human=human, markdown=render_markdown,
            status_label=STATUS_LABELS, update_label=UPDATE_LABELS, impact_label=IMPACT_LABELS,
            audience=AUDIENCES[options.audience], history_src=history_src,
        )  # fmt: skip

    # Derived once per site, shared by every page.
    @cached_property
    def statuses(self) -> dict[str, str]:
        return component_statuses(self.site, self.now)

    @cached_property
    def indicator(self) -> str:
        return indicator(self.site, self.statuses, self.now)

    @cached_property
    def events_by_component(self) -> dict[str, list[Event]]:
        found: dict[str, list[Event]] = {c.id: [] for c in self.site.components}
        for event in self.site.events:
            for cid in event.component_ids:
                found.setdefault(cid, []).append(event)
        return found

    def uptime(self, component_id: str) -> tuple[list[Any], float]:
        spans_site = Site(
            self.site.name, self.site.url, self.site.components, tuple(self.events_by_component.get(component_id, ()))
        )
        days = uptime_days(spans_site, component_id, self.now, self.options.uptime_days)
        return days, uptime_percent(days)

    def specs(self) -> list[PageSpec]:
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
        pages += [PageSpec(f"incidents/{e.id}.md", e.title, "event.html", (("event", e),)) for e in self.site.events]
        pages += [
            PageSpec(f"components/{c.id}.md", c.name, "component.html", (("component", c),))
            for c in self.site.components
        ]
        return pages

    def render(self, spec: PageSpec) -> str:
        here = url_for(spec.src_uri, self.options.use_directory_urls)

        def link(src_uri: str) -> str:
            target = (
                src_uri
                if "." in posixpath.basename(src_uri) and not src_uri.endswith(".md")
                else url_for(src_uri, self.options.use_directory_urls)
            )
            return _relative(target, here)

        context = dict(spec.context)
        context.update(page=spec, link=link, site=self.site, r=self, now=self.now)
        if spec.template == "history.html":
            size = max(self.options.history_page_size, 1)
            start = (context["number"] - 1) * size
            context["events"] = self.site.events[start : start + size]
        return self.env.get_template(spec.template).render(context)

    # Helpers the templates call.
    def status_summary(self) -> dict[str, Any]:
        active = [e for e in self.site.events if is_active(e, self.now)]
        recent_since = self.now - timedelta(days=self.options.recent_days)
        return {
            "indicator": self.indicator,
            "description": INDICATOR_DESCRIPTIONS[self.indicator],
            "incidents": [e for e in active if not e.is_maintenance],
            "maintenance": [e for e in active if e.is_maintenance],
            "upcoming": sorted(
                (e for e in self.site.events if is_upcoming(e, self.now)),
                key=lambda e: e.scheduled_start or e.created_at,
            ),
            "recent": [e for e in self.site.events if e.closed and e.updated_at >= recent_since],
        }

    def groups(self) -> list[tuple[str, list[Any]]]:
        ordered: dict[str, list[Any]] = {}
        for comp in self.site.components:
            ordered.setdefault(comp.group, []).append(comp)
        return list(ordered.items())


def _relative(target: str, here: str) -> str:
    """Relative link from page URL ``here`` (a directory-style or file URL) to ``target``."""
    base = here if here.endswith("/") or not here else posixpath.dirname(here) + "/"
    rel = posixpath.relpath("/" + target, "/" + base) if target else posixpath.relpath("/", "/" + base)
    if (not target or target.endswith("/")) and not rel.endswith("/"):
        rel += "/"
    return "./" if rel in (".", "./") else rel
