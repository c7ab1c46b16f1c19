"""The parse cache: what each incident file parsed and linted to, keyed by its bytes.

The ``parse/`` folder of the cache folder maps a key per incident file (a digest
of its bytes, its path and id) to the parsed event and the problems found in it (check
and privacy lint). The cache is valid only for the same Statusmark code and the same
settings the parse depends on (configured component ids, default audience, privacy-lint
settings); otherwise it is ignored and rewritten. Values are plain tuples (``marshal``),
several times faster to load than pickled dataclasses.

A shard's file is its head (marshal: identity, entries) and then the texts of its events'
updates, which the head points into. Loading maps the file (``mmap``) and reads the head
only: the texts, 57 of the 61 MB at 10,000 events, are read where an event's updates are
(``decode_event``), in the few events a warm build writes pages of again. (Unmarshalled
with the rest, they were a sixth of a warm build's load, on one core before any audience's
build can start.) A mapping outlives the file it maps: a shard replaced meanwhile (``save``
writes a new file and renames it) leaves the texts of an earlier load readable. (Each
mapping holds a file descriptor, as Python's ``mmap`` does: at most one per shard, 256.)

The cache holds every audience's text: keep it where the sources are (CI caches are
private to the repository), never inside a published folder.
"""

from __future__ import annotations

import hashlib
import marshal
import mmap
import os
import struct
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from .errors import Problem
from .model import DERIVED, PENDING, Approval, Event, Segment, Update
from .sourcefiles import FileIndex

FORMAT = 5  # 3: an event's updates as marshal bytes of their own; what it derives from them; 4: its times apart; 5: texts after the head
CACHE_VARIABLE = "STATUSMARK_CACHE_DIR"
DEFAULT_FOLDER = ".statusmark-cache"
SHARDS = "parse"
_PACKAGE = Path(__file__).parent
_code_digest: str | None = None
_HEAD = struct.Struct("<Q")  # the length of a shard file's head
_UPDATES = 6  # where an encoded event holds its updates: marshal bytes (a view of them, loaded)


def code_digest() -> str:
    """A digest of Statusmark's own code and templates: a new version never trusts an old cache."""
    global _code_digest
    if _code_digest is None:
        digest = hashlib.blake2b(digest_size=16)
        for path in sorted(_PACKAGE.rglob("*")):
            if path.suffix in (".py", ".html", ".css", ".js") and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(_PACKAGE)).encode())
                digest.update(path.read_bytes())
        _code_digest = digest.hexdigest()
    return _code_digest


def cache_dir(config_path: Path) -> Path | None:
    """``$STATUSMARK_CACHE_DIR`` (``off`` disables the cache), else ``.statusmark-cache`` by mkdocs.yml."""
    value = os.environ.get(CACHE_VARIABLE)
    if value is not None:
        if value.strip().lower() in ("", "off", "0", "no", "false"):
            return None
        return Path(value).resolve()
    return config_path.resolve().parent / DEFAULT_FOLDER


def _ts(at: datetime | None) -> float | None:
    return None if at is None else at.timestamp()


def encode_problems(problems: list[Problem]) -> tuple:
    return tuple((p.path, p.line, p.field, p.message, p.severity) for p in problems)


def decode_problems(raw: tuple) -> list[Problem]:
    return [Problem(*p) for p in raw]


def encode_event(e: Event) -> tuple:
    """The event as plain values: its updates as marshal bytes of their own (made into
    objects at their first read: see ``decode_event``), and what it derives from them."""
    updates = tuple(
        (u.at.timestamp(), u.status, tuple((s.audience, s.text) for s in u.segments), u.internal, u.line, u.revision)
        for u in e.updates
    )
    approvals = tuple((a.role, a.by, _ts(a.at)) for a in e.approvals)
    derived, times = {}, {}  # what it derives: times apart, as timestamps
    for name in DERIVED:
        try:
            value = getattr(e, name)
        except AssertionError:  # an incident without updates (an error): worked out, and failing, when read
            continue
        if isinstance(value, datetime):
            times[name] = value.timestamp()
        else:
            derived[name] = value
    return (
        e.id, e.path, e.title, e.kind, e.impact, e.components, marshal.dumps(updates), e.tags, approvals,
        _ts(e.scheduled_start), _ts(e.scheduled_end), e.postmortem, _ts(e.next_update), _ts(e.eta), e.draft,
        e.acknowledgement_free, derived, times,
    )  # fmt: skip


_new = object.__new__
_fromts = datetime.fromtimestamp


def _dt(value: float | None) -> datetime | None:
    return None if value is None else _fromts(value, UTC)


_pair = tuple.__new__  # _pair(Segment, (audience, text)): a Segment, without its __new__'s call


def _update(raw: tuple) -> Update:
    update = _new(Update)
    update.__dict__.update(
        at=_fromts(raw[0], UTC),
        status=raw[1],
        segments=tuple([_pair(Segment, s) for s in raw[2]]),
        internal=raw[3],
        line=raw[4],
        revision=raw[5],
    )
    return update


def _updates(data: bytes) -> tuple[Update, ...]:
    return tuple([_update(u) for u in marshal.loads(data)])


def decode_event(raw: tuple) -> Event:
    """The Event ``encode_event`` was given (equal field by field), without running __init__.

    Its updates are made at their first read (``model._Deferred``): a warm build reads
    those of the few events it writes pages of again, not of all 10,000 (making them was
    the largest part of loading the parse cache). What the event derives from them comes
    from the cache, so that sorting and status read none.
    """
    event = _new(Event)
    fields = event.__dict__
    fields.update(
        id=raw[0], path=raw[1], title=raw[2], kind=raw[3], impact=raw[4],
        components=raw[5], tags=raw[7],  # marshal gives back the tuples it was given
        approvals=tuple([Approval(r, b, _dt(a)) for r, b, a in raw[8]]) if raw[8] else (),
        scheduled_start=_dt(raw[9]), scheduled_end=_dt(raw[10]), postmortem=raw[11],
        next_update=_dt(raw[12]), eta=_dt(raw[13]), draft=raw[14],
        acknowledgement_free=raw[15],  # Event's cached_property, from the text it was worked out of
    )  # fmt: skip
    fields[PENDING] = partial(_updates, raw[_UPDATES])
    fields.update(raw[16])  # what it derives
    for name, at in raw[17].items():
        fields[name] = _fromts(at, UTC)
    return event


class ParseCache:
    """Entries: key -> (encoded event or None, encoded problems, encoded lint problems).

    Kept in shards (``parse/<first two characters of the key>.marshal``, about 40 files each
    at 10,000 files) so that a build after a one-file change rewrites one shard, not the
    text of every event.
    """

    def __init__(self, folder: Path | None, settings: str):
        self.folder = folder
        self.identity = f"{FORMAT}:{code_digest()}:{settings}"
        self.shards: dict[str, dict[str, Any]] = {}
        self.stale: set[str] = set()  # shards on disk written by other code or settings
        self.dirty: set[str] = set()
        self.keep: set[str] | None = None
        self.files = FileIndex(folder)  # the digests of the incident files, by their stat
        if folder is not None:
            try:
                names = os.listdir(folder / SHARDS)
            except OSError:
                names = []
            for name in names:
                if not name.endswith(".marshal"):
                    continue
                shard = name[: -len(".marshal")]
                try:
                    entries = _read_shard(folder / SHARDS / name, self.identity)
                    if entries is not None:
                        self.shards[shard] = entries
                        continue
                except (OSError, ValueError, EOFError, TypeError, AttributeError, KeyError, struct.error):
                    pass
                self.stale.add(shard)

    def get(self, key: str) -> Any:
        shard = self.shards.get(key[:2])
        return shard.get(key) if shard is not None else None

    def put(self, key: str, value: Any) -> None:
        self.shards.setdefault(key[:2], {})[key] = value
        self.dirty.add(key[:2])

    def save(self) -> None:
        """Write the shards that changed, holding the entries of ``keep`` (the files of this build).

        Within ``saves_held``, the saving waits until its holder lets it go.
        """
        if self.folder is None:
            return
        if _held is not None:
            _held.append(self._write)
            return
        self._write()

    def _write(self) -> None:
        cache_folder = self.folder
        assert cache_folder is not None  # (save writes nothing without a folder)
        self.files.save()
        keep = self.keep
        folder = cache_folder / SHARDS
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for shard in sorted(self.shards.keys() | self.stale):
                entries = self.shards.get(shard, {})
                kept = entries if keep is None else {k: v for k, v in entries.items() if k in keep}
                if shard not in self.dirty and shard not in self.stale and len(kept) == len(entries):
                    continue
                target = folder / f"{shard}.marshal"
                if not kept:
                    target.unlink(missing_ok=True)
                    continue
                tmp = target.with_name(f"{shard}.marshal.{os.getpid()}.tmp")
                _write_shard(tmp, self.identity, kept)
                os.replace(tmp, target)
            (cache_folder / "parse.marshal").unlink(missing_ok=True)  # the one-file cache of earlier versions
        except OSError:
            pass  # a cache that cannot be written only makes the next build slower


_held: list[Callable[[], None]] | None = None  # saves waiting for their holder (``saves_held``)


@contextmanager
def saves_held() -> Iterator[Callable[[], None]]:
    """Caches saved within this block are written when the function it gives is called
    (at the latest, when the block ends), not at once.

    A cold build at 10,000 events spent 0.15 s writing its parse cache between the parse
    and its audiences' builds, with one core idle. Where the audiences are built side by
    side, it now writes it once their processes run; where they are built in this process,
    before them.
    """
    global _held
    held: list[Callable[[], None]] = []
    _held = held

    def release() -> None:
        global _held
        if _held is held:
            _held = None
        while held:
            held.pop(0)()

    try:
        yield release
    finally:
        release()


def _read_shard(path: Path, identity: str) -> dict[str, Any] | None:
    """A shard's entries, their events' updates views into the mapped file; None: not ours."""
    with open(path, "rb") as file:
        mapped = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    (size,) = _HEAD.unpack_from(mapped, 0)
    start = _HEAD.size + size
    data = marshal.loads(mapped[_HEAD.size : start])
    if data.get("identity") != identity:
        return None
    texts = memoryview(mapped)[start:]
    entries = data["entries"]
    for key, (raw, problems, lint) in entries.items():
        if raw is not None:
            at, length = raw[_UPDATES]
            entries[key] = (raw[:_UPDATES] + (texts[at : at + length],) + raw[_UPDATES + 1 :], problems, lint)
    return entries


def _write_shard(path: Path, identity: str, entries: dict[str, Any]) -> None:
    head: dict[str, Any] = {}
    texts: list[Any] = []  # bytes (parsed now) or views (loaded)
    at = 0
    for key, (raw, problems, lint) in entries.items():
        if raw is not None:
            text = raw[_UPDATES]
            raw = raw[:_UPDATES] + ((at, len(text)),) + raw[_UPDATES + 1 :]
            texts.append(text)
            at += len(text)
        head[key] = (raw, problems, lint)
    encoded = marshal.dumps({"identity": identity, "entries": head})
    with open(path, "wb") as file:
        file.write(_HEAD.pack(len(encoded)))
        file.write(encoded)
        file.writelines(texts)
