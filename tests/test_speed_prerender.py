"""``prerender``'s packed pages give back exactly what was made, for each event and level."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from statusmark import prerender
from statusmark.prerender import Packer, Prerender, Store

_text = st.text(st.characters(exclude_categories=()), max_size=40)  # any code point, lone surrogates too
_made = st.none() | st.tuples(_text, st.none() | st.tuples(_text, _text))


def _packed(
    chunks: list[list[tuple[str, tuple[prerender.Made, ...]]]], levels: tuple[int, ...], spool: str | None = None
) -> Store:
    """A store filled as a load fills it: chunk by chunk, as a worker packs each (into a file
    of ``spool``, as the parse workers do, or handed over, as a parse in this process does)."""
    store = Store(Prerender(levels))
    for chunk in chunks:
        packer = Packer(len(levels))
        spans = [(event_id, packer.add(made)) for event_id, made in chunk]
        number = store.add_chunk(packer.chunk(spool))
        for event_id, found in spans:
            store.keep(event_id, number, found)
    store.finish()
    return store


@settings(max_examples=200)
@given(chunks=st.lists(st.lists(st.tuples(_made, _made, _made), max_size=5), max_size=4))
def test_every_page_and_line_comes_back_as_made(chunks):
    levels = (0, 1, 2)
    numbered = [[(f"e{i}-{j}", made) for j, made in enumerate(chunk)] for i, chunk in enumerate(chunks)]
    expected = {
        (event_id, level): found for chunk in numbered for event_id, made in chunk for level, found in zip(levels, made)
    }
    with tempfile.TemporaryDirectory() as spool:
        for store in (_packed(numbered, levels), _packed(numbered, levels, spool)):
            assert store.as_dict() == {key: found for key, found in expected.items() if found is not None}
            for (event_id, level), found in expected.items():
                pages = store.pages(level)
                assert pages.body(event_id) == (found[0] if found else None)
                assert pages.line(event_id) == ((True, found[1]) if found else (False, None))
        assert not os.listdir(spool)  # each file goes once mapped; the mapping keeps its pages


def test_an_event_not_made_is_not_found_and_a_repeated_id_keeps_its_last_pages():
    store = _packed([[("a", (("<h1>A</h1>", ("<li>", "</li>")),)), ("a", (("<h1>A again</h1>", None),))]], (1,))
    pages = store.pages(1)
    assert pages.body("a") == "<h1>A again</h1>" and pages.line("a") == (True, None)
    assert pages.body("b") is None and pages.line("b") == (False, None)
    assert prerender.NOTHING.body("a") is None and prerender.NOTHING.line("a") == (False, None)


def test_a_chunk_is_one_blob_per_level_and_each_event_four_numbers_per_level():
    packer = Packer(2)
    first = packer.add((("body – é", ("<li>", "</li>")), None))
    second = packer.add((("x", None), ("y", ("1", "22"))))
    blobs = packer.blobs()
    assert blobs == ("body – é<li></li>x".encode(), b"y122")
    assert first == (0, 11, 15, 20, -1, -1, -1, -1)  # "–" and "é" are 3 and 2 bytes
    assert second == (20, 21, -1, 21, 0, 1, 2, 4)


def test_pages_go_down_the_pipe_when_the_spool_cannot_take_them(tmp_path, monkeypatch):
    packer = Packer(2)
    packer.add((("body", ("<li>", "</li>")), ("more", None)))
    blobs = packer.blobs()
    assert packer.chunk(str(tmp_path / "gone")) == (None, blobs)  # no such folder
    # A full spool (a container's /dev/shm is 64 MB): the write fails, the file goes.
    left = tmp_path / "spool" / "chunk"
    left.parent.mkdir()
    left.write_bytes(b"")
    monkeypatch.setattr(tempfile, "mkstemp", lambda dir: (os.open("/dev/full", os.O_WRONLY), str(left)))
    assert packer.chunk(str(left.parent)) == (None, blobs)
    assert not left.exists()


def test_the_spool_is_in_shared_memory_else_with_the_temporary_files_else_none(tmp_path, monkeypatch):
    from statusmark import repository

    monkeypatch.setattr(repository, "_SHARED_MEMORY", str(tmp_path / "shm"))
    (tmp_path / "shm").mkdir()
    assert Path(repository._spool()).parent == tmp_path / "shm"
    monkeypatch.setattr(repository, "_SHARED_MEMORY", str(tmp_path / "no-shm"))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    assert Path(repository._spool()).parent == tmp_path / "tmp"
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "no-tmp"))
    assert repository._spool() is None
