"""RSS 2.0 and Atom 1.0 feeds with feedgen (the one module that touches it)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from feedgen.entry import FeedEntry
from feedgen.feed import FeedGenerator
from markupsafe import escape

from ..model import Event, Site, Update
from ..status import UPDATE_LABELS
from .timefmt import human

MAX_ENTRIES = 50


# cached(key parts, the events a pair of feeds shows, make the pair) -> the pair
Cached = Callable[[tuple[Any, ...], Sequence[Event], Callable[[], dict[str, str]]], dict[str, str]]


def feed_files(
    site: Site,
    render_update: Callable[[Update], str],
    max_entries: int = MAX_ENTRIES,
    cached: Cached | None = None,
) -> dict[str, str]:
    """``history.rss``/``.atom`` and one pair per component, newest event first.

    An event's entry is made once and shared by every feed it is in; with ``cached``, a
    pair of feeds whose events did not change comes from the cache.
    """
    by_component: dict[str, list[Event]] = {comp.id: [] for comp in site.components}
    for event in site.events:
        for cid in event.component_ids:
            if cid in by_component:
                by_component[cid].append(event)
    entries: dict[str, FeedEntry] = {}
    groups = [("", f"{site.name} - history", list(site.events))]
    groups += [(f"components/{c.id}/", f"{site.name} - {c.name}", by_component[c.id]) for c in site.components]
    files: dict[str, str] = {}
    for prefix, title, events in groups:
        newest = sorted(events, key=lambda e: (e.updated_at, e.id), reverse=True)[:max_entries]

        def make(newest: list[Event] = newest, prefix: str = prefix, title: str = title) -> dict[str, str]:
            return _pair(site, newest, prefix, title, render_update, entries)

        if cached is None:
            files |= make()
        else:
            files |= cached(("feeds", site.name, site.url, prefix, title), newest, make)
    return files


def _pair(
    site: Site,
    newest: list[Event],
    prefix: str,
    title: str,
    render: Callable[[Update], str],
    entries: dict[str, FeedEntry],
) -> dict[str, str]:
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
            if event.id not in entries:
                entries[event.id] = _entry(site, event, render)
            feed.add_entry(entries[event.id])
        text = feed.rss_str(pretty=True) if kind == "rss" else feed.atom_str(pretty=True)
        out[f"{prefix}history.{kind}"] = text.decode("utf-8")
    return out


def _entry(site: Site, event: Event, render: Callable[[Update], str]) -> FeedEntry:
    url = f"{site.url}incidents/{event.id}/"
    entry = FeedEntry()
    entry.id(url)
    entry.guid(url, permalink=True)
    entry.title(event.title)
    entry.link(href=url)
    entry.published(event.created_at)
    entry.updated(event.updated_at)
    entry.content(_timeline_html(event, render), type="html")
    entry.summary(f"{UPDATE_LABELS.get(event.status, event.status)}: {event.title}")
    return entry


def _timeline_html(event: Event, render: Callable[[Update], str]) -> str:
    parts = []
    if event.is_maintenance and event.scheduled_start and event.scheduled_end:
        parts.append(f"<p>Scheduled {escape(human(event.scheduled_start))} to {escape(human(event.scheduled_end))}</p>")
    if not event.closed:
        expected = [f"Next update expected by {escape(human(event.next_update))}"] if event.next_update else []
        expected += [f"Expected resolution {escape(human(event.eta))}"] if event.eta else []
        if expected:
            parts.append(f"<p>{' · '.join(expected)}</p>")
    for update in reversed(event.updates):
        label = escape(UPDATE_LABELS.get(update.status, update.status))
        parts.append(f"<p><strong>{label}</strong> - {escape(human(update.at))}</p>{render(update)}")
    return "\n".join(parts)
