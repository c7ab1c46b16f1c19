"""Every `statusmark check` message: one broken fixture each, exact `path:line: field:`, exit 1.

The fixtures live in tests/fixtures/broken/ (one small incident file per case).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from statusmark.cli import main

from .conftest import BASE_CONFIG, write_repo

BROKEN = Path(__file__).parent / "fixtures" / "broken"

CASES = [
    # fixture, line, field, a fragment of the message
    ("yaml-syntax", 4, "front matter", "invalid YAML"),
    ("unknown-field", 3, "severity", "unknown field; expected one of title, kind, impact"),
    ("missing-title", 1, "title", "required: a short public headline"),
    ("bad-impact", 3, "impact", "expected one of none, minor, major, critical; got 'severe'"),
    (
        "unknown-component",
        5,
        "components.mainframe",
        "unknown component id 'mainframe'; configured ids: api, cdn, dashboard, database",
    ),
    (
        "unknown-component-status",
        4,
        "components.api",
        "expected one of operational, under_maintenance, degraded_performance, partial_outage, major_outage; got 'on_fire'",
    ),
    ("heading-without-offset", 5, "update time", "timestamp has no offset; add 'Z' or '+HH:MM'"),
    ("front-matter-without-offset", 3, "next_update", "timestamp has no offset"),
    (
        "unparseable-timestamp",
        5,
        "update time",
        "expected an ISO 8601 timestamp such as 2026-11-20T14:02:00Z; got 'yesterday-at-noon'",
    ),
    (
        "unknown-update-status",
        5,
        "update status",
        "expected one of investigating, identified, monitoring, resolved, postmortem; got 'panicking'",
    ),
    (
        "incident-status-in-maintenance",
        8,
        "update status",
        "'investigating' is an incident status; a maintenance uses scheduled, in_progress, verifying, completed",
    ),
    (
        "maintenance-status-in-incident",
        5,
        "update status",
        "'in_progress' is a maintenance status; an incident uses investigating",
    ),
    ("maintenance-without-schedule", 3, "scheduled_start", "a maintenance needs scheduled_start and scheduled_end"),
    ("maintenance-end-before-start", 5, "scheduled_end", "must be after scheduled_start"),
    ("Bad_Name", 1, "id", "file name must match [a-z0-9][a-z0-9-]*"),
    (
        "duplicate-update-time",
        11,
        "update time",
        "two updates at 2026-11-20T10:00:00Z; the update of line 5 has the same time",
    ),
    ("empty-update", 5, "update", "empty update"),
    ("no-front-matter", 1, "front matter", "expected the file to start with a '---' line"),
    ("malformed-heading", 5, "update", "expected '## <timestamp> <status>'"),
    ("text-before-first-update", 5, "updates", "text before the first update"),
    ("no-updates", 4, "updates", "an incident needs at least one update"),
    ("unclosed-block", 7, "audience block", "'/// public' is never closed"),
    ("stray-close", 10, "audience block", "'///' closes no open block"),
    ("nested-blocks", 9, "audience block", "blocks cannot be nested"),
    ("unknown-audience", 11, "audience block", "expected one of public, semi-technical, technical; got 'secret'"),
    ("no-public-text", 5, "update", "no public text; add a '/// public' block"),
    ("tags-not-a-list", 3, "tags", "expected a list of words"),
    ("approval-without-role", 3, "approvals", "each approval needs 'role' and 'by'"),
    ("front-matter-list", 2, "front matter", "expected a mapping of fields"),
    ("components-list", 3, "components", "expected a mapping of component id to status"),
]


@pytest.mark.parametrize(("fixture", "line", "field", "fragment"), CASES, ids=[c[0] for c in CASES])
def test_each_broken_fixture_names_path_line_and_field(
    tmp_path: Path, capsys, fixture: str, line: int, field: str, fragment: str
):
    config = write_repo(tmp_path, {})
    shutil.copy(BROKEN / f"{fixture}.md", tmp_path / "incidents")
    assert main(["check", "-f", str(config)]) == 1
    err = capsys.readouterr().err
    expected = f"incidents/{fixture}.md:{line}: {field}: "
    matching = [row for row in err.splitlines() if row.startswith(expected)]
    assert matching and fragment in matching[0], err
    assert "Traceback" not in err


def test_every_fixture_has_a_case():
    assert {p.stem for p in BROKEN.glob("*.md") if p.name != "README.md"} == {c[0] for c in CASES}


def test_internal_update_needs_no_public_text(tmp_path: Path, capsys):
    config = write_repo(
        tmp_path,
        {
            "ok.md": "---\ntitle: T\n---\n\n## 2026-11-20T10:00:00Z investigating\n\n/// public\nx\n///\n\n## 2026-11-20T11:00:00Z identified (internal)\n\nOnly for engineers.\n"
        },
    )
    assert main(["check", "-f", str(config)]) == 0, capsys.readouterr().err


def test_draft_needs_no_public_text(tmp_path: Path, capsys):
    config = write_repo(
        tmp_path, {"ok.md": "---\ntitle: T\ndraft: true\n---\n\n## 2026-11-20T10:00:00Z investigating\n\nnotes\n"}
    )
    assert main(["check", "-f", str(config)]) == 0, capsys.readouterr().err


def test_duplicate_id_across_folders(tmp_path: Path, capsys):
    body = "---\ntitle: T\n---\n\n## 2026-11-20T10:00:00Z investigating\n\n/// public\nx\n///\n"
    config = write_repo(tmp_path, {"2025/outage.md": body, "2026/outage.md": body})
    assert main(["check", "-f", str(config)]) == 1
    assert (
        "incidents/2026/outage.md:1: id: duplicate id 'outage': incidents/2025/outage.md has the same file name"
        in capsys.readouterr().err
    )


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            lambda c: c.replace("site_url: https://status.test.example/\n", ""),
            "mkdocs.yml:1: site_url: required: the public address of the status page",
        ),
        (
            lambda c: c.replace("{id: cdn, name: File delivery,", "{id: cdn, colour: red, name: File delivery,"),
            "mkdocs.yml:14: components[3].colour: unknown field; expected one of id, name, description, group, kind, order",
        ),
        (
            lambda c: c.replace("{id: cdn,", "{id: api,"),
            "mkdocs.yml:14: components[3].id: duplicate component id 'api'",
        ),
        (
            lambda c: c.replace("{id: cdn,", "{id: CDN,"),
            "mkdocs.yml:14: components[3].id: expected an id matching [a-z0-9][a-z0-9-]*; got 'CDN'",
        ),
        (lambda c: c + "      incidents_dir: nowhere\n", "mkdocs.yml:15: incidents_dir: folder"),
    ],
    ids=[
        "missing-site-url",
        "unknown-component-field",
        "duplicate-component",
        "bad-component-id",
        "missing-incidents-dir",
    ],
)
def test_config_problems(tmp_path: Path, capsys, edit, expected: str):
    config = write_repo(tmp_path, {}, edit(BASE_CONFIG))
    assert main(["check", "-f", str(config)]) == 1
    err = capsys.readouterr().err
    assert f"{config.parent}/{expected}" in err or expected in err, err


def test_bad_plugin_option_is_a_config_error_with_its_line(tmp_path: Path, capsys):
    config = write_repo(tmp_path, {}, BASE_CONFIG + "      history_page_size: lots\n")
    assert main(["check", "-f", str(config)]) == 2
    err = capsys.readouterr().err
    assert f"{config}:15: history_page_size: Expected type: <class 'int'>" in err and "Traceback" not in err


def test_missing_config_file_exits_2(tmp_path: Path, capsys):
    assert main(["check", "-f", str(tmp_path / "nope.yml")]) == 2
    assert (
        capsys.readouterr().err.strip()
        == f"error: {tmp_path / 'nope.yml'}: config file not found (pass -f PATH to name your mkdocs.yml)"
    )


def test_all_problems_are_reported_at_once(tmp_path: Path, capsys):
    config = write_repo(tmp_path, {})
    for fixture in ("bad-impact", "unknown-field", "stray-close"):
        shutil.copy(BROKEN / f"{fixture}.md", tmp_path / "incidents")
    assert main(["check", "-f", str(config)]) == 1
    assert "3 error(s)" in capsys.readouterr().err


def test_real_command_exit_code_and_no_traceback(tmp_path: Path):
    config = write_repo(tmp_path, {})
    shutil.copy(BROKEN / "yaml-syntax.md", tmp_path / "incidents")
    env = {**os.environ, "PYTHONPATH": ""}
    done = subprocess.run(
        [str(Path(sys.executable).parent / "statusmark"), "check", "-f", str(config)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 1
    assert (
        done.stderr.startswith("incidents/yaml-syntax.md:4: front matter: invalid YAML")
        and "Traceback" not in done.stderr
    )
    done = subprocess.run(
        [str(Path(sys.executable).parent / "statusmark"), "check", "-f", str(config)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    assert done.returncode == 1
