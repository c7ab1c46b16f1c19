"""Audiences are built side by side, one process each: the same sites, the same failures."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from mkdocs.exceptions import PluginError
from statusmark import builder
from statusmark.cli import main
from statusmark.plugin import StatusmarkPlugin

from .conftest import write_repo
from .test_audience import CANARY_INCIDENT
from .test_build import OPEN_INCIDENT, RESOLVED, tree_digest

SITES = ("site", "site-semi-technical", "site-technical")


@pytest.fixture
def repo(tmp_path: Path, fixed_now: str) -> Path:
    write_repo(tmp_path / "repo", {"api.md": OPEN_INCIDENT, "cdn.md": RESOLVED, "login.md": CANARY_INCIDENT})
    return tmp_path / "repo"


def build(root: Path) -> int:
    return main(["build", "-f", str(root / "mkdocs.yml"), "--audience", "all"])


def record_pids(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """Each audience build leaves a file naming the process it ran in (children included)."""
    original = builder._build_one

    def recording(config_file, plan, parsed):
        (folder / f"{plan.audience}.pid").write_text(str(os.getpid()))
        return original(config_file, plan, parsed)

    monkeypatch.setattr(builder, "_build_one", recording)


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="side by side needs two cores")
def test_side_by_side_builds_the_same_sites_as_one_after_the_other(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    record_pids(monkeypatch, tmp_path)
    assert build(repo) == 0
    pids = {(tmp_path / f"{a}.pid").read_text() for a in ("public", "semi-technical", "technical")}
    assert str(os.getpid()) not in pids and len(pids) == 3  # three processes, none of them this one
    side_by_side = {name: tree_digest(repo / name) for name in SITES}
    for name in SITES:
        assert side_by_side[name]
    monkeypatch.setattr(builder, "SIDE_BY_SIDE", False)
    monkeypatch.setenv("STATUSMARK_CACHE_DIR", "off")
    for name in SITES:
        os.rename(repo / name, tmp_path / name)
    assert build(repo) == 0
    assert {(tmp_path / f"{a}.pid").read_text() for a in ("public", "technical")} == {str(os.getpid())}
    assert {name: tree_digest(repo / name) for name in SITES} == side_by_side


@pytest.mark.parametrize("side_by_side", [True, False])
def test_a_failing_audience_publishes_nothing(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys, caplog, side_by_side: bool
):
    monkeypatch.setattr(builder, "SIDE_BY_SIDE", side_by_side)
    assert build(repo) == 0
    before = {name: tree_digest(repo / name) for name in SITES}
    (repo / "incidents" / "cdn.md").write_text((repo / "incidents" / "cdn.md").read_text() + "\nMore.\n")
    original = StatusmarkPlugin.on_post_build

    def failing(self, *, config):
        if self.audience == "technical":
            raise PluginError("statusmark: the technical site could not be written")
        return original(self, config=config)

    monkeypatch.setattr(StatusmarkPlugin, "on_post_build", failing)
    assert build(repo) == 2
    # MkDocs logs the reason and aborts: the reason, told once, then the abort.
    assert caplog.text.count("statusmark: the technical site could not be written") == 1
    assert "error: Aborted with a BuildError!" in capsys.readouterr().err
    assert {name: tree_digest(repo / name) for name in SITES} == before  # public and semi built, not published
    assert not [p for p in repo.glob("*.statusmark-*") if p.name != ".statusmark-cache"]


def test_warnings_of_an_audience_build_are_logged_here_once(
    repo: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
):
    original = StatusmarkPlugin.on_post_build

    def warning(self, *, config):
        logging.getLogger("mkdocs.plugins.statusmark").warning("a warning from the %s build", self.audience)
        return original(self, config=config)

    monkeypatch.setattr(StatusmarkPlugin, "on_post_build", warning)
    assert build(repo) == 0
    told = [r.getMessage() for r in caplog.records if r.name == "mkdocs.plugins.statusmark"]
    assert sorted(told) == [f"a warning from the {a} build" for a in ("public", "semi-technical", "technical")]
