"""Whole-site builds with real MkDocs: pages, feeds and API at the SPEC paths, read back."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import feedparser
import html5lib
import pytest
from statusmark.cli import main

from .conftest import write_repo

OPEN_INCIDENT = """
---
title: Elevated error rates on the API
impact: major
components:
  api: partial_outage
  dashboard: degraded_performance
tags: [database]
next_update: 2026-11-23T12:30:00Z
---

## 2026-11-23T10:02:00Z investigating

/// public
Some requests to the API are failing. We are investigating.
///

/// semi-technical
A database behind the API is rejecting connections.
///

Connection pool on db-primary-2 exhausted after deploy 4f2a9c.

## 2026-11-23T11:40:00+01:00 identified

/// public
We found the cause and are rolling out a fix.
///
"""

RESOLVED = """
---
title: Slow file downloads
impact: minor
components: {cdn: degraded_performance}
---

## 2026-11-10T08:00:00Z investigating

/// public
Downloads are slower than usual.
///

## 2026-11-10T09:30:00Z resolved

/// public
Downloads are back to normal speed.
///
"""

UPCOMING = """
---
title: Database upgrade
kind: maintenance
components: {database: under_maintenance}
scheduled_start: 2026-11-27T02:00:00Z
scheduled_end: 2026-11-27T04:00:00Z
---

## 2026-11-20T10:00:00Z scheduled

/// public
We will upgrade the database. Expect brief interruptions.
///
"""


def history_events(n: int) -> dict[str, str]:
    return {
        f"old/old-{i:02d}.md": f"---\ntitle: Old incident {i}\nimpact: minor\ncomponents: {{api: degraded_performance}}\n---\n\n"
        f"## 2026-0{1 + i % 9}-{1 + i % 28:02d}T{8 + i // 28:02d}:00:00Z investigating\n\n/// public\nSlow {i}.\n///\n\n"
        f"## 2026-0{1 + i % 9}-{1 + i % 28:02d}T{9 + i // 28:02d}:00:00Z resolved\n\n/// public\nFixed {i}.\n///\n"
        for i in range(n)
    }


@pytest.fixture
def built(tmp_path: Path, fixed_now: str) -> Path:
    config = write_repo(
        tmp_path,
        {"api-errors.md": OPEN_INCIDENT, "cdn-slow.md": RESOLVED, "db-upgrade.md": UPCOMING, **history_events(52)},
    )
    assert main(["build", "-f", str(config)]) == 0
    return tmp_path / "site"


def parse(path: Path):
    return html5lib.parse(path.read_bytes(), namespaceHTMLElements=False)


def text_of(path: Path) -> str:
    return " ".join(parse(path).itertext())


def test_pages_exist_at_spec_paths(built: Path):
    for page in (
        "index.html",
        "incidents/api-errors/index.html",
        "incidents/db-upgrade/index.html",
        "history/index.html",
        "history/2/index.html",
        "components/api/index.html",
        "components/cdn/index.html",
        "about/index.html",
    ):
        assert (built / page).is_file(), page
    assert not (built / "history/3/index.html").exists()  # 55 events, 50 per page


def test_status_page_states_status_in_words(built: Path):
    doc = parse(built / "index.html")
    banner = doc.find(".//section[@class='sm-banner sm-banner--major']")
    assert banner is not None and "Partial System Outage" in "".join(banner.itertext())
    text = text_of(built / "index.html")
    for expected in (
        "Active incidents",
        "Elevated error rates on the API",
        "We found the cause",
        "Upcoming maintenance",
        "Database upgrade",
        "Partial outage",
        "Degraded performance",
        "Operational",
        "Slow file downloads",
    ):
        assert expected in text, expected
    groups = [h.text for h in doc.iter("h3") if h.get("class") == "sm-group__name"]
    assert groups == ["Product", "Infrastructure"]
    bars = doc.findall(".//div[@class='sm-bars']")
    assert len(bars) == 4 and all(len(b.findall("span")) == 90 for b in bars)


def test_times_are_utc_in_html(built: Path):
    doc = parse(built / "incidents/api-errors/index.html")
    times = {t.get("datetime"): t.text for t in doc.iter("time")}
    # the +01:00 heading is stored and emitted in UTC
    assert times["2026-11-23T10:40:00Z"] == "23 Nov 2026, 10:40 UTC"
    assert times["2026-11-23T10:02:00Z"] == "23 Nov 2026, 10:02 UTC"


def test_event_page_shows_public_timeline_newest_first(built: Path):
    text = text_of(built / "incidents/api-errors/index.html")
    assert text.index("We found the cause") < text.index("Some requests to the API")
    assert "Public API" in text and "Partial outage" in text
    assert "Next update expected by" in text


def test_component_page_lists_its_events_only(built: Path):
    text = text_of(built / "components/cdn/index.html")
    assert "Slow file downloads" in text and "Elevated error rates" not in text
    assert "uptime" in text


def test_history_pages_newest_first_and_linked(built: Path):
    doc = parse(built / "history/index.html")
    titles = [a.text for a in doc.iter("a") if a.get("class") == "sm-event__title"]
    assert len(titles) == 50 and titles[0] == "Database upgrade"
    assert any(a.get("rel") == "next" and a.get("href") == "2/" for a in doc.iter("a"))
    second = [a.text for a in parse(built / "history/2/index.html").iter("a") if a.get("class") == "sm-event__title"]
    assert len(second) == 5 and not set(second) & set(titles)


def test_feeds_and_api_read_back(built: Path):
    feed = feedparser.parse((built / "history.rss").read_bytes())
    assert feed.bozo == 0 and feed.entries[0].link.startswith("https://status.test.example/incidents/")
    atom = feedparser.parse((built / "history.atom").read_bytes())
    assert atom.bozo == 0 and len(atom.entries) == 50  # the newest 50 of 55
    assert (
        feedparser.parse((built / "components/cdn/history.atom").read_bytes()).entries[0].title == "Slow file downloads"
    )
    summary = json.loads((built / "api/v2/summary.json").read_text())
    assert summary["status"] == {"indicator": "major", "description": "Partial System Outage"}
    assert [i["name"] for i in summary["incidents"]] == ["Elevated error rates on the API"]
    for name in (
        "status",
        "components",
        "incidents",
        "incidents/unresolved",
        "scheduled-maintenances",
        "scheduled-maintenances/upcoming",
        "scheduled-maintenances/active",
    ):
        json.loads((built / f"api/v2/{name}.json").read_text())


def test_sitemap_lists_every_page_once_and_its_gzip_matches(built: Path):
    text = (built / "sitemap.xml").read_text()
    locations = re.findall(r"<loc>([^<]*)</loc>", text)
    base = "https://status.test.example/"
    for page in (
        "",
        "incidents/api-errors/",
        "incidents/old-00/",
        "history/",
        "history/2/",
        "components/cdn/",
        "about/",
    ):
        assert locations.count(base + page) == 1, page
    assert len(locations) == len(set(locations)) == text.count("<lastmod>")
    assert all((built / loc.removeprefix(base) / "index.html").is_file() for loc in locations)
    assert text.rstrip().endswith("</urlset>")
    assert gzip.decompress((built / "sitemap.xml.gz").read_bytes()).decode() == text


def test_a_site_file_where_statusmark_writes_a_page_is_refused(tmp_path: Path, fixed_now: str, capsys, caplog):
    config = write_repo(tmp_path, {"api-errors.md": OPEN_INCIDENT, "cdn-slow.md": RESOLVED})
    (tmp_path / "site_src" / "incidents").mkdir()
    (tmp_path / "site_src" / "incidents" / "cdn-slow.md").write_text("# My own page\n")
    assert main(["build", "-f", str(config), "--audience", "all"]) == 2
    # MkDocs logs the reason (as the console shows it), then aborts the build.
    assert (
        f"{tmp_path}/site_src/incidents/cdn-slow.md:1: generated page: Statusmark writes this page; rename or remove your file"
        in caplog.text
    )
    assert "error: Aborted" in capsys.readouterr().err
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith("site") and p.name != "site_src"]


def test_an_event_page_named_in_the_nav_is_built_by_mkdocs_as_the_event_page(tmp_path: Path, fixed_now: str):
    """Most event pages are written directly; one the nav names is MkDocs' page, with the same body."""
    from .conftest import BASE_CONFIG

    nav = "nav:\n  - Status: index.md\n  - History: history/index.md\n  - The API outage: incidents/api-errors.md\n"
    config = write_repo(tmp_path, {"api-errors.md": OPEN_INCIDENT, "cdn-slow.md": RESOLVED}, BASE_CONFIG + nav)
    assert main(["build", "-f", str(config)]) == 0
    page = (tmp_path / "site/incidents/api-errors/index.html").read_text()
    assert "Elevated error rates on the API" in text_of(tmp_path / "site/incidents/api-errors/index.html")
    assert re.search(r'<a [^>]*class="md-nav__link md-nav__link--active"[^>]*>', page)  # MkDocs' page, in the nav
    assert "Slow file downloads" in text_of(tmp_path / "site/incidents/cdn-slow/index.html")
    locations = re.findall(r"<loc>([^<]*)</loc>", (tmp_path / "site/sitemap.xml").read_text())
    for page_url in ("incidents/api-errors/", "incidents/cdn-slow/"):
        assert locations.count("https://status.test.example/" + page_url) == 1


def tree_digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_two_builds_of_the_same_files_are_byte_identical(built: Path, tmp_path: Path):
    first = tree_digest(built)
    assert main(["build", "-f", str(tmp_path / "mkdocs.yml")]) == 0
    assert tree_digest(built) == first


def test_a_broken_file_leaves_the_previous_site_untouched(built: Path, tmp_path: Path, capsys):
    before = tree_digest(built)
    (tmp_path / "incidents" / "broken.md").write_text(
        "---\ntitle: x\nimpact: severe\n---\n\n## 2026-11-23T10:00:00Z investigating\n\n/// public\nx\n///\n"
    )
    assert main(["build", "-f", str(tmp_path / "mkdocs.yml"), "--audience", "all"]) == 1
    assert (
        "incidents/broken.md:3: impact: expected one of none, minor, major, critical; got 'severe'"
        in capsys.readouterr().err
    )
    assert tree_digest(built) == before
    leftovers = [p for p in tmp_path.glob("*.statusmark-*") if p.name != ".statusmark-cache"]  # the build cache stays
    assert not (tmp_path / "site-technical").exists() and not leftovers


def test_plain_mkdocs_build_uses_the_plugin(tmp_path: Path, fixed_now: str):
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    config = write_repo(tmp_path, {"cdn-slow.md": RESOLVED})
    build(load_config(str(config)))
    assert "Slow file downloads" in text_of(tmp_path / "site/incidents/cdn-slow/index.html")


def test_a_statusmark_build_leaves_no_state_for_the_next_mkdocs_build(tmp_path: Path, fixed_now: str):
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    first = write_repo(tmp_path / "a", {"cdn-slow.md": RESOLVED})
    assert main(["build", "-f", str(first), "--audience", "all"]) == 0
    second = write_repo(tmp_path / "b", {"api-errors.md": OPEN_INCIDENT})
    build(load_config(str(second)))
    assert "Elevated error rates" in text_of(tmp_path / "b/site/index.html")


def test_a_command_runs_with_the_collector_seldom_and_restores_it(tmp_path: Path, fixed_now: str, monkeypatch):
    """The build's objects are long-lived and acyclic: the cycle collector runs seldom during
    a command (its thresholds raised), is off while a build or check works (and in the
    processes they fork), and is as it was afterwards."""
    import gc

    from statusmark import builder, cli

    config_path = write_repo(tmp_path, {"api.md": OPEN_INCIDENT})
    seen = []
    original = builder.build

    def build(*args, **kwargs):
        seen.append((gc.isenabled(), gc.get_threshold()))
        return original(*args, **kwargs)

    monkeypatch.setattr(builder, "build", build)
    original_check = builder.check_with_options

    def check(*args, **kwargs):
        seen.append((gc.isenabled(), gc.get_threshold()))
        return original_check(*args, **kwargs)

    monkeypatch.setattr(builder, "check_with_options", check)
    gc.set_threshold(700, 10, 10)
    try:
        assert main(["build", "-f", str(config_path)]) == 0
        assert main(["check", "-f", str(config_path)]) == 0
        assert seen == [(False, cli.GC_THRESHOLD)] * 2
        assert gc.isenabled() and gc.get_threshold() == (700, 10, 10)
        (tmp_path / "incidents" / "bad.md").write_text("---\ntitle: Bad\nimpact: huge\n---\n")
        assert main(["build", "-f", str(config_path)]) == 1
        assert gc.isenabled(), "a failed build gives the collector back too"
    finally:
        gc.enable()
        gc.set_threshold(700, 10, 10)


def _console(*args: str) -> subprocess.CompletedProcess[str]:
    """The ``statusmark`` console script (``cli.run``), in a process of its own."""
    code = "from statusmark.cli import run; run()"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # output buffered, as usual
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=300, env=env)


def test_the_console_script_ends_its_process_with_everything_told(tmp_path: Path, fixed_now: str):
    """``build`` and ``check`` end the process without the interpreter's teardown: the
    exit code, what was printed and what was logged still all arrive."""
    config_path = write_repo(tmp_path, {"api.md": OPEN_INCIDENT, "cdn.md": RESOLVED})
    done = _console("build", "-f", str(config_path), "--audience", "all")
    assert done.returncode == 0, done.stderr
    assert [line.split(":")[0] for line in done.stdout.splitlines()] == ["public", "semi-technical", "technical"]
    assert (tmp_path / "site-technical" / "index.html").is_file()
    checked = _console("check", "-f", str(config_path))
    assert checked.returncode == 0 and checked.stdout.startswith("ok: ")
    (tmp_path / "incidents" / "bad.md").write_text("---\ntitle: Bad\nimpact: huge\n---\n")
    failed = _console("check", "-f", str(config_path))
    assert failed.returncode == 1 and "bad.md:3: impact:" in failed.stderr
    failed = _console("build", "-f", str(config_path))
    assert failed.returncode == 1 and "nothing was written" in failed.stderr


def test_the_console_script_keeps_the_collector_seldom_to_its_end(tmp_path: Path, fixed_now: str):
    """Put back when ``main`` returns, the usual thresholds (or the collector, turned on
    again) set off a collection of every object the build made just before the process
    ended: the script keeps them raised, and the collector off."""
    config_path = write_repo(tmp_path, {"api.md": OPEN_INCIDENT})
    code = (
        "import gc, sys; from statusmark import cli, lifetime\n"
        "def end(code): print('thresholds', gc.get_threshold(), 'enabled', gc.isenabled()); sys.exit(code)\n"
        "lifetime.end = end\n"
        "cli.run()"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, "build", "-f", str(config_path)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    from statusmark.cli import GC_THRESHOLD

    assert f"thresholds {GC_THRESHOLD} enabled False" in done.stdout


def test_in_process_callers_end_the_ordinary_way(monkeypatch):
    from statusmark import lifetime

    monkeypatch.setattr(lifetime, "_fast", True)  # a command allowed it, but run() did not enable it
    with pytest.raises(SystemExit) as ended:
        lifetime.end(3)
    assert ended.value.code == 3
    lifetime.keep(object())
    assert lifetime._kept == []
