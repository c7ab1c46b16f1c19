"""RSS 2.0 and Atom 1.0 feeds: written directly (``fastfeed``), or by feedgen for text
whose serialisation only lxml should decide (this is the one module that touches feedgen)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from markupsafe import escape

from ..model import Event, Site, Update
from ..status import UPDATE_LABELS
from .fastfeed import Entry, atom_entry, atom_feed, rss_feed, rss_item, writable
from .timefmt import human

if TYPE_CHECKING:  # feedgen (with lxml and dateutil, 30 ms to import) only for the rare fallback
    from feedgen.entry import FeedEntry

MAX_ENTRIES = 50


# cached(key parts, the events a pair of feeds shows, make the pair) -> the pair, or what stands for it
Cached = Callable[[tuple[Any, ...], Sequence[Event], Callable[[], dict[str, str]]], dict[str, Any]]


def feed_files(
    site: Site,
    render_update: Callable[[Update], str],
    max_entries: int = MAX_ENTRIES,
    cached: Cached | None = None,
) -> dict[str, Any]:
    """``history.rss``/``.atom`` and one pair per component, newest event first.

    An event's entry is made once and shared by every feed it is in; with ``cached``, a
    pair of feeds whose events did not change comes from the cache.
    """
    # One ranking for every feed: an event's last update time is computed once, not per feed.
    ranked = sorted(site.events, key=attrgetter("updated_at", "id"), reverse=True)
    by_component: dict[str, list[Event]] = {comp.id: [] for comp in site.components}
    open_feeds = len(by_component)  # not full yet: once none is, the rest of the history is not read
    for event in ranked:
        if not open_feeds:
            break
        for cid in event.component_ids:
            if cid in by_component and len(by_component[cid]) < max_entries:
                by_component[cid].append(event)
                open_feeds -= len(by_component[cid]) == max_entries
    entries: dict[str, _Made] = {}
    groups = [("", f"{site.name} - history", ranked[:max_entries])]
    groups += [(f"components/{c.id}/", f"{site.name} - {c.name}", by_component[c.id]) for c in site.components]
    files: dict[str, Any] = {}
    for prefix, title, newest in groups:

        def make(newest: list[Event] = newest, prefix: str = prefix, title: str = title) -> dict[str, str]:
            return _pair(site, newest, prefix, title, render_update, entries)

        if cached is None:
            files |= make()
        else:
            files |= cached(("feeds", site.name, site.url, prefix, title), newest, make)
    return files


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # the date of a feed with no entries


class _Made:
    """An event's entry, made once and shared by every feed it is in."""

    def __init__(self, entry: Entry):
        self.entry = entry
        self.writable = writable([entry.title, entry.content, entry.summary], [entry.url])
        self.rss = rss_item(entry) if self.writable else ""
        self.atom = atom_entry(entry) if self.writable else ""


def _pair(
    site: Site,
    newest: list[Event],
    prefix: str,
    title: str,
    render: Callable[[Update], str],
    entries: dict[str, _Made],
) -> dict[str, str]:
    made = []
    for event in newest:
        if event.id not in entries:
            entries[event.id] = _Made(_entry(site, event, render))
        made.append(entries[event.id])
    home = f"{site.url}{prefix}"
    description = f"Incidents and maintenance reported on {site.name}"
    # Never the wall clock: two builds of the same files must be byte-identical.
    updated = newest[0].updated_at if newest else EPOCH
    rss_url, atom_url = f"{home}history.rss", f"{home}history.atom"
    if all(m.writable for m in made) and writable([title, description], [home, rss_url, atom_url]):
        return {
            rss_url[len(site.url) :]: rss_feed(title, rss_url, home, description, updated, [m.rss for m in made]),
            atom_url[len(site.url) :]: atom_feed(title, atom_url, home, description, updated, [m.atom for m in made]),
        }
    from feedgen.feed import FeedGenerator

    out = {}
    for kind, self_url in (("rss", rss_url), ("atom", atom_url)):
        feed = FeedGenerator()
        feed.id(self_url)
        feed.title(title)
        feed.link(href=self_url, rel="self")
        feed.link(href=home, rel="alternate")  # last: RSS takes it as <link>
        feed.description(description)
        feed.language("en")
        feed.generator("Statusmark")
        feed.updated(updated)
        feed.lastBuildDate(updated)
        for m in reversed(made):  # feedgen prepends: add oldest first
            feed.add_entry(_feed_entry(m.entry))
        text = feed.rss_str(pretty=True) if kind == "rss" else feed.atom_str(pretty=True)
        out[f"{prefix}history.{kind}"] = text.decode("utf-8")
    return out


def _entry(site: Site, event: Event, render: Callable[[Update], str]) -> Entry:
    return Entry(
        url=f"{site.url}incidents/{event.id}/",
        title=event.title,
        published=event.created_at,
        updated=event.updated_at,
        content=_timeline_html(event, render),
        summary=f"{UPDATE_LABELS.get(event.status, event.status)}: {event.title}",
    )


def _feed_entry(made: Entry) -> FeedEntry:
    from feedgen.entry import FeedEntry

    entry = FeedEntry()
    entry.id(made.url)
    entry.guid(made.url, permalink=True)
    entry.title(made.title)
    entry.link(href=made.url)
    entry.published(made.published)
    entry.updated(made.updated)
    entry.content(made.content, type="html")
    entry.summary(made.summary)
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
