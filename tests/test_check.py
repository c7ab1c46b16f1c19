"""`statusmark check` and a failing `statusmark build`: every message, its exact place, exit codes.

Each test copies the valid site in tests/fixtures/site/ to a temp dir and breaks one thing:
drops a file of tests/fixtures/broken/ (or a few bytes from `NASTY`) into its incidents/,
or edits its mkdocs.yml. Expected lines were read off the fixtures: line 1 is the opening
`---`, so front matter starts on line 2. tests/fixtures/broken/README.md lists the same table.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from statusmark.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
SITE = FIXTURES / "site"
BROKEN = FIXTURES / "broken"
STATUSMARK = Path(sys.executable).parent / "statusmark"

CASES = [
    # fixture (incidents/<fixture>.md), line, field, a fragment of the message
    (
        "yaml-syntax",
        4,
        "front matter",
        "invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence started on line 3)",
    ),
    ("unknown-field", 3, "severity", "unknown field; expected one of title, kind, impact, components, tags"),
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
    (
        "front-matter-without-offset",
        3,
        "next_update",
        "timestamp has no offset; add 'Z' or '+HH:MM' (got '2026-11-20T10:00:00')",
    ),
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
        "'in_progress' is a maintenance status; an incident uses investigating, identified",
    ),
    ("maintenance-without-schedule", 3, "scheduled_start", "a maintenance needs scheduled_start and scheduled_end"),
    ("maintenance-end-before-start", 5, "scheduled_end", "must be after scheduled_start (2026-11-20T12:00:00+00:00)"),
    (
        "Bad_Name",
        1,
        "id",
        "file name must match [a-z0-9][a-z0-9-]* (lower-case letters, digits, hyphens); got 'Bad_Name'",
    ),
    (
        "duplicate-update-time",
        11,
        "update time",
        "two updates at 2026-11-20T10:00:00Z; the update of line 5 has the same time",
    ),
    ("empty-update", 5, "update", "empty update; write what readers should know"),
    ("no-front-matter", 1, "front matter", "expected the file to start with a '---' line"),
    ("malformed-heading", 5, "update", "expected '## <timestamp> <status>' such as"),
    ("text-before-first-update", 5, "updates", "text before the first update"),
    ("no-updates", 4, "updates", "an incident needs at least one update"),
    ("unclosed-block", 7, "audience block", "'/// public' is never closed; add a line '///' after its text"),
    ("stray-close", 10, "audience block", "'///' closes no open block"),
    ("nested-blocks", 9, "audience block", "blocks cannot be nested; close the '/// public' block of line 7"),
    ("unknown-audience", 11, "audience block", "expected one of public, semi-technical, technical; got 'secret'"),
    ("no-public-text", 5, "update", "no public text; add a '/// public' block for customers, or end the heading"),
    ("tags-not-a-list", 3, "tags", "expected a list of words"),
    ("approval-without-role", 3, "approvals", "each approval needs 'role' and 'by'"),
    ("front-matter-list", 2, "front matter", "expected a mapping of fields (title: ...); got list"),
    ("components-list", 3, "components", "expected a mapping of component id to status"),
]

# A valid first update, so that a file under test holds only the one problem it is about.
UPDATE = b"\n## 2026-11-20T10:00:00Z investigating\n\n/// public\nx\n///\n"


def front(fields: bytes) -> bytes:
    """An incident file of these front-matter lines and one valid update."""
    return b"---\n" + fields + b"---\n" + UPDATE


NASTY = [
    # name (incidents/<name>.md), the file's bytes, line, field, a fragment of the message
    ("empty-file", b"", 1, "front matter", "expected the file to start with a '---' line"),
    ("dashes-only", b"---\n", 1, "front matter", "expected the file to start with a '---' line"),
    ("unterminated-front-matter", b"---\ntitle: T\n", 1, "front matter", "and a closing '---' line"),
    ("front-matter-only", b"---\ntitle: T\n---\n", 4, "updates", "an incident needs at least one update"),
    ("binary-garbage", bytes(range(256)) * 4, 1, "file", "cannot be read as UTF-8 text"),
    ("nul-byte", front(b"title: T\nimpact: minor\x00\n"), 3, "front matter", "unacceptable character #x0000"),
    ("scalar-front-matter", front(b"just some words\n"), 2, "front matter", "expected a mapping of fields"),
    ("tab-indent", front(b"title: T\n\timpact: minor\n"), 3, "front matter", "found a tab character"),
    ("unhashable-key", front(b"title: T\n? [a, b]\n: x\n"), 3, "front matter", "found unhashable key"),
    (
        "python-tag",
        front(b"title: !!python/object/apply:os.system [echo]\n"),
        2,
        "front matter",
        "could not determine a constructor",
    ),
    ("title-not-text", front(b"title: [a, b]\n"), 2, "title", "required: a short public headline"),
    ("kind-mapping", front(b"title: T\nkind: {a: 1}\n"), 3, "kind", "expected one of incident, maintenance"),
    ("tags-string", front(b"title: T\ntags: database\n"), 3, "tags", "expected a list of words"),
    ("tags-numbers", front(b"title: T\ntags: [1, 2]\n"), 3, "tags", "expected a list of words"),
    ("approvals-mapping", front(b"title: T\napprovals: {role: legal, by: D}\n"), 3, "approvals", "expected a list"),
    ("approvals-strings", front(b"title: T\napprovals:\n  - legal\n"), 3, "approvals", "needs 'role' and 'by'"),
    (
        "approval-bad-time",
        front(b"title: T\napprovals:\n  - {role: legal, by: D, at: tomorrow}\n"),
        3,
        "approvals",
        "at: expected an ISO 8601 timestamp such as 2026-11-20T14:02:00Z; got 'tomorrow'",
    ),
    (
        "approval-date-only",
        front(b"title: T\napprovals:\n  - {role: legal, by: D, at: 2026-11-20}\n"),
        3,
        "approvals",
        "at: expected a timestamp with time and offset",
    ),
    ("components-numeric-id", front(b"title: T\ncomponents:\n  1: operational\n"), 4, "components.1", "id 1"),
    ("component-status-list", front(b"title: T\ncomponents:\n  api: [x]\n"), 4, "components.api", "got ['x']"),
    ("draft-not-a-flag", front(b"title: T\ndraft: yes please\n"), 3, "draft", "expected true or false"),
    ("postmortem-list", front(b"title: T\npostmortem: [a]\n"), 3, "postmortem", "expected text"),
    ("eta-date-only", front(b"title: T\neta: 2026-11-20\n"), 3, "eta", "expected a timestamp with time and offset"),
    (
        "maintenance-empty-schedule",  # was an AssertionError traceback
        front(b"title: T\nkind: maintenance\nscheduled_start:\nscheduled_end: 2026-12-01T04:00:00Z\n").replace(
            b"investigating", b"scheduled"
        ),
        4,
        "scheduled_start",
        "a maintenance needs scheduled_start and scheduled_end",
    ),
    ("heading-stamp-only", b"---\ntitle: T\n---\n\n## 2026-11-20T10:00:00Z\n\nx\n", 5, "update", "got '## 2026"),
    (
        "heading-bad-offset",
        b"---\ntitle: T\n---\n\n## 2026-11-20T10:00:00+25:00 investigating\n",
        5,
        "update time",
        "got '2026-11-20T10:00:00+25:00'",
    ),
]

OK_INPUTS = [
    # name, the file's bytes: each passes check on its own
    (
        "internal-update-without-public-text",
        front(b"title: T\n") + b"\n## 2026-11-20T11:00:00Z identified (internal)\n\nOnly us.\n",
    ),
    ("draft-without-public-text", b"---\ntitle: T\ndraft: true\n---\n\n## 2026-11-20T10:00:00Z investigating\n\nx\n"),
    ("byte-order-mark", b"\xef\xbb\xbf" + front(b"title: T\n")),
    ("crlf-line-ends", front(b"title: T\n").replace(b"\n", b"\r\n")),
    ("fence-inside-code", front(b"title: T\n") + b"\n```\n///\n## not a heading\n```\n"),
    (
        "maintenance-without-updates",
        b"---\ntitle: T\nkind: maintenance\nscheduled_start: 2026-12-01T02:00:00Z\nscheduled_end: 2026-12-01T04:00:00Z\n---\n",
    ),
]

CDN = "        - id: cdn\n          name: File delivery\n          group: Infrastructure\n"
CONFIG_CASES: list[tuple[str, Callable[[str], str], int, str, str]] = [
    # name, edit of mkdocs.yml's text, line, field, a fragment of the message
    (
        "missing-site-url",
        lambda t: t.replace("site_url: https://status.fixture.example/\n", ""),
        1,
        "site_url",
        "required: the public address of the status page",
    ),
    (
        "unknown-component-field",
        lambda t: t.replace(
            "          name: File delivery\n", "          name: File delivery\n          colour: red\n"
        ),
        25,
        "components[3].colour",
        "unknown field; expected one of id, name, description, group, kind, order",
    ),
    (
        "duplicate-component-id",
        lambda t: t.replace("- id: cdn", "- id: api"),
        23,
        "components[3].id",
        "duplicate component id 'api'",
    ),
    (
        "bad-component-id",
        lambda t: t.replace("- id: cdn", "- id: CDN"),
        23,
        "components[3].id",
        "expected an id matching [a-z0-9][a-z0-9-]*; got 'CDN'",
    ),
    (
        "component-not-a-mapping",
        lambda t: t.replace(CDN, "        - cdn\n"),
        23,
        "components[3]",
        "expected a mapping with id, name, group",
    ),
    (
        "component-name-not-text",
        lambda t: t.replace("name: File delivery", "name: [File, delivery]"),
        23,
        "components[3]",
        "name must be text and order a whole number",
    ),
    (
        "component-fields-of-mixed-key-types",  # sorting int and str keys was a TypeError traceback
        lambda t: t.replace(
            "          name: File delivery\n", "          name: File delivery\n          1: x\n          colour: red\n"
        ),
        25,
        "components[3].1",
        "unknown field",
    ),
    (
        "missing-incidents-dir",
        lambda t: t + "      incidents_dir: nowhere\n",
        26,
        "incidents_dir",
        "does not exist; create it or point incidents_dir at your incident files",
    ),
]

CONFIG_ERRORS: list[tuple[str, Callable[[str], str], int, str, str]] = [
    # exit 2: MkDocs itself rejects the config. name, edit, line, field, fragment
    ("bad-plugin-option", lambda t: t + "      history_page_size: lots\n", 26, "history_page_size", "Expected type"),
    (
        "components-as-mapping",
        lambda t: t[: t.index("      components:")] + "      components:\n        api: {name: API}\n",
        11,
        "components",
        "Expected type",
    ),
    (
        "no-statusmark-plugin",
        lambda t: t[: t.index("  - statusmark:")],
        1,
        "plugins",
        "add 'statusmark' to the plugins list of mkdocs.yml",
    ),
]


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A copy of the valid fixture site; returns its mkdocs.yml."""
    shutil.copytree(SITE, tmp_path, dirs_exist_ok=True)
    return tmp_path / "mkdocs.yml"


def run_check(config: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["check", "-f", str(config)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, err


def problem_rows(err: str) -> list[str]:
    """The problem lines of check's stderr, without its closing count."""
    return [row for row in err.splitlines() if not re.fullmatch(r"\d+ error\(s\), \d+ warning\(s\)", row)]


def assert_reported(err: str, prefix: str, fragment: str) -> None:
    matching = [row for row in err.splitlines() if row.startswith(prefix)]
    assert matching, f"no row starts with {prefix!r}:\n{err}"
    assert any(fragment in row[len(prefix) :] for row in matching), err


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every path under ``root`` with its bytes (None for a folder)."""
    return {str(p.relative_to(root)): (p.read_bytes() if p.is_file() else None) for p in sorted(root.rglob("*"))}


def test_valid_site_passes(site: Path, capsys):
    code, err = run_check(site, capsys)
    assert code == 0, err
    assert err == ""


def test_valid_site_has_an_internal_update_without_public_text():
    # So test_valid_site_passes also proves an '(internal)' update needs no '/// public' block.
    text = (SITE / "incidents" / "2026" / "api-errors.md").read_text()
    internal = text.split("(internal)\n", 1)[1].split("\n## ", 1)[0]
    assert "///" not in internal and internal.strip()


@pytest.mark.parametrize(("fixture", "line", "field", "fragment"), CASES, ids=[c[0] for c in CASES])
def test_broken_fixture(site: Path, capsys, fixture: str, line: int, field: str, fragment: str):
    shutil.copy(BROKEN / f"{fixture}.md", site.parent / "incidents")
    code, err = run_check(site, capsys)
    assert code == 1
    assert_reported(err, f"incidents/{fixture}.md:{line}: {field}: ", fragment)
    # The rest of the site is valid: every problem is in the dropped file.
    assert all(row.startswith(f"incidents/{fixture}.md:") for row in problem_rows(err)), err


@pytest.mark.parametrize(("name", "content", "line", "field", "fragment"), NASTY, ids=[c[0] for c in NASTY])
def test_nasty_input_is_a_located_problem(
    site: Path, capsys, name: str, content: bytes, line: int, field: str, fragment: str
):
    (site.parent / "incidents" / f"{name}.md").write_bytes(content)
    code, err = run_check(site, capsys)
    assert code == 1
    assert_reported(err, f"incidents/{name}.md:{line}: {field}: ", fragment)
    assert all(row.startswith(f"incidents/{name}.md:") for row in problem_rows(err)), err


@pytest.mark.parametrize(("name", "content"), OK_INPUTS, ids=[c[0] for c in OK_INPUTS])
def test_valid_edge_case_passes(site: Path, capsys, name: str, content: bytes):
    (site.parent / "incidents" / f"{name}.md").write_bytes(content)
    code, err = run_check(site, capsys)
    assert code == 0, err


def test_duplicate_id_in_two_sub_folders(site: Path, capsys):
    incidents = site.parent / "incidents"
    (incidents / "2025").mkdir()
    shutil.copy(incidents / "2026" / "api-errors.md", incidents / "2025" / "api-errors.md")
    code, err = run_check(site, capsys)
    assert code == 1
    assert problem_rows(err) == [
        "incidents/2026/api-errors.md:1: id: duplicate id 'api-errors': incidents/2025/api-errors.md has the same file name"
    ]


def test_all_problems_are_reported_at_once(site: Path, capsys):
    for fixture in ("bad-impact", "unknown-field", "stray-close"):
        shutil.copy(BROKEN / f"{fixture}.md", site.parent / "incidents")
    code, err = run_check(site, capsys)
    assert code == 1
    assert "3 error(s)" in err and len(problem_rows(err)) == 3, err


@pytest.mark.parametrize(
    "fixture",
    ["unknown-audience", "nested-closed"],
)
def test_the_closer_of_a_refused_block_is_not_also_stray(site: Path, capsys, fixture: str):
    # '/// secret' and a nested opener are reported once; their own '///' is not a second problem.
    incidents = site.parent / "incidents"
    if fixture == "nested-closed":
        (incidents / "nested-closed.md").write_text(
            "---\ntitle: T\n---\n\n## 2026-11-20T10:00:00Z investigating\n\n/// public\nx\n/// technical\ny\n///\n///\n"
        )
    else:
        shutil.copy(BROKEN / f"{fixture}.md", incidents)
    code, err = run_check(site, capsys)
    assert code == 1
    assert len(problem_rows(err)) == 1, err
    assert "closes no open block" not in err


@pytest.mark.parametrize(("name", "edit", "line", "field", "fragment"), CONFIG_CASES, ids=[c[0] for c in CONFIG_CASES])
def test_config_problem(site: Path, capsys, name: str, edit, line: int, field: str, fragment: str):
    site.write_text(edit(site.read_text()))
    code, err = run_check(site, capsys)
    assert code == 1
    assert_reported(err, f"{site}:{line}: {field}: ", fragment)


@pytest.mark.parametrize(
    ("name", "edit", "line", "field", "fragment"), CONFIG_ERRORS, ids=[c[0] for c in CONFIG_ERRORS]
)
def test_config_rejected_by_mkdocs_exits_2(site: Path, capsys, name: str, edit, line: int, field: str, fragment: str):
    site.write_text(edit(site.read_text()))
    code, err = run_check(site, capsys)
    assert code == 2
    assert_reported(err, f"error: {site}:{line}: {field}: ", fragment)


def test_config_file_not_found_exits_2_with_one_line(tmp_path: Path, capsys):
    missing = tmp_path / "nope.yml"
    code, err = run_check(missing, capsys)
    assert code == 2
    assert err == f"error: {missing}: config file not found (pass -f PATH to name your mkdocs.yml)\n"


def test_every_broken_fixture_has_a_case_and_a_readme_row():
    fixtures = {p.stem for p in BROKEN.glob("*.md") if p.name != "README.md"}
    assert fixtures == {c[0] for c in CASES}
    readme = (BROKEN / "README.md").read_text()
    rows = set(re.findall(r"^\| `([^`]+)\.md` \| (\d+) \| `([^`]+)` \|", readme, re.MULTILINE))
    assert rows == {(fixture, str(line), field) for fixture, line, field, _ in CASES}


@pytest.mark.parametrize("audience", ["public", "all"])
def test_build_of_a_broken_site_writes_nothing(site: Path, capsys, audience: str):
    root = site.parent
    shutil.copy(BROKEN / "bad-impact.md", root / "incidents")
    shutil.copy(BROKEN / "stray-close.md", root / "incidents")
    before = snapshot(root)
    assert main(["build", "-f", str(site), "--audience", audience]) == 1
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert "incidents/bad-impact.md:3: impact: expected one of none, minor, major, critical; got 'severe'" in err
    assert "incidents/stray-close.md:10: audience block: '///' closes no open block" in err
    assert "2 problem(s) found; nothing was written." in err
    assert not (root / "site").exists()
    assert snapshot(root) == before


def test_build_of_a_broken_site_leaves_the_last_good_site_byte_identical(site: Path, capsys, fixed_now):
    root = site.parent
    assert main(["build", "-f", str(site)]) == 0, capsys.readouterr().err
    published = snapshot(root / "site")
    assert "index.html" in published
    shutil.copy(BROKEN / "unknown-component.md", root / "incidents")
    assert main(["build", "-f", str(site)]) == 1
    err = capsys.readouterr().err
    assert "incidents/unknown-component.md:5: components.mainframe: unknown component id 'mainframe'" in err
    assert snapshot(root / "site") == published
    # .statusmark-cache: the build cache of the good build (parse results, page manifests).
    assert sorted(p.name for p in root.iterdir()) == [
        ".statusmark-cache",
        "incidents",
        "mkdocs.yml",
        "site",
        "site_src",
    ]


def statusmark(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The installed console script, in a fresh process: real exit code and stderr."""
    env = {**os.environ, "PYTHONPATH": ""}
    return subprocess.run([str(STATUSMARK), *args], capture_output=True, text=True, cwd=cwd, env=env, check=False)


def test_console_script_check_exit_code_and_no_traceback(site: Path):
    shutil.copy(BROKEN / "yaml-syntax.md", site.parent / "incidents")
    (site.parent / "incidents" / "binary-garbage.md").write_bytes(bytes(range(256)) * 4)
    done = statusmark("check", "-f", str(site), cwd=site.parent.parent)
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    assert done.stderr.splitlines() == [
        "incidents/binary-garbage.md:1: file: cannot be read as UTF-8 text: 'utf-8' codec can't decode byte 0x80 in position 128: invalid start byte",
        "incidents/yaml-syntax.md:4: front matter: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence started on line 3)",
        "2 error(s), 0 warning(s)",
    ]


def test_console_script_check_of_the_valid_site_exits_0(site: Path):
    done = statusmark("check", cwd=site.parent)  # -f defaults to ./mkdocs.yml
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == "ok: mkdocs.yml and its incidents are valid\n"


def test_console_script_missing_config_exits_2(tmp_path: Path):
    done = statusmark("check", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == "error: mkdocs.yml: config file not found (pass -f PATH to name your mkdocs.yml)\n"
    assert done.stdout == ""


def test_console_script_build_of_a_broken_site(site: Path):
    shutil.copy(BROKEN / "no-public-text.md", site.parent / "incidents")
    done = statusmark("build", "-f", str(site), cwd=site.parent)
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    assert done.stderr.startswith("incidents/no-public-text.md:5: update: no public text")
    assert not (site.parent / "site").exists()
