"""Event pages' bodies rendered while the files are parsed, for every audience built.

Event pages are ten thousand of an audience's eleven thousand pages at ten thousand
events. Each audience's site is built in a process of its own, forked from the one that
parsed the files; there, making an event page's body read the event's updates, blocks
and text for the first time since the fork, which copied the memory they sit on, and
rendered the blocks of public text again on every site. Instead the parse workers (one
per core) make each event page's body for every audience about to be built right after
parsing its file (``fastevent.event_body`` of the audience's view, the function the
audience's build calls), and the bodies travel back with the parsed event, keyed by its
id and the audience's level. At 10,000 events this took the three audiences' processes
from 8 to 4 s of CPU, for about 1.5 s more in the parse workers.

Bodies are not kept in the parse cache (they would triple the bytes ``statusmark check``
reads): on a warm build only the files that changed are parsed, and with them rendered;
the pages of other events are made where they are built, as before, by the same code.
A site that overrides ``event.html`` or ``_macros.html`` renders its event pages with
its own templates, in its audiences' builds.
"""

from __future__ import annotations

from dataclasses import dataclass

from .fastview import view_event
from .model import Event
from .render.fastevent import event_body
from .render.pages import Link, event_src, url_for


@dataclass(frozen=True)
class Prerender:
    """Which event page bodies the parse makes: for the sites about to be built."""

    levels: tuple[int, ...]  # the audience levels of those sites
    use_urls: bool = True  # MkDocs' use_directory_urls: a body's links are relative to its page
    names: tuple[tuple[str, str], ...] = ()  # component id -> name, as the site's config lists them


def render_bodies(event: Event, job: Prerender) -> tuple[str | None, ...]:
    """The body of ``event``'s page on each site of ``job.levels`` (None: no page there)."""
    link = Link(url_for(event_src(event.id), job.use_urls), job.use_urls)
    names = dict(job.names)
    views = (view_event(event, level) for level in job.levels)
    return tuple(event_body(view, names, link) if view is not None else None for view in views)


# (event id, audience level) -> the body of the event's page there, made by the last load;
# and the one Prerender they were all made for.
_BODIES: dict[tuple[str, int], str | None] = {}
_made_for: Prerender | None = None


def keep_bodies(event_id: str, job: Prerender, bodies: tuple[str | None, ...]) -> None:
    global _made_for
    if job != _made_for:
        forget_bodies()
        _made_for = job
    _BODIES.update(((event_id, level), body) for level, body in zip(job.levels, bodies))


def forget_bodies() -> None:
    """At every load: bodies are found by their event's id, which another site may share."""
    global _made_for
    _BODIES.clear()
    _made_for = None


def bodies_for(level: int, use_urls: bool, names: dict[str, str]) -> dict[tuple[str, int], str | None]:
    """The bodies the last load made, if they were made for pages like these; else none."""
    job = _made_for
    if job is None or level not in job.levels or job.use_urls != use_urls or dict(job.names) != names:
        return {}
    return _BODIES
