"""`statusmark notify` end to end against real receivers: right groups, right tier, exactly once.

An HTTP server and an SMTP server (aiosmtpd) on 127.0.0.1 stand in for Slack, Teams,
webhooks and mail. Faults are real too: 500s, timeouts, refused connections, and a
SIGKILL of the notifier in the middle of a run.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path

import pytest
from standardwebhooks import Webhook
from statusmark.cli import main
from statusmark.notify.command import run_notify
from statusmark.notify.ledger import Ledger

from . import receivers
from .conftest import NOW, write_repo
from .receivers import HttpReceiver, SmtpReceiver

http_receiver = receivers.http_receiver
smtp_receiver = receivers.smtp_receiver
closed_port = receivers.closed_port

WHSEC = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
TECH_CANARY = "CANARY-TECH-7f3a"
SEMI_CANARY = "CANARY-SEMI-91bd"

GROUPS = """\
settings: {retries: 3, backoff: 0.01, max_backoff: 0.02, timeout: 1, ledger: ledger.jsonl, first_run_window: 7d}
approvals: {external: [communications], tags: {security: [legal]}}
channels:
  oncall-hook: {type: webhook, url: !ENV ONCALL_URL, secret: !ENV ONCALL_SECRET}
  dev-chat: {type: slack, url: !ENV DEV_URL}
  exec-chat: {type: teams, url: !ENV EXEC_URL}
  mail: {type: email, host: 127.0.0.1, port: !ENV SMTP_PORT, starttls: false, from: status@test.example}
groups:
  oncall: {tier: technical, channels: [oncall-hook], routes: [{kind: incident, min_impact: minor}]}
  developers: {tier: technical, channels: [dev-chat], routes: [{kind: incident, component_kind: application}]}
  executives: {tier: semi-technical, channels: [exec-chat], routes: [{kind: incident, min_impact: major}]}
  customers:
    tier: public
    channels: [mail]
    contacts: [{id: acme, email: ops@acme.example}]
    subscribers: !ENV SUBSCRIBERS
    unsubscribe: "https://status.test.example/unsubscribe?c={contact}"
    routes: [{min_impact: minor}]
  legal:
    tier: public
    channels: [mail]
    approvals: []
    contacts: [{id: counsel, email: legal@test.example}]
    routes: [{tags: [security]}]
"""


def incident(title: str, impact: str, component: str, tags: str = "[]", approvals: str = "[]", extra: str = "") -> str:
    return f"""\
---
title: {title}
impact: {impact}
components: {{{component}: partial_outage}}
tags: {tags}
approvals: {approvals}
---

## 2026-11-23T11:00:00Z investigating

/// public
Some requests fail. We are on it.
///

/// semi-technical
A database replica fell behind. {SEMI_CANARY}
///

/// technical
Replica lag 900 s on db-2. {TECH_CANARY}
///
{extra}"""


COMMS = "[{role: communications, by: Kim}]"


@pytest.fixture
def repo(tmp_path: Path, http_receiver: HttpReceiver, smtp_receiver: SmtpReceiver, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """A status repository whose groups reach the real receivers; returns (config file, environment)."""
    config = write_repo(
        tmp_path,
        {
            "api-down.md": incident("API errors", "major", "api", approvals=COMMS),
            "db-slow.md": incident("Slow storage", "minor", "database", approvals=COMMS),
            "leak.md": incident("Exposed sign-in tokens", "minor", "api", tags="[security]", approvals=COMMS),
        },
    )
    (tmp_path / "notifications.yml").write_text(GROUPS)
    (tmp_path / "subscribers.csv").write_text("email,components\nit@globex.example,api\nfin@initech.example,cdn\n")
    env = {
        "ONCALL_URL": http_receiver.url("/oncall"),
        "ONCALL_SECRET": WHSEC,
        "DEV_URL": http_receiver.url("/dev"),
        "EXEC_URL": http_receiver.url("/exec"),
        "SMTP_PORT": str(smtp_receiver.port),
        "SUBSCRIBERS": str(tmp_path / "subscribers.csv"),
        "STATUSMARK_NOW": NOW,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return config, env


def paths(receiver: HttpReceiver) -> Counter[str]:
    return Counter(r.path for r in receiver.requests)


def test_the_right_groups_get_the_right_tier(
    repo, http_receiver: HttpReceiver, smtp_receiver: SmtpReceiver, capsys
) -> None:  # type: ignore[no-untyped-def]
    config, _ = repo
    assert main(["notify", "--send", "-f", str(config)]) == 0
    out = capsys.readouterr().out
    # on-call: every incident; developers: the two on an application component; executives:
    # only the major one.
    assert paths(http_receiver) == Counter({"/oncall": 3, "/dev": 2, "/exec": 1})
    by_path: dict[str, list[str]] = {}
    for request in http_receiver.requests:
        by_path.setdefault(request.path, []).append(request.body.decode())
    assert all(TECH_CANARY in body for body in by_path["/oncall"] + by_path["/dev"])
    assert SEMI_CANARY in by_path["/exec"][0] and TECH_CANARY not in by_path["/exec"][0]
    for request in (r for r in http_receiver.requests if r.path == "/oncall"):
        Webhook(WHSEC).verify(request.body, request.headers)  # raises unless the signature is right
        assert request.headers["webhook-id"].startswith("sm_")
    # Customers (a contact, and the subscriber who follows the API) hear of the incidents;
    # the security one waits for legal's sign-off. Legal hears of it at once.
    mails = sorted((str(m["To"]), str(m["Subject"])) for m in smtp_receiver.messages)
    assert mails == [
        ("it@globex.example", "[Major] API errors: Investigating"),
        ("legal@test.example", "[Minor] Exposed sign-in tokens: Investigating"),
        ("ops@acme.example", "[Major] API errors: Investigating"),
        ("ops@acme.example", "[Minor] Slow storage: Investigating"),
    ]
    for mail in smtp_receiver.messages:
        assert mail.get_content_type() == "multipart/alternative"
        assert mail["Date"] and mail["Message-ID"]
        if mail["To"] != "legal@test.example":  # staff are not subscribers: nothing to unsubscribe from
            assert mail["List-Unsubscribe"].startswith("<https://status.test.example/unsubscribe?c=")
        raw = mail.as_string()
        assert TECH_CANARY not in raw and SEMI_CANARY not in raw
        assert "Some requests fail. We are on it." in mail.get_body(("plain",)).get_content()
    assert "needs approval by legal" in out
    ledger = (config.parent / "ledger.jsonl").read_text()
    assert "@" not in ledger  # target ids only, never addresses


def test_a_rerun_sends_nothing_twice(repo, http_receiver: HttpReceiver, smtp_receiver: SmtpReceiver) -> None:  # type: ignore[no-untyped-def]
    config, env = repo
    first = run_notify(config, now=_now(), send=True, environ=env)
    sent = len(http_receiver.requests), len(smtp_receiver.messages)
    second = run_notify(config, now=_now(), send=True, environ=env)
    assert (len(http_receiver.requests), len(smtp_receiver.messages)) == sent
    assert second.total("sent") == 0 and second.total("already_sent") == first.total("sent") == 10


def test_an_approval_merged_later_is_sent_by_the_next_run(repo, smtp_receiver: SmtpReceiver) -> None:  # type: ignore[no-untyped-def]
    config, env = repo
    first = run_notify(config, now=_now(), send=True, environ=env)
    assert [h["key"].split("/")[2] for h in first.held] == ["customers", "customers"]
    leak = config.parent / "incidents" / "leak.md"
    leak.write_text(leak.read_text().replace(COMMS, "[{role: communications, by: Kim}, {role: legal, by: Dana}]"))
    second = run_notify(config, now=_now(), send=True, environ=env)
    assert second.held == [] and second.total("sent") == 2
    assert sorted(str(m["To"]) for m in smtp_receiver.messages if "tokens" in str(m["Subject"])) == [
        "it@globex.example", "legal@test.example", "ops@acme.example",
    ]  # fmt: skip


def test_a_typo_fix_resends_nothing_and_a_correction_resends(repo, http_receiver: HttpReceiver) -> None:  # type: ignore[no-untyped-def]
    config, env = repo
    run_notify(config, now=_now(), send=True, environ=env)
    before = len(http_receiver.requests)
    path = config.parent / "incidents" / "api-down.md"
    path.write_text(path.read_text().replace("We are on it.", "We are on it!"))
    assert run_notify(config, now=_now(), send=True, environ=env).total("sent") == 0
    path.write_text(path.read_text().replace("11:00:00Z investigating", "11:00:00Z investigating (correction)"))
    report = run_notify(config, now=_now(), send=True, environ=env)
    assert report.total("sent") == 5  # oncall, developers, executives, and two customers
    assert len(http_receiver.requests) == before + 3
    assert http_receiver.requests[-1].body.count(b"We are on it!") >= 1


def test_failing_endpoint_is_retried_then_left_due_for_the_next_run(repo, http_receiver: HttpReceiver) -> None:  # type: ignore[no-untyped-def]
    config, env = repo
    http_receiver.respond_with(500)
    report = run_notify(config, now=_now(), send=True, environ=env)
    assert report.total("failed") == 6 and report.total("sent") == 4  # the mails went out
    tries = paths(http_receiver)
    # The first send to each channel is tried 3 times; the channel is then skipped this run.
    assert tries == Counter({"/oncall": 3, "/dev": 3, "/exec": 3})
    http_receiver.requests.clear()
    http_receiver.respond_with(200)
    again = run_notify(config, now=_now(), send=True, environ=env)
    assert again.total("sent") == 6 and again.total("already_sent") == 4
    assert paths(http_receiver) == Counter({"/oncall": 3, "/dev": 2, "/exec": 1})
    third = run_notify(config, now=_now(), send=True, environ=env)
    assert third.total("sent") == 0


def test_refused_connections_lose_nothing(repo, closed_port: int, http_receiver: HttpReceiver) -> None:  # type: ignore[no-untyped-def]
    config, env = repo
    down = {**env, "DEV_URL": f"http://127.0.0.1:{closed_port}/dev"}
    report = run_notify(config, now=_now(), send=True, environ=down)
    assert report.total("failed") == 2 and all("/dev-chat" in f["key"] for f in report.failed)
    again = run_notify(config, now=_now(), send=True, environ=env)
    assert again.total("sent") == 2 and paths(http_receiver)["/dev"] == 2


def test_timeout_is_resent_where_the_receiver_deduplicates_and_held_for_customers(
    repo, http_receiver: HttpReceiver, smtp_receiver: SmtpReceiver
) -> None:  # type: ignore[no-untyped-def]
    config, env = repo
    http_receiver.respond_with(200, delay=1.5)  # longer than the 1 s timeout: the request did arrive
    report = run_notify(config, now=_now(), send=True, environ=env)
    # Internal groups are retried (the webhook with the same webhook-id), then left due.
    oncall = [r for r in http_receiver.requests if r.path == "/oncall"]
    assert len({r.headers["webhook-id"] for r in oncall[:3]}) == 1
    assert report.total("held_unknown") == 0
    http_receiver.respond_with(200)
    smtp_receiver.respond_with("250 OK", delay=2)  # customers' mail: the outcome becomes unknown
    config.parent.joinpath("ledger.jsonl").unlink()
    report = run_notify(config, now=_now(), send=True, environ={**env})
    held = [u["key"] for u in report.unknown]
    assert held and all(k.split("/")[2] in ("customers", "legal") for k in held)
    delivered = len(smtp_receiver.messages)
    smtp_receiver.respond_with("250 OK")
    again = run_notify(config, now=_now(), send=True, environ=env)
    assert again.total("held_unknown") == len(held)  # never resent by itself: a person decides
    assert len(smtp_receiver.messages) == delivered


def test_first_run_on_old_history_notifies_nothing(
    repo, http_receiver: HttpReceiver, smtp_receiver: SmtpReceiver
) -> None:  # type: ignore[no-untyped-def]
    config, env = repo
    from datetime import timedelta

    report = run_notify(config, now=_now() + timedelta(days=30), send=True, environ=env)
    assert report.total("sent") == 0 and not http_receiver.requests and not smtp_receiver.messages
    assert any("first run" in n for n in report.notes)
    assert Ledger(config.parent / "ledger.jsonl").baseline is not None


def test_dry_run_writes_the_outbox_and_sends_nothing(
    repo, tmp_path: Path, http_receiver: HttpReceiver, smtp_receiver: SmtpReceiver, capsys
) -> None:  # type: ignore[no-untyped-def]
    config, env = repo
    outbox = tmp_path / "outbox"
    os.environ["STATUSMARK_NOTIFY"] = "1"  # --dry-run wins over the environment
    try:
        assert main(["notify", "--dry-run", "--outbox", str(outbox), "-f", str(config)]) == 0
    finally:
        del os.environ["STATUSMARK_NOTIFY"]
    assert not http_receiver.requests and not smtp_receiver.messages
    assert not (config.parent / "ledger.jsonl").exists()
    files = sorted(p.relative_to(outbox).as_posix() for p in outbox.rglob("*.*"))
    assert len(files) == 10 and "customers/mail/api-down--20261123T110000Z-investigating--acme.eml" in files
    assert "dry run: nothing was sent" in capsys.readouterr().out


KILL_GROUPS = """\
settings: {retries: 2, backoff: 0.01, timeout: 5, ledger: ledger.jsonl, first_run_window: 7d}
channels:
  hook: {type: webhook, url: !ENV HOOK_URL, secret: !ENV HOOK_SECRET}
groups:
  oncall: {tier: technical, channels: [hook], routes: [{}]}
"""


def test_sigkill_mid_run_loses_nothing_and_repeats_only_the_send_in_flight(
    tmp_path: Path, http_receiver: HttpReceiver
) -> None:
    events = {f"e{n:02d}.md": incident(f"Event {n}", "minor", "api") for n in range(30)}
    config = write_repo(tmp_path, events)
    (tmp_path / "notifications.yml").write_text(KILL_GROUPS)
    env = {**os.environ, "HOOK_URL": http_receiver.url("/hook"), "HOOK_SECRET": WHSEC, "STATUSMARK_NOW": NOW}
    command = [sys.executable, "-m", "statusmark.cli", "notify", "--send", "-f", str(config)]
    http_receiver.respond_with(200, delay=0.2)  # slow enough to kill mid-run, with a request in flight
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while len(http_receiver.requests) < 10 and time.monotonic() < deadline:
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    killed_after = len(http_receiver.requests)
    assert 10 <= killed_after < 30, "the kill must land mid-run"
    http_receiver.respond_with(200)
    finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr
    ids = Counter(r.headers["webhook-id"] for r in http_receiver.requests)
    assert len(ids) == 30  # every due message arrived
    repeated = [i for i, n in ids.items() if n > 1]
    assert len(repeated) <= 1 and all(ids[i] == 2 for i in repeated)  # at most the one in flight, same id
    events_seen = Counter(
        json.loads(r.body)["data"]["event_id"]
        if "event_id" in json.loads(r.body)["data"]
        else json.loads(r.body)["data"].get("id")
        for r in http_receiver.requests
    )
    assert len(events_seen) == 30
    rerun = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0 and len(http_receiver.requests) == sum(ids.values())


def _now():  # type: ignore[no-untyped-def]
    from statusmark.loader import parse_time

    return parse_time(NOW)


def test_config_secrets_are_never_printed(repo, closed_port: int, capsys) -> None:  # type: ignore[no-untyped-def]
    config, env = repo
    os.environ["DEV_URL"] = f"http://127.0.0.1:{closed_port}/dev/SECRET-PATH-TOKEN"
    try:
        main(["notify", "--send", "-f", str(config), "--json", str(config.parent / "report.json")])
    finally:
        os.environ["DEV_URL"] = env["DEV_URL"]
    shown = capsys.readouterr().out + (config.parent / "report.json").read_text()
    assert "SECRET-PATH-TOKEN" not in shown and WHSEC not in shown
    assert "failed, still due" in shown


def test_missing_secret_is_reported_not_sent(repo, capsys) -> None:  # type: ignore[no-untyped-def]
    config, env = repo
    del os.environ["EXEC_URL"]
    main(["notify", "--send", "-f", str(config)])
    out = capsys.readouterr().out
    assert "environment variable EXEC_URL is not set" in out
    assert textwrap.dedent(out).count("failed, still due") == 1


APPRISE_GROUPS = """\
settings: {retries: 1, backoff: 0.01, timeout: 2, ledger: ledger.jsonl, first_run_window: 7d}
channels:
  many: {type: apprise, urls: [!ENV FIRST_URL, !ENV SECOND_URL]}
groups:
  oncall: {tier: technical, channels: [many], routes: [{}]}
"""


def test_apprise_targets_are_separate_in_the_ledger(
    tmp_path: Path, http_receiver: HttpReceiver, closed_port: int
) -> None:
    config = write_repo(tmp_path, {"e.md": incident("API errors", "major", "api")})
    (tmp_path / "notifications.yml").write_text(APPRISE_GROUPS)
    port = http_receiver.port
    env = {"FIRST_URL": f"json://127.0.0.1:{port}/first", "SECOND_URL": f"json://127.0.0.1:{closed_port}/second"}
    first = run_notify(config, now=_now(), send=True, environ=env)
    assert first.total("sent") == 1 and first.total("failed") == 1
    assert [f["key"].split("/")[3] for f in first.failed] == ["target-2"]
    env["SECOND_URL"] = f"json://127.0.0.1:{port}/second"
    second = run_notify(config, now=_now(), send=True, environ=env)
    assert second.total("sent") == 1 and second.total("already_sent") == 1
    assert paths(http_receiver) == Counter({"/first": 1, "/second": 1})  # the first target was not sent twice
    assert TECH_CANARY in http_receiver.requests[0].body.decode()


def test_unknown_outcomes_are_settled_by_a_person(repo, smtp_receiver: SmtpReceiver, capsys) -> None:  # type: ignore[no-untyped-def]
    config, env = repo
    smtp_receiver.respond_with("250 OK", delay=2)  # past the 1 s timeout: did the mail go?
    report = run_notify(config, now=_now(), send=True, environ=env)
    held = sorted(u["key"] for u in report.unknown)
    assert held and "--confirm KEY or --resend KEY" in report.table()
    smtp_receiver.respond_with("250 OK")
    assert main(["notify", "-f", str(config), "--confirm", held[0]]) == 0
    assert main(["notify", "-f", str(config), "--resend", *held[1:]]) == 0
    assert main(["notify", "-f", str(config), "--confirm", "no/such/key/at/all"]) == 2
    assert "not a send with an unknown outcome" in capsys.readouterr().err
    before = len(smtp_receiver.messages)
    again = run_notify(config, now=_now(), send=True, environ=env)
    assert again.total("held_unknown") == 0 and again.total("sent") == len(held) - 1
    ids = [m["Message-ID"] for m in smtp_receiver.messages[before:]]
    assert len(ids) == len(held) - 1  # resent with the same Message-ID as the first try
    assert all(m in {x["Message-ID"] for x in smtp_receiver.messages[:before]} for m in ids) or before == 0


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(cwd), *args], check=True, capture_output=True, text=True).stdout


def test_ledger_on_an_orphan_branch_survives_between_ci_runs(repo, tmp_path: Path, http_receiver: HttpReceiver) -> None:  # type: ignore[no-untyped-def]
    """Two CI runs in two fresh clones of one remote: the second sends nothing the first sent."""
    config, env = repo
    source = config.parent
    git(source, "init", "-q", "-b", "main")
    git(source, "add", "-A")
    git(source, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "status repo")
    remote = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(source), str(remote))
    for run in (1, 2):
        clone = tmp_path / f"ci-run-{run}"
        git(tmp_path, "clone", "-q", str(remote), str(clone))
        report = run_notify(
            clone / "mkdocs.yml", now=_now(), send=True, environ=env, ledger_spec="git:statusmark-ledger"
        )
        assert report.total("sent") == (10 if run == 1 else 0)
        assert report.total("already_sent") == (0 if run == 1 else 10)
        assert git(clone, "status", "--porcelain", "--untracked-files=no") == ""  # the checkout is untouched
    log = git(remote, "log", "--format=%s", "statusmark-ledger")
    assert log.strip().splitlines()[0] == "statusmark: ledger"
    stored = git(remote, "show", "statusmark-ledger:ledger.jsonl")
    assert '"state": "sent"' in stored and "@" not in stored
    assert git(remote, "ls-tree", "--name-only", "statusmark-ledger").split() == [
        "ledger.jsonl"
    ]  # orphan: no site files
