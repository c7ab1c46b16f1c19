"""Every problem in notifications.yml: `statusmark check` names file, line and field, exit 1."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from statusmark.cli import main
from statusmark.notify.config import load_notify_config, load_subscribers
from statusmark.notify.secrets import EnvRef

from .conftest import write_repo

VALID = """\
channels:
  chat: {type: slack, url: !ENV SLACK_URL}
  mail: {type: email, host: 127.0.0.1, from: status@test.example}
groups:
  oncall:
    tier: technical
    channels: [chat, mail]
    contacts:
      - {id: alice, email: alice@test.example, backup: bob, hours: "mon-fri 09:00-17:00", timezone: Europe/Berlin}
      - {id: bob, email: bob@test.example, role: backup}
    routes:
      - {kind: incident, min_impact: minor}
"""

# (notifications.yml, line, field, a fragment of the message)
CASES = [
    ("groups: [oops\n", 2, "notifications", "invalid YAML"),
    ("- a list\n", 1, "notifications", "expected a mapping"),
    ("groupz: {}\n", 1, "groupz", "unknown field; expected one of settings, approvals, channels, groups"),
    ("settings:\n  retries: 0\n", 2, "settings.retries", "expected a whole number of attempts, 1 or more; got 0"),
    (
        "settings:\n  timeout: soon\n",
        2,
        "settings.timeout",
        "expected a duration such as 30s, 15m, 24h or 7d; got 'soon'",
    ),
    ("settings:\n  ledger: ''\n", 2, "settings.ledger", "expected a file path or git:BRANCH"),
    ("settings:\n  colour: red\n", 2, "settings.colour", "unknown field; expected one of first_run_window"),
    (
        "channels:\n  x: {type: pigeon}\n",
        2,
        "channels.x.type",
        "expected one of apprise, email, pagerduty, slack, sms, teams, webhook; got 'pigeon'",
    ),
    (
        "channels:\n  x:\n    type: slack\n    url: https://hooks.slack.com/services/T0/B0/XYZ\n",
        4,
        "channels.x.url",
        "secrets never belong in the repository",
    ),
    ("channels:\n  x: {type: slack}\n", 2, "channels.x.url", "required by a slack channel"),
    ("channels:\n  x: {type: slack, url: !ENV U, colour: red}\n", 2, "channels.x.colour", "unknown option"),
    ("approvals:\n  external: 3\n", 2, "approvals.external", "expected a name or a list of names; got 3"),
    ("approvals:\n  everyone: [x]\n", 2, "approvals.everyone", "unknown field; expected one of external, tags"),
    ("groups:\n  On Call: {}\n", 2, "groups.On Call", "expected a group id matching [a-z0-9][a-z0-9-]*"),
    ("groups:\n  g: 5\n", 2, "groups.g", "expected a mapping of names to settings; got 5"),
    (
        "groups:\n  g:\n    tier: execs\n",
        3,
        "groups.g.tier",
        "expected one of public, semi-technical, technical; got 'execs'",
    ),
    (
        "groups:\n  g:\n    tier: technical\n    channels: [nope]\n    routes: [{}]\n",
        4,
        "groups.g.channels",
        "expected one of; got 'nope'",
    ),
    (
        "groups:\n  g:\n    tier: technical\n    routes: [{}]\n",
        2,
        "groups.g.channels",
        "expected at least one channel id",
    ),
    (
        "groups:\n  g:\n    tier: technical\n    externl: true\n",
        4,
        "groups.g.externl",
        "unknown field; expected one of tier, external",
    ),
    (
        "groups:\n  g:\n    tier: technical\n    external: maybe\n",
        4,
        "groups.g.external",
        "expected true or false; got 'maybe'",
    ),
    (
        "groups:\n  g:\n    tier: technical\n    page_anytime: always\n",
        4,
        "groups.g.page_anytime",
        "expected one of none, minor, major, critical or never; got 'always'",
    ),
    (
        "groups:\n  g:\n    tier: technical\n    after_hours: nobody\n",
        4,
        "groups.g.after_hours",
        "expected primary or backup; got 'nobody'",
    ),
    (
        "groups:\n  g:\n    tier: public\n    subscribers: /etc/subs.csv\n",
        4,
        "groups.g.subscribers",
        "expected !ENV VARIABLE naming a subscriber file",
    ),
    ("groups:\n  g:\n    tier: public\n    reminder: tomorrow\n", 4, "groups.g.reminder", "expected a duration"),
    ("groups:\n  g:\n    tier: technical\n", 2, "groups.g.routes", "expected a list of routing rules"),
    (
        "groups:\n  g:\n    tier: technical\n    routes: {min_impact: major}\n",
        4,
        "groups.g.routes",
        "expected a list of routing rules; got a mapping",
    ),
    (
        "groups:\n  g:\n    tier: technical\n    routes:\n      - major\n",
        5,
        "groups.g.routes[0]",
        "expected a mapping of conditions",
    ),
    (
        "groups:\n  g:\n    tier: technical\n    routes:\n      - {impact: major}\n",
        5,
        "groups.g.routes[0].impact",
        "unknown field; expected one of kind, min_impact",
    ),
    (
        "groups:\n  g:\n    tier: technical\n    routes:\n      - {min_impact: huge}\n",
        5,
        "groups.g.routes[0].min_impact",
        "expected one of none, minor, major, critical; got 'huge'",
    ),
    (
        "groups:\n  g:\n    tier: technical\n    routes:\n      - {kind: outage}\n",
        5,
        "groups.g.routes[0].kind",
        "expected one of incident, maintenance; got 'outage'",
    ),
    (
        "groups:\n  g:\n    tier: technical\n    routes:\n      - {components: [mainframe]}\n",
        5,
        "groups.g.routes[0].components",
        "got 'mainframe'",
    ),
    (
        "groups:\n  g:\n    tier: technical\n    routes:\n      - {component_kind: hardware}\n",
        5,
        "groups.g.routes[0].component_kind",
        "got 'hardware'",
    ),
    (
        "groups:\n  g:\n    tier: technical\n    routes:\n      - {statuses: [fixed]}\n",
        5,
        "groups.g.routes[0].statuses",
        "got 'fixed'",
    ),
    (
        "groups:\n  g:\n    tier: technical\n    contacts: alice\n",
        4,
        "groups.g.contacts",
        "expected a list of contacts; got 'alice'",
    ),
    (
        "groups:\n  g:\n    tier: technical\n    contacts:\n      - alice\n",
        5,
        "groups.g.contacts[0]",
        "expected a mapping with id",
    ),
    (
        "groups:\n  g:\n    tier: technical\n    contacts:\n      - {email: a@b.example}\n",
        5,
        "groups.g.contacts[0].id",
        "expected an id matching",
    ),
    (
        "groups:\n  g:\n    tier: technical\n    contacts:\n      - {id: a, role: boss}\n",
        5,
        "groups.g.contacts[0].role",
        "expected primary or backup; got 'boss'",
    ),
    (
        "groups:\n  g:\n    tier: technical\n    contacts:\n      - {id: a, hours: mon-fri 09:00-17:00}\n",
        5,
        "groups.g.contacts[0].timezone",
        "contact hours need an IANA time zone",
    ),
    (
        "groups:\n  g:\n    tier: technical\n    contacts:\n      - {id: a, hours: mon-fri 09:00-17:00, timezone: Mars/Olympus}\n",
        5,
        "groups.g.contacts[0].timezone",
        "got 'Mars/Olympus'",
    ),
    (
        "groups:\n  g:\n    tier: technical\n    contacts:\n      - {id: a, hours: weekdays 9-5, timezone: UTC}\n",
        5,
        "groups.g.contacts[0].hours",
        "expected days and a time range such as 'mon-fri 09:00-17:00'",
    ),
    (
        "groups:\n  g:\n    tier: technical\n    contacts:\n      - {id: a, hours: mon-fry 09:00-17:00, timezone: UTC}\n",
        5,
        "groups.g.contacts[0].hours",
        "unknown day in 'mon-fry'",
    ),
    (
        "groups:\n  g:\n    tier: technical\n    contacts:\n      - {id: a, components: [mainframe]}\n",
        5,
        "groups.g.contacts[0].components",
        "got 'mainframe'",
    ),
    (
        "groups:\n  g:\n    tier: technical\n    contacts:\n      - {id: a, email: 42}\n",
        5,
        "groups.g.contacts[0].email",
        "expected text; got 42",
    ),
    (
        "groups:\n  g:\n    tier: technical\n    contacts:\n      - {id: a, backup: zed}\n",
        5,
        "groups.g.contacts[0].backup",
        "expected the id of another contact of this group; got 'zed'",
    ),
    (
        "channels:\n  mail: {type: email, host: h, from: a@b.example}\ngroups:\n  g:\n    tier: technical\n    channels: [mail]\n    contacts: [{id: a}]\n    routes: [{}]\n",
        6,
        "groups.g.channels",
        "channel 'mail' sends to each contact's email, but no contact of this group has one",
    ),
]


@pytest.mark.parametrize(("text", "line", "field", "fragment"), CASES, ids=[c[2] + ":" + c[3][:20] for c in CASES])
def test_every_config_problem_is_located(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, line: int, field: str, fragment: str
) -> None:
    config = write_repo(tmp_path, {})
    (tmp_path / "notifications.yml").write_text(text, encoding="utf-8")
    assert main(["check", "-f", str(config)]) == 1
    err = capsys.readouterr().err
    prefix = f"{tmp_path / 'notifications.yml'}:{line}: {field}: "
    matching = [ln for ln in err.splitlines() if ln.startswith(prefix)]
    assert matching, f"no line starting {prefix!r} in:\n{err}"
    if "expected one of; got" in fragment:  # the list of known ids is long: check both ends
        head, tail = fragment.split("; ")
        assert any(head in ln and tail in ln for ln in matching), err
    else:
        assert any(fragment in ln for ln in matching), err
    assert "Traceback" not in err


def test_valid_config_passes_check_and_reads_whole(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_repo(tmp_path, {})
    (tmp_path / "notifications.yml").write_text(VALID, encoding="utf-8")
    assert main(["check", "-f", str(config)]) == 0, capsys.readouterr().err
    from statusmark.builder import check

    site, _ = check(config)
    loaded, problems = load_notify_config(tmp_path / "notifications.yml", site.components)
    assert problems == []
    group = loaded.group("oncall")
    assert group.tier == 2 and not group.external
    assert loaded.channels["chat"].options["url"] == EnvRef("SLACK_URL")
    alice, bob = group.contacts
    assert alice.backup == "bob" and bob.is_backup and alice.hours and not bob.hours


def test_public_tier_is_always_external(tmp_path: Path) -> None:
    path = tmp_path / "n.yml"
    path.write_text(
        "channels:\n  c: {type: slack, url: !ENV U}\ngroups:\n  g: {tier: public, external: false, channels: [c], routes: [{}]}\n"
    )
    config, problems = load_notify_config(path, ())
    assert problems == [] and config.group("g").external


def test_approval_rules(tmp_path: Path) -> None:
    path = tmp_path / "n.yml"
    path.write_text(
        textwrap.dedent(
            """\
            approvals: {external: [communications], tags: {security: [legal]}}
            channels: {c: {type: slack, url: !ENV U}}
            groups:
              customers: {tier: public, channels: [c], routes: [{}]}
              legal: {tier: public, channels: [c], routes: [{}], approvals: []}
              oncall: {tier: technical, channels: [c], routes: [{}]}
            """
        )
    )
    config, problems = load_notify_config(path, ())
    assert problems == []
    customers, legal, oncall = config.groups
    assert config.required_approvals(customers, ()) == ("communications",)
    assert config.required_approvals(customers, ("security",)) == ("communications", "legal")
    assert config.required_approvals(legal, ("security",)) == ()
    assert config.required_approvals(oncall, ("security",)) == ()


def test_subscriber_files_csv_and_yaml(tmp_path: Path) -> None:
    from statusmark.model import Component

    components = {"api": Component("api", "API"), "cdn": Component("cdn", "CDN")}
    csv_file = tmp_path / "subs.csv"
    csv_file.write_text(
        "email,phone,components\na@x.example,,api\n,+15550000,api;cdn\nnobody,,\n,,\nb@x.example,,mainframe\n"
    )
    contacts, problems = load_subscribers(csv_file, components)
    assert [c.components for c in contacts] == [("api",), ("api", "cdn"), ()]
    assert all(c.id.startswith("sub-") and "@" not in c.id for c in contacts)  # the ledger never holds addresses
    assert [(p.line, p.field, p.message) for p in problems] == [
        (5, "subscriber", "expected an email or a phone"),
        (6, "subscriber.components", "unknown component id(s): mainframe"),
    ]
    yaml_file = tmp_path / "subs.yml"
    yaml_file.write_text("- {id: acme, email: ops@acme.example, components: [cdn]}\n- {name: no address}\n")
    contacts, problems = load_subscribers(yaml_file, components)
    assert [(c.id, c.components) for c in contacts] == [("acme", ("cdn",))]
    assert [(p.line, p.message) for p in problems] == [(2, "expected an email or a phone")]
    assert load_subscribers(tmp_path / "missing.csv", components)[1][0].message.startswith("cannot be read")
    (tmp_path / "bad.yml").write_text("a: [\n")
    assert "invalid YAML" in load_subscribers(tmp_path / "bad.yml", components)[1][0].message
    (tmp_path / "map.yml").write_text("a: 1\n")
    assert (
        load_subscribers(tmp_path / "map.yml", components)[1][0].message
        == "expected a list of subscribers (- email: ...)"
    )
