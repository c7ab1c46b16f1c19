"""Audience blocks: split an update's source into per-audience segments.

Filtering happens here, on the Markdown *source*, before anything is rendered, so no
byte of a hidden block can survive as HTML, a comment or an attribute.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
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


# A line break, then what starts a marked line. Starting with a literal lets the regex
# engine skip from line break to line break (``^`` with MULTILINE tries every position).
_MARKS = re.compile(r"\n(?:##|///|[^\S\n]{0,3}(?:```|~~~))")


def marked_lines(lines: list[str]) -> list[int]:
    """Indices of the lines that can change how a body parses: fences, ``##`` and ``///`` lines.

    Every other line is text wherever it stands, so parsers step from mark to mark and
    take the lines between them whole. One regex pass over the joined lines; ``lines``
    come from ``splitlines`` and hold no line break of their own.
    """
    text = "\n" + "\n".join(lines)
    found: list[int] = []
    line, pos = -1, 0  # the line that starts after the line break at ``pos``
    for match in _MARKS.finditer(text):
        start = match.start() + 1
        line += text.count("\n", pos, start)
        pos = start
        found.append(line)
    return found


def unfenced(lines: list[str], marks: list[int]) -> Iterator[tuple[int, str]]:
    """The marked lines (``marks`` of ``lines``) outside fenced code, with their index:
    the only ones that can start an update or open or close an audience block."""
    fence: str | None = None
    for offset in marks:
        line = lines[offset]
        marker = fence_marker(line)
        if fence is not None:
            if closes(marker, fence):
                fence = None
        elif marker:
            fence = marker
        else:
            yield offset, line


def block_lines(lines: list[str], marks: list[int]) -> list[int]:
    """Of the marked lines ``marks`` of ``lines``, those that may open or close an audience
    block: ``///`` lines outside fenced code. Every other line is text to ``split_blocks``."""
    return [offset for offset, line in unfenced(lines, marks) if line.startswith("///")]


def split_blocks(
    lines: list[str],
    first_line: int,
    default_audience: int,
    path: str,
    slashes: list[int] | None = None,
) -> tuple[tuple[Segment, ...], list[Problem]]:
    """Split ``lines`` (an update's body, starting at file line ``first_line``).

    Text outside any block belongs to ``default_audience``. Code fences are respected:
    a ``///`` inside a fenced code block is text, not a fence of ours. ``slashes`` are the
    ``block_lines`` of ``lines``, when the caller has them (``parse_updates`` finds them in
    a whole body at once).
    """
    segments: list[Segment] = []
    problems: list[Problem] = []
    loose: list[str] = []
    block: _Open | None = None
    refused = 0  # openers reported as wrong (unknown name, nested): their '///' closes nothing of ours

    def flush_loose() -> None:
        text = "\n".join(loose).strip("\n")
        if text.strip():
            segments.append(Segment(default_audience, text))
        loose.clear()

    if slashes is None:
        slashes = block_lines(lines, marked_lines(lines))
    taken = 0  # lines before this index are in a segment, a block or loose text already
    for offset in slashes:
        (block.lines if block else loose).extend(lines[taken:offset])  # text, fenced code included
        taken = offset + 1
        line = lines[offset]
        lineno = first_line + offset
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
        (block.lines if block else loose).append(line)  # no opener, no closer: text
    (block.lines if block else loose).extend(lines[taken:])
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
            segments=tuple(s._replace(text=strip_acknowledgements(s.text)) for s in u.segments if s.audience <= level),
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
