"""Privacy lint of public text: one test per rule, its level, and its acknowledgement."""

from __future__ import annotations

from pathlib import Path

import pytest
from statusmark.cli import main

from .conftest import BASE_CONFIG, write_repo

LINT_CONFIG = (
    BASE_CONFIG
    + """\
      privacy_lint:
        internal_suffixes: [.corp.internal]
        deny: ['Project Falcon']
        rules: {email: error}
"""
)


def incident(public: str, title: str = "Slow pages") -> str:
    return f"---\ntitle: {title}\nimpact: minor\ncomponents: {{api: degraded_performance}}\n---\n\n## 2026-11-20T10:00:00Z investigating\n\n/// public\n{public}\n///\n\nTechnical: 10.0.0.1 is fine here.\n"


@pytest.mark.parametrize(
    ("rule", "public", "level"),
    [
        ("ipv4", "Traffic from 10.20.30.40 was dropped.", "error"),
        ("ipv6", "The address 2001:db8::8a2e:370:7334 failed.", "error"),
        ("stack-trace", "Traceback (most recent call last): boom", "error"),
        ("file-path", "The file /etc/nginx/nginx.conf was wrong.", "warning"),
        ("commit-hash", "We reverted 4f2a9c81.", "warning"),
        ("email", "Write to ops@northwind.example for help.", "error"),
        ("credential", "Key AKIAIOSFODNN7EXAMPLE leaked.", "error"),
        ("credential", "Token xoxb-1234567890-abcdefghij was rotated.", "error"),
        ("credential", "Token ghp_abcdefghijklmnopqrstuvwxyz0123456789 was rotated.", "error"),
        ("internal-host", "db-2.eu.corp.internal was slow.", "error"),
        ("deny-1", "Project Falcon is delayed.", "error"),
    ],
)
def test_rule_finds_its_pattern(tmp_path: Path, capsys, rule: str, public: str, level: str):
    config = write_repo(tmp_path, {"x.md": incident(public)}, LINT_CONFIG)
    code = main(["check", "-f", str(config)])
    err = capsys.readouterr().err
    prefix = "incidents/x.md:10: " + ("" if level == "error" else "warning: ") + "public text: "
    assert prefix in err and f"<!-- lint-ok: {rule} -->" in err, err
    assert code == (1 if level == "error" else 0)


@pytest.mark.parametrize(
    "public",
    [
        "All systems are fine.",
        "Version 2.4.1 is out.",
        "We fixed it at 14:02 today.",
        "See https://northwind.example/help.",
    ],
)
def test_plain_language_passes(tmp_path: Path, capsys, public: str):
    config = write_repo(tmp_path, {"x.md": incident(public)}, LINT_CONFIG)
    assert main(["check", "-f", str(config)]) == 0, capsys.readouterr().err


def test_acknowledged_finding_passes_and_marker_never_reaches_the_page(tmp_path: Path, capsys, fixed_now: str):
    config = write_repo(
        tmp_path, {"x.md": incident("Our public DNS resolver 1.1.1.1 was slow. <!-- lint-ok: ipv4 -->")}, LINT_CONFIG
    )
    assert main(["check", "-f", str(config)]) == 0, capsys.readouterr().err
    assert main(["build", "-f", str(config)]) == 0
    html = (tmp_path / "site/incidents/x/index.html").read_text()
    assert "1.1.1.1 was slow." in html and "lint-ok" not in html


def test_title_is_linted_and_acknowledged_with_a_yaml_comment(tmp_path: Path, capsys):
    config = write_repo(tmp_path, {"x.md": incident("Fine.", title="Outage of 10.1.2.3")}, LINT_CONFIG)
    assert main(["check", "-f", str(config)]) == 1
    assert "incidents/x.md:2: title: public text looks like it holds an IPv4 address" in capsys.readouterr().err
    config = write_repo(tmp_path, {"x.md": incident("Fine.", title="Outage of 10.1.2.3  # lint-ok: ipv4")}, LINT_CONFIG)
    assert main(["check", "-f", str(config)]) == 0


def test_component_description_is_linted(tmp_path: Path, capsys):
    config = write_repo(tmp_path, {}, LINT_CONFIG.replace("The REST API.", "The REST API on api-1.corp.internal."))
    assert main(["check", "-f", str(config)]) == 1
    assert (
        "mkdocs.yml:11: components.api.description: public text looks like it holds an internal host name"
        in capsys.readouterr().err
    )


def test_rule_can_be_switched_off(tmp_path: Path, capsys):
    config = write_repo(
        tmp_path, {"x.md": incident("From 10.20.30.40.")}, LINT_CONFIG.replace("{email: error}", "{ipv4: off}")
    )
    assert main(["check", "-f", str(config)]) == 0, capsys.readouterr().err


def test_non_public_text_is_not_linted(tmp_path: Path, capsys):
    config = write_repo(tmp_path, {"x.md": incident("Fine.")}, LINT_CONFIG)
    assert main(["check", "-f", str(config)]) == 0, capsys.readouterr().err


def test_lint_error_blocks_the_build(tmp_path: Path, capsys, fixed_now: str):
    config = write_repo(tmp_path, {"x.md": incident("Key AKIAIOSFODNN7EXAMPLE leaked.")}, LINT_CONFIG)
    assert main(["build", "-f", str(config)]) == 1
    assert not (tmp_path / "site").exists()


def test_check_without_events_finds_the_same_problems(tmp_path: Path):
    """`statusmark check` skips building events: the same problems, every run, cached or not."""
    from statusmark.builder import check_with_options

    late = incident("We reverted 4f2a9c81.").replace("2026-11-20T10:00", "2026-11-22T10:00")
    files = {
        "b-late.md": late,  # newer, but later in file order: lint order differs between the two
        "a-early.md": incident("The file /etc/nginx/nginx.conf was wrong."),
        "c-broken.md": incident("Fine.").replace("impact: minor", "impact: huge"),
        "sub/a-early.md": incident("Fine."),  # a duplicate id
    }
    config = write_repo(tmp_path, files, LINT_CONFIG)
    for _ in range(2):  # the second run reads the parse cache
        site, problems, _ = check_with_options(config)
        bare, bare_problems, _ = check_with_options(config, events=False)
        assert len(site.events) == 2 and bare.events == ()
        assert sorted(bare_problems) == sorted(problems)
        assert {p.field for p in problems} >= {"public text", "impact", "id"} and len(problems) >= 4
