"""Audience tiers: block splitting, filtering, and the privacy invariant on real builds."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import html5lib
import icalendar
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from statusmark.audience import split_blocks, view_event
from statusmark.cli import main
from statusmark.loader import parse_event
from statusmark.model import PUBLIC, SEMI_TECHNICAL, TECHNICAL

from .conftest import write_repo


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("plain text", [(TECHNICAL, "plain text")]),
        ("/// public\nhello\n///", [(PUBLIC, "hello")]),
        (
            "/// public\np\n///\n/// semi-technical\ns\n///\nloose",
            [(PUBLIC, "p"), (SEMI_TECHNICAL, "s"), (TECHNICAL, "loose")],
        ),
        ("before\n/// public\np\n///", [(TECHNICAL, "before"), (PUBLIC, "p")]),
        ("/// technical\n```\n///\n## not a heading\n```\n///", [(TECHNICAL, "```\n///\n## not a heading\n```")]),
    ],
)
def test_split_blocks(source: str, expected):
    segments, problems = split_blocks(source.split("\n"), 10, TECHNICAL, "x.md")
    assert problems == []
    assert [(s.audience, s.text) for s in segments] == expected


def test_default_audience_is_configurable():
    segments, _ = split_blocks(["loose"], 1, SEMI_TECHNICAL, "x.md")
    assert segments[0].audience == SEMI_TECHNICAL


def test_view_drops_hidden_segments_internal_updates_tags_and_approvals():
    text = (
        "---\ntitle: T\ntags: [secret-tag]\napprovals: [{role: legal, by: Dana}]\n---\n\n"
        "## 2026-11-20T10:00:00Z investigating\n\n/// public\npub\n///\n\n/// semi-technical\nsemi\n///\n\ntech\n\n"
        "## 2026-11-20T11:00:00Z identified (internal)\n\ninternal note\n"
    )
    event, problems = parse_event(text, "t", "t.md", set())
    assert problems == [] and event is not None
    public, semi, tech = (view_event(event, level) for level in (PUBLIC, SEMI_TECHNICAL, TECHNICAL))
    assert [u.text for u in public.updates] == ["pub"] and public.tags == () and public.approvals == ()
    assert [u.text for u in semi.updates] == ["pub\n\nsemi"] and semi.tags == ()
    assert [u.text for u in tech.updates] == ["pub\n\nsemi\n\ntech", "internal note"] and tech.tags == ("secret-tag",)
    assert tech.approvals == ()


CANARY_INCIDENT = """
---
title: Login failures
impact: major
components: {api: major_outage}
tags: [CANARY-TAG-7d1]
approvals:
  - {role: CANARY-ROLE-2b9, by: CANARY-APPROVER-5e0, at: 2026-11-23T10:10:00Z}
---

## 2026-11-23T10:00:00Z investigating

/// public
Customers cannot sign in.
///

/// semi-technical
The identity provider CANARY-SEMI-a41 is failing.
///

/// technical
Stack: CANARY-TECH-c3f

```python
raise RuntimeError("CANARY-CODE-88e")
```

<div data-x="CANARY-HTML-0aa">CANARY-HTMLTEXT-19b</div>
///

Unfenced CANARY-LOOSE-6d2 text.

## 2026-11-23T10:20:00Z identified (internal)

Rolled back CANARY-INTERNAL-f00.

## 2026-11-23T10:40:00Z monitoring

/// public
A fix is in place.
///
"""
CANARY_MAINTENANCE = """
---
title: Database upgrade
kind: maintenance
components: {database: under_maintenance}
tags: [CANARY-TAG-7d1]
scheduled_start: 2026-11-27T02:00:00Z
scheduled_end: 2026-11-27T04:00:00Z
---

## 2026-11-20T10:00:00Z scheduled

/// public
We will upgrade the database.
///

/// semi-technical
Switchover by CANARY-SEMI-a41.
///

pg_upgrade on CANARY-TECH-c3f.
"""
SEMI_CANARIES = ["CANARY-SEMI-a41"]
TECH_CANARIES = [
    "CANARY-TECH-c3f",
    "CANARY-CODE-88e",
    "CANARY-HTML-0aa",
    "CANARY-HTMLTEXT-19b",
    "CANARY-LOOSE-6d2",
    "CANARY-INTERNAL-f00",
]
META_CANARIES = ["CANARY-TAG-7d1", "CANARY-ROLE-2b9", "CANARY-APPROVER-5e0"]


def all_bytes(root: Path) -> list[tuple[str, bytes]]:
    files = []
    for path in sorted(root.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            files.append((str(path.relative_to(root)), gzip.decompress(data) if path.suffix == ".gz" else data))
    return files


def leaks(root: Path, canaries: list[str]) -> list[tuple[str, str]]:
    return [(name, c) for name, data in all_bytes(root) for c in canaries if c.encode() in data]


@pytest.fixture
def three_sites(tmp_path: Path, fixed_now: str) -> Path:
    config = write_repo(tmp_path, {"login.md": CANARY_INCIDENT, "upgrade.md": CANARY_MAINTENANCE})
    assert main(["build", "-f", str(config), "--audience", "all"]) == 0
    return tmp_path


def test_public_site_holds_no_byte_of_non_public_text(three_sites: Path):
    public = three_sites / "site"
    for output in (
        "search/search_index.json",
        "sitemap.xml",
        "history.rss",
        "api/v2/summary.json",
        "maintenance.ics",
        "badge.svg",
        "api/badge.json",
    ):
        assert (public / output).is_file(), output
    calendar = icalendar.Calendar.from_ical((public / "maintenance.ics").read_bytes())
    assert "We will upgrade the database." in str(calendar.walk("VEVENT")[0]["DESCRIPTION"])
    assert leaks(public, SEMI_CANARIES + TECH_CANARIES + META_CANARIES) == []
    assert b"Customers cannot sign in." in (public / "incidents/login/index.html").read_bytes()


def test_semi_technical_site_holds_no_technical_text(three_sites: Path):
    semi = three_sites / "site-semi-technical"
    assert leaks(semi, TECH_CANARIES + META_CANARIES) == []
    assert {c for _, c in leaks(semi, SEMI_CANARIES)} == set(SEMI_CANARIES)


def test_technical_site_holds_everything_but_approvals(three_sites: Path):
    tech = three_sites / "site-technical"
    found = {c for _, c in leaks(tech, SEMI_CANARIES + TECH_CANARIES + META_CANARIES)}
    assert found == set(SEMI_CANARIES + TECH_CANARIES + ["CANARY-TAG-7d1"])


@pytest.mark.parametrize("audience", ["semi-technical", "technical"])
def test_audience_sites_are_noindex_with_a_banner(three_sites: Path, audience: str):
    root = three_sites / f"site-{audience}"
    for page in ("index.html", "incidents/login/index.html", "history/index.html"):
        doc = html5lib.parse((root / page).read_bytes(), namespaceHTMLElements=False)
        assert any(m.get("name") == "robots" and "noindex" in m.get("content", "") for m in doc.iter("meta")), page
        banner = [p for p in doc.iter("p") if p.get("class") == "sm-audience-banner"]
        assert banner and audience.capitalize() in "".join(banner[0].itertext())
    assert (root / "robots.txt").read_text() == "User-agent: *\nDisallow: /\n"
    assert (root / "api/v2/summary.json").is_file() and (root / "history.atom").is_file()


def test_public_site_is_not_marked_noindex(three_sites: Path):
    html = (three_sites / "site/index.html").read_text()
    assert 'name="robots"' not in html and "sm-audience-banner" not in html


# Property: random incidents with random blocks never leak above their tier.
_word = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=8)
_block = st.tuples(st.sampled_from(["public", "semi-technical", "technical", "loose"]), _word)


@st.composite
def incidents(draw):
    files, canaries = {}, {"semi": [], "tech": []}
    for n in range(draw(st.integers(1, 3))):
        body = []
        for u in range(draw(st.integers(1, 3))):
            internal = u > 0 and draw(st.booleans())
            body.append(
                f"## 2026-11-2{u}T10:0{n}:00Z {['investigating', 'identified', 'resolved'][u]}{' (internal)' if internal else ''}\n"
            )
            body.append("Operator note.\n" if internal else f"/// public\npublic words {draw(_word)}\n///\n")
            for audience, word in draw(st.lists(_block, max_size=4)):
                marker = f"ZZ{len(canaries['semi']) + len(canaries['tech'])}{word}QQ"
                fenced = draw(st.booleans()) and audience != "loose"
                inner = (
                    f"```\n{marker}\n```"
                    if fenced
                    else f"<span title='{marker}'>{marker}</span>"
                    if draw(st.booleans())
                    else marker
                )
                if internal:
                    audience = "loose" if audience == "public" else audience
                if audience == "public":
                    continue
                canaries["semi" if audience == "semi-technical" else "tech"].append(marker)
                body.append(inner + "\n" if audience == "loose" else f"/// {audience}\n{inner}\n///\n")
        tag = f"ZZtag{n}{draw(_word)}QQ"
        canaries["tech"].append(tag)
        files[f"e{n}.md"] = (
            f"---\ntitle: Event {n}\nimpact: minor\ncomponents: {{api: degraded_performance}}\ntags: [{tag}]\n---\n\n"
            + "\n".join(body)
        )
    return files, canaries


@settings(max_examples=12, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=incidents())
def test_property_no_text_reaches_a_lower_tier(tmp_path_factory, case):
    files, canaries = case
    root = tmp_path_factory.mktemp("prop")
    config = write_repo(root, files)
    os.environ["STATUSMARK_NOW"] = "2026-11-23T12:00:00Z"
    assert main(["build", "-f", str(config), "--audience", "all"]) == 0
    assert leaks(root / "site", canaries["semi"] + canaries["tech"]) == []
    assert leaks(root / "site-semi-technical", canaries["tech"]) == []


def test_each_block_renders_on_its_own():
    # Joined first, the semi-technical list and the technical list would merge into one
    # loose list (items wrapped in <p>) for technical readers only.
    from statusmark.render.markdown import render_update

    text = (
        "---\ntitle: T\n---\n\n## 2026-11-20T10:00:00Z investigating\n\n/// public\nWe are on it.\n///\n\n"
        "/// semi-technical\nFor customers:\n\n- retry\n- nothing lost\n///\n\n- pool 440/500\n- queue 888\n"
    )
    event, problems = parse_event(text, "t", "t.md", set())
    assert problems == [] and event is not None
    tech = view_event(event, TECHNICAL).updates[0]
    assert render_update(tech) == (
        "<p>We are on it.</p>\n<p>For customers:</p>\n<ul>\n<li>retry</li>\n<li>nothing lost</li>\n</ul>\n"
        "<ul>\n<li>pool 440/500</li>\n<li>queue 888</li>\n</ul>"
    )
    assert render_update(view_event(event, PUBLIC).updates[0]) == "<p>We are on it.</p>"
