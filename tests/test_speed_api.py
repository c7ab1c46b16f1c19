"""The API's two long lists from a cache: the same bytes, and a new key when what they show changed."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from operator import attrgetter
from pathlib import Path

from statusmark.datacache import DataCache, key_of
from statusmark.fastview import view_site
from statusmark.model import AUDIENCES, Site
from statusmark.render.api import api_files

from .conftest import corpus_site

NOW = datetime(2026, 11, 1, tzinfo=UTC)


class ListCache:
    """The plugin's way (``StatusmarkPlugin._cached_list``): the data cache on disk, under a
    key of the parts and the events (here their repr: these events have no file digests)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.made = 0

    def __call__(self, parts, events, make):
        def counted() -> str:
            self.made += 1
            return make()

        # A new DataCache each time, as each build has: what it finds, it reads from disk.
        return DataCache(self.folder).get_or_make(key_of(*parts, *map(repr, events)), counted)


def bench_site(tmp_path: Path) -> Site:
    """Generated events, newest first as a loaded site holds them."""
    site = corpus_site(tmp_path / "corpus", 120, seed=11, name="Bench & <Co>", url="https://b.example/status/")
    return replace(site, events=tuple(sorted(site.events, key=attrgetter("started_at", "id"), reverse=True)))


def test_the_lists_from_the_cache_are_the_bytes_made_without_it(tmp_path: Path):
    site = bench_site(tmp_path)
    for level in range(len(AUDIENCES)):
        view = view_site(site, level)
        lists = ListCache(tmp_path / f"cache-{level}")
        plain = api_files(view, NOW)
        assert api_files(view, NOW, cached=lists) == plain
        assert lists.made == 2  # the 50 newest incidents, and maintenances
        assert api_files(view, NOW, cached=lists) == plain  # now from the cache
        assert lists.made == 2
        for text in plain.values():
            json.loads(text)
        body = json.loads(plain["api/v2/incidents.json"])
        assert list(body) == ["incidents", "page"] and len(body["incidents"]) == 50


def test_a_component_row_that_changed_makes_the_lists_again(tmp_path: Path):
    """An event's entry holds its components' rows (name, status, first and latest event,
    which an event outside the 50 can move on): a changed row is a new key."""
    site = bench_site(tmp_path)
    lists = ListCache(tmp_path / "cache")
    api_files(site, NOW, cached=lists)
    renamed = replace(site, components=tuple(replace(c, name=c.name + " (EU)") for c in site.components))
    files = api_files(renamed, NOW, cached=lists)
    assert lists.made == 4
    assert files == api_files(renamed, NOW)
    assert "(EU)" in json.loads(files["api/v2/incidents.json"])["incidents"][0]["components"][0]["name"]
