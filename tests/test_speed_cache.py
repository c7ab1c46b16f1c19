"""Warm builds (parse cache, page keys, manifests) write exactly what a cold build writes."""

from __future__ import annotations

import gzip
import json
import marshal
import os
import pickle
import shutil
import struct
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from statusmark import builder, output, repository, sourcefiles
from statusmark.cli import main
from statusmark.fastview import view_event
from statusmark.render.fastevent import event_body
from statusmark.render.pages import Link, summary_around_hole

from .conftest import write_repo
from .test_audience import CANARY_INCIDENT, CANARY_MAINTENANCE, META_CANARIES, SEMI_CANARIES, TECH_CANARIES
from .test_build import OPEN_INCIDENT, RESOLVED, UPCOMING, tree_digest

SITES = ("site", "site-semi-technical", "site-technical")
NEW_UPDATE = "\n## 2026-11-23T11:50:00Z monitoring\n\n/// public\nA fix is rolling out.\n///\n\nOPS note.\n"


def history_events(n: int) -> dict[str, str]:
    return {
        f"old/old-{i:02d}.md": f"---\ntitle: Old incident {i}\nimpact: minor\ncomponents: {{api: degraded_performance}}\n---\n\n"
        f"## 2026-0{1 + i % 9}-{1 + i % 28:02d}T{i % 24:02d}:00:00Z investigating\n\n/// public\nSlow {i}.\n///\n\nTech {i}.\n\n"
        f"## 2026-0{1 + i % 9}-{1 + i % 28:02d}T{i % 24:02d}:30:00Z resolved\n\n/// public\nFixed {i}.\n///\n"
        for i in range(n)
    }


def trees(root: Path) -> dict[str, dict[str, str]]:
    return {name: tree_digest(root / name) for name in SITES}


def build(root: Path) -> None:
    assert main(["build", "-f", str(root / "mkdocs.yml"), "--audience", "all"]) == 0


@pytest.fixture
def repo(tmp_path: Path, fixed_now: str) -> Path:
    files = {
        "api-errors.md": OPEN_INCIDENT,
        "cdn-slow.md": RESOLVED,
        "db-upgrade.md": UPCOMING,
        "login.md": CANARY_INCIDENT,
        "upgrade.md": CANARY_MAINTENANCE,
        **history_events(60),
    }
    write_repo(tmp_path / "repo", files)
    return tmp_path / "repo"


def cold_copy(repo: Path, where: Path) -> dict[str, dict[str, str]]:
    """The same files built from nothing: no cache, no earlier site."""
    shutil.copytree(repo, where, ignore=shutil.ignore_patterns("site", "site-*", ".statusmark-cache"))
    build(where)
    return trees(where)


def test_warm_build_of_the_same_files_is_identical_and_writes_nothing(repo: Path):
    build(repo)
    cold = trees(repo)
    assert list((repo / ".statusmark-cache" / "parse").glob("*.marshal"))
    # Unchanged files are not written again: pages, theme assets, our assets, feeds, API.
    kept = [
        "site/incidents/old-03/index.html",
        "site/assets/statusmark/statusmark.css",
        next(p.relative_to(repo).as_posix() for p in (repo / "site-technical/assets/javascripts").glob("bundle.*.js")),
        "site/history.rss",
        "site-semi-technical/api/v2/summary.json",
    ]
    before = {name: (repo / name).stat().st_mtime_ns for name in kept}
    build(repo)
    assert trees(repo) == cold
    assert {name: (repo / name).stat().st_mtime_ns for name in kept} == before


def test_a_fresh_checkout_with_its_cache_restored_as_ci_does_writes_nothing(
    repo: Path, monkeypatch: pytest.MonkeyPatch
):
    """publish.yml: `actions/checkout` writes every incident file anew (same bytes, a new
    stat), and `actions/cache` restores the cache folder and the sites from a `tar --posix`
    archive (new inodes, the recorded mtimes). The build finds every parse and every page."""
    monkeypatch.setattr(sourcefiles, "RACY_NS", 0)  # files just written are recorded, as older ones are
    build(repo)
    cold = trees(repo)
    page = repo / "site/incidents/old-03/index.html"
    written = page.stat().st_mtime_ns
    kept = [".statusmark-cache", *SITES]
    archive = repo.parent / "cache.tar"
    subprocess.run(["tar", "--posix", "-cf", str(archive), "-C", str(repo), *kept], check=True)
    for name in kept:
        shutil.rmtree(repo / name)
    time.sleep(0.01)  # a new mtime for every file written below, on any filesystem clock
    for path in sorted((repo / "incidents").rglob("*.md")):
        data = path.read_bytes()
        path.unlink()
        path.write_bytes(data)
    subprocess.run(["tar", "-xf", str(archive), "-C", str(repo)], check=True)
    assert page.stat().st_mtime_ns == written  # restored as recorded in the manifest
    parsed: list[str] = []
    read: list[str] = []
    parse_all, read_and_digest = repository._parse_all, sourcefiles.read_and_digest

    def counted_parse(missing: list[tuple[str, str]], *rest: Any) -> Any:
        parsed.extend(display for _, display in missing)
        return parse_all(missing, *rest)

    def counted_read(path: str, *rest: Any) -> Any:
        read.append(path)
        return read_and_digest(path, *rest)

    monkeypatch.setattr(repository, "_parse_all", counted_parse)
    monkeypatch.setattr(sourcefiles, "read_and_digest", counted_read)
    build(repo)
    assert sorted(read) == sorted(map(str, (repo / "incidents").rglob("*.md")))  # each read and hashed again
    assert parsed == []  # and none parsed
    assert trees(repo) == cold
    assert page.stat().st_mtime_ns == written  # neither rendered nor written again


def test_a_sitemap_as_the_live_site_has_it_is_not_compressed_again(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from statusmark import plugin

    monkeypatch.setattr(builder, "SIDE_BY_SIDE", False)  # every audience built here, where it is counted
    compressed: list[bytes] = []
    gzip_of = plugin._gzip
    monkeypatch.setattr(plugin, "_gzip", lambda data, *rest: compressed.append(data) or gzip_of(data, *rest))
    hashed: list[str] = []  # files publishing reads back for their key
    file_key = output._file_key
    monkeypatch.setattr(output, "_file_key", lambda path: hashed.append(os.path.basename(path)) or file_key(path))
    build(repo)
    assert len(compressed) == 3  # one sitemap per audience
    compressed.clear()
    build(repo)  # the same pages: each live sitemap.xml.gz is kept as it is
    assert compressed == [] and trees(repo) == cold_copy(repo, tmp_path / "cold")
    assert not {"sitemap.xml", "sitemap.xml.gz"} & set(hashed)  # known by the key made with them
    compressed.clear()  # the cold copy's
    (repo / "incidents" / "new.md").write_text(OPEN_INCIDENT.lstrip())
    build(repo)  # a new page: every sitemap changed, and is compressed again
    assert len(compressed) == 3
    for site in SITES:
        text = (repo / site / "sitemap.xml").read_bytes()
        assert b"/incidents/new/" in text and gzip.decompress((repo / site / "sitemap.xml.gz").read_bytes()) == text
    # A live gzip edited by hand is not what its manifest recorded: made again, not copied.
    (repo / "site" / "sitemap.xml.gz").write_bytes(b"not a gzip")
    compressed.clear()
    build(repo)
    assert len(compressed) == 1 and trees(repo) == cold_copy(repo, tmp_path / "cold-2")


def test_an_hour_later_only_component_pages_whose_bars_changed_are_written(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """A component's first page shows what "now" makes of its events: written again when
    that changed (an open incident's bar grows), kept when it did not."""
    build(repo)
    pages = {p.parent.name: p for p in (repo / "site" / "components").glob("*/index.html")}
    before = {name: page.stat().st_mtime_ns for name, page in pages.items()}
    monkeypatch.setenv("STATUSMARK_NOW", "2026-11-23T13:00:00Z")  # an hour after fixed_now
    build(repo)
    written = {name for name, page in pages.items() if page.stat().st_mtime_ns != before[name]}
    assert "api" in written  # its incident is open: today's bar took another hour of it
    assert "database" not in written  # under maintenance counts no downtime: its bars are as they were
    assert trees(repo) == cold_copy(repo, tmp_path / "cold")


def test_data_entries_no_build_used_for_a_week_are_deleted(repo: Path):
    build(repo)
    data = repo / ".statusmark-cache" / "data"
    used = sorted(p for p in data.rglob("*") if p.is_file())
    assert len(used) > 10  # feeds, calendar, search entries of three audiences
    week_ago, yesterday = time.time() - 8 * 86400, time.time() - 86400
    for path in used:
        os.utime(path, (week_ago, week_ago))  # used again below: kept
    stale, recent = data / "zz" / ("zz" + "0" * 38), data / "zy" / ("zy" + "1" * 38)
    for path, when in ((stale, week_ago), (recent, yesterday)):
        path.parent.mkdir()
        path.write_text("an entry of an earlier event")
        os.utime(path, (when, when))
    build(repo)
    assert all(path.is_file() for path in used) and recent.is_file()
    assert not stale.exists() and not stale.parent.exists()
    assert min(path.stat().st_mtime for path in used) > yesterday


def shard_stamps(repo: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in (repo / ".statusmark-cache" / "parse").glob("*.marshal")}


def test_warm_build_after_an_appended_update_equals_a_cold_build(repo: Path, tmp_path: Path):
    build(repo)
    before = shard_stamps(repo)
    incident = repo / "incidents" / "api-errors.md"
    incident.write_text(incident.read_text() + NEW_UPDATE)
    build(repo)
    after = shard_stamps(repo)
    rewritten = {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}
    assert len(before) > 20 and 1 <= len(rewritten) <= 2  # the old entry's shard and the new one's
    warm = trees(repo)
    assert "A fix is rolling out." in (repo / "site/incidents/api-errors/index.html").read_text()
    assert "OPS note." not in (repo / "site/incidents/api-errors/index.html").read_text()
    assert warm == cold_copy(repo, tmp_path / "cold")


def test_warm_build_after_adding_and_removing_events_equals_a_cold_build(repo: Path, tmp_path: Path):
    build(repo)
    (repo / "incidents" / "old" / "old-05.md").unlink()
    (repo / "incidents" / "new-one.md").write_text(RESOLVED.replace("Slow file downloads", "New one").lstrip())
    build(repo)
    assert not (repo / "site/incidents/old-05").exists()
    assert (repo / "site/incidents/new-one/index.html").is_file()
    assert trees(repo) == cold_copy(repo, tmp_path / "cold")


def console_build(root: Path) -> None:
    """``statusmark build --audience all`` in a process of its own, as CI runs it: there the
    live sites are checked beside the parse (forking is refused in a test session's process,
    where other tests leave threads)."""
    code = "from statusmark.cli import run; run()"
    args = ["build", "-f", str(root / "mkdocs.yml"), "--audience", "all"]
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("run", [build, console_build])
def test_a_file_edited_or_lost_in_the_live_site_is_rewritten(repo: Path, run):
    run(repo)
    cold = trees(repo)
    for name in (
        "site-technical/incidents/cdn-slow/index.html",  # a page
        "site/assets/statusmark/statusmark.css",  # a static file
        "site/api/v2/summary.json",  # a generated one
        "site-semi-technical/history.rss",  # a feed
    ):
        (repo / name).write_text("tampered")
    (repo / "site/incidents/login/index.html").unlink()
    run(repo)
    assert trees(repo) == cold


def test_a_new_sites_manifest_is_what_listing_all_its_files_gives(repo: Path, monkeypatch: pytest.MonkeyPatch):
    """A site built whole gets its manifest from what the build wrote, without listing the
    folders it made; the entries are those a look at every file of the site gives."""
    from statusmark import plugin
    from statusmark.output import Manifest, _file_key

    monkeypatch.setattr(plugin, "PARALLEL_PAGES", 1)  # pages from worker processes too, where they may fork
    # MkDocs writes a page of the site's own into a folder the build writes a page into later.
    (repo / "site_src" / "components" / "api").mkdir(parents=True)
    (repo / "site_src" / "components" / "api" / "notes.md").write_text("# Notes on the API\n")
    build(repo)
    manifests = [Manifest.read(path) for path in (repo / ".statusmark-cache" / "manifests").glob("*.marshal")]
    assert len(manifests) == len(SITES)
    for read in manifests:
        assert read is not None
        manifest = read[1]
        on_disk = {}
        for path in manifest.final.rglob("*"):
            if path.is_file():
                relative, stat = path.relative_to(manifest.final).as_posix(), path.stat()
                on_disk[relative] = [stat.st_size, stat.st_mtime_ns]
        assert {relative: entry[1:] for relative, entry in manifest.entries.items()} == on_disk
        assert sum(relative.startswith("incidents/") for relative in on_disk) == 65  # every event's page
        assert "components/api/notes/index.html" in on_disk and "components/api/index.html" in on_disk
        for relative, entry in manifest.entries.items():  # what no key names is known by its bytes
            if entry[0].startswith("b:"):
                assert entry[0] == _file_key(str(manifest.final / relative))


def test_live_sites_checked_once_tell_which_files_are_not_as_recorded(repo: Path):
    from statusmark.output import Manifest, check_live_sites

    build(repo)
    manifests = repo / ".statusmark-cache" / "manifests"
    (repo / "site-technical/incidents/cdn-slow/index.html").write_text("tampered")
    (repo / "site/api/v2/summary.json").unlink()
    (manifests / "old.marshal").write_bytes(marshal.dumps({"version": 1, "final": str(repo / "site"), "files": {}}))
    checked = check_live_sites(manifests)
    assert len(checked) == 3  # the three audiences' manifests; one of another version is left out
    assert sorted(r for _, stale in checked.values() for r in stale) == [
        "api/v2/summary.json",
        "incidents/cdn-slow/index.html",
    ]
    site = (repo / "site").resolve()
    path = next(p for p in manifests.glob("*.marshal") if Manifest.load(p, site) is not None)
    index_key = Manifest.load(path, site).entries["index.html"][0]
    summary_key = Manifest.load(path, site).entries["api/v2/summary.json"][0]
    (site / "index.html").write_text("changed after the check")
    trusted = Manifest.load(path, site, checked)
    assert trusted.holds("index.html", index_key)  # as checked: no second look
    assert not trusted.holds("api/v2/summary.json", summary_key)
    trusted.save(path)  # a manifest written since the check: the check is not its
    assert not Manifest.load(path, site, checked).holds("index.html", index_key)


def test_feeds_the_live_site_holds_are_neither_made_nor_read_again(repo: Path):
    """A feed (or the calendar) is known by its data-cache key: when the live site holds it
    as recorded, its entry is not read; when the live file is lost, it is made again."""
    build(repo)
    cold = trees(repo)
    data = repo / ".statusmark-cache" / "data"
    moved = data.with_name("data-set-aside")
    data.rename(moved)  # no entry to read: a build that needed one would make it again
    build(repo)
    assert trees(repo) == cold
    made = {p.name for p in data.rglob("*") if p.is_file()}
    feeds = {p.name for p in moved.rglob("*") if p.is_file()} - made
    assert len(feeds) >= 3 * 5  # three audiences' feed pairs (site, 4 components) and calendars
    (repo / "site-technical" / "components" / "cdn" / "history.atom").write_text("tampered")
    (repo / "site" / "maintenance.ics").unlink()
    build(repo)
    assert trees(repo) == cold
    assert len({p.name for p in data.rglob("*") if p.is_file()} - made) == 2  # the two made again


def test_a_static_file_of_the_site_changed_is_published(repo: Path, tmp_path: Path):
    logo = repo / "site_src" / "img" / "logo.svg"
    logo.parent.mkdir()
    logo.write_text("<svg>one</svg>")
    build(repo)
    logo.write_text("<svg>two</svg>")
    build(repo)
    assert (repo / "site/img/logo.svg").read_text() == "<svg>two</svg>"
    assert trees(repo) == cold_copy(repo, tmp_path / "cold")


def test_no_cache_builds_the_same_site(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    build(repo)
    cached = trees(repo)
    monkeypatch.setenv("STATUSMARK_CACHE_DIR", "off")
    other = tmp_path / "nocache"
    shutil.copytree(repo, other, ignore=shutil.ignore_patterns("site", "site-*", ".statusmark-cache"))
    build(other)
    assert trees(other) == cached and not (other / ".statusmark-cache").exists()


def test_a_manifest_reads_back_and_a_damaged_one_is_ignored(tmp_path: Path):
    from statusmark.output import Manifest

    site = tmp_path / "site"
    site.mkdir()
    path = tmp_path / "cache" / "manifests" / "x.marshal"
    path.parent.mkdir(parents=True)
    path.with_suffix(".json").write_text("{}")  # a version-1 manifest
    Manifest(site, {"index.html": ["k", 3, 12]}).save(path)
    loaded = Manifest.load(path, site)
    assert loaded is not None and loaded.entries == {"index.html": ["k", 3, 12]}
    assert not path.with_suffix(".json").exists()
    assert Manifest.load(path, tmp_path / "elsewhere") is None  # another site's record
    for damaged in (b"", b"\x00garbage", path.read_bytes()[:-5]):
        path.write_bytes(damaged)
        assert Manifest.load(path, site) is None


def _held(path: Path) -> object:
    data = path.read_bytes()
    if path.parent.name == "parse":  # a shard: its head, then the texts of its events' updates
        (size,) = struct.unpack_from("<Q", data)
        return marshal.loads(data[8 : 8 + size]), data[8 + size :]
    try:
        return marshal.loads(data)
    except (ValueError, EOFError, TypeError):
        return data


# Run in a process of its own: forking is refused where other threads run (Apprise's tests
# leave one), and this is about what forked parse workers send back.
_PARSE = """
import os, pickle, sys
from pathlib import Path
from statusmark import builder, repository, sourcefiles
config, out, workers = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] == "workers"
if workers:
    send = repository._parse_chunk_marshalled
    def noted(files, job, spool):
        Path(job.base, f"worker-{os.getpid()}").write_text("ran")
        Path(job.base, f"spool-{os.path.basename(spool)}").write_text(spool)
        return send(files, job, spool)
    repository._parse_chunk_marshalled = noted
    repository.PARALLEL_FROM, repository.workers = 1, lambda: 2
    repository._SHARED_MEMORY = str(config.parent / "shm")  # the workers' pages wait here
    (config.parent / "shm").mkdir()
from statusmark import prerender
_, site, problems = builder._load_and_check(config, render_for=(0, 1, 2))  # as `statusmark build --audience all`
if workers:  # the pages went through a file of a folder of shm, and neither is left
    spools = {p.read_text() for p in config.parent.glob("spool-*")}
    assert len(spools) == 1 and Path(spools.pop()).parent == config.parent / "shm", spools
    assert not any((config.parent / "shm").iterdir())
found = (site.events, problems, dict(repository.FILE_DIGESTS), prerender.store().as_dict())
out.write_bytes(pickle.dumps(found))
"""


@pytest.mark.parametrize("broken", [False, True])
def test_parse_workers_give_what_the_parse_in_process_gives(tmp_path: Path, fixed_now: str, monkeypatch, broken):
    """Events, problems, digests, their pages and list lines (``prerender``) and the cache written
    (none when a file has an error)."""
    files = {"a.md": OPEN_INCIDENT, "b.md": RESOLVED, "c.md": UPCOMING, "d.md": CANARY_INCIDENT}
    files |= {"e.md": CANARY_MAINTENANCE, "broken.md": "no front matter here\n" if broken else RESOLVED}
    files |= {f"old/old-{i}.md": RESOLVED.replace("cdn", "api") for i in range(6)}
    config = write_repo(tmp_path / "repo", files)
    found = {}
    for way in ("in-process", "workers"):
        monkeypatch.setenv("STATUSMARK_CACHE_DIR", str(tmp_path / way))
        out = tmp_path / f"{way}.pickle"
        subprocess.run([sys.executable, "-c", _PARSE, str(config), str(out), way], check=True)
        # What each cache file holds (marshal's bytes depend on which objects were shared).
        cache = {p.relative_to(tmp_path / way).as_posix(): _held(p) for p in (tmp_path / way).rglob("*") if p.is_file()}
        found[way] = (*pickle.loads(out.read_bytes()), cache)
    assert list((tmp_path / "repo").glob("worker-*"))  # the second way parsed in a worker process
    assert found["workers"] == found["in-process"]
    events, problems, digests, made, cache = found["workers"]
    assert len(events) == 12 - broken and len(digests) == 12
    # Each valid event's page body and list line on each site, as the audience's build makes them.
    assert set(made) == {(e.id, level) for e in events for level in (0, 1, 2)}
    names = {c.id: c.name for c in builder._load_and_check(config)[1].components}
    for (event_id, level), pair in made.items():
        event = next(e for e in events if e.id == event_id)
        view = view_event(event, level)
        link = Link(f"incidents/{event_id}/", True)
        assert pair == ((event_body(view, names, link), summary_around_hole(view, True)) if view else None)
    bodies = {key: pair[0] if pair else None for key, pair in made.items()}
    assert all(canary in bodies[("d", 2)] for canary in TECH_CANARIES + SEMI_CANARIES)
    assert all(canary in bodies[("d", 1)] for canary in SEMI_CANARIES)
    hidden = [(1, TECH_CANARIES + META_CANARIES), (0, TECH_CANARIES + SEMI_CANARIES + META_CANARIES)]
    assert not any(
        canary in body
        for level, canaries in hidden
        for canary in canaries
        for (_, at), body in bodies.items()
        if at == level and body
    )
    assert any(p.path.endswith("broken.md") for p in problems) == broken
    assert any(name.startswith("parse/") for name in cache) != broken


def test_a_loaded_shard_leaves_its_texts_in_the_file_until_they_are_read(tmp_path: Path, fixed_now: str, monkeypatch):
    """Loading the cache reads the shards' heads: an event's updates stay in the mapped file
    until first read, and a shard replaced meanwhile (by another build) changes none of them."""
    from statusmark.model import PENDING

    config = write_repo(tmp_path / "repo", {"a.md": OPEN_INCIDENT, "b.md": RESOLVED, "c.md": CANARY_INCIDENT})
    monkeypatch.setenv("STATUSMARK_CACHE_DIR", str(tmp_path / "cache"))
    _, parsed, _ = builder._load_and_check(config)  # parses every file and writes the cache
    _, loaded, _ = builder._load_and_check(config)  # from the cache
    assert loaded.events and all(isinstance(e.__dict__[PENDING].args[0], memoryview) for e in loaded.events)
    for shard in (tmp_path / "cache" / "parse").glob("*.marshal"):  # as save() does: a new file, renamed
        size = shard.stat().st_size
        shard.unlink()
        shard.write_bytes(b"\0" * size)
    assert [e.updates for e in loaded.events] == [e.updates for e in parsed.events]
    assert loaded.events == parsed.events
    _, again, _ = builder._load_and_check(config)  # the zeroed shards are not ours: parsed again
    assert again.events == parsed.events


_SIDE_BY_SIDE = """
import json, sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from statusmark import builder, forking, parsecache
config, out = Path(sys.argv[1]), Path(sys.argv[2])
assert forking.fork_is_safe() and builder.SIDE_BY_SIDE
forking.cores = lambda: 2  # side by side on any machine
submitted, written_after = [], []
submit, write = ProcessPoolExecutor.submit, parsecache.ParseCache._write
ProcessPoolExecutor.submit = lambda pool, *args: submitted.append(args) or submit(pool, *args)
parsecache.ParseCache._write = lambda cache: written_after.append(len(submitted)) or write(cache)
builder.build(config, ["public", "technical"])
out.write_text(json.dumps(written_after))
"""


def test_a_parse_cache_saved_while_saves_are_held_is_written_when_they_are_let_go(
    tmp_path: Path, fixed_now: str, monkeypatch
):
    """``saves_held``: a build writes its parse cache once its audiences' builds run."""
    from statusmark import parsecache

    config = write_repo(tmp_path / "repo", {"a.md": OPEN_INCIDENT, "b.md": RESOLVED})
    shards = tmp_path / "cache" / "parse"
    monkeypatch.setenv("STATUSMARK_CACHE_DIR", str(tmp_path / "cache"))
    with parsecache.saves_held() as release:
        builder._load_and_check(config)
        assert not shards.exists()
        release()
        assert list(shards.glob("*.marshal"))
        shutil.rmtree(tmp_path / "cache")
        builder._load_and_check(config)  # after the release: saved at once
        assert list(shards.glob("*.marshal"))
    shutil.rmtree(tmp_path / "cache")
    with parsecache.saves_held():
        builder._load_and_check(config)
        assert not shards.exists()
    assert list(shards.glob("*.marshal"))  # let go at the block's end, at the latest
    # A build saves it (before its audiences' builds, when they run in this process).
    shutil.rmtree(tmp_path / "cache")
    seen = []
    monkeypatch.setattr(builder, "_build_one", lambda *args, **kwargs: seen.append(shards.exists()) or 1 / 0)
    with pytest.raises(ZeroDivisionError):
        builder.build(config, ["public"])
    assert seen == [True]
    # With the audiences built side by side (in a process of its own, as _PARSE is): once every
    # build that goes to a forked process has been handed to it, not before. (The first
    # audience, rendering alone, is built in the parse's process, after the cache is written.)
    shutil.rmtree(tmp_path / "cache")
    out = tmp_path / "written-after.json"
    subprocess.run([sys.executable, "-c", _SIDE_BY_SIDE, str(config), str(out)], check=True)
    assert json.loads(out.read_text()) == [1] and list(shards.glob("*.marshal"))
