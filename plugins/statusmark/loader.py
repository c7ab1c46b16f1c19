"""Files -> model. Every problem is collected with its location; nothing raises midway."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from datetime import UTC, date, datetime
from typing import Any

import yaml

from .audience import marked_lines, split_blocks, unfenced
from .errors import Problem
from .frontmatter import read_simple
from .model import (
    COMPONENT_STATUSES,
    IMPACTS,
    INCIDENT_STATUSES,
    KINDS,
    MAINTENANCE_STATUSES,
    PUBLIC,
    TECHNICAL,
    Approval,
    Event,
    Update,
)

try:  # the C loader is ~7x faster; fall back where libyaml is missing
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
FIELDS = (
    "title", "kind", "impact", "components", "tags", "scheduled_start", "scheduled_end",
    "approvals", "postmortem", "next_update", "eta", "draft",
)  # fmt: skip
_HEADING = re.compile(r"^##(?!#)\s*(.*?)\s*$")
_HEADING_PARTS = re.compile(r"^(\S+)\s+([A-Za-z_-]+)((?:\s+\((?:internal|correction(?:\s+\d+)?)\))*)$")
# "(correction)" re-sends an already-notified update after its text was fixed; "(correction 2)" once more.
_CORRECTION = re.compile(r"\(correction(?:\s+(\d+))?\)")
_KEY_LINE = re.compile(r"^(\s*)(?:-\s+)?([A-Za-z0-9_-]+)\s*:")


def parse_time(value: Any) -> datetime:
    """A timezone-aware UTC datetime from YAML or heading text; ValueError says why not."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        raise ValueError(
            f"expected a timestamp with time and offset, e.g. 2026-11-20T14:02:00Z; got {value.isoformat()!r}"
        )
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"expected an ISO 8601 timestamp such as 2026-11-20T14:02:00Z; got {value!r}") from None
    else:
        raise ValueError(f"expected an ISO 8601 timestamp such as 2026-11-20T14:02:00Z; got {value!r}")
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        shown = value.isoformat() if isinstance(value, datetime) else str(value)  # as written, with its 'T'
        raise ValueError(f"timestamp has no offset; add 'Z' or '+HH:MM' (got {shown!r})")
    return parsed.astimezone(UTC)


class _Lines:
    """Finds the line of a front-matter key, computed only when a problem needs it."""

    def __init__(self, front: list[str], first_line: int):
        self.front = front
        self.first_line = first_line

    def of(self, key: str, parent: str | None = None) -> int:
        inside = parent is None
        for offset, line in enumerate(self.front):
            match = _KEY_LINE.match(line)
            if not match:
                continue
            indent, name = match.groups()
            if parent is not None and not indent and name == parent:
                inside = True
                continue
            if inside and name == key and (parent is None) == (not indent):
                return self.first_line + offset
        return self.of(parent) if parent else self.first_line - 1


def split_front_matter(text: str) -> tuple[list[str], list[str], int] | None:
    """(front-matter lines, body lines, body's first line number) or None if absent."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return lines[1:index], lines[index + 1 :], index + 2
    return None


def parse_source(
    data: bytes | OSError, event_id: str, path: str, known_components: set[str], default_audience: int = TECHNICAL
) -> tuple[Event | None, list[Problem]]:
    """``parse_event`` of a file's bytes (``sourcefiles.read_source``), or why it cannot be read."""
    try:
        if isinstance(data, OSError):
            raise data
        # -sig: a BOM some editors add is not text. Line breaks of any kind are kept:
        # the parser splits lines as Python's text mode would have read them.
        text = data.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        return None, [Problem(path, 1, "file", f"cannot be read as UTF-8 text: {error}")]
    return parse_event(text, event_id, path, known_components, default_audience)


def parse_event(
    text: str, event_id: str, path: str, known_components: set[str], default_audience: int = TECHNICAL
) -> tuple[Event | None, list[Problem]]:
    problems: list[Problem] = []
    if not ID_PATTERN.match(event_id):
        problems.append(
            Problem(
                path,
                1,
                "id",
                f"file name must match [a-z0-9][a-z0-9-]* (lower-case letters, digits, hyphens); got {event_id!r}",
            )
        )
    split = split_front_matter(text)
    if split is None:
        problems.append(
            Problem(
                path,
                1,
                "front matter",
                "expected the file to start with a '---' line, the YAML front matter, and a closing '---' line",
            )
        )
        return None, problems
    front, body, body_line = split
    meta = read_simple(front)  # the common shape, without a YAML parser; else YAML itself
    if meta is None:
        try:
            meta = yaml.load("\n".join(front), Loader=_Loader)
        except yaml.YAMLError as error:
            problems.append(_yaml_problem(error, "\n".join(front), path))
            return None, problems
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        problems.append(
            Problem(path, 2, "front matter", f"expected a mapping of fields (title: ...); got {type(meta).__name__}")
        )
        return None, problems
    where = _Lines(front, 2)
    fields = _FrontMatter(meta, path, where, known_components, problems)
    kind = fields.kind()
    updates = parse_updates(body, body_line, path, kind, default_audience, problems)
    scheduled_start = fields.time("scheduled_start")
    scheduled_end = fields.time("scheduled_end")
    if kind == "maintenance":
        for name in ("scheduled_start", "scheduled_end"):
            if meta.get(name) is None:  # absent or left empty; a bad value was reported by fields.time
                line = where.of(name) if name in meta else where.of("kind")
                problems.append(Problem(path, line, name, "a maintenance needs scheduled_start and scheduled_end"))
        if scheduled_start and scheduled_end and scheduled_end <= scheduled_start:
            problems.append(
                Problem(
                    path,
                    where.of("scheduled_end"),
                    "scheduled_end",
                    f"must be after scheduled_start ({scheduled_start.isoformat()})",
                )
            )
    else:
        for name in ("scheduled_start", "scheduled_end"):
            if name in meta:
                problems.append(
                    Problem(
                        path,
                        where.of(name),
                        name,
                        "only a maintenance has a schedule; set 'kind: maintenance' or remove it",
                    )
                )
        if not any(_HEADING.match(line) for line in body):
            problems.append(
                Problem(
                    path,
                    body_line,
                    "updates",
                    "an incident needs at least one update: '## 2026-11-20T14:02:00Z investigating' followed by its text",
                )
            )
    event = Event(
        id=event_id,
        path=path,
        title=fields.title(),
        kind=kind,
        impact=fields.impact(kind),
        components=fields.components(kind),
        updates=tuple(updates),
        tags=fields.tags(),
        approvals=fields.approvals(),
        scheduled_start=scheduled_start,
        scheduled_end=scheduled_end,
        postmortem=fields.text("postmortem"),
        next_update=fields.time("next_update"),
        eta=fields.time("eta"),
        draft=fields.flag("draft"),
    )
    if not event.draft:
        for update in event.updates:
            if not update.internal and not update.has_text_for(PUBLIC):
                problems.append(
                    Problem(
                        path,
                        update.line,
                        "update",
                        "no public text; add a '/// public' block for customers, or end the heading with '(internal)'",
                    )
                )
    for unknown in sorted(set(meta) - set(FIELDS), key=str):
        problems.append(
            Problem(path, where.of(str(unknown)), str(unknown), f"unknown field; expected one of {', '.join(FIELDS)}")
        )
    return event, problems


def _yaml_problem(error: yaml.YAMLError, source: str, path: str) -> Problem:
    """One line naming where the YAML broke; PyYAML's own text spans several lines."""
    if isinstance(error, yaml.reader.ReaderError):  # a control character, e.g. a NUL byte
        line = 2 + source[: error.position].count("\n")
        return Problem(path, line, "front matter", f"invalid YAML: {str(error).splitlines()[0]}")
    mark = getattr(error, "problem_mark", None)
    line = 2 + mark.line if mark is not None else 1
    reason = getattr(error, "problem", None) or str(error).splitlines()[0]
    context, context_mark = getattr(error, "context", None), getattr(error, "context_mark", None)
    if context and context_mark is not None and context_mark.line != getattr(mark, "line", None):
        # An unclosed bracket is noticed where the front matter ends: name where it opened.
        reason += f" ({context} started on line {2 + context_mark.line})"
    return Problem(path, line, "front matter", f"invalid YAML: {reason}")


class _FrontMatter:
    """Reads and checks front-matter fields, recording problems instead of raising."""

    def __init__(self, meta: dict[str, Any], path: str, where: _Lines, known: set[str], problems: list[Problem]):
        self.meta, self.path, self.where, self.known, self.problems = meta, path, where, known, problems

    def problem(self, key: str, message: str, parent: str | None = None) -> None:
        field = f"{parent}.{key}" if parent else key
        self.problems.append(Problem(self.path, self.where.of(key, parent), field, message))

    def title(self) -> str:
        value = self.meta.get("title")
        if not isinstance(value, str) or not value.strip():
            self.problem("title", "required: a short public headline, e.g. 'Elevated error rates on the API'")
            return ""
        return value.strip()

    def kind(self) -> str:
        value = self.meta.get("kind", "incident")
        if value not in KINDS:
            self.problem("kind", f"expected one of {', '.join(KINDS)}; got {value!r}")
            return "incident"
        return str(value)

    def impact(self, kind: str) -> str:
        value = self.meta.get("impact", "none")
        if value not in IMPACTS:
            self.problem("impact", f"expected one of {', '.join(IMPACTS)}; got {value!r}")
            return "none"
        return "maintenance" if kind == "maintenance" and "impact" not in self.meta else str(value)

    def components(self, kind: str) -> tuple[tuple[str, str], ...]:
        value = self.meta.get("components", {})
        if value is None:
            return ()
        if not isinstance(value, dict):
            self.problem("components", "expected a mapping of component id to status, e.g. 'api: partial_outage'")
            return ()
        result = []
        for cid, status in value.items():
            if cid not in self.known:
                known = ", ".join(sorted(self.known)) or "none are configured"
                self.problem(str(cid), f"unknown component id {cid!r}; configured ids: {known}", "components")
                continue
            if status not in COMPONENT_STATUSES:
                self.problem(str(cid), f"expected one of {', '.join(COMPONENT_STATUSES)}; got {status!r}", "components")
                continue
            result.append((str(cid), str(status)))
        return tuple(result)

    def tags(self) -> tuple[str, ...]:
        value = self.meta.get("tags", [])
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
            self.problem("tags", "expected a list of words, e.g. [database, security]")
            return ()
        return tuple(value)

    def approvals(self) -> tuple[Approval, ...]:
        value = self.meta.get("approvals", [])
        if value is None:
            return ()
        if not isinstance(value, list):
            self.problem("approvals", "expected a list of {role: ..., by: ..., at: ...}")
            return ()
        result = []
        for item in value:
            if (
                not isinstance(item, dict)
                or not isinstance(item.get("role"), str)
                or not isinstance(item.get("by"), str)
            ):
                self.problem(
                    "approvals",
                    "each approval needs 'role' and 'by', e.g. {role: legal, by: Dana Reyes, at: 2026-11-20T14:20:00Z}",
                )
                continue
            at = None
            if item.get("at") is not None:
                try:
                    at = parse_time(item["at"])
                except ValueError as error:
                    self.problem("approvals", f"at: {error}")
            result.append(Approval(item["role"], item["by"], at))
        return tuple(result)

    def time(self, key: str) -> datetime | None:
        if self.meta.get(key) is None:
            return None
        try:
            return parse_time(self.meta[key])
        except ValueError as error:
            self.problem(key, str(error))
            return None

    def text(self, key: str) -> str:
        value = self.meta.get(key)
        if value is None:
            return ""
        if not isinstance(value, str):
            self.problem(key, f"expected text; got {value!r}")
            return ""
        return value.strip()

    def flag(self, key: str) -> bool:
        value = self.meta.get(key, False)
        if not isinstance(value, bool):
            self.problem(key, f"expected true or false; got {value!r}")
            return False
        return value


def parse_updates(
    body: list[str], body_line: int, path: str, kind: str, default_audience: int, problems: list[Problem]
) -> list[Update]:
    statuses = MAINTENANCE_STATUSES if kind == "maintenance" else INCIDENT_STATUSES
    other = INCIDENT_STATUSES if kind == "maintenance" else MAINTENANCE_STATUSES
    headings: list[tuple[int, str]] = []  # (index in body, heading text)
    # '///' lines outside fenced code (``block_lines``): a heading is never inside a fence,
    # so each update's body starts outside one, as ``split_blocks`` would find on its own.
    slashes: list[int] = []
    for index, line in unfenced(body, marked_lines(body)):  # the only lines that can start anything
        if line.startswith("///"):
            slashes.append(index)
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
        inside = [m - index - 1 for m in slashes[bisect_right(slashes, index) : bisect_left(slashes, end)]]
        segments, block_problems = split_blocks(
            body[index + 1 : end], lineno + 1, default_audience, path, slashes=inside
        )
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
