"""`statusmark new` and `statusmark update`: valid files, exact messages, nothing written on error."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from statusmark.authoring import slugify
from statusmark.cli import main
from statusmark.loader import split_front_matter

from .conftest import NOW, write_repo

NEW_ID = "2026-11-23-elevated-api-errors"
OPEN = """\
---
title: Elevated API errors
impact: major
components:
  api: partial_outage
---

## 2026-11-23T11:00:00Z investigating

/// public
Some requests fail.
///
"""
MAINTENANCE = """\
---
title: Database upgrade
kind: maintenance
scheduled_start: 2026-12-01T02:00:00Z
scheduled_end: 2026-12-01T04:00:00Z
---

## 2026-11-23T11:00:00Z scheduled

/// public
We will upgrade the database.
///
"""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fixed_now: str) -> Path:
    """A status repository with one open incident and one maintenance; cwd is its root."""
    write_repo(tmp_path, {"api-errors.md": OPEN, "2026/db-upgrade.md": MAINTENANCE})
    monkeypatch.chdir(tmp_path)
    return tmp_path


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_valid(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check")
    assert code == 0, err
    assert "ok:" in out


# --- statusmark new ----------------------------------------------------------------


def test_new_writes_a_valid_incident_with_a_first_investigating_update(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        capsys,
        "new",
        "Elevated API errors",
        "--impact",
        "major",
        "--component",
        "api=partial_outage",
        "--component",
        "dashboard=degraded_performance",
        "--tag",
        "database",
    )
    assert code == 0, err
    path = repo / "incidents" / f"{NEW_ID}.md"
    assert out.strip() == f"incidents/{NEW_ID}.md"
    assert "Edit its /// public text" in err
    text = path.read_text(encoding="utf-8")
    front, body, _ = split_front_matter(text) or ([], [], 0)
    assert yaml.safe_load("\n".join(front)) == {
        "title": "Elevated API errors",
        "impact": "major",
        "components": {"api": "partial_outage", "dashboard": "degraded_performance"},
        "tags": ["database"],
    }
    assert f"## {NOW} investigating" in body
    assert "/// public" in body and "/// technical" in body
    assert "affecting Public API and Dashboard" in text  # the placeholder names the components
    assert_valid(capsys)


def test_new_maintenance_starts_scheduled_with_its_window_in_utc(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        capsys,
        "new",
        "Search index rebuild",
        "--kind",
        "maintenance",
        "--start",
        "2026-12-02T03:00:00+01:00",
        "--end",
        "2026-12-02T04:00:00Z",
        "--component",
        "database=under_maintenance",
    )
    assert code == 0, err
    text = (repo / "incidents" / "2026-11-23-search-index-rebuild.md").read_text()
    assert "kind: maintenance\n" in text
    assert "scheduled_start: 2026-12-02T02:00:00Z\n" in text
    assert "scheduled_end: 2026-12-02T04:00:00Z\n" in text
    assert f"## {NOW} scheduled" in text
    assert "impact:" not in text
    assert_valid(capsys)


def test_new_takes_id_message_and_technical_text(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "new",
        'Login: "slow" #2 — for some',
        "--impact",
        "minor",
        "--id",
        "login-slow",
        "-m",
        "Sign-in is slow for some users.",
        "--technical",
        "Session store latency p99 4s.",
    )
    assert code == 0
    assert out.strip() == "incidents/login-slow.md"
    text = (repo / "incidents" / "login-slow.md").read_text()
    front, _, _ = split_front_matter(text) or ([], [], 0)
    assert yaml.safe_load("\n".join(front))["title"] == 'Login: "slow" #2 — for some'
    assert "/// public\nSign-in is slow for some users.\n///" in text
    assert "/// technical\nSession store latency p99 4s.\n///" in text
    assert_valid(capsys)


def test_new_stamps_the_wall_clock_to_the_second(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("STATUSMARK_NOW")
    code, out, _ = run(capsys, "new", "Clock", "--impact", "none")
    assert code == 0
    text = (repo / out.strip()).read_text()
    assert re.search(r"^## \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ investigating$", text, re.MULTILINE)


def test_new_with_a_config_file_elsewhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], fixed_now: str
) -> None:
    config = write_repo(tmp_path / "status", {})
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "new", "Elevated API errors", "--impact", "minor", "-f", str(config))
    assert code == 0
    assert out.strip() == f"status/incidents/{NEW_ID}.md"


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Elevated API errors", "elevated-api-errors"),
        ("  Délai: API & Webhooks (EU)!  ", "delai-api-webhooks-eu"),
        ("日本語", ""),
        ("a" * 70, "a" * 60),
        ("word " * 20, "word-word-word-word-word-word-word-word-word-word-word-word"),
    ],
)
def test_slugify(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_a_title_without_latin_letters_gets_the_kind_as_slug(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "new", "日本語", "--impact", "minor")
    assert code == 0
    assert out.strip() == "incidents/2026-11-23-incident.md"


NEW_ERRORS = [
    # argv after "new", the exact problem line
    (
        ["Outage", "--impact", "major", "--component", "mainframe=major_outage"],
        "incidents/2026-11-23-outage.md:5: components.mainframe: unknown component id 'mainframe'; configured ids: api, cdn, dashboard, database",
    ),
    (
        ["Outage", "--impact", "major", "--component", "api=on_fire"],
        "incidents/2026-11-23-outage.md:5: components.api: expected one of operational, under_maintenance, degraded_performance, partial_outage, major_outage; got 'on_fire'",
    ),
    (
        ["Outage", "--impact", "major", "--component", "api"],
        "incidents/2026-11-23-outage.md:1: components: expected --component ID=STATUS, e.g. api=partial_outage; got 'api'",
    ),
    (
        ["Outage", "--impact", "severe"],
        "incidents/2026-11-23-outage.md:3: impact: expected one of none, minor, major, critical; got 'severe'",
    ),
    (
        ["Outage", "--kind", "outage", "--impact", "major"],
        "incidents/2026-11-23-outage.md:3: kind: expected one of incident, maintenance; got 'outage'",
    ),
    (
        ["Outage", "--impact", "major", "--id", "Bad_ID"],
        "incidents/Bad_ID.md:1: id: file name must match [a-z0-9][a-z0-9-]* (lower-case letters, digits, hyphens); got 'Bad_ID'",
    ),
    (
        ["Outage", "--impact", "major", "--id", "api-errors"],
        "incidents/api-errors.md:1: id: 'api-errors' already exists; pass --id to choose another id",
    ),
    (
        ["Upgrade", "--kind", "maintenance", "--start", "2026-12-01T02:00:00Z"],
        "incidents/2026-11-23-upgrade.md:3: scheduled_end: a maintenance needs scheduled_start and scheduled_end",
    ),
    (
        ["Upgrade", "--kind", "maintenance", "--start", "tomorrow", "--end", "2026-12-01T04:00:00Z"],
        "incidents/2026-11-23-upgrade.md:4: scheduled_start: expected an ISO 8601 timestamp such as 2026-11-20T14:02:00Z; got 'tomorrow'",
    ),
    (
        ["Outage", "--impact", "major", "-m", "Traffic to 10.2.3.4 fails."],
        "incidents/2026-11-23-outage.md:9: public text: public text looks like it holds an IPv4 address ('10.2.3.4'); move it to a technical block, or add '<!-- lint-ok: ipv4 -->' if it is meant to be public",
    ),
]


@pytest.mark.parametrize(("argv", "message"), NEW_ERRORS, ids=[m.split(": ")[1] for _, m in NEW_ERRORS])
def test_new_refuses_invalid_input_and_writes_nothing(
    repo: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    before = snapshot(repo)
    code, out, err = run(capsys, "new", *argv)
    assert code == 1
    assert out == ""
    assert err.splitlines() == [message, "1 problem(s) found; nothing was written."]
    assert snapshot(repo) == before


def test_new_without_impact_is_a_usage_error(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(repo)
    code, _, err = run(capsys, "new", "Outage")
    assert code == 2
    assert err == "error: --impact is required for an incident: none, minor, major or critical\n"
    assert snapshot(repo) == before


def test_new_without_mkdocs_yml_is_a_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "new", "Outage", "--impact", "major")
    assert code == 2
    assert "mkdocs.yml: config file not found" in err
    assert list(tmp_path.iterdir()) == []


def test_new_creates_a_missing_incidents_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], fixed_now: str
) -> None:
    write_repo(tmp_path, {})
    (tmp_path / "incidents").rmdir()
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "new", "Outage", "--impact", "major")
    assert code == 0
    assert (tmp_path / out.strip()).is_file()


# --- statusmark update -------------------------------------------------------------


def test_update_appends_an_update_stamped_now(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "update", "api-errors", "identified", "-m", "We found the cause.", "--technical", "Pool exhausted."
    )
    assert code == 0, err
    assert out.strip() == "incidents/api-errors.md"
    text = (repo / "incidents" / "api-errors.md").read_text()
    assert text == OPEN + (
        f"\n## {NOW} identified\n\n/// public\nWe found the cause.\n///\n\n/// technical\nPool exhausted.\n///\n"
    )
    assert_valid(capsys)


def test_update_without_text_writes_placeholders_that_pass_check(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "update", "api-errors", "resolved")
    assert code == 0
    assert "placeholder" in err
    text = (repo / "incidents" / "api-errors.md").read_text()
    assert f"## {NOW} resolved\n\n/// public\nThis incident has been resolved.\n///\n\n/// technical\n" in text
    assert_valid(capsys)


def test_update_internal(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run(capsys, "update", "api-errors", "monitoring", "--internal", "--technical", "Fix rolled out.")
    assert code == 0
    text = (repo / "incidents" / "api-errors.md").read_text()
    assert text.endswith(f"## {NOW} monitoring (internal)\n\n/// technical\nFix rolled out.\n///\n")
    assert_valid(capsys)


def test_update_finds_files_in_sub_folders_and_takes_a_path(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "update", "incidents/2026/db-upgrade.md", "in_progress", "--public", "Started.")
    assert code == 0
    assert out.strip() == "incidents/2026/db-upgrade.md"
    assert f"## {NOW} in_progress" in (repo / "incidents" / "2026" / "db-upgrade.md").read_text()


def test_update_keeps_crlf_line_endings_and_a_bom(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = repo / "incidents" / "api-errors.md"
    path.write_bytes(b"\xef\xbb\xbf" + OPEN.replace("\n", "\r\n").encode())
    code, _, _ = run(capsys, "update", "api-errors", "resolved", "-m", "Fixed.")
    assert code == 0
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf---\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert raw.endswith(f"## {NOW} resolved\r\n\r\n/// public\r\nFixed.\r\n///\r\n".encode())


UPDATE_ERRORS = [
    (
        ["api-errors", "fixed"],
        "incidents/api-errors.md:14: update status: expected one of investigating, identified, monitoring, resolved, postmortem; got 'fixed'",
    ),
    (
        ["api-errors", "completed"],
        "incidents/api-errors.md:14: update status: 'completed' is a maintenance status; an incident uses investigating, identified, monitoring, resolved, postmortem",
    ),
    (
        ["db-upgrade", "resolved"],
        "incidents/2026/db-upgrade.md:14: update status: 'resolved' is an incident status; a maintenance uses scheduled, in_progress, verifying, completed",
    ),
    (  # the existing ids follow, newest first: see test_unknown_id_lists_existing_ids
        ["api-errorz", "resolved"],
        "incidents/api-errorz.md:1: id: no incident or maintenance with id 'api-errorz' under incidents/; most recently changed: ",
    ),
]


@pytest.mark.parametrize(
    ("argv", "message"),
    UPDATE_ERRORS,
    ids=["bad status", "maintenance status on an incident", "incident status on a maintenance", "unknown id"],
)
def test_update_refuses_invalid_input_and_writes_nothing(
    repo: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    before = snapshot(repo)
    code, out, err = run(capsys, "update", *argv)
    assert code == 1
    assert out == ""
    lines = err.splitlines()
    assert lines[0].startswith(message), lines[0]
    assert lines[1:] == ["1 problem(s) found; nothing was written."]
    assert snapshot(repo) == before


def test_unknown_id_lists_existing_ids(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, _, err = run(capsys, "update", "api-errorz", "resolved")
    assert set(err.splitlines()[0].split("most recently changed: ")[1].split(", ")) == {"api-errors", "db-upgrade"}


def test_update_refuses_a_second_update_at_the_same_time(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "update", "api-errors", "identified", "-m", "Found it.")[0] == 0
    before = snapshot(repo)
    code, _, err = run(capsys, "update", "api-errors", "monitoring", "-m", "Watching.")
    assert code == 1
    assert err.splitlines() == [
        f"incidents/api-errors.md:14: update time: an update at {NOW} already exists; wait a second and run again, or edit that update",
        "1 problem(s) found; nothing was written.",
    ]
    assert snapshot(repo) == before


def test_update_refuses_public_text_the_privacy_lint_rejects(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(repo)
    code, _, err = run(capsys, "update", "api-errors", "identified", "-m", "Traceback (most recent call last):")
    assert code == 1
    assert err.splitlines()[0].startswith(
        "incidents/api-errors.md:17: public text: public text looks like it holds a stack trace"
    )
    assert snapshot(repo) == before


def test_update_refuses_to_add_to_a_broken_file(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = repo / "incidents" / "api-errors.md"
    path.write_text(OPEN.replace("impact: major", "impact: severe"))
    before = snapshot(repo)
    code, _, err = run(capsys, "update", "api-errors", "resolved", "-m", "Fixed.")
    assert code == 1
    assert err.splitlines()[0] == (
        "incidents/api-errors.md:3: impact: expected one of none, minor, major, critical; got 'severe'"
    )
    assert snapshot(repo) == before


def test_update_with_both_message_and_public_is_a_usage_error(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "update", "api-errors", "resolved", "-m", "a", "--public", "b")
    assert code == 2
    assert err == "error: -m and --public both set the public text; give one\n"


def test_no_temporary_file_is_left_behind(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "update", "api-errors", "resolved", "-m", "Fixed.")
    run(capsys, "update", "api-errors", "bogus")
    run(capsys, "new", "Outage", "--impact", "minor")
    assert sorted(p.name for p in (repo / "incidents").iterdir()) == ["2026", "2026-11-23-outage.md", "api-errors.md"]


def test_update_keeps_the_file_mode(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = repo / "incidents" / "api-errors.md"
    path.chmod(0o640)
    assert run(capsys, "update", "api-errors", "resolved", "-m", "Fixed.")[0] == 0
    assert path.stat().st_mode & 0o777 == 0o640


def test_a_bad_statusmark_now_is_a_config_error(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STATUSMARK_NOW", "noon")
    code, _, err = run(capsys, "update", "api-errors", "resolved", "-m", "Fixed.")
    assert code == 2
    assert err.startswith("error: $STATUSMARK_NOW: expected an ISO 8601 timestamp")
