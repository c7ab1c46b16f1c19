"""Writing a built site: only the files whose bytes changed, published all at once.

``statusmark build`` builds every audience into a staging folder next to its site. With
no earlier site (or no record of it), the staging folder holds the whole site and is
swapped in (rename) once every audience succeeded, as before. With an earlier site and
its manifest (kept in the cache folder: for each file, the key of the inputs it was made
from, its size and mtime), a generated page whose key and file are unchanged is neither
rendered nor written: the staging folder holds only new or changed files, and publishing
moves them into the live site with one rename each and deletes the files that are gone.
Nothing touches the live site before every audience has been built without error.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import shutil
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

from .sourcefiles import digest_of

MANIFEST_VERSION = 2  # 2: marshal (JSON took 0.15 s to read at 11,000 files)
_WRITE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)


def bytes_key(data: bytes) -> str:
    """The key of a file known by its bytes alone (MkDocs' own files, static files)."""
    return "b:" + digest_of(data)


def _file_key(path: str) -> str:
    with open(path, "rb") as handle:
        return bytes_key(handle.read())


def _files_under(root_dir: Path, skip: Collection[str] = ()) -> Iterator[tuple[str, str]]:
    """(relative path with "/", path) of every file under ``root_dir``, but for those in the
    folders ``skip`` names (relative paths) and below them."""
    root = os.path.join(root_dir, "")
    for folder, subfolders, names in os.walk(root_dir):
        if skip:
            base = folder[len(root) :].replace(os.sep, "/")  # "" at the top
            subfolders[:] = [name for name in subfolders if (f"{base}/{name}" if base else name) not in skip]
        for name in names:
            path = os.path.join(folder, name)
            yield path[len(root) :].replace(os.sep, "/"), path  # os.walk joins onto ``root_dir`` as given


# A manifest file's name -> (its size and mtime, the files its live site no longer holds as recorded)
Checked = dict[str, tuple[tuple[int, int], frozenset[str]]]


class Manifest:
    """What the live site at ``final`` holds: relative path -> [key, size, mtime_ns]."""

    def __init__(self, final: Path, entries: dict[str, list], stale: frozenset[str] | None = None):
        self.final = final
        self.entries = entries
        self.stale = stale  # when known (``check_live_sites``): the files not as recorded
        self._root = os.path.join(final, "")

    @classmethod
    def read(cls, path: Path) -> tuple[tuple[int, int], Manifest] | None:
        """The manifest at ``path`` and its file's size and mtime; None if it cannot be read
        or is of another version."""
        try:
            signature = _signature(path)
            data = marshal.loads(path.read_bytes())
        except (OSError, ValueError, EOFError, TypeError):
            return None
        if not isinstance(data, dict) or data.get("version") != MANIFEST_VERSION:
            return None
        final, files = data.get("final"), data.get("files")
        if not isinstance(final, str) or not isinstance(files, dict):
            return None
        return signature, cls(Path(final), files)

    @classmethod
    def load(cls, path: Path, final: Path, checked: Checked | None = None) -> Manifest | None:
        """The manifest at ``path`` of the live site at ``final``; ``checked``: what
        ``check_live_sites`` found, used if the manifest is the one it read."""
        read = cls.read(path)
        if read is None or str(read[1].final) != str(final) or not final.is_dir():
            return None
        signature, manifest = read
        found = (checked or {}).get(path.name)
        if found and tuple(found[0]) == signature:
            manifest.stale = found[1]
        return manifest

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        body = {"version": MANIFEST_VERSION, "final": str(self.final), "files": self.entries}
        tmp.write_bytes(marshal.dumps(body))
        os.replace(tmp, path)
        path.with_name(path.name.split(".")[0] + ".json").unlink(missing_ok=True)  # version 1's file

    def holds(self, relative: str, key: str) -> bool:
        entry = self.entries.get(relative)
        if entry is None or entry[0] != key:
            return False
        if self.stale is not None:
            return relative not in self.stale
        return self.as_recorded(relative, entry)

    def as_recorded(self, relative: str, entry: list) -> bool:
        """Whether the live file has the size and time its entry recorded."""
        try:
            stat = os.stat(self._root + relative)
        except OSError:
            return False
        return stat.st_size == entry[1] and stat.st_mtime_ns == entry[2]


def _signature(path: Path) -> tuple[int, int]:
    info = os.stat(path)
    return info.st_size, info.st_mtime_ns


def check_live_sites(folder: Path) -> Checked:
    """For each manifest in ``folder``: which files of its live site are not as recorded.

    One ``stat`` per file of every audience's site (34,000 at 10,000 events), done once,
    beside the parse (``forking.Background``), rather than in each audience's build.
    """
    checked: Checked = {}
    try:
        paths = [p for p in folder.iterdir() if p.name.endswith(".marshal")]
    except OSError:
        return checked
    for path in paths:
        read = Manifest.read(path)
        if read is not None:
            signature, manifest = read
            stale = frozenset(r for r, entry in manifest.entries.items() if not manifest.as_recorded(r, entry))
            checked[path.name] = (signature, stale)
    return checked


class Output:
    """The generated files of one site: written into ``site_dir``, or kept from the live site."""

    def __init__(self, site_dir: Path, previous: Manifest | None = None):
        self.site_dir = Path(site_dir)
        self.previous = previous
        self.keys: dict[str, str] = {}  # relative path -> key, of every file this build generated
        self.stats: dict[str, tuple[int, int]] = {}  # relative path -> (size, mtime_ns), of those it wrote
        self.fresh: set[str] = set()  # folders this build made: it alone writes into them (see stage)
        self.kept = 0
        self.written = 0
        self._dirs: set[str] = set()

    def keep(self, relative: str, key: str) -> bool:
        """True (and nothing to write) when the live site already holds this file for this key."""
        if self.previous is not None and self.previous.holds(relative, key):
            self.keys[relative] = key
            self.kept += 1
            return True
        return False

    def put(self, relative: str, key: str | None, data: bytes) -> None:
        """Write a generated file; one without a key is identified by its bytes."""
        if not key:
            key = bytes_key(data)
            if self.keep(relative, key):
                return
        self.write(relative, key, data)

    def write(self, relative: str, key: str, data: bytes) -> None:
        folder = os.path.dirname(relative)
        if folder not in self._dirs:
            self._make_folder(folder)
        # os.open, not open(): a buffered file object costs three more system calls per
        # file (fstat, ioctl, lseek), and a site has eleven thousand files per audience.
        fd = os.open(os.path.join(self.site_dir, relative), _WRITE_FLAGS, 0o666)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            stat = os.fstat(fd)  # for the manifest: cheaper on the open file than by its path later
        finally:
            os.close(fd)
        self.keys[relative] = key
        self.stats[relative] = (stat.st_size, stat.st_mtime_ns)
        self.written += 1

    def add(self, other: Output) -> None:
        """What ``other`` wrote into the same folder (a page worker's share)."""
        self.keys.update(other.keys)
        self.stats.update(other.stats)
        self.fresh |= other.fresh
        self.written += other.written

    def _make_folder(self, folder: str) -> None:
        parent = os.path.dirname(folder)
        path = os.path.join(self.site_dir, folder)
        if parent in self._dirs:  # one mkdir, without makedirs' look at every parent
            with contextlib.suppress(FileExistsError):
                os.mkdir(path)
                self.fresh.add(folder)
        else:
            os.makedirs(path, exist_ok=True)
            while parent and parent not in self._dirs:  # made (or found) with it
                self._dirs.add(parent)
                parent = os.path.dirname(parent)
        self._dirs.add(folder)


@dataclass(frozen=True)
class Staged:
    """How a staged site is published, worked out in the audience's own build process.

    ``moves``: the staged files that go into the live site (None: the staging folder
    replaces it whole); ``removals``: live files the new site no longer has. The new
    manifest waits beside the current one (``pending_manifest``) until publishing.
    """

    moves: list[str] | None
    removals: list[str]


def pending_manifest(manifest_path: Path) -> Path:
    return manifest_path.with_name(manifest_path.name + ".next")


def stage(staging: Path, final: Path, output: Output, manifest_path: Path | None) -> Staged:
    """Work out how to publish ``staging`` (touching nothing live) and write its manifest.

    A renamed file keeps its size and time, so the manifest entries of the files moved
    later are taken from them here. A file MkDocs wrote again with the same bytes stays
    out: the live one is kept.
    """
    previous = output.previous
    if previous is None or not final.is_dir():
        if manifest_path is not None:
            Manifest(final, _entries_of_new_site(staging, output)).save(pending_manifest(manifest_path))
        return Staged(None, [])
    generated = output.keys
    entries: dict[str, list] = {}
    moves: list[str] = []
    for relative, source in _files_under(staging):
        key = generated.get(relative)
        if key is None:  # written by MkDocs: compare the bytes
            key = _file_key(source)
            old = previous.entries.get(relative)
            if old is not None and old[0] == key and previous.holds(relative, key):
                entries[relative] = old
                continue
        entries[relative] = _entry(output, relative, source, key)
        moves.append(relative)
    for relative in generated:
        if relative not in entries:  # kept: the live file is the one recorded
            entries[relative] = previous.entries[relative]
    if manifest_path is not None:
        Manifest(final, entries).save(pending_manifest(manifest_path))
    return Staged(moves, sorted(previous.entries.keys() - entries.keys()))


def publish(staging: Path, final: Path, staged: Staged, manifest_path: Path | None) -> None:
    """Make ``staging`` the live site at ``final``, as ``stage`` worked out; then its manifest."""
    if staged.moves is None:
        _swap(staging, final)
    else:
        made: set[str] = set()
        for relative in staged.moves:
            folder = os.path.dirname(relative)
            if folder not in made:
                os.makedirs(os.path.join(final, folder), exist_ok=True)
                made.add(folder)
            os.replace(os.path.join(staging, relative), os.path.join(final, relative))
        for relative in staged.removals:
            _remove(final, relative)
        shutil.rmtree(staging, ignore_errors=True)
    if manifest_path is not None:
        os.replace(pending_manifest(manifest_path), manifest_path)


def _remove(root: Path, relative: str) -> None:
    path = os.path.join(root, relative)
    try:
        os.unlink(path)
    except OSError:
        return
    folder = os.path.dirname(relative)
    while folder:
        try:
            os.rmdir(os.path.join(root, folder))
        except OSError:
            break
        folder = os.path.dirname(folder)


def _entries_of_new_site(staging: Path, output: Output) -> dict[str, list]:
    """The manifest entries of a site built whole into ``staging``: every file under it.

    The files ``output`` wrote come with the size and time taken as each was written; the
    folders it made are not listed (ten thousand event folders, a fifth of a second per
    audience): MkDocs and the plugins before Statusmark's ``on_post_build`` wrote their
    files earlier, into folders that were there before (a folder made later is not "made"
    by ``output``).
    """
    entries = {relative: [output.keys[relative], *stat] for relative, stat in output.stats.items()}
    for relative, path in _files_under(staging, output.fresh):
        if relative not in entries:
            entries[relative] = _entry(output, relative, path, output.keys.get(relative) or _file_key(path))
    return entries


def _entry(output: Output, relative: str, path: str, key: str) -> list:
    """A staged file's manifest entry, [key, size, mtime_ns]: as ``output`` wrote it, else as it is."""
    stat = output.stats.get(relative)
    if stat is None:
        info = os.stat(path)
        stat = (info.st_size, info.st_mtime_ns)
    return [key, *stat]


def _swap(staging: Path, final: Path) -> None:
    old = final.with_name(final.name + ".statusmark-old")
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        final.rename(old)
    staging.rename(final)
    shutil.rmtree(old, ignore_errors=True)
