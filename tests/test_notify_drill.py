"""Drills through real receivers, and maintenance reminders sent once."""

from __future__ import annotations

from pathlib import Path

import pytest
from statusmark.cli import main
from statusmark.loader import parse_time
from statusmark.notify.command import run_notify
from statusmark.notify.ledger import Ledger

from . import receivers
from .conftest import write_repo
from .receivers import HttpReceiver, SmtpReceiver

http_receiver = receivers.http_receiver
smtp_receiver = receivers.smtp_receiver
closed_port = receivers.closed_port

GROUPS = """\
settings: {retries: 1, timeout: 2, ledger: ledger.jsonl, first_run_window: 7d}
channels:
  chat: {type: slack, url: !ENV CHAT_URL}
  broken: {type: teams, url: !ENV BROKEN_URL}
  mail: {type: email, host: 127.0.0.1, port: !ENV SMTP_PORT, starttls: false, from: status@test.example}
groups:
  oncall:
    tier: technical
    channels: [chat, mail]
    contacts: [{id: ann, email: ann@test.example}, {id: bo, email: bo@test.example}]
    routes: [{}]
  execs: {tier: semi-technical, channels: [broken], routes: [{}]}
  customers:
    tier: public
    channels: [mail]
    contacts: [{id: acme, email: ops@acme.example}]
    reminder: 24h
    routes: [{kind: maintenance}]
"""


@pytest.fixture
def repo(
    tmp_path: Path,
    http_receiver: HttpReceiver,
    smtp_receiver: SmtpReceiver,
    closed_port: int,
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    config = write_repo(tmp_path, {"upgrade.md": MAINTENANCE})
    (tmp_path / "notifications.yml").write_text(GROUPS)
    monkeypatch.setenv("CHAT_URL", http_receiver.url("/chat"))
    monkeypatch.setenv("BROKEN_URL", f"http://127.0.0.1:{closed_port}/teams")
    monkeypatch.setenv("SMTP_PORT", str(smtp_receiver.port))
    monkeypatch.setenv("STATUSMARK_NOW", "2026-11-23T12:00:00Z")
    return config


MAINTENANCE = """\
---
title: Database upgrade
kind: maintenance
components: {database: under_maintenance}
scheduled_start: 2026-11-25T02:00:00Z
scheduled_end: 2026-11-25T03:00:00Z
approvals: [{role: communications, by: Kim}]
---

## 2026-11-20T09:00:00Z scheduled

/// public
We will upgrade the database. Saving may pause for a minute.
///
"""


def test_drill_reaches_every_internal_channel_and_contact_and_reports_latency(
    repo: Path, http_receiver: HttpReceiver, smtp_receiver: SmtpReceiver, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["drill", "-f", str(repo)]) == 1  # the teams endpoint refuses: a failed drill says so
    out = capsys.readouterr().out
    assert [r.path for r in http_receiver.requests] == ["/chat"]
    assert "drill" in http_receiver.requests[0].body.decode().lower()
    assert sorted(str(m["To"]) for m in smtp_receiver.messages) == ["ann@test.example", "bo@test.example"]
    assert all(str(m["Subject"]).startswith("[TEST]") for m in smtp_receiver.messages)
    assert "ops@acme.example" not in [str(m["To"]) for m in smtp_receiver.messages]  # external: only when named
    lines = {
        line.split()[0] + " " + line.split()[1]: line for line in out.splitlines()[2:] if not line.startswith("failed")
    }
    assert lines["oncall chat"].split()[2] == "1/1" and lines["oncall mail"].split()[2] == "2/2"
    assert lines["execs broken"].split()[2:4] == ["0/1", "1"]
    assert lines["oncall mail"].split()[4].isdigit()  # a latency in ms
    assert "failed: drill-20261123T120000Z/drill/execs/*/broken" in out
    ledger = Ledger(repo.parent / "ledger.jsonl")
    assert ledger.state("drill-20261123T120000Z/drill/oncall/ann/mail").state == "sent"


def test_drill_reaches_an_external_group_only_when_named(
    repo: Path, smtp_receiver: SmtpReceiver, http_receiver: HttpReceiver
) -> None:
    assert main(["drill", "-f", str(repo), "--group", "customers"]) == 0
    assert [str(m["To"]) for m in smtp_receiver.messages] == ["ops@acme.example"]
    assert not http_receiver.requests
    assert main(["drill", "-f", str(repo), "--group", "nobody"]) == 2


def test_maintenance_reminder_goes_out_once_inside_its_window(repo: Path, smtp_receiver: SmtpReceiver) -> None:
    early = run_notify(repo, now=parse_time("2026-11-23T12:00:00Z"), send=True)
    assert not [m for m in smtp_receiver.messages if "Reminder" in str(m["Subject"])]
    assert early.total("sent") >= 1  # the 'scheduled' update itself
    due = run_notify(repo, now=parse_time("2026-11-24T03:00:00Z"), send=True)  # 23 h before the start
    reminders = [m for m in smtp_receiver.messages if "Reminder" in str(m["Subject"])]
    assert len(reminders) == 1 and due.total("sent") == 1
    assert "starts at 2026-11-25 02:00 UTC" in reminders[0].get_body(("plain",)).get_content()
    run_notify(repo, now=parse_time("2026-11-24T04:00:00Z"), send=True)
    assert len([m for m in smtp_receiver.messages if "Reminder" in str(m["Subject"])]) == 1
    after = run_notify(repo, now=parse_time("2026-11-25T02:30:00Z"), send=True)  # the window has opened
    assert after.total("sent") == 0
