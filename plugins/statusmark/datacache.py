"""Content-addressed outputs kept between builds, and compiled templates.

``DataCache`` stores text under a key that is a digest of every input it was made from
(feeds, the maintenance calendar, the search entries): the same key always means the
same bytes, so a hit is exact. A change to an event makes new entries and leaves the old
ones unused: an entry no build has used for ``UNUSED_DAYS`` is deleted at the end of a
build (``prune``), or a cache that CI keeps would grow with every merge.

``TemplateCache`` is a Jinja bytecode cache shared by every environment of the process
(MkDocs makes one per audience) and, with a cache folder, kept on disk: material's
templates compile once, not once per audience and build.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

from jinja2 import BytecodeCache
from jinja2.bccache import Bucket

from .parsecache import code_digest


def key_of(*parts: object) -> str:
    """A key for text made from ``parts`` by this version of Statusmark."""
    text = "\x1f".join(map(str, (code_digest(), *parts)))
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=20).hexdigest()


class Deferred(NamedTuple):
    """A generated file's text, known by the data-cache ``key`` it is kept under and made
    (or read from ``cache``) only if the live site does not already hold it."""

    key: str
    text: Callable[[], str]
    cache: DataCache

    def kept(self) -> None:
        """The live site holds the file made from this entry: mark it used (see ``prune``)."""
        self.cache.touch(self.key)


UNUSED_DAYS = 7
DATA = "data"


class DataCache:
    def __init__(self, folder: Path | None):
        self.folder = folder / DATA if folder is not None else None
        self.memory: dict[str, str] = {}

    def get(self, key: str) -> str | None:
        if key in self.memory:
            return self.memory[key]
        if self.folder is None:
            return None
        path = self.folder / key[:2] / key
        try:
            text = path.read_bytes().decode("utf-8")
            os.utime(path)  # used now: see ``prune``
        except (OSError, UnicodeDecodeError):
            return None
        return text

    def put(self, key: str, text: str) -> str:
        self.memory[key] = text
        if self.folder is not None:
            try:
                folder = self.folder / key[:2]
                folder.mkdir(parents=True, exist_ok=True)
                tmp = folder / f"{key}.{os.getpid()}.tmp"
                tmp.write_bytes(text.encode("utf-8"))
                os.replace(tmp, folder / key)
            except OSError:
                pass  # an unwritable cache only makes the next build slower
        return text

    def get_or_make(self, key: str, make: Any) -> str:
        found = self.get(key)
        return found if found is not None else self.put(key, make())

    def deferred(self, key: str, make: Callable[[], str]) -> Deferred:
        return Deferred(key, lambda: self.get_or_make(key, make), self)

    def touch(self, key: str) -> None:
        """Mark an entry used without reading it."""
        if self.folder is not None and key not in self.memory:
            with contextlib.suppress(OSError):  # gone (pruned, never written): made when next needed
                os.utime(self.folder / key[:2] / key)


def prune(folder: Path | None, now: float | None = None) -> None:
    """Delete the data entries under cache ``folder`` that no build used for ``UNUSED_DAYS``."""
    if folder is None:
        return
    since = (time.time() if now is None else now) - UNUSED_DAYS * 86400
    try:
        shards = [entry.path for entry in os.scandir(folder / DATA) if entry.is_dir()]
    except OSError:
        return
    for shard in shards:
        try:
            with os.scandir(shard) as entries:
                for entry in entries:
                    if entry.stat().st_mtime < since:
                        os.unlink(entry.path)
            os.rmdir(shard)  # only once nothing is left in it
        except OSError:
            continue  # not empty; or an unwritable cache, or one another build is writing


# Templates compiled when Statusmark was installed (``precompile``), beside its bytecode.
INSTALLED = Path(__file__).parent / "__pycache__"


class TemplateCache(BytecodeCache):
    """Compiled Jinja templates: in memory for the process, and on disk when there is a
    folder; else, those compiled at install. Jinja uses one only if it was compiled from
    the template's source as it is now (and by this Jinja)."""

    _memory: dict[str, bytes] = {}

    def __init__(self, folder: Path | None):
        self.folder = folder / "jinja" if folder is not None else None

    def load_bytecode(self, bucket: Bucket) -> None:
        for data in self._found(bucket.key):
            bucket.bytecode_from_string(data)
            if bucket.code is not None:
                return

    def _found(self, key: str) -> Iterator[bytes]:
        if key in self._memory:
            yield self._memory[key]
        for folder in (self.folder, INSTALLED / "jinja"):
            if folder is not None:
                with contextlib.suppress(OSError):
                    yield (folder / key).read_bytes()

    def dump_bytecode(self, bucket: Bucket) -> None:
        data = bucket.bytecode_to_string()
        self._memory[bucket.key] = data
        if self.folder is not None:
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                tmp = self.folder / f"{bucket.key}.{os.getpid()}.tmp"
                tmp.write_bytes(data)
                os.replace(tmp, self.folder / bucket.key)
            except OSError:
                pass
