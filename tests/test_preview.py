"""`statusmark preview` on real git repositories: the reviewer's view of a pull request."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from statusmark.cli import main

from .conftest import BASE_CONFIG, write_repo

GROUPS = """\
approvals: {external: [communications], tags: {security: [legal]}}
channels:
  chat: {type: slack, url: !ENV CHAT_URL}
  mail: {type: email, host: smtp.test.example, from: status@test.example}
groups:
  oncall: {tier: technical, channels: [chat], routes: [{kind: incident}]}
  customers:
    tier: public
    channels: [mail]
    contacts: [{id: a, email: a@x.example}, {id: b, email: b@x.example}]
    routes: [{kind: incident, min_impact: minor}]
  legal:
    tier: public
    channels: [mail]
    contacts: [{id: counsel, email: legal@x.example}]
    routes: [{tags: [security]}]
"""

OPEN = """\
---
title: Sign-in failures
impact: major
components: {api: partial_outage}
tags: [security]
---

## 2026-11-23T10:00:00Z investigating

/// public
Some people cannot sign in. We are investigating.
///

/// semi-technical
The identity provider rejects tokens.
///

Token signer key rotated early; CANARY-TECH.
"""

UPDATE = """
## 2026-11-23T11:00:00Z identified

/// public
We found the cause: a key on 10.0.4.17 expired. We are replacing it.
///

Rotating the signer on idp-2.
"""


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(cwd), *args], check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    config = write_repo(tmp_path, {"sign-in.md": OPEN})
    (tmp_path / "notifications.yml").write_text(GROUPS)
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "open incident")
    git(tmp_path, "checkout", "-q", "-b", "update")
    monkeypatch.setenv("STATUSMARK_NOW", "2026-11-23T11:05:00Z")
    return config


def test_a_security_update_shows_held_messages_and_lint_findings(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    incident = repo.parent / "incidents" / "sign-in.md"
    incident.write_text(incident.read_text() + UPDATE)
    assert main(["preview", "-f", str(repo)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("<!-- statusmark-preview -->\n## Statusmark preview")
    assert "### :pencil2: Changed: Sign-in failures (`sign-in`)" in out
    # What each audience reads, newest first, and the diff against main.
    public = out.split("<b>Public</b> will read")[1].split("</details>")[0]
    assert "We found the cause" in public and "Rotating the signer" not in public and "CANARY-TECH" not in public
    assert "+> We found the cause: a key on 10.0.4.17 expired. We are replacing it." in public
    technical = out.split("<b>Technical</b> will read")[1].split("</details>")[0]
    assert "Rotating the signer on idp-2." in technical
    # The merge would page on-call at once; customers and legal wait for sign-offs.
    assert "| `sign-in` | oncall | technical | chat | 1 | sent on merge |" in out
    assert "| `sign-in` | customers | public | mail | 2 | held: needs approval by communications, legal |" in out
    assert "| `sign-in` | legal | public | mail | 1 | held: needs approval by communications, legal |" in out
    lint = out.split("### Privacy lint")[1]
    assert "sign-in.md:" in lint and "an IPv4 address ('10.0.4.17')" in lint


def test_approvals_in_the_branch_release_the_messages(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    incident = repo.parent / "incidents" / "sign-in.md"
    text = incident.read_text().replace(
        "tags: [security]\n",
        "tags: [security]\napprovals:\n  - {role: communications, by: Kim}\n  - {role: legal, by: Dana}\n",
    )
    incident.write_text(text + UPDATE.replace("on 10.0.4.17 ", ""))
    assert main(["preview", "-f", str(repo), "--base", "main"]) == 0
    out = capsys.readouterr().out
    assert "held:" not in out and "| `sign-in` | customers | public | mail | 2 | sent on merge |" in out
    assert "No findings in the changed files." in out


def test_new_events_components_and_check_errors(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo.parent / "incidents" / "cdn.md").write_text(
        "---\ntitle: Slow downloads\nimpact: minor\ncomponents: {cdn: degraded_performance}\n---\n\n"
        "## 2026-11-23T11:01:00Z investigating\n\n/// public\nDownloads are slow.\n///\n"
    )
    assert main(["preview", "-f", str(repo)]) == 0
    out = capsys.readouterr().out
    assert "### :new: New: Slow downloads (`cdn`)" in out
    assert "| File delivery | Operational | Degraded performance |" in out
    assert "<details><summary>Public: unchanged</summary>" not in out.split("Slow downloads")[1].split("###")[0]
    (repo.parent / "incidents" / "cdn.md").write_text("---\ntitle: Broken\nimpact: enormous\n---\n")
    assert main(["preview", "-f", str(repo)]) == 0
    out = capsys.readouterr().out
    assert ":x: `statusmark check` finds" in out and "impact: expected one of none, minor, major, critical" in out


def test_no_changes_and_a_bad_base(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["preview", "-f", str(repo)]) == 0
    assert "No incident or maintenance changes." in capsys.readouterr().out
    assert main(["preview", "-f", str(repo), "--base", "no-such-ref"]) == 2
    assert "preview: no commit 'no-such-ref' in this repository" in capsys.readouterr().err


def test_base_without_a_status_site(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "README.md").write_text("empty\n")
    git(tmp_path, "add", "-A")
    git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "start")
    config = write_repo(tmp_path, {"sign-in.md": OPEN}, BASE_CONFIG)
    monkeypatch.setenv("STATUSMARK_NOW", "2026-11-23T11:05:00Z")
    assert main(["preview", "-f", str(config)]) == 0
    assert ":new: New: Sign-in failures" in capsys.readouterr().out
