"""Event pages' bodies and list lines made while the files are parsed, for every audience.

Event pages are ten thousand of an audience's eleven thousand pages at ten thousand
events. Each audience's site is built in a process of its own, forked from the one that
parsed the files; there, making an event's page read its updates, blocks and text for the
first time since the fork (which copied the memory they sit on), and the blocks of public
text were rendered on every site again. Instead the parse workers (one per core), right
after parsing a file, make its event's page body and list line for every audience about
to be built, with the functions the audience's build calls (``fastevent.event_body`` and
``pages.summary_around_hole`` of the audience's view); they travel back with the parsed
event, keyed by its id and the audience's level. At 10,000 events (cold builds of the
code before and after, alternating on one host) the build took 13.5 s of CPU instead of
15.7; in one pair, the audiences' processes 7.0 s instead of 11.1, the parse workers 5.5 s
instead of 4.5.

Pages made so are not kept in the parse cache (they would triple the bytes ``statusmark
check`` reads): on a warm build only the files that changed are parsed, and with them
made; the pages of other events are made where they are built, as before, by the same
code. A site that overrides ``event.html`` or ``_macros.html`` renders its event pages
with its own templates, in its audiences' builds.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from .fastview import view_event
from .model import Event
from .render.fastevent import event_body
from .render.pages import Link, event_src, summary_around_hole, url_for


@dataclass(frozen=True)
class Prerender:
    """Which event pages (bodies and list lines) the parse makes: the sites' about to be built."""

    levels: tuple[int, ...]  # the audience levels of those sites
    use_urls: bool = True  # MkDocs' use_directory_urls: a body's links are relative to its page
    # Component id -> name, as the site's config lists them: filled in by ``load_site``, which
    # reads the components (a caller asks for pages by levels and links alone).
    names: tuple[tuple[str, str], ...] = ()

    @cached_property
    def name_of(self) -> dict[str, str]:
        return dict(self.names)


# An event's page body on one site, and its line in the site's lists around the way up to
# the root (``pages.summary_around_hole``); None where the event has no page.
Made = tuple[str, tuple[str, str] | None] | None


def render_pages(event: Event, job: Prerender) -> tuple[Made, ...]:
    """What ``event``'s page and list line are on each site of ``job.levels``."""
    link = Link(url_for(event_src(event.id), job.use_urls), job.use_urls)
    names = job.name_of
    made: list[Made] = []
    for level in job.levels:
        view = view_event(event, level)
        made.append((event_body(view, names, link), summary_around_hole(view, job.use_urls)) if view else None)
    return tuple(made)


# (event id, audience level) -> what the current load made for the event there; and the
# Prerender it makes them for (None: it makes none).
_MADE: dict[tuple[str, int], Made] = {}
_made_for: Prerender | None = None


def start(job: Prerender | None) -> None:
    """At every load, before any file is parsed: pages are found by their event's id, which
    another site may share. A new table, not the old one emptied: one handed out for an
    earlier load keeps that load's pages and is never filled with another's."""
    global _MADE, _made_for
    _MADE, _made_for = {}, job


def keep(event_id: str, made: tuple[Made, ...]) -> None:
    """What ``render_pages`` made for ``event_id`` in this load."""
    assert _made_for is not None, "start(job) first"
    _MADE.update(((event_id, level), found) for level, found in zip(_made_for.levels, made))


def made_for(level: int, use_urls: bool, names: dict[str, str]) -> dict[tuple[str, int], Made]:
    """What the last load made, if it was made for pages like these; else nothing."""
    job = _made_for
    if job is None or level not in job.levels or job.use_urls != use_urls or job.name_of != names:
        return {}
    return _MADE
