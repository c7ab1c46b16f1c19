"""Audiences are built side by side, one process each: the same sites, the same failures.

Forking is only done in a process without other threads, which a long test session is
not (servers of other tests linger): each build here runs in a fresh interpreter, with
the patches it needs applied there.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from concurrent.futures import Future
from pathlib import Path

import pytest
from statusmark import builder
from statusmark.builder import load_mkdocs_config
from statusmark.cli import main

from .conftest import write_repo
from .test_audience import CANARY_INCIDENT
from .test_build import OPEN_INCIDENT, RESOLVED, tree_digest

SITES = ("site", "site-semi-technical", "site-technical")
AUDIENCES = ("public", "semi-technical", "technical")

PATCHES = """
import logging, os, sys
from pathlib import Path
from mkdocs.exceptions import PluginError
from statusmark import builder, plugin
from statusmark.cli import main
from statusmark.plugin import StatusmarkPlugin

repo, mode, side_by_side = Path(sys.argv[1]), sys.argv[2], sys.argv[3] == "1"
builder.SIDE_BY_SIDE = side_by_side
plugin.PARALLEL_PAGES = 1  # an audience with page workers uses them, however few its pages
original_render_worker = plugin._render_worker

def render_worker(share):
    (repo.parent / f"pages-{os.getpid()}.pid").write_text(str(os.getpid()))
    return original_render_worker(share)

plugin._render_worker = render_worker
original_build_one, original_post_build = builder._build_one, StatusmarkPlugin.on_post_build

def build_one(config_file, plan, *rest):
    (repo.parent / f"{plan.audience}.pid").write_text(str(os.getpid()))
    (repo.parent / f"{plan.audience}.workers").write_text(repr(rest[1] if len(rest) > 1 else None))
    return original_build_one(config_file, plan, *rest)

def post_build(self, *, config):
    if mode == "fail" and self.audience == "technical":
        raise PluginError("statusmark: the technical site could not be written")
    if mode == "warn":
        logging.getLogger("mkdocs.plugins.statusmark").warning("a warning from the %s build", self.audience)
    return original_post_build(self, config=config)

post_build.mkdocs_priority = original_post_build.mkdocs_priority  # before search writes its index
builder._build_one, StatusmarkPlugin.on_post_build = build_one, post_build
print(os.getpid())
sys.exit(main(["build", "-f", str(repo / "mkdocs.yml"), "--audience", "all"]))
"""


@pytest.fixture
def repo(tmp_path: Path, fixed_now: str) -> Path:
    write_repo(tmp_path / "repo", {"api.md": OPEN_INCIDENT, "cdn.md": RESOLVED, "login.md": CANARY_INCIDENT})
    return tmp_path / "repo"


def isolated_build(repo: Path, mode: str = "", side_by_side: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(PATCHES), str(repo), mode or "-", "1" if side_by_side else "0"],
        capture_output=True,
        text=True,
        timeout=300,
    )


def pids(repo: Path) -> set[str]:
    return {(repo.parent / f"{audience}.pid").read_text() for audience in AUDIENCES}


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="side by side needs two cores")
def test_side_by_side_builds_the_same_sites_as_one_after_the_other(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    done = isolated_build(repo)
    assert done.returncode == 0, done.stderr
    parent = done.stdout.splitlines()[0]
    shares = builder.page_worker_shares(3, len(os.sched_getaffinity(0)))
    assert len(pids(repo)) == 3  # three processes: the first audience's is the parent if it renders alone
    assert ((repo.parent / "public.pid").read_text() == parent) == (shares[0] == 1)
    assert parent not in pids(repo) - {(repo.parent / "public.pid").read_text()}
    workers = {audience: (repo.parent / f"{audience}.workers").read_text() for audience in AUDIENCES}
    assert workers == dict(zip(AUDIENCES, map(repr, shares)))
    # Each audience rendered with the processes it was given: one is its own, the rest forked.
    page_pids = {p.read_text() for p in repo.parent.glob("pages-*.pid")}
    assert len(page_pids) == sum(shares) - len(shares) > 0 and not page_pids & (pids(repo) | {parent})
    side_by_side = {name: tree_digest(repo / name) for name in SITES}
    assert all(side_by_side.values())
    monkeypatch.setattr(builder, "SIDE_BY_SIDE", False)
    monkeypatch.setenv("STATUSMARK_CACHE_DIR", "off")
    for name in SITES:
        os.rename(repo / name, tmp_path / name)
    assert main(["build", "-f", str(repo / "mkdocs.yml"), "--audience", "all"]) == 0
    after = {name: tree_digest(repo / name) for name in SITES}
    assert after == side_by_side


def test_the_audience_with_the_most_text_renders_with_one_process_more():
    assert builder.page_worker_shares(3, 2) == [1, 1, 2]  # this machine: technical gets the spare
    assert builder.page_worker_shares(2, 2) == [1, 2]
    assert builder.page_worker_shares(3, 8) == [2, 2, 3]
    assert builder.page_worker_shares(2, 16) == [8, 9]
    assert builder.page_worker_shares(2, 1) == [1, 1]  # never more than the cores


@pytest.mark.parametrize("side_by_side", [True, False])
def test_a_failing_audience_publishes_nothing(repo: Path, side_by_side: bool):
    assert main(["build", "-f", str(repo / "mkdocs.yml"), "--audience", "all"]) == 0
    before = {name: tree_digest(repo / name) for name in SITES}
    manifests = repo / ".statusmark-cache" / "manifests"
    recorded = {p.name: p.read_bytes() for p in manifests.iterdir()}
    assert len(recorded) == 3
    (repo / "incidents" / "cdn.md").write_text((repo / "incidents" / "cdn.md").read_text() + "\nMore.\n")
    done = isolated_build(repo, "fail", side_by_side)
    assert done.returncode == 2
    # MkDocs logs the reason and aborts: the reason, told once, then the abort; no traceback.
    assert done.stderr.count("statusmark: the technical site could not be written") == 1
    assert "error: Aborted with a BuildError!" in done.stderr and "Traceback" not in done.stderr
    assert (len(pids(repo)) == 3) == side_by_side
    assert {name: tree_digest(repo / name) for name in SITES} == before  # public and semi built, not published
    assert not [p for p in repo.glob("*.statusmark-*") if p.name != ".statusmark-cache"]
    # The record of the live sites is as it was, and no new one is left waiting.
    assert {p.name: p.read_bytes() for p in manifests.iterdir()} == recorded


def test_warnings_of_an_audience_build_are_told_once(repo: Path):
    done = isolated_build(repo, "warn")
    assert done.returncode == 0, done.stderr
    assert len(pids(repo)) == 3
    for audience in AUDIENCES:
        assert done.stderr.count(f"a warning from the {audience} build") == 1


class _OneProcess:
    """A pool that runs every task here, one after another: as a pool's process would if it
    took a second audience (the config the builds were handed is changed by the first)."""

    def __enter__(self) -> _OneProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def submit(self, task, *args):  # type: ignore[no-untyped-def]
        future: Future = Future()
        future.set_result(task(*args))
        return future


def test_a_process_that_builds_a_second_audience_loads_its_own_config(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("STATUSMARK_CACHE_DIR", "off")
    monkeypatch.setattr(builder, "SIDE_BY_SIDE", False)
    loads = []
    monkeypatch.setattr(builder, "load_mkdocs_config", lambda *a, **k: loads.append(a) or load_mkdocs_config(*a, **k))
    assert main(["build", "-f", str(repo / "mkdocs.yml"), "--audience", "all"]) == 0
    assert len(loads) == 3  # one after the other, too: the parse's, then one for each build after the first
    one_after_the_other = {name: tree_digest(repo / name) for name in SITES}
    for name in SITES:
        os.rename(repo / name, tmp_path / name)
    monkeypatch.setattr(builder, "SIDE_BY_SIDE", True)
    monkeypatch.setattr(builder.forking, "cores", lambda: 2)
    monkeypatch.setattr(builder.forking, "fork_is_safe", lambda: True)
    monkeypatch.setattr(builder.forking, "pool", lambda count: _OneProcess())
    loads.clear()
    assert main(["build", "-f", str(repo / "mkdocs.yml"), "--audience", "all"]) == 0
    assert len(loads) == 3  # the parse's, then one for each build after the first
    assert {name: tree_digest(repo / name) for name in SITES} == one_after_the_other
