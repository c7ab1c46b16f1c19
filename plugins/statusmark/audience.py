"""Audience blocks: split an update's source into per-audience segments.

Filtering happens here, on the Markdown *source*, before anything is rendered, so no
byte of a hidden block can survive as HTML, a comment or an attribute.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .errors import Problem
from .lint import strip_acknowledgements
from .model import AUDIENCES, TECHNICAL, Event, Segment, Site

_OPEN = re.compile(r"^///[ \t]*(\S.*?)\s*$")
_CLOSE = re.compile(r"^///\s*$")
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")


def fence_marker(line: str) -> str | None:
    """The ``` or ~~~ run that opens or closes a fenced code block on this line, if any."""
    if "`" not in line[:6] and "~" not in line[:6]:
        return None  # the common case, without a regex
    match = _FENCE.match(line)
    return match.group(1) if match else None


def closes(marker: str | None, fence: str) -> bool:
    return marker is not None and marker[0] == fence[0] and len(marker) >= len(fence)


@dataclass
class _Open:
    audience: int
    line: int
    lines: list[str]


def split_blocks(
    lines: list[str], first_line: int, default_audience: int, path: str
) -> tuple[tuple[Segment, ...], list[Problem]]:
    """Split ``lines`` (an update's body, starting at file line ``first_line``).

    Text outside any block belongs to ``default_audience``. Code fences are respected:
    a ``///`` inside a fenced code block is text, not a fence of ours.
    """
    segments: list[Segment] = []
    problems: list[Problem] = []
    loose: list[str] = []
    block: _Open | None = None
    fence: str | None = None
    refused = 0  # openers reported as wrong (unknown name, nested): their '///' closes nothing of ours

    def flush_loose() -> None:
        text = "\n".join(loose).strip("\n")
        if text.strip():
            segments.append(Segment(default_audience, text))
        loose.clear()

    for offset, line in enumerate(lines):
        lineno = first_line + offset
        target = block.lines if block else loose
        marker = fence_marker(line)
        if fence is not None:
            target.append(line)
            if closes(marker, fence):
                fence = None
            continue
        if marker:
            fence = marker
            target.append(line)
            continue
        if not line.startswith("///"):
            target.append(line)
            continue
        if _CLOSE.match(line):
            if refused:
                refused -= 1
            elif block is None:
                problems.append(
                    Problem(
                        path,
                        lineno,
                        "audience block",
                        "'///' closes no open block; open one with '/// public', '/// semi-technical' or '/// technical'",
                    )
                )
            else:
                segments.append(Segment(block.audience, "\n".join(block.lines).strip("\n")))
                block = None
            continue
        opened = _OPEN.match(line)
        if opened:
            name = opened.group(1)
            if name not in AUDIENCES:
                problems.append(
                    Problem(path, lineno, "audience block", f"expected one of {', '.join(AUDIENCES)}; got {name!r}")
                )
                refused += 1
                continue
            if block is not None:
                problems.append(
                    Problem(
                        path,
                        lineno,
                        "audience block",
                        f"blocks cannot be nested; close the '/// {AUDIENCES[block.audience]}' block of line {block.line} with '///' first",
                    )
                )
                refused += 1
                continue
            flush_loose()
            block = _Open(AUDIENCES.index(name), lineno, [])
            continue
        target.append(line)
    if block is not None:
        problems.append(
            Problem(
                path,
                block.line,
                "audience block",
                f"'/// {AUDIENCES[block.audience]}' is never closed; add a line '///' after its text",
            )
        )
        # An unclosed block keeps its text at its own audience: never widen it.
        segments.append(Segment(block.audience, "\n".join(block.lines).strip("\n")))
    flush_loose()
    return tuple(segments), problems


def view_event(event: Event, level: int) -> Event | None:
    """The event as a reader at ``level`` may see it, or None if they see nothing of it.

    Hidden segments, internal updates, tags and approvals are dropped from the data
    itself, so no renderer downstream can leak them however it is written.
    """
    if event.draft:
        return None
    updates = tuple(
        replace(
            u,
            segments=tuple(replace(s, text=strip_acknowledgements(s.text)) for s in u.segments if s.audience <= level),
        )
        for u in event.updates
        if level >= TECHNICAL or not u.internal
    )
    if not updates and not event.is_maintenance:
        return None
    return replace(
        event,
        updates=updates,
        tags=event.tags if level >= TECHNICAL else (),
        approvals=(),
    )


def view_site(site: Site, level: int) -> Site:
    events = (view_event(e, level) for e in site.events)
    return replace(site, events=tuple(e for e in events if e is not None))
