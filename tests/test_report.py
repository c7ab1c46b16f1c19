"""`statusmark report`: exact numbers from small real repositories, and sending once per period."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from statusmark.builder import check
from statusmark.cli import main
from statusmark.loader import parse_time
from statusmark.model import PUBLIC, TECHNICAL
from statusmark.report import compute_report, percentile, period_for, to_markdown

from . import receivers
from .conftest import write_repo
from .receivers import HttpReceiver

http_receiver = receivers.http_receiver

NOW = "2026-11-23T12:00:00Z"  # a Monday: the last full week is 16-22 November 2026
CANARY = "CANARY-db-primary-7f3k"
SEMI_CANARY = "SEMICANARY-vendor-outage"


def incident(
    title: str,
    impact: str,
    components: str,
    start: str,
    updates: list[tuple[int, str]],
    *,
    extra: str = "",
    technical: str = "",
) -> str:
    """An incident file: ``updates`` are (minutes after ``start``, status)."""
    begin = parse_time(start)
    body = [f"---\ntitle: {title}\nimpact: {impact}\ncomponents: {components}\n{extra}---\n"]
    for offset, status in updates:
        at = (begin + timedelta(minutes=offset)).strftime("%Y-%m-%dT%H:%M:%SZ")
        body.append(f"## {at} {status}\n\n/// public\nWe are working on it ({status}).\n///\n")
        if technical:
            body.append(f"/// semi-technical\n{SEMI_CANARY}\n///\n\n/// technical\n{technical}\n///\n")
    return "\n".join(body)


def maintenance(title: str, start: str, end: str, updates: list[tuple[str, str]]) -> str:
    body = [
        f"---\ntitle: {title}\nkind: maintenance\ncomponents: {{database: under_maintenance}}\n"
        f"scheduled_start: {start}\nscheduled_end: {end}\n---\n"
    ]
    body += [f"## {at} {status}\n\n/// public\nPlanned work ({status}).\n///\n" for at, status in updates]
    return "\n".join(body)


INCIDENTS = {
    # The week of 16-22 November: resolve times 10, 20, 30, 40, 100 min; acknowledge 5, 10, 2, 8, 0 min.
    "api-down.md": incident(
        "API unavailable",
        "major",
        "{api: major_outage}",
        "2026-11-16T10:00:00Z",
        [(0, "investigating"), (5, "identified"), (10, "resolved")],
        technical=CANARY,
    ),
    "dash-slow.md": incident(
        "Dashboard errors",
        "minor",
        "{dashboard: partial_outage}",
        "2026-11-17T08:00:00Z",
        [(0, "investigating"), (10, "monitoring"), (20, "resolved")],
    ),
    "api-slow.md": incident(
        "Slow API",
        "minor",
        "{api: degraded_performance}",
        "2026-11-18T12:00:00Z",
        [(0, "investigating"), (2, "identified"), (30, "resolved")],
    ),
    "db-down.md": incident(
        "Data storage down",
        "critical",
        "{database: major_outage, api: degraded_performance}",
        "2026-11-19T09:00:00Z",
        [(0, "investigating"), (8, "identified"), (40, "resolved"), (60, "postmortem")],
    ),
    # Sunday 23:59 belongs to the week that ends at midnight, though it is resolved on Monday.
    "cdn-late.md": incident(
        "Slow file downloads",
        "none",
        "{cdn: degraded_performance}",
        "2026-11-22T23:59:00Z",
        [(0, "identified"), (100, "resolved")],
    ),
    "draft.md": incident(
        "Draft outage",
        "critical",
        "{api: major_outage}",
        "2026-11-20T10:00:00Z",
        [(0, "investigating"), (600, "resolved")],
        extra="draft: true\n",
    ),
    "upgrade.md": maintenance(
        "Database upgrade",
        "2026-11-18T02:00:00Z",
        "2026-11-18T03:00:00Z",
        [
            ("2026-11-10T09:00:00Z", "scheduled"),
            ("2026-11-18T02:00:00Z", "in_progress"),
            ("2026-11-18T03:15:00Z", "completed"),
        ],
    ),  # fmt: skip
    "reindex.md": maintenance(
        "Search reindex",
        "2026-11-19T02:00:00Z",
        "2026-11-19T04:00:00Z",
        [
            ("2026-11-12T09:00:00Z", "scheduled"),
            ("2026-11-19T02:05:00Z", "in_progress"),
            ("2026-11-19T03:30:00Z", "completed"),
        ],
    ),  # fmt: skip
    # The week before (9-15 November): two incidents resolved in 20 and 40 minutes.
    "old-one.md": incident(
        "Login errors",
        "major",
        "{dashboard: degraded_performance}",
        "2026-11-10T10:00:00Z",
        [(0, "investigating"), (20, "resolved")],
    ),
    "old-two.md": incident(
        "Slow exports",
        "minor",
        "{dashboard: degraded_performance}",
        "2026-11-15T23:59:00Z",
        [(0, "investigating"), (40, "resolved")],
    ),
}

WEEK = 7 * 24 * 3600


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return write_repo(tmp_path, INCIDENTS)


def run_json(repo: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> dict:  # type: ignore[type-arg]
    assert main(["report", "-f", str(repo), "--period", "week", "--format", "json", "--now", NOW, *extra]) == 0
    return json.loads(capsys.readouterr().out)


def test_percentile_is_nearest_rank() -> None:
    minutes = [10, 20, 30, 40, 100]
    assert percentile([m * 60.0 for m in minutes], 90) == 6000.0
    assert percentile([1.0], 90) == 1.0 and percentile([], 90) is None
    assert percentile([float(v) for v in range(1, 11)], 90) == 9.0  # rank ceil(0.9 * 10) = 9


def test_week_and_month_boundaries() -> None:
    def bounds(kind: str, now: str, current: bool = False) -> tuple[str, str]:
        period = period_for(kind, parse_time(now), current=current)
        return f"{period.start:%Y-%m-%d}", f"{period.end:%Y-%m-%d}"

    assert bounds("week", "2026-11-23T00:00:00Z") == ("2026-11-16", "2026-11-23")
    assert bounds("week", "2026-11-22T23:59:00Z") == ("2026-11-09", "2026-11-16")  # still in the week of 16-22
    assert bounds("week", "2026-11-25T12:00:00Z", current=True) == ("2026-11-23", "2026-11-30")
    assert bounds("month", "2026-12-01T00:30:00Z") == ("2026-11-01", "2026-12-01")
    assert bounds("month", "2026-01-15T00:00:00Z") == ("2025-12-01", "2026-01-01")
    assert bounds("month", "2026-12-31T23:59:00Z", current=True) == ("2026-12-01", "2027-01-01")
    assert period_for("week", parse_time(NOW)).label == "16–22 November 2026"
    assert period_for("week", parse_time("2026-12-03T00:00:00Z")).label == "23–29 November 2026"
    assert period_for("week", parse_time("2026-12-08T00:00:00Z")).label == "30 November – 6 December 2026"


def test_weekly_numbers_are_exact(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(repo, capsys)
    assert data["period"] == {
        "kind": "week",
        "start": "2026-11-16T00:00:00Z",
        "end": "2026-11-23T00:00:00Z",
        "current": False,
        "label": "16–22 November 2026",
        "as_of": "2026-11-23T00:00:00Z",
    }
    counts = data["counts"]
    assert counts["incidents"] == 5 and counts["maintenance"] == 2  # the draft is not counted
    assert counts["by_impact"] == {"none": 1, "minor": 2, "major": 1, "critical": 1}
    assert counts["by_component"] == {
        "api": {"incidents": 3, "maintenance": 0},
        "dashboard": {"incidents": 1, "maintenance": 0},
        "database": {"incidents": 1, "maintenance": 2},
        "cdn": {"incidents": 1, "maintenance": 0},
    }
    assert data["time_to_resolve"] == {"measured": 5, "pending": 0, "mean_seconds": 2400.0, "p90_seconds": 6000.0}
    assert data["time_to_acknowledge"] == {"measured": 5, "pending": 0, "mean_seconds": 300.0, "p90_seconds": 600.0}
    assert [i["id"] for i in data["incidents"]] == ["api-down", "dash-slow", "api-slow", "db-down", "cdn-late"]
    uptime = data["uptime"]["components"]
    # api: 10 min of major outage (weight 1); the slow API and the draft do not count.
    assert uptime["api"]["downtime_seconds"] == 600.0
    assert uptime["api"]["percent"] == pytest.approx(100 * (1 - 600 / WEEK), abs=1e-6)
    assert uptime["dashboard"]["downtime_seconds"] == pytest.approx(0.3 * 1200)  # partial outage: 30 %
    assert uptime["database"]["downtime_seconds"] == 2400.0  # maintenance is not downtime
    assert uptime["cdn"] == {"percent": 100.0, "downtime_seconds": 0.0}
    expected = 100 * (1 - (600 + 360 + 2400) / WEEK / 4)
    assert data["uptime"]["overall_percent"] == pytest.approx(expected, abs=1e-6)
    windows = {m["id"]: m for m in data["maintenance"]}
    assert windows["upgrade"]["outcome"] == "overran" and windows["upgrade"]["overrun_seconds"] == 900.0
    assert windows["reindex"]["outcome"] == "kept" and windows["reindex"]["overrun_seconds"] == 0.0
    assert data["previous"]["incidents"] == 2  # the Sunday 23:59 incident of 15 November is last week's
    assert data["trend"] == {
        "incidents": {"current": 5, "previous": 2, "delta": 3, "direction": "up"},
        "maintenance": {"current": 2, "previous": 0, "delta": 2, "direction": "up"},
        "mean_time_to_resolve": {"current": 2400.0, "previous": 1800.0, "delta": 600.0, "direction": "up"},
    }


def test_markdown_has_a_plain_summary_then_the_tables(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "-f", str(repo), "--period", "week", "--now", NOW]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "# Weekly status report: 16–22 November 2026"
    assert lines[2] == (
        "The week of 16–22 November 2026: 5 incidents (1 critical, 1 major, 2 minor), 3 more than the week before; "
        "services were available 99.86% of the time. Incidents were resolved in 40 min on average "
        "(9 in 10 within 1 h 40 min). 2 planned maintenances: 1 overran its window, 1 kept to its window."
    )
    assert "| Time to resolve | 5 | 0 | 40 min | 1 h 40 min |" in lines
    assert "| Time to acknowledge | 5 | 0 | 5 min | 10 min |" in lines
    assert "| Public API | 99.90% | 10 min |" in lines
    assert "| File delivery | 100.00% | 0 s |" in lines
    assert "| Database upgrade | 2026-11-18 02:00 – 2026-11-18 03:00 | 2026-11-18 02:00 | 2026-11-18 03:15 | overran by 15 min |" in lines  # fmt: skip
    assert "| Search reindex | 2026-11-19 02:00 – 2026-11-19 04:00 | 2026-11-19 02:05 | 2026-11-19 03:30 | kept within its window |" in lines  # fmt: skip
    assert "| Incidents | 5 | 2 | up 3 |" in lines
    assert "| Mean time to resolve | 40 min | 30 min | up 10 min |" in lines
    assert "| critical | 1 | 0 |" in lines and "| maintenance | 2 | 0 |" in lines
    assert "| Data storage | 1 | 2 |" in lines  # by component: incidents, maintenance
    assert "Draft outage" not in out


def test_no_text_of_any_update_reaches_the_digest(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "-f", str(repo), "--period", "week", "--now", NOW]) == 0
    markdown = capsys.readouterr().out
    data = json.dumps(run_json(repo, capsys))
    for output in (markdown, data):
        assert "API unavailable" in output  # titles are public
        assert CANARY not in output and SEMI_CANARY not in output
        assert "We are working on it" not in output  # not even public update text


def test_month_report_and_its_boundaries(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = write_repo(
        tmp_path,
        {
            "first.md": incident(
                "A", "minor", "{api: partial_outage}", "2026-11-01T00:00:00Z", [(0, "investigating"), (30, "resolved")]
            ),  # fmt: skip
            "last.md": incident(
                "B", "major", "{api: major_outage}", "2026-11-30T23:59:00Z", [(0, "investigating"), (60, "resolved")]
            ),  # fmt: skip
            "next.md": incident(
                "C", "major", "{cdn: major_outage}", "2026-12-01T00:00:00Z", [(0, "investigating"), (5, "resolved")]
            ),  # fmt: skip
            "before.md": incident(
                "D",
                "minor",
                "{cdn: degraded_performance}",
                "2026-10-31T23:59:00Z",
                [(0, "investigating"), (90, "resolved")],
            ),  # fmt: skip
        },
    )
    now = "2026-12-01T01:30:00Z"
    assert main(["report", "-f", str(repo), "--period", "month", "--format", "json", "--now", now]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["period"]["start"], data["period"]["end"]) == ("2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z")
    assert [i["id"] for i in data["incidents"]] == ["first", "last"]
    assert data["time_to_resolve"]["mean_seconds"] == 2700.0  # 30 and 60 min; "last" resolved before now
    # api: 30 min at 30 % and the last minute of November at 100 %, over 30 days.
    assert data["uptime"]["components"]["api"]["downtime_seconds"] == pytest.approx(0.3 * 1800 + 60)
    assert data["uptime"]["components"]["cdn"]["downtime_seconds"] == 0.0  # December's outage is not November's
    assert data["previous_period"]["label"] == "October 2026" and data["previous"]["incidents"] == 1
    assert data["trend"]["incidents"]["direction"] == "up"
    assert data["trend"]["mean_time_to_resolve"] == {
        "current": 2700.0,
        "previous": 5400.0,
        "delta": -2700.0,
        "direction": "down",
    }
    assert main(["report", "-f", str(repo), "--period", "month", "--now", now]) == 0
    assert capsys.readouterr().out.startswith("# Monthly status report: November 2026\n\nNovember 2026: 2 incidents")


def test_open_incidents_and_the_current_period(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = write_repo(
        tmp_path,
        {
            "open.md": incident(
                "Still broken", "major", "{api: major_outage}", "2026-11-24T10:00:00Z", [(0, "investigating")]
            ),  # fmt: skip
            "upcoming.md": maintenance(
                "Later", "2026-11-27T02:00:00Z", "2026-11-27T03:00:00Z", [("2026-11-20T09:00:00Z", "scheduled")]
            ),  # fmt: skip
        },
    )
    now = "2026-11-24T12:00:00Z"
    args = ["report", "-f", str(repo), "--period", "week", "--current", "--format", "json", "--now", now]
    assert main(args) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["period"]["current"] and data["period"]["as_of"] == now
    assert data["counts"]["incidents"] == 1 and data["counts"]["maintenance"] == 0  # not started yet
    assert data["time_to_resolve"] == {"measured": 0, "pending": 1, "mean_seconds": None, "p90_seconds": None}
    assert data["time_to_acknowledge"]["pending"] == 1
    # Monday in full and Tuesday's 12 hours so far, with 2 h of major outage on Tuesday: mean of the days.
    assert data["uptime"]["components"]["api"]["percent"] == pytest.approx(100 * (1 + (1 - 2 / 12)) / 2)
    assert data["uptime"]["components"]["api"]["downtime_seconds"] == pytest.approx(7200)
    assert data["trend"]["mean_time_to_resolve"]["direction"] == "n/a"


def test_a_tier_below_technical_does_not_count_what_it_cannot_see(tmp_path: Path) -> None:
    hidden = (
        "---\ntitle: Internal only\nimpact: major\ncomponents: {api: major_outage}\n---\n\n"
        "## 2026-11-17T10:00:00Z investigating (internal)\n\nEngineers only.\n\n"
        "## 2026-11-17T10:30:00Z resolved (internal)\n\nDone.\n"
    )
    site, problems = check(write_repo(tmp_path, {"hidden.md": hidden}))
    assert not [p for p in problems if p.severity == "error"]
    now = parse_time(NOW)
    period = period_for("week", now)
    assert len(compute_report(site, now, period, level=TECHNICAL).current.incidents) == 1
    public = compute_report(site, now, period, level=PUBLIC)
    assert not public.current.incidents and "0 incidents" in to_markdown(public, tables=False)


GROUPS = """\
settings: {retries: 1, timeout: 2, ledger: ledger.jsonl}
channels:
  eng-chat: {type: slack, url: !ENV ENG_URL}
  exec-chat: {type: slack, url: !ENV EXEC_URL}
  public-chat: {type: slack, url: !ENV PUBLIC_URL}
groups:
  engineering: {tier: technical, channels: [eng-chat], routes: [{}]}
  executives: {tier: semi-technical, channels: [exec-chat], routes: [{}]}
  customers: {tier: public, channels: [public-chat], routes: [{}]}
"""


def _slack_text(body: dict) -> str:  # type: ignore[type-arg]
    return "\n".join(b["text"]["text"] for b in body["blocks"] if b["type"] in ("section", "header"))


def test_send_gives_tables_to_technical_groups_the_summary_to_others_once_per_period(
    repo: Path, http_receiver: HttpReceiver, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo.parent / "notifications.yml").write_text(GROUPS)
    for name, path in (("ENG_URL", "/eng"), ("EXEC_URL", "/exec"), ("PUBLIC_URL", "/public")):
        monkeypatch.setenv(name, http_receiver.url(path))
    args = ["report", "-f", str(repo), "--period", "week", "--now", NOW, "--send", "engineering"]
    assert main([*args, "--send", "executives"]) == 0
    capsys.readouterr()
    by_path = {r.path: r.json() for r in http_receiver.requests}
    assert sorted(by_path) == ["/eng", "/exec"]  # the customers' group was not named
    eng, execs = _slack_text(by_path["/eng"]), _slack_text(by_path["/exec"])
    assert "Weekly status report: 16–22 November 2026" in eng
    assert "| Time to resolve | 5 | 0 | 40 min | 1 h 40 min |" in eng and "Uptime" in eng
    assert "services were available 99.86% of the time" in execs
    assert "|" not in execs and "Time to resolve" not in execs
    for body in (json.dumps(by_path["/eng"]), json.dumps(by_path["/exec"])):
        assert CANARY not in body and SEMI_CANARY not in body
    ledger = [json.loads(line) for line in (repo.parent / "ledger.jsonl").read_text().splitlines()]
    assert {e["key"] for e in ledger if e["state"] == "sent"} == {
        "report-week-20261116/report/engineering/*/eng-chat",
        "report-week-20261116/report/executives/*/exec-chat",
    }
    # The scheduled job runs again later the same week: nothing is sent twice.
    later = ["report", "-f", str(repo), "--period", "week", "--now", "2026-11-25T08:00:00Z"]
    assert main([*later, "--send", "engineering", "--send", "executives"]) == 0
    assert len(http_receiver.requests) == 2
    assert capsys.readouterr().err.count("already_sent") == 2


def test_dry_run_writes_the_messages_and_sends_nothing(
    repo: Path, http_receiver: HttpReceiver, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo.parent / "notifications.yml").write_text(GROUPS)
    monkeypatch.setenv("ENG_URL", http_receiver.url("/eng"))
    outbox = repo.parent / "outbox"
    args = ["report", "-f", str(repo), "--period", "week", "--now", NOW, "--send", "engineering"]
    assert main([*args, "--dry-run", "--outbox", str(outbox)]) == 0
    assert not http_receiver.requests
    written = outbox / "engineering" / "eng-chat" / "report-week-20261116.json"
    assert "Time to resolve" in _slack_text(json.loads(written.read_text()))
    assert not (repo.parent / "ledger.jsonl").exists() or "sent" not in (repo.parent / "ledger.jsonl").read_text()


def test_usage_errors_exit_2(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["report", "-f", str(repo), "--period", "year"])
    assert exit_.value.code == 2
    assert main(["report", "-f", str(repo), "--period", "week", "--dry-run"]) == 2
    assert main(["report", "-f", str(repo), "--period", "week", "--now", "yesterday"]) == 2
    (repo.parent / "notifications.yml").write_text(GROUPS)
    assert main(["report", "-f", str(repo), "--period", "week", "--now", NOW, "--send", "nobody"]) == 2


def test_errors_in_incident_files_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = write_repo(tmp_path, {"broken.md": "---\ntitle: Broken\nimpact: huge\n---\n"})
    assert main(["report", "-f", str(repo), "--period", "week", "--now", NOW]) == 1
    assert "impact" in capsys.readouterr().err
