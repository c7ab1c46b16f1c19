"""Reads a whole status repository (config + incident files) into one Site, once.

Incident files are parsed and linted in parallel (worker processes, one per core) and
the result for each file is kept in the parse cache (``parsecache``), keyed by the file's
bytes: a file that did not change is not parsed again. The problems come out in the same
order as a serial parse followed by ``lint_site`` would give them.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from itertools import repeat
from operator import attrgetter
from pathlib import Path
from typing import Any

from . import prerender
from .config import line_of, load_components
from .errors import Problem, errors_only
from .forking import fork_is_safe, pool, workers
from .lint import LintConfig, lint_site
from .loader import parse_event, parse_source
from .model import Event, Site, audience_level
from .parsecache import ParseCache, cache_dir, decode_event, decode_problems, encode_event, encode_problems
from .prerender import Prerender
from .sourcefiles import UNREADABLE, Stat, digest_of, incident_files, read_source, stat_fields

# Display path of each incident file of the last load -> digest of its bytes (page keys use it).
FILE_DIGESTS: dict[str, str] = {}
PARALLEL_FROM = 400  # files to parse before worker processes pay for themselves


def file_digest(display_path: str) -> str | None:
    return FILE_DIGESTS.get(display_path)


def load_site(
    config_path: Path,
    config_text: str,
    site_name: str,
    site_url: str | None,
    options: Any,
    lint: LintConfig | None = None,
    events: bool = True,
    render: Prerender | None = None,
) -> tuple[Site, list[Problem]]:
    """Parse components and every incident file; return the site and all problems found.

    With ``lint``, the privacy lint's problems follow, as ``lint_site`` orders them.
    With ``render``, the event pages of its audience levels (bodies and list lines) are
    made as the files are parsed (see ``prerender``).
    With ``events=False`` (``statusmark check``: problems only), the site holds no events
    and the lint problems follow in file order: events cached from an earlier run are not
    decoded (a third of a second at 10,000 events).
    """
    problems: list[Problem] = []
    if not site_url:
        problems.append(
            Problem(
                str(config_path),
                1,
                "site_url",
                "required: the public address of the status page, e.g. https://status.example.com/ (feeds and the API need absolute links)",
            )
        )
    components, component_problems = load_components(options["components"], config_path, config_text)
    problems += component_problems
    known = {comp.id for comp in components}
    incidents_dir = config_path.parent / options["incidents_dir"]
    found: list[Event] = []
    lint_found: dict[str, list[Problem]] = {}
    cache: ParseCache | None = None
    if not incidents_dir.is_dir():
        line = line_of(config_text, r"^\s*incidents_dir\s*:")
        problems.append(
            Problem(
                str(config_path),
                line,
                "incidents_dir",
                f"folder {str(incidents_dir)!r} does not exist; create it or point incidents_dir at your incident files",
            )
        )
    else:
        default = audience_level(options["default_audience"])
        if render is not None:
            render = replace(render, names=tuple((c.id, c.name) for c in components))
        job = _Job(str(config_path), str(config_path.parent), known, default, lint, render if events else None)
        found, event_problems, lint_found, cache = load_events_linted(incidents_dir, job, decode=events)
        problems += event_problems
    groups: list[str] = []
    for comp in components:
        if comp.group and comp.group not in groups:
            groups.append(comp.group)
    url = (site_url or "http://localhost/").rstrip("/") + "/"
    site = Site(
        name=site_name,
        url=url,
        components=components,
        events=tuple(sorted(found, key=attrgetter("started_at", "id"), reverse=True)),
        default_audience=audience_level(options["default_audience"]),
        groups=tuple(groups),
    )
    if lint is not None:
        base = config_path.parent
        problems += lint_site(Site(site.name, site.url, site.components, ()), lint, config_path, base)
        for path in [e.path for e in site.events] if events else lint_found:
            problems += lint_found.get(path, [])
    if cache is not None and not errors_only(problems):
        cache.save()  # a run that finds errors writes nothing, not even the cache
    return site, problems


def load_events(
    incidents_dir: Path, base: Path, known: set[str], default_audience: int
) -> tuple[list[Event], list[Problem]]:
    events, problems, _, _ = load_events_linted(incidents_dir, _Job("", str(base), known, default_audience, None))
    return events, problems


@dataclass(frozen=True)
class _Job:
    config_path: str
    base: str
    known: set[str]
    default_audience: int
    lint: LintConfig | None
    render: Prerender | None = None  # the event pages rendered with the parse (not cached)

    def settings(self) -> str:
        lint = (
            repr(sorted(self.lint.levels.items())) + repr(self.lint.internal_suffixes) + repr(self.lint.deny)
            if self.lint
            else "-"
        )
        return hashlib.blake2b(
            f"{sorted(self.known)}|{self.default_audience}|{self.base}|{self.config_path}|{lint}".encode(),
            digest_size=16,
        ).hexdigest()


def load_events_linted(
    incidents_dir: Path, job: _Job, decode: bool = True
) -> tuple[list[Event], list[Problem], dict[str, list[Problem]], ParseCache]:
    """Events (valid ones only), the check problems in file order, lint problems per file, the cache.

    With ``decode=False`` no event is built (the list is empty); lint problems per file,
    in file order, are the same. The caller saves the cache (``cache.save()``) once it
    knows the run found no errors.
    """
    base = os.path.join(job.base, "")
    folder = cache_dir(Path(job.config_path)) if job.config_path else None
    cache = ParseCache(folder, job.settings())
    FILE_DIGESTS.clear()
    made = prerender.start(job.render)  # not the last load's (a long `mkdocs serve`, another site in this process)
    listed = [(path, path[len(base) :] if path.startswith(base) else path) for path in incident_files(incidents_dir)]
    # key -> (the event, decoded or (decode=False) as encoded; its problems; its lint problems)
    results: dict[str, tuple[Any, list[Problem], list[Problem]]] = {}

    def take(key: str, raw: tuple[Any, Any, Any]) -> None:
        raw_event, raw_problems, raw_lint = raw
        event = decode_event(raw_event) if decode and raw_event is not None else raw_event
        results[key] = (  # most files have no problems: no call for those
            event,
            decode_problems(raw_problems) if raw_problems else [],
            decode_problems(raw_lint) if raw_lint else [],
        )

    # With nothing cached, every file is parsed: its digest is taken by the worker that
    # reads it, not in a pass of its own here first, one file after another.
    cold = not cache.shards
    keys: dict[str, str] = {}  # display path -> key
    missing: list[tuple[str, str]] = []
    for path, display in listed:
        if not cold:
            digest = FILE_DIGESTS[display] = cache.files.digest(path)
            key = keys[display] = _key(display, digest)
            cached = cache.get(key)
            if cached is not None:
                take(key, cached)
                continue
        missing.append((path, display))
    for (path, display), (info, digest, raw, spans) in zip(missing, _parse_all(missing, job, made)):
        if cold:
            FILE_DIGESTS[display] = cache.files.record(path, info, digest)
        key = keys[display] = _key(display, FILE_DIGESTS[display])
        cache.put(key, raw)
        take(key, raw)
        if spans is not None:
            made.keep(results[key][0].id, *spans)
    made.finish()
    cache.keep = set(keys.values())
    events: list[Event] = []
    problems: list[Problem] = []
    lint_found: dict[str, list[Problem]] = {}
    first_path: dict[str, str] = {}
    for _, display in listed:  # in file order
        key = keys[display]
        event, event_problems, lint_problems = results[key]
        problems += event_problems
        stem = key.rsplit(":", 1)[1]
        if stem in first_path:
            problems.append(
                Problem(display, 1, "id", f"duplicate id {stem!r}: {first_path[stem]} has the same file name")
            )
            continue
        first_path[stem] = display
        # Only valid events enter the model: renderers and status derivation may trust it.
        if event is not None and not errors_only(event_problems):
            if decode:
                events.append(event)
            if lint_problems:
                lint_found[event.path if decode else event[1]] = lint_problems  # encoded: (id, path, ...)
    return events, problems, lint_found, cache


def _key(display: str, digest: str) -> str:
    """The parse cache's key of a file: its bytes, its path (shown in problems), its id."""
    return f"{digest}:{display}:{_event_id(display)}"


def _event_id(path: str) -> str:
    """An event's id: its file's name without ``.md`` (``os.path.splitext(os.path.basename(path))[0]``,
    without four calls for each of 10,000 files)."""
    name = path.rpartition(os.sep)[2]
    return name[:-3] if name.endswith(".md") and name[:-3].lstrip(".") else os.path.splitext(name)[0]


# The file's stat and digest, encoded results, where its event's pages are (see ``prerender``):
# from a worker, their spans in its chunk's blobs; from ``_parse_all``, the chunk's number too.
Parsed = tuple[Stat | None, str, tuple[Any, Any, Any], Any]


def _parse_all(missing: list[tuple[str, str]], job: _Job, made: prerender.Store) -> Iterator[Parsed]:
    """Parse and lint files, in worker processes when there are many; results in input order.

    Workers take small chunks in turn, and results stream back as chunks finish, so the
    caller decodes one chunk while the workers parse the next: no core waits for another.
    """
    count = workers()
    if count < 2 or len(missing) < PARALLEL_FROM or not fork_is_safe():
        yield from _numbered(made, *_parse_chunk(missing, job))
        return
    # Sixteen chunks per worker: the parse ends when the last chunk does, and with eight
    # (0.3 s each at 10,000 files) one core often waited for the other's last one.
    size = max(50, -(-len(missing) // (count * 16)))
    chunks = [missing[i : i + size] for i in range(0, len(missing), size)]
    spool = _spool()
    try:
        with pool(count) as executor:
            for results in executor.map(_parse_chunk_marshalled, chunks, repeat(job), repeat(spool)):
                yield from _numbered(made, *marshal.loads(results))
    finally:
        if spool is not None:
            shutil.rmtree(spool, ignore_errors=True)


_SHARED_MEMORY = "/dev/shm"  # where the workers' pages wait for the build's process to map them


def _spool() -> str | None:
    """A new folder for the workers' pages (see ``prerender.Packer.chunk``): in shared memory
    where there is one, else with the temporary files; None (send them down the pipe) if
    neither can be made."""
    for folder in (_SHARED_MEMORY, None):
        try:
            return tempfile.mkdtemp(prefix="statusmark-pages-", dir=folder)
        except OSError:
            continue
    return None


def _numbered(made: prerender.Store, parsed: list[Parsed], pages: prerender.Chunk | None) -> Iterator[Parsed]:
    """A chunk's results, its pages kept by the load's store ``made`` and numbered there."""
    chunk = made.add_chunk(pages) if pages is not None else -1
    for info, digest, raw, spans in parsed:
        yield info, digest, raw, None if spans is None else (chunk, spans)


def _parse_chunk_marshalled(files: list[tuple[str, str]], job: _Job, spool: str | None) -> bytes:
    """``_parse_chunk`` in a worker: its results as marshal bytes, which a worker writes in a
    third of the time pickling takes (plain tuples and strings, as the parse cache holds them);
    its pages in a file of ``spool`` (see ``prerender.Packer.chunk``)."""
    return marshal.dumps(_parse_chunk(files, job, spool))


def _parse_chunk(
    files: list[tuple[str, str]], job: _Job, spool: str | None = None
) -> tuple[list[Parsed], prerender.Chunk | None]:
    """Each file's results, and the chunk's event pages (see ``prerender.Packer``)."""
    parsed = []
    hashed: list[tuple[Stat | None, str]] = []
    for path_text, display in files:
        info, data = read_source(path_text)  # once, for its digest and its parse
        hashed.append((stat_fields(info), UNREADABLE if isinstance(data, OSError) else digest_of(data)))
        event_id = _event_id(path_text)
        parsed.append(parse_source(data, event_id, display, job.known, job.default_audience))
    lint_by_path: dict[str, list[Problem]] = {}
    if job.lint is not None:
        valid = tuple(e for e, p in parsed if e is not None and not errors_only(p))
        if valid:
            site = Site("", "", (), valid)
            for problem in lint_site(site, job.lint, Path(job.config_path), Path(job.base)):
                lint_by_path.setdefault(problem.path, []).append(problem)
    render = job.render
    packer = prerender.Packer(len(render.levels)) if render is not None else None
    results = [
        (
            info,
            digest,
            (
                encode_event(event) if event is not None else None,
                encode_problems(problems),
                encode_problems(lint_by_path.get(event.path, []) if event is not None else []),
            ),
            packer.add(prerender.render_pages(event, render))
            if packer is not None and render is not None and event is not None and not errors_only(problems)
            else None,
        )
        for (event, problems), (info, digest) in zip(parsed, hashed)
    ]
    return results, packer.chunk(spool) if packer is not None else None


__all__ = ["load_site", "load_events", "file_digest", "parse_event"]
