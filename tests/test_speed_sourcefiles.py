"""Listing incident files and reusing their digests by stat, as git's index does."""

from __future__ import annotations

import os
import time
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from statusmark.sourcefiles import RACY_NS, UNREADABLE, FileIndex, digest_of, in_parts, incident_files


def test_incident_files_come_in_the_order_of_sorted_rglob(tmp_path: Path):
    for name in ("a/b.md", "a-c/x.md", "A.md", "a.md", "b/c/d.md", "b/notes.txt", ".hidden.md", "z/.x/y.md"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    (tmp_path / "folder.md").mkdir()  # rglob lists a folder named *.md too: it is reported unreadable
    assert incident_files(tmp_path) == [str(p) for p in sorted(tmp_path.rglob("*.md"))]
    listed = incident_files(tmp_path)
    assert listed.index(str(tmp_path / "a/b.md")) < listed.index(str(tmp_path / "a-c/x.md"))  # by parts


@given(
    st.lists(st.lists(st.text(alphabet="aA.-_ z0/\u00e9\U0001f600", min_size=1, max_size=4), min_size=1, max_size=4))
)
def test_paths_sort_part_by_part(paths: list[list[str]]):
    joined = [os.sep.join(parts) for parts in paths]
    assert sorted(joined, key=in_parts) == sorted(joined, key=lambda p: p.split(os.sep))


def settled(index: FileIndex) -> FileIndex:
    """As if the run started long after the files were written (none is racily clean)."""
    index.started = time.time_ns() + 10 * RACY_NS
    return index


def test_an_unchanged_file_is_not_read_again(tmp_path: Path):
    path = tmp_path / "a.md"
    path.write_bytes(b"one")
    first = settled(FileIndex(tmp_path / "cache"))
    assert first.digest(str(path)) == digest_of(b"one") and first.reads == 1
    first.save()
    second = FileIndex(tmp_path / "cache")
    assert second.digest(str(path)) == digest_of(b"one") and second.reads == 0


def test_an_edit_that_keeps_size_and_mtime_is_still_seen(tmp_path: Path):
    path = tmp_path / "a.md"
    path.write_bytes(b"one")
    before = path.stat()
    index = settled(FileIndex(tmp_path / "cache"))
    index.digest(str(path))
    index.save()
    time.sleep(0.01)
    path.write_bytes(b"two")  # same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # mtime put back; ctime moves on
    again = FileIndex(tmp_path / "cache")
    assert again.digest(str(path)) == digest_of(b"two") and again.reads == 1


def test_a_file_changed_just_before_the_run_is_read_again_next_time(tmp_path: Path):
    path = tmp_path / "a.md"
    path.write_bytes(b"one")
    index = FileIndex(tmp_path / "cache")  # the file is younger than the racy window
    assert index.digest(str(path)) == digest_of(b"one")
    index.save()
    assert FileIndex(tmp_path / "cache").entries == {}


def test_files_gone_are_dropped_and_unreadable_ones_are_named(tmp_path: Path):
    kept, gone = tmp_path / "kept.md", tmp_path / "gone.md"
    kept.write_bytes(b"k")
    gone.write_bytes(b"g")
    index = settled(FileIndex(tmp_path / "cache"))
    index.digest(str(kept))
    index.digest(str(gone))
    index.save()
    gone.unlink()
    (tmp_path / "folder.md").mkdir()
    later = settled(FileIndex(tmp_path / "cache"))
    assert later.digest(str(gone)) == UNREADABLE
    assert later.digest(str(tmp_path / "folder.md")) == UNREADABLE
    assert later.digest(str(kept)) == digest_of(b"k")
    later.save()
    assert set(FileIndex(tmp_path / "cache").entries) == {str(kept)}


def test_no_cache_folder_reads_every_time(tmp_path: Path):
    path = tmp_path / "a.md"
    path.write_bytes(b"one")
    index = settled(FileIndex(None))
    index.digest(str(path))
    index.save()
    assert settled(FileIndex(None)).digest(str(path)) == digest_of(b"one")
    assert not (tmp_path / "cache").exists()


def test_a_cold_run_hashes_files_where_it_parses_them_and_records_each(tmp_path: Path, monkeypatch, fixed_now: str):
    """With nothing cached, the digests come from the parse (no read beforehand): the same
    digests, recorded in the file index, so that the next run reads no file at all."""
    from statusmark import repository, sourcefiles
    from statusmark.cli import main

    from .conftest import write_repo
    from .test_build import OPEN_INCIDENT, RESOLVED

    monkeypatch.setattr(sourcefiles, "RACY_NS", -10 * RACY_NS)  # every file settled
    config = write_repo(
        tmp_path, {"api.md": OPEN_INCIDENT, "old/cdn.md": RESOLVED, "b.md": RESOLVED.replace("Slow", "Slower")}
    )
    assert main(["check", "-f", str(config)]) == 0
    cold = dict(repository.FILE_DIGESTS)
    files = sorted((tmp_path / "incidents").rglob("*.md"))
    assert cold == {str(p.relative_to(tmp_path)): digest_of(p.read_bytes()) for p in files}
    index = FileIndex(tmp_path / ".statusmark-cache")
    assert {path: entry[4] for path, entry in index.entries.items()} == {
        str(p): digest_of(p.read_bytes()) for p in files
    }

    def no_reading(*args: object) -> None:
        raise AssertionError("a file was read again")

    monkeypatch.setattr(sourcefiles, "read_source", no_reading)
    monkeypatch.setattr(repository, "read_source", no_reading)
    assert main(["check", "-f", str(config)]) == 0
    assert dict(repository.FILE_DIGESTS) == cold


@given(st.text(alphabet="a.-/xé", max_size=8).map(lambda name: name + ".md") | st.text(alphabet="a./", max_size=6))
def test_an_event_id_is_its_file_name_without_the_extension(path: str):
    from statusmark.repository import _event_id

    assert _event_id(path) == os.path.splitext(os.path.basename(path))[0]
