"""The incident files of a repository, and the digest of each one's bytes.

Reading and hashing 10,000 files costs a few hundred milliseconds on every build. As
git's index does, the cache folder records each file's stat (size, mtime, ctime, inode)
next to its digest: a file whose stat is the one recorded is not read again. ``ctime``
cannot be set back by tools that restore ``mtime``, so an edit always changes the stat.
A file changed less than ``RACY_NS`` before it was recorded could change again within
the same timestamp tick without its stat changing: such a file is not recorded (it is
read again next time), the same guard git uses against "racily clean" entries.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import stat
import time
from pathlib import Path

FORMAT = 1
NAME = "files.marshal"
RACY_NS = 2_000_000_000
UNREADABLE = "unreadable"


def incident_files(folder: Path) -> list[str]:
    """Every ``*.md`` path under ``folder``, in the order ``sorted(folder.rglob("*.md"))`` gives.

    Paths compare part by part (``a/b.md`` before ``a-c/x.md``), not as strings.
    """
    found: list[str] = []
    for parent, dirs, names in os.walk(str(folder), followlinks=True):
        prefix = os.path.join(parent, "")
        found += [prefix + name for name in names if name.endswith(".md")]
        found += [prefix + name for name in dirs if name.endswith(".md")]
    found.sort(key=in_parts)
    return found


def in_parts(path: str) -> str:
    """A sort key that orders paths part by part, as ``path.split(os.sep)`` would: with the
    separator as NUL, below every character a name can hold (one C call, not a list)."""
    return path.replace(os.sep, "\0")


def digest_of(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def read_source(path: str, info: os.stat_result | None = None) -> tuple[os.stat_result | None, bytes | OSError]:
    """The file's stat, taken before reading it, and its bytes (or why they cannot be read)."""
    try:
        info = info or os.stat(path)
        with open(path, "rb") as handle:
            return info, handle.read()
    except OSError as error:
        return info, error


Stat = tuple[int, int, int, int, int]  # (mode, size, mtime_ns, ctime_ns, inode): what FileIndex records


def stat_fields(info: os.stat_result | None) -> Stat | None:
    """The parts of a stat the index needs, as a plain tuple (parse workers send it as is)."""
    return None if info is None else (info.st_mode, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


def read_and_digest(path: str, info: os.stat_result | None = None) -> tuple[os.stat_result | None, str]:
    """The file's stat, taken before reading it, and the digest of its bytes."""
    info, data = read_source(path, info)
    return info, UNREADABLE if isinstance(data, OSError) else digest_of(data)


class FileIndex:
    """path -> (size, mtime_ns, ctime_ns, inode, digest), kept in the cache folder."""

    def __init__(self, folder: Path | None):
        self.folder = folder
        self.entries: dict[str, tuple[int, int, int, int, str]] = {}
        self.fresh: dict[str, tuple[int, int, int, int, str]] = {}
        self.reads = 0  # files read and hashed by this run (for tests)
        self.started = time.time_ns()
        if folder is not None:
            try:
                data = marshal.loads((folder / NAME).read_bytes())
                if data.get("format") == FORMAT:
                    self.entries = data["entries"]
            except (OSError, ValueError, EOFError, TypeError, AttributeError):
                self.entries = {}

    def digest(self, path: str) -> str:
        """The digest of the file's bytes (``UNREADABLE`` if it cannot be read)."""
        try:
            info = os.stat(path)
        except OSError:
            return UNREADABLE
        seen = (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
        known = self.entries.get(path)
        if known is not None and known[:4] == seen:
            self.fresh[path] = known
            return known[4]
        taken, digest = read_and_digest(path, info)
        return self.record(path, stat_fields(taken), digest)

    def record(self, path: str, info: Stat | None, digest: str) -> str:
        """Note a file read (and hashed) now, by this process or a worker; its digest."""
        self.reads += 1
        if info is None or digest == UNREADABLE or not stat.S_ISREG(info[0]):
            return digest
        _, size, mtime_ns, ctime_ns, inode = info
        settled = self.started - RACY_NS
        if mtime_ns < settled and ctime_ns < settled:
            self.fresh[path] = (size, mtime_ns, ctime_ns, inode, digest)
        return digest

    def save(self) -> None:
        """Record the files seen by this run (files gone since are dropped)."""
        if self.folder is None or self.fresh == self.entries:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            target = self.folder / NAME
            tmp = target.with_name(f"{NAME}.{os.getpid()}.tmp")
            tmp.write_bytes(marshal.dumps({"format": FORMAT, "entries": self.fresh}))
            os.replace(tmp, target)
        except OSError:
            pass  # only makes the next run read every file
