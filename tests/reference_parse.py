"""The line-by-line parser the mark-to-mark one replaced, kept as the reference it must equal.

Verbatim from statusmark 0.x (``audience.split_blocks`` and ``loader.parse_updates``
before the speed work): every line is looked at. ``test_speed_parse`` checks that the
fast parser gives the same segments, updates and problems on generated bodies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from statusmark.audience import _CLOSE, _OPEN, closes, fence_marker
from statusmark.errors import Problem
from statusmark.loader import _CORRECTION, _HEADING, _HEADING_PARTS, parse_time
from statusmark.model import AUDIENCES, INCIDENT_STATUSES, MAINTENANCE_STATUSES, Segment, Update


@dataclass
class _Open:
    audience: int
    line: int
    lines: list[str]


def reference_split_blocks(
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


def reference_parse_updates(
    body: list[str], body_line: int, path: str, kind: str, default_audience: int, problems: list[Problem]
) -> list[Update]:
    statuses = MAINTENANCE_STATUSES if kind == "maintenance" else INCIDENT_STATUSES
    other = INCIDENT_STATUSES if kind == "maintenance" else MAINTENANCE_STATUSES
    headings: list[tuple[int, str]] = []  # (index in body, heading text)
    fence: str | None = None
    for index, line in enumerate(body):
        marker = fence_marker(line)
        if fence is not None:
            if closes(marker, fence):
                fence = None
            continue
        if marker:
            fence = marker
            continue
        heading_match = _HEADING.match(line) if line.startswith("##") else None
        if heading_match:
            headings.append((index, heading_match.group(1)))
    preamble = body[: headings[0][0]] if headings else body
    if any(line.strip() for line in preamble):
        first = next(i for i, line in enumerate(preamble) if line.strip())
        problems.append(
            Problem(
                path,
                body_line + first,
                "updates",
                "text before the first update; start each update with '## <timestamp> <status>'",
            )
        )

    updates: list[Update] = []
    seen: dict[datetime, int] = {}
    for number, (index, heading) in enumerate(headings):
        lineno = body_line + index
        end = headings[number + 1][0] if number + 1 < len(headings) else len(body)
        parts = _HEADING_PARTS.match(heading)
        if not parts:
            problems.append(
                Problem(
                    path,
                    lineno,
                    "update",
                    f"expected '## <timestamp> <status>' such as '## 2026-11-20T14:02:00Z investigating'; got '## {heading}'",
                )
            )
            continue
        stamp, status, markers = parts.groups()
        internal = "(internal)" in markers
        correction = _CORRECTION.search(markers)
        revision = int(correction.group(1) or 1) if correction else 0
        problem_count = len(problems)
        try:
            at = parse_time(stamp)
        except ValueError as error:
            problems.append(Problem(path, lineno, "update time", str(error)))
        if status not in statuses:
            if status in other:
                problems.append(
                    Problem(
                        path,
                        lineno,
                        "update status",
                        f"{status!r} is a{'n incident' if kind == 'maintenance' else ' maintenance'} status; a{' maintenance' if kind == 'maintenance' else 'n incident'} uses {', '.join(statuses)}",
                    )
                )
            else:
                problems.append(
                    Problem(path, lineno, "update status", f"expected one of {', '.join(statuses)}; got {status!r}")
                )
        segments, block_problems = reference_split_blocks(body[index + 1 : end], lineno + 1, default_audience, path)
        problems.extend(block_problems)
        if not any(s.text.strip() for s in segments):
            problems.append(
                Problem(path, lineno, "update", "empty update; write what readers should know below the heading")
            )
        if len(problems) > problem_count:
            continue
        if at in seen:
            problems.append(
                Problem(
                    path,
                    lineno,
                    "update time",
                    f"two updates at {stamp}; the update of line {seen[at]} has the same time",
                )
            )
            continue
        seen[at] = lineno
        updates.append(Update(at, status, segments, internal, lineno, revision))
    updates.sort(key=lambda u: u.at)
    return updates
