"""Event pages' bodies and list lines made while the files are parsed, for every audience.

Event pages are ten thousand of an audience's eleven thousand pages at ten thousand
events. Each audience's site is built in a process of its own, forked from the one that
parsed the files; there, making an event's page read its updates, blocks and text for the
first time since the fork (which copied the memory they sit on), and the blocks of public
text were rendered on every site again. Instead the parse workers (one per core), right
after parsing a file, make its event's page body and list line for every audience about
to be built, with the functions the audience's build calls (``fastevent.event_body`` and
``pages.summary_around_hole`` of the audience's view); they travel back beside the parsed
events, in a file per chunk of files holding one UTF-8 blob per level (``Packer.chunk``),
which the build's process maps and keeps so (``Store``; why: see there), found by the
event's id. At 10,000 events (cold builds of the code before and after, alternating on
one host) the build took 13.5 s of CPU instead of 15.7; in one pair, the audiences'
processes 7.0 s instead of 11.1, the parse workers 5.5 s instead of 4.5.

Pages made so are not kept in the parse cache (they would triple the bytes ``statusmark
check`` reads): on a warm build only the files that changed are parsed, and with them
made; the pages of other events are made where they are built, as before, by the same
code. A site that overrides ``event.html`` or ``_macros.html`` renders its event pages
with its own templates, in its audiences' builds.
"""

from __future__ import annotations

import mmap
import os
import tempfile
from array import array
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from .fastview import view_event
from .model import Event
from .render.fastevent import event_body
from .render.pages import Link, event_src, summary_around_hole, url_for


@dataclass(frozen=True)
class Prerender:
    """Which event pages (bodies and list lines) the parse makes: the sites' about to be built."""

    levels: tuple[int, ...]  # the audience levels of those sites
    use_urls: bool = True  # MkDocs' use_directory_urls: a body's links are relative to its page
    # Component id -> name, as the site's config lists them: filled in by ``load_site``, which
    # reads the components (a caller asks for pages by levels and links alone).
    names: tuple[tuple[str, str], ...] = ()

    @cached_property
    def name_of(self) -> dict[str, str]:
        return dict(self.names)


# An event's page body on one site, and its line in the site's lists around the way up to
# the root (``pages.summary_around_hole``); None where the event has no page.
Made = tuple[str, tuple[str, str] | None] | None


def render_pages(event: Event, job: Prerender) -> tuple[Made, ...]:
    """What ``event``'s page and list line are on each site of ``job.levels``."""
    link = Link(url_for(event_src(event.id), job.use_urls), job.use_urls)
    names = job.name_of
    made: list[Made] = []
    for level in job.levels:
        view = view_event(event, level)
        made.append((event_body(view, names, link), summary_around_hole(view, job.use_urls)) if view else None)
    return tuple(made)


class Packer:
    """A chunk's pages, as the parse worker sends them: one UTF-8 blob per level, and for
    each event its spans in them (``add``), plain integers."""

    def __init__(self, levels: int):
        self.pieces: list[list[bytes]] = [[] for _ in range(levels)]
        self.sizes = [0] * levels

    def add(self, made: tuple[Made, ...]) -> tuple[int, ...]:
        """Four numbers per level: where the body starts and ends, where the list line's
        hole is (-1: no line), where the line ends; -1, -1, -1, -1 where nothing was made."""
        spans: list[int] = []
        for level, found in enumerate(made):
            if found is None:
                spans += _NOTHING
                continue
            body, line = found
            parts = [body.encode(*_UTF8)] + ([part.encode(*_UTF8) for part in line] if line else [])
            start = self.sizes[level]
            body_end = start + len(parts[0])
            end = body_end + sum(map(len, parts[1:]))
            self.pieces[level] += parts
            self.sizes[level] = end
            spans += (start, body_end, body_end + len(parts[1]) if line else -1, end)
        return tuple(spans)

    def blobs(self) -> tuple[bytes, ...]:
        return tuple(b"".join(pieces) for pieces in self.pieces)

    def chunk(self, spool: str | None) -> Chunk:
        """What ``Store.add_chunk`` takes: the blobs, or (from a worker, with a ``spool``
        folder) the file they were written to, one after another, and their sizes.

        A worker writes them to a file rather than send them down the pool's pipe: there
        they were marshalled, pickled, sent, read, unpickled and unmarshalled, six copies of
        140 MB at 10,000 events, each in memory new to the process. The build's process maps
        the file instead (``mmap``), and the audiences forked from it read the same pages.
        """
        path = None
        try:
            if spool is not None:
                fd, path = tempfile.mkstemp(dir=spool)
                with open(fd, "wb") as file:
                    for pieces in self.pieces:
                        file.writelines(pieces)
                return path, tuple(self.sizes)
        except OSError:  # gone, or full (a container's /dev/shm is 64 MB): down the pipe after all
            if path is not None:
                os.unlink(path)
        return None, self.blobs()


_NOTHING = (-1, -1, -1, -1)
_UTF8 = ("utf-8", "surrogatepass")  # the pages' text as it was, lone surrogates too
# A chunk's pages: (None, its blobs) or (the file holding them, each blob's size).
Chunk = tuple[str | None, tuple[Any, ...]]


def _mapped(path: str, sizes: tuple[int, ...]) -> tuple[memoryview | bytes, ...]:
    """The blobs of a file ``Packer.chunk`` wrote, read where they lie (the file itself goes:
    the mapping keeps its pages)."""
    try:
        with open(path, "rb") as file:
            whole: memoryview | bytes = (
                memoryview(mmap.mmap(file.fileno(), 0, prot=mmap.PROT_READ)) if sum(sizes) else b""
            )
    finally:
        os.unlink(path)
    blobs, start = [], 0
    for size in sizes:
        blobs.append(whole[start : start + size])
        start += size
    return tuple(blobs)


class Store:
    """What one load made, packed: for each chunk of files its blobs, for each event its
    chunk and spans, in flat arrays.

    Why packed: the audiences' processes are forked from the one that holds this, and a
    forked process that reads an object writes to it (its reference count), which copies
    the page it lies on. As thirty thousand bodies, line pieces and their tuples, every
    audience copied two or three pages per event (a minor fault each, 13 µs of system
    time on this VM: 16,500 faults in the public site's ``render`` alone). Read from a few
    large blobs and arrays, a page is made of fresh memory instead, and only each blob's
    first page is copied.
    """

    def __init__(self, job: Prerender | None):
        self.job = job
        self.chunks: list[tuple[bytes | memoryview, ...]] = []
        self.chunk_of = array("l")  # event number -> its chunk
        self.spans = array("q")  # event number -> four numbers per level (see Packer.add)
        self.ids: list[str] = []  # event number -> id, until ``finish``
        self.index: dict[str, int] = {}  # event id -> its number, made by ``finish``

    def add_chunk(self, chunk: Chunk) -> int:
        path, blobs = chunk
        self.chunks.append(blobs if path is None else _mapped(path, blobs))
        return len(self.chunks) - 1

    def keep(self, event_id: str, chunk: int, spans: tuple[int, ...]) -> None:
        self.ids.append(event_id)
        self.chunk_of.append(chunk)
        self.spans.extend(spans)

    def finish(self) -> None:
        """Made once every file is parsed, in the process the audiences are forked from: the
        numbers made together lie together (see the class doc)."""
        self.index = dict(zip(self.ids, range(len(self.ids))))  # the last of a repeated id, as before
        self.ids = []

    def pages(self, level: int) -> Pages:
        assert self.job is not None
        return Pages(self, self.job.levels.index(level), len(self.job.levels))

    def as_dict(self) -> dict[tuple[str, int], Made]:
        """Every page and line kept, by (event id, level): for tests and for looking into."""
        levels = self.job.levels if self.job else ()
        found: dict[tuple[str, int], Made] = {}
        for level in levels:
            pages = self.pages(level)
            for event_id in self.index:
                body = pages.body(event_id)
                if body is not None:
                    found[(event_id, level)] = (body, pages.line(event_id)[1])
        return found


class Pages:
    """One level's pages and list lines in a ``Store``, each decoded when asked for."""

    def __init__(self, store: Store, position: int, levels: int):
        self.store, self.position, self.levels = store, position, levels

    def _where(self, event_id: str) -> tuple[bytes | memoryview, int] | None:
        store = self.store
        number = store.index.get(event_id)
        if number is None:
            return None
        base = (number * self.levels + self.position) * 4
        if store.spans[base] < 0:
            return None
        return store.chunks[store.chunk_of[number]][self.position], base

    def body(self, event_id: str) -> str | None:
        """The event's page body, if this load made it."""
        where = self._where(event_id)
        if where is None:
            return None
        blob, base = where
        spans = self.store.spans
        return str(blob[spans[base] : spans[base + 1]], *_UTF8)

    def line(self, event_id: str) -> tuple[bool, tuple[str, str] | None]:
        """Whether this load made the event's page, and its list line around the hole."""
        where = self._where(event_id)
        if where is None:
            return False, None
        blob, base = where
        _, body_end, hole, end = self.store.spans[base : base + 4]
        if hole < 0:
            return True, None
        return True, (str(blob[body_end:hole], *_UTF8), str(blob[hole:end], *_UTF8))


NOTHING = Pages(Store(None), 0, 1)  # of no load: nothing was made for pages like these

# What the current load made (and the Prerender it makes them for: None, it makes none).
_STORE = Store(None)


def start(job: Prerender | None) -> Store:
    """At every load, before any file is parsed: pages are found by their event's id, which
    another site may share. A new store, not the old one emptied: one handed out for an
    earlier load keeps that load's pages and is never filled with another's."""
    global _STORE
    _STORE = Store(job)
    return _STORE


def store() -> Store:
    """The current load's store."""
    return _STORE


def made_for(level: int, use_urls: bool, names: dict[str, str]) -> Pages:
    """What the last load made at ``level``, if it was made for pages like these; else nothing."""
    job = _STORE.job
    if job is None or level not in job.levels or job.use_urls != use_urls or job.name_of != names:
        return NOTHING
    return _STORE.pages(level)
