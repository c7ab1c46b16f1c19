"""Routing, tiers, approvals, contact hours and the ledger's reconciliation, without a network."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from statusmark.builder import check
from statusmark.notify.compose import Composer
from statusmark.notify.config import load_notify_config
from statusmark.notify.hours import parse_hours
from statusmark.notify.ledger import Ledger
from statusmark.notify.plan import plan
from statusmark.notify.run import Runner

from .conftest import write_repo

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # a Monday

GROUPS = """\
approvals: {external: [communications], tags: {security: [legal]}}
channels:
  chat: {type: slack, url: !ENV CHAT_URL}
  mail: {type: email, host: 127.0.0.1, from: status@test.example}
groups:
  oncall: {tier: technical, channels: [chat], routes: [{kind: incident, min_impact: minor}]}
  developers: {tier: technical, channels: [chat], routes: [{kind: incident, component_kind: application}]}
  executives: {tier: semi-technical, channels: [chat], routes: [{kind: incident, min_impact: major}]}
  customers:
    tier: public
    channels: [mail]
    contacts: [{id: acme, email: ops@acme.example}, {id: globex, email: it@globex.example, components: [cdn]}]
    routes: [{kind: incident, min_impact: minor, statuses: [investigating, resolved]}, {kind: maintenance}]
  legal: {tier: public, channels: [chat], approvals: [], routes: [{tags: [security]}]}
"""


def incident(impact: str, component: str, tags: str = "[]", approvals: str = "[]", updates: str = "") -> str:
    return f"""\
---
title: Something broke
impact: {impact}
components: {{{component}: partial_outage}}
tags: {tags}
approvals: {approvals}
---

## 2026-11-23T11:00:00Z investigating

/// public
We are looking into it.
///
{updates}"""


def load(tmp_path: Path, incidents: dict[str, str], groups: str = GROUPS):  # type: ignore[no-untyped-def]
    config_file = write_repo(tmp_path, incidents)
    (tmp_path / "notifications.yml").write_text(groups)
    site, problems = check(config_file)
    assert not [p for p in problems if p.severity == "error"], problems
    config, problems = load_notify_config(tmp_path / "notifications.yml", site.components)
    assert problems == [], problems
    return site, config


def who(due: list) -> set[str]:  # type: ignore[type-arg]
    return {d.group.id for d in due}


@pytest.mark.parametrize(
    ("impact", "component", "tags", "expected"),
    [
        ("minor", "database", "[]", {"oncall", "customers"}),  # infrastructure: not the developers' problem
        ("major", "api", "[]", {"oncall", "developers", "executives", "customers"}),
        ("none", "api", "[security]", {"developers", "legal"}),
        ("critical", "cdn", "[security]", {"oncall", "executives", "customers", "legal"}),
        ("none", "database", "[]", set()),
    ],
)
def test_routing_matrix(tmp_path: Path, impact: str, component: str, tags: str, expected: set[str]) -> None:
    site, config = load(tmp_path, {"e.md": incident(impact, component, tags)})
    assert who(plan(site, config, NOW, None)) == expected


def test_external_sends_wait_for_every_required_approval(tmp_path: Path) -> None:
    site, config = load(tmp_path, {"e.md": incident("major", "api", "[security]")})
    customers = [d for d in plan(site, config, NOW, None) if d.group.id == "customers"]
    assert customers and all(d.missing_approvals == ("communications", "legal") for d in customers)
    site, config = load(
        tmp_path,
        {"e.md": incident("major", "api", "[security]", "[{role: communications, by: Kim}, {role: legal, by: Dana}]")},
    )
    assert all(d.missing_approvals == () for d in plan(site, config, NOW, None))


def test_subscriber_component_filter_and_status_routes(tmp_path: Path) -> None:
    site, config = load(tmp_path, {"e.md": incident("major", "api", updates=IDENTIFIED)})
    customers = [d for d in plan(site, config, NOW, None) if d.group.id == "customers"]
    # globex only asked for the CDN; "identified" is not a status customers are sent.
    assert [(d.contact.id, d.update.status) for d in customers] == [("acme", "investigating")]


IDENTIFIED = """
## 2026-11-23T11:30:00Z identified

/// public
We found the cause.
///
"""

RESOLVED = """
## 2026-11-23T11:45:00Z resolved

/// public
Fixed.
///
"""


def test_only_the_newest_update_is_due_and_older_ones_are_superseded(tmp_path: Path) -> None:
    site, config = load(tmp_path, {"e.md": incident("major", "api", updates=IDENTIFIED + RESOLVED)})
    oncall = [d for d in plan(site, config, NOW, None) if d.group.id == "oncall"]
    assert len(oncall) == 1 and oncall[0].update.status == "resolved"
    assert [k.split("/")[1] for k in oncall[0].superseded] == [
        "20261123T110000Z-investigating",
        "20261123T113000Z-identified",
    ]


def test_baseline_keeps_history_quiet_and_future_updates_wait(tmp_path: Path) -> None:
    site, config = load(tmp_path, {"e.md": incident("major", "api", updates=IDENTIFIED)})
    assert plan(site, config, NOW, NOW - timedelta(minutes=10)) == []  # both updates are history
    early = plan(site, config, datetime(2026, 11, 23, 11, 10, tzinfo=UTC), None)
    assert {d.update.status for d in early} == {"investigating"}  # 11:30 has not happened yet


def test_a_typo_fix_keeps_the_key_and_a_correction_changes_it(tmp_path: Path) -> None:
    site, config = load(tmp_path, {"e.md": incident("major", "api")})
    before = {d.key for d in plan(site, config, NOW, None)}
    fixed = incident("major", "api").replace("looking into it", "looking into this")
    site, config = load(tmp_path, {"e.md": fixed})
    assert {d.key for d in plan(site, config, NOW, None)} == before
    corrected = fixed.replace("11:00:00Z investigating", "11:00:00Z investigating (correction)")
    site, config = load(tmp_path, {"e.md": corrected})
    after = {d.key for d in plan(site, config, NOW, None)}
    assert after.isdisjoint(before) and all("-investigating-r1/" in k for k in after)


HOURS = """\
channels:
  mail: {type: email, host: 127.0.0.1, from: s@test.example}
groups:
  execs:
    tier: semi-technical
    channels: [mail]
    page_anytime: critical
    after_hours: backup
    contacts:
      - {id: cto, email: cto@test.example, hours: "mon-fri 09:00-17:00", timezone: America/New_York, backup: vp}
      - {id: vp, email: vp@test.example, role: backup}
    routes: [{}]
"""


def test_contact_hours_defer_unless_the_impact_pages_anytime(tmp_path: Path) -> None:
    site, config = load(tmp_path, {"e.md": incident("major", "api")}, HOURS)
    # 12:00 UTC on a Monday is 07:00 in New York: outside the CTO's hours.
    (due,) = plan(site, config, NOW, None)
    assert due.contact.id == "cto" and due.defer_until == datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
    site, config = load(tmp_path, {"e.md": incident("critical", "api")}, HOURS)
    (due,) = plan(site, config, NOW, None)
    assert (due.contact.id, due.instead_of, due.defer_until) == ("vp", "cto", None)
    (due,) = plan(site, config, datetime(2026, 11, 23, 15, 0, tzinfo=UTC), None)  # 10:00 in New York
    assert (due.contact.id, due.defer_until) == ("cto", None)


def test_hours_windows() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    office = parse_hours("mon-fri 09:00-17:00", berlin)
    assert office.is_open(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))  # 10:00 in Berlin
    assert not office.is_open(datetime(2026, 11, 28, 12, 0, tzinfo=UTC))  # a Saturday
    assert office.next_open(datetime(2026, 11, 27, 17, 0, tzinfo=UTC)) == datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    night = parse_hours("sun-thu 22:00-06:00", berlin)
    assert night.is_open(datetime(2026, 11, 24, 3, 0, tzinfo=UTC))  # Tuesday 04:00, opened Monday night
    assert not night.is_open(datetime(2026, 11, 28, 3, 0, tzinfo=UTC))  # Saturday 04:00: Friday is not listed
    assert parse_hours("daily 08:00-20:00", berlin).days == frozenset(range(7))
    assert parse_hours("fri-mon 10:00-11:00", berlin).days == frozenset({4, 5, 6, 0})


def test_dry_run_writes_the_outbox_and_leaves_the_ledger_alone(tmp_path: Path) -> None:
    site, config = load(tmp_path, {"e.md": incident("major", "api")})
    ledger = Ledger(tmp_path / "ledger.jsonl")
    runner = Runner(config, Composer(site, {0: site.url}), ledger, NOW, send=False, outbox=tmp_path / "outbox")
    report = runner.run(plan(site, config, NOW, None))
    assert not (tmp_path / "ledger.jsonl").exists()
    written = sorted(p.relative_to(tmp_path / "outbox").as_posix() for p in (tmp_path / "outbox").rglob("*.*"))
    assert written == [
        "developers/chat/e--20261123T110000Z-investigating.json",
        "executives/chat/e--20261123T110000Z-investigating.json",
        "oncall/chat/e--20261123T110000Z-investigating.json",
    ]
    assert report.total("would_send") == 3 and report.total("held_approval") == 1
    assert "needs approval by communications" in report.table()


def test_ledger_survives_a_torn_last_line(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    ledger = Ledger(path)
    ledger.set_baseline(NOW)
    ledger.record("a/u/g/*/c", "sending", NOW, id="sm_1")
    ledger.record("a/u/g/*/c", "sent", NOW, id="sm_1")
    ledger.close()
    with path.open("a") as f:
        f.write('{"key": "b/u/g/*/c", "sta')  # the process died mid-write
    again = Ledger(path)
    assert again.baseline == NOW and again.state("a/u/g/*/c").state == "sent" and again.state("b/u/g/*/c") is None
    assert "@" not in path.read_text()


_WORDS = st.text(alphabet="abcdefghij klmnop", min_size=1, max_size=30).map(str.strip).filter(bool)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    blocks=st.lists(
        st.tuples(st.sampled_from(["public", "semi-technical", "technical", None]), _WORDS), min_size=1, max_size=6
    )
)
def test_no_message_holds_text_above_its_tier(
    tmp_path_factory: pytest.TempPathFactory, blocks: list[tuple[str | None, str]]
) -> None:
    """Random blocks with a canary per tier: every channel's payload for a tier lacks the higher canaries."""
    canary = {"public": "CANARYPUB", "semi-technical": "CANARYSEMI", "technical": "CANARYTECH", None: "CANARYLOOSE"}
    body = "\n".join(
        (f"/// {aud}\n{words} {canary[aud]}\n///" if aud else f"{words} {canary[aud]}") + "\n" for aud, words in blocks
    )
    text = incident("major", "api").replace(
        "/// public\nWe are looking into it.\n///\n", "/// public\nPublic words.\n///\n\n" + body
    )
    root = tmp_path_factory.mktemp("tiers")
    site, config = load(root, {"e.md": text})
    composer = Composer(site, {0: site.url})
    from statusmark.notify.channels import channel_types

    hidden = {0: ["CANARYSEMI", "CANARYTECH", "CANARYLOOSE"], 1: ["CANARYTECH", "CANARYLOOSE"], 2: []}
    for due in plan(site, config, NOW, None):
        for channel_type in channel_types():
            message = composer.compose(due.key, due.event, due.update, due.group.tier, channel_type)
            assert message is not None
            channel = channel_types()[channel_type]("c", {}, {})
            from statusmark.notify.message import Recipient

            payload = channel.payload(
                message, Recipient("x", "x@test.example" if channel_type == "email" else "+15550000")
            )
            rendered = (
                payload.body.decode("utf-8", "replace") + message.text + message.html + message.short + message.subject
            )
            for word in hidden[due.group.tier]:
                assert word not in rendered, (due.group.id, channel_type, word)
            if due.group.tier == 2:
                assert all(canary[aud] in message.text for aud, _ in blocks)
