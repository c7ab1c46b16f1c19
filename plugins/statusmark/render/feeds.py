"""RSS 2.0 and Atom 1.0 feeds with feedgen (the one module that touches it)."""

from __future__ import annotations

from collections.abc import Callable

from feedgen.feed import FeedGenerator
from markupsafe import escape

from ..model import Event, Site
from ..status import UPDATE_LABELS
from .timefmt import human

MAX_ENTRIES = 50


def feed_files(site: Site, render_markdown: Callable[[str], str], max_entries: int = MAX_ENTRIES) -> dict[str, str]:
    """``history.rss``/``.atom`` and one pair per component, newest event first."""
    files = _pair(site, site.events, "", f"{site.name} - history", render_markdown, max_entries)
    for comp in site.components:
        events = [e for e in site.events if comp.id in e.component_ids]
        files |= _pair(
            site, events, f"components/{comp.id}/", f"{site.name} - {comp.name}", render_markdown, max_entries
        )
    return files


def _pair(
    site: Site,
    events: list[Event] | tuple[Event, ...],
    prefix: str,
    title: str,
    render: Callable[[str], str],
    limit: int,
) -> dict[str, str]:
    newest = sorted(events, key=lambda e: (e.updated_at, e.id), reverse=True)[:limit]
    out = {}
    for kind in ("rss", "atom"):
        feed = FeedGenerator()
        self_url = f"{site.url}{prefix}history.{kind}"
        feed.id(self_url)
        feed.title(title)
        feed.link(href=self_url, rel="self")
        feed.link(href=f"{site.url}{prefix}", rel="alternate")  # last: RSS takes it as <link>
        feed.description(f"Incidents and maintenance reported on {site.name}")
        feed.language("en")
        feed.generator("Statusmark")
        if newest:
            # Never the wall clock: two builds of the same files must be byte-identical.
            feed.updated(newest[0].updated_at)
            feed.lastBuildDate(newest[0].updated_at)
        else:
            feed.updated("1970-01-01T00:00:00Z")
            feed.lastBuildDate("1970-01-01T00:00:00Z")
        for event in reversed(newest):  # feedgen prepends: add oldest first
            _entry(feed, site, event, render)
        text = feed.rss_str(pretty=True) if kind == "rss" else feed.atom_str(pretty=True)
        out[f"{prefix}history.{kind}"] = text.decode("utf-8")
    return out


def _entry(feed: FeedGenerator, site: Site, event: Event, render: Callable[[str], str]) -> None:
    url = f"{site.url}incidents/{event.id}/"
    entry = feed.add_entry()
    entry.id(url)
    entry.guid(url, permalink=True)
    entry.title(event.title)
    entry.link(href=url)
    entry.published(event.created_at)
    entry.updated(event.updated_at)
    entry.content(_timeline_html(event, render), type="html")
    entry.summary(f"{UPDATE_LABELS.get(event.status, event.status)}: {event.title}")


def _timeline_html(event: Event, render: Callable[[str], str]) -> str:
    parts = []
    if event.is_maintenance and event.scheduled_start and event.scheduled_end:
        parts.append(f"<p>Scheduled {escape(human(event.scheduled_start))} to {escape(human(event.scheduled_end))}</p>")
    for update in reversed(event.updates):
        label = escape(UPDATE_LABELS.get(update.status, update.status))
        parts.append(f"<p><strong>{label}</strong> - {escape(human(update.at))}</p>{render(update.text)}")
    return "\n".join(parts)
