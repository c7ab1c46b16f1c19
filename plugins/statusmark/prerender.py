"""Update text rendered to HTML while the files are parsed: once per block, for every site.

A block of public text is on all three sites, a semi-technical one on two. Each
audience's site is built in a process of its own, so each rendered the block again:
Markdown was a fifth of a cold build at 10,000 events, half of it repeated. Instead the
parse workers (one per core) render every block a build will show right after parsing
its file, and the HTML travels back with the parsed event; ``render_markdown`` finds it
in the audience builds, which are forked from the process that holds it.

The HTML is not kept in the parse cache (it would double the bytes ``statusmark check``
reads): on a warm build only the files that changed are parsed, and with them rendered.
"""

from __future__ import annotations

from .fastview import view_event
from .model import Event
from .render.markdown import remember, render_markdown


def shown_texts(event: Event, level: int) -> list[str]:
    """The text of each block a reader at ``level`` sees, as the audience view hands it to
    ``render_markdown`` (``<!-- lint-ok -->`` markers stripped), in file order."""
    seen = view_event(event, level)  # at the technical level, mostly the event itself
    return [s.text for u in seen.updates for s in u.segments if s.text] if seen else []


def render_shown(event: Event, level: int) -> list[str]:
    return [render_markdown(text) for text in shown_texts(event, level)]


def keep(event: Event, level: int, html: list[str]) -> None:
    """Hand ``render_markdown`` the HTML ``render_shown`` made for ``event`` (elsewhere)."""
    remember(zip(shown_texts(event, level), html))
