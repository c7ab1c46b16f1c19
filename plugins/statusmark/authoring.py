"""`statusmark new` and `statusmark update`: write incident files that pass `check` as written.

Every file is parsed with the real loader (and the privacy lint) *before* it is written,
so an engineer in the middle of an incident never pushes a file CI would reject; then it
is written atomically (temp file + os.replace), so a crash never leaves half a file.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import unicodedata
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from .clock import NOW_VARIABLE
from .errors import ConfigFileError, Problem, ProblemsFound, errors_only
from .lint import LintConfig, lint_site
from .loader import parse_event, parse_time
from .model import TECHNICAL, Event, Site, audience_level

# What an update says when the author gave no public text: neutral sentences that are
# safe to publish as they stand, so the file passes `check` and a forgotten edit does
# no harm. The author is told to replace them.
DEFAULT_PUBLIC = {
    "investigating": "We are investigating reports of a problem{affecting}. We will post an update as soon as we know more.",
    "identified": "We have identified the cause of the problem and are working on a fix.",
    "monitoring": "A fix has been applied and we are monitoring the results.",
    "resolved": "This incident has been resolved.",
    "postmortem": "We have published a postmortem of this incident.",
    "scheduled": "We will be performing scheduled maintenance{affecting} during the window shown on this page.",
    "in_progress": "Scheduled maintenance is in progress. We will post an update when it is complete.",
    "verifying": "The maintenance work is done and we are verifying the results.",
    "completed": "The scheduled maintenance has been completed.",
}
FALLBACK_PUBLIC = "We are working on this and will post another update soon."
# Internal-only guidance (technical readers only, never public): safe to forget.
TECHNICAL_GUIDANCE = (
    "Replace this with what engineers need: symptoms, suspected cause, affected hosts,\n"
    "dashboards, the incident channel or ticket. Only technical readers see this block."
)


@dataclass(frozen=True)
class SiteContext:
    """What authoring needs from mkdocs.yml: where incidents live and what is valid in them."""

    config_file: Path
    incidents_dir: Path
    components: dict[str, str]  # id -> name, in display order
    default_audience: int
    lint: LintConfig


def load_context(config_file: Path) -> SiteContext:
    """Read the site's config; a missing or broken mkdocs.yml raises ConfigFileError (exit 2)."""
    from .builder import load_mkdocs_config, plugin_of  # MkDocs is slow to import: only when used
    from .config import load_components
    from .lint import lint_config

    config = load_mkdocs_config(config_file)
    options = plugin_of(config).config
    # Config problems are `check`'s to report; here only the valid components matter.
    components, _ = load_components(options["components"], config_file, config_file.read_text(encoding="utf-8"))
    return SiteContext(
        config_file=config_file,
        incidents_dir=config_file.parent / options["incidents_dir"],
        components={comp.id: comp.name for comp in components},
        default_audience=audience_level(options["default_audience"]),
        lint=lint_config(options),
    )


def now_utc() -> datetime:
    """$STATUSMARK_NOW if set (tests, drills), else the wall clock to the second."""
    fixed = os.environ.get(NOW_VARIABLE)
    try:
        moment = parse_time(fixed) if fixed else datetime.now(UTC)
    except ValueError as error:
        raise ConfigFileError(f"${NOW_VARIABLE}: {error}") from None
    return moment.replace(microsecond=0)


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def slugify(title: str, limit: int = 60) -> str:
    """'Elevated API errors!' -> 'elevated-api-errors' (ASCII, at most ``limit`` characters)."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0] if "-" in slug[:limit] else slug[:limit]
    return slug


def display(path: Path) -> str:
    """The path as the user would type it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


@dataclass(frozen=True)
class NewEvent:
    title: str
    kind: str = "incident"
    impact: str | None = None
    components: tuple[str, ...] = ()  # as typed: "id=status"
    tags: tuple[str, ...] = ()
    start: str | None = None
    end: str | None = None
    event_id: str | None = None
    public: str | None = None
    technical: str | None = None


def create_event(context: SiteContext, request: NewEvent) -> Path:
    """Write a new incident or maintenance file; raise ProblemsFound (nothing written) if invalid."""
    now = now_utc()
    kind = request.kind
    event_id = request.event_id or _default_id(request.title, kind, now)
    path = context.incidents_dir / f"{event_id}.md"
    shown = display(path)
    existing = _find_event(context.incidents_dir, event_id) if context.incidents_dir.is_dir() else None
    if existing is not None:
        raise _already_exists(existing)
    components, problems = _parse_components(request.components, shown)
    if problems:
        raise ProblemsFound(problems)
    status = "scheduled" if kind == "maintenance" else "investigating"
    names = [context.components.get(cid, cid) for cid in components]
    affecting = f" affecting {_join(names)}" if names else ""
    meta: dict[str, Any] = {"title": request.title}
    if kind != "incident":
        meta["kind"] = kind
    if request.impact is not None:
        meta["impact"] = request.impact
    if components:
        meta["components"] = components
    if request.tags:
        meta["tags"] = list(request.tags)
    if request.start is not None:
        meta["scheduled_start"] = _time_or_raw(request.start)
    if request.end is not None:
        meta["scheduled_end"] = _time_or_raw(request.end)
    public = request.public or DEFAULT_PUBLIC[status].format(affecting=affecting)
    update = _update(now, status, public, request.technical, guidance=True)
    text = "---\n" + _front_matter(meta) + "---\n\n" + update
    _validate(context, text, event_id, path)
    context.incidents_dir.mkdir(parents=True, exist_ok=True)
    _write_atomically(path, text, exclusive=True)
    return path


def append_update(
    context: SiteContext,
    event_ref: str,
    status: str,
    public: str | None = None,
    technical: str | None = None,
    internal: bool = False,
) -> Path:
    """Append ``## <now> <status>`` to an event's file; raise ProblemsFound (nothing written) if invalid."""
    event_id = Path(event_ref).stem if event_ref.endswith(".md") else event_ref
    path = _find_event(context.incidents_dir, event_id) if context.incidents_dir.is_dir() else None
    if path is None:
        raise ProblemsFound([_unknown_event(context.incidents_dir, event_id)])
    shown = display(path)
    raw = path.read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    try:
        old = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ProblemsFound([Problem(shown, 1, "file", f"cannot be read as UTF-8 text: {error}")]) from None
    now = now_utc()
    event, _ = parse_event(old, event_id, shown, set(context.components), context.default_audience)
    if event is not None:
        same = next((u for u in event.updates if u.at == now), None)
        if same is not None:
            raise ProblemsFound(
                [
                    Problem(
                        shown,
                        same.line,
                        "update time",
                        f"an update at {stamp(now)} already exists; wait a second and run again, or edit that update",
                    )
                ]
            )
    guidance = public is None and technical is None  # nothing given: placeholders to replace
    if public is None and not internal:
        affecting = ""
        if event is not None and event.components:
            affecting = " affecting " + _join([context.components.get(cid, cid) for cid, _ in event.components])
        public = DEFAULT_PUBLIC.get(status, FALLBACK_PUBLIC).format(affecting=affecting)
    body = old.replace("\r\n", "\n")
    new = body.rstrip("\n") + "\n\n" + _update(now, status, public, technical, internal, guidance)
    _validate(context, new, event_id, path)
    if "\r\n" in old:  # keep the author's line endings
        new = new.replace("\n", "\r\n")
    _write_atomically(path, ("\ufeff" if bom else "") + new)
    return path


def _default_id(title: str, kind: str, now: datetime) -> str:
    return f"{now:%Y-%m-%d}-{slugify(title) or kind}"


def _find_event(incidents_dir: Path, event_id: str) -> Path | None:
    """The file of ``event_id`` anywhere under incidents_dir (sub-folders are allowed)."""
    if not re.fullmatch(r"[A-Za-z0-9._-]+", event_id):
        return None  # never let an id reach outside the folder or act as a glob
    return next(iter(sorted(incidents_dir.rglob(f"{event_id}.md"))), None)


def _unknown_event(incidents_dir: Path, event_id: str) -> Problem:
    files = list(incidents_dir.rglob("*.md")) if incidents_dir.is_dir() else []
    files.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    recent = ", ".join(p.stem for p in files[:5]) if files else "none yet; create one with: statusmark new TITLE"
    return Problem(
        display(incidents_dir / f"{event_id}.md"),
        1,
        "id",
        f"no incident or maintenance with id {event_id!r} under {display(incidents_dir)}/; most recently changed: {recent}",
    )


def _parse_components(typed: tuple[str, ...], shown: str) -> tuple[dict[str, str], list[Problem]]:
    components: dict[str, str] = {}
    problems: list[Problem] = []
    for item in typed:
        cid, sep, status = (part.strip() for part in item.partition("="))
        if not sep or not cid or not status:
            problems.append(
                Problem(
                    shown, 1, "components", f"expected --component ID=STATUS, e.g. api=partial_outage; got {item!r}"
                )
            )
            continue
        components[cid] = status
    return components, problems


def _time_or_raw(value: str) -> str:
    """A valid time in the file's canonical form; an invalid one as typed, for the parser to report."""
    try:
        return stamp(parse_time(value))
    except ValueError:
        return value


def _front_matter(meta: dict[str, Any]) -> str:
    lines = []
    for key, value in meta.items():
        if isinstance(value, dict):
            lines.append(f"{key}:")
            lines += [f"  {_scalar(k)}: {_scalar(v)}" for k, v in value.items()]
        elif isinstance(value, list):
            lines.append(f"{key}: [{', '.join(_scalar(v, flow=True) for v in value)}]")
        else:
            lines.append(f"{key}: {_scalar(value)}")
    return "\n".join(lines) + "\n"


_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def _scalar(value: str, flow: bool = False) -> str:
    """``value`` as a one-line YAML scalar, quoted only when YAML would misread it."""
    if _TIMESTAMP.match(value):
        return value  # YAML reads it back as the same instant
    plain = re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_ .()'/&+-]*", value) is not None and not value.endswith(" ")
    if plain and not (flow and any(c in value for c in ",[]{}")):
        try:
            if yaml.safe_load(value) == value:
                return value
        except yaml.YAMLError:
            pass
    dumped: str = yaml.safe_dump(value, default_style='"', allow_unicode=True, width=1 << 30)
    return dumped.strip().removesuffix("...").strip()


def _update(
    at: datetime,
    status: str,
    public: str | None,
    technical: str | None = None,
    internal: bool = False,
    guidance: bool = False,
) -> str:
    """One update; ``guidance`` adds the technical placeholder when no technical text was given."""
    heading = f"## {stamp(at)} {status}" + (" (internal)" if internal else "")
    parts = [heading]
    if public:
        parts.append(f"/// public\n{public.strip()}\n///")
    if technical or guidance:
        parts.append(f"/// technical\n{(technical or TECHNICAL_GUIDANCE).strip()}\n///")
    return "\n\n".join(parts) + "\n"


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _validate(context: SiteContext, text: str, event_id: str, path: Path) -> Event:
    """Parse and privacy-lint ``text`` as `check` would; raise ProblemsFound on any error."""
    shown = display(path)
    event, problems = parse_event(text, event_id, shown, set(context.components), context.default_audience)
    if event is not None and not errors_only(problems):
        problems += _lint(context, event, text)
    errors = errors_only(problems)
    if errors or event is None:
        raise ProblemsFound(errors or problems)
    for warning in problems:
        print(warning, file=sys.stderr)
    return event


def _lint(context: SiteContext, event: Event, text: str) -> list[Problem]:
    """The privacy lint reads files from disk: give it the text in a scratch folder."""
    with tempfile.TemporaryDirectory(prefix="statusmark-") as scratch:
        source = Path(scratch) / "event.md"
        source.write_text(text, encoding="utf-8")
        lint_view = replace(event, path="event.md")
        site = Site(name="", url="http://localhost/", components=(), events=(lint_view,), default_audience=TECHNICAL)
        found = lint_site(site, context.lint, context.config_file, Path(scratch))
    return [Problem(event.path, p.line, p.field, p.message, p.severity) for p in found]


def _write_atomically(path: Path, text: str, exclusive: bool = False) -> None:
    """Write beside ``path`` and rename over it: readers see the old file or the new, never half."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")  # not *.md: a concurrent build skips it
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)  # & ~umask, like any new file
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            if path.exists():
                os.fchmod(handle.fileno(), path.stat().st_mode & 0o7777)  # an edited file keeps its mode
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if exclusive:
            _link_new(temp, path)
        else:
            os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)


def _link_new(temp: Path, path: Path) -> None:
    """Give ``temp`` the name ``path`` only if no file has it: never overwrite an event."""
    try:
        os.link(temp, path)
    except FileExistsError:
        raise _already_exists(path) from None
    except OSError:  # a file system without hard links: check, then rename
        if path.exists():
            raise _already_exists(path) from None
        os.replace(temp, path)


def _already_exists(path: Path) -> ProblemsFound:
    event_id = path.stem
    return ProblemsFound(
        [Problem(display(path), 1, "id", f"{event_id!r} already exists; pass --id to choose another id")]
    )
