"""Feeds read back with feedparser: valid, absolute, stable, public timeline only."""

from __future__ import annotations

import time
from pathlib import Path

import feedparser
import pytest
from statusmark.cli import main

from .conftest import write_repo
from .test_build import OPEN_INCIDENT, RESOLVED, UPCOMING


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("feeds")
    config = write_repo(root, {"api-errors.md": OPEN_INCIDENT, "cdn-slow.md": RESOLVED, "db-upgrade.md": UPCOMING})
    mp = pytest.MonkeyPatch()
    mp.setenv("STATUSMARK_NOW", "2026-11-23T12:00:00Z")
    assert main(["build", "-f", str(config)]) == 0
    mp.undo()
    return root / "site"


@pytest.mark.parametrize("name", ["history.rss", "history.atom"])
def test_history_feed(site: Path, name: str):
    feed = feedparser.parse((site / name).read_bytes())
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == ("rss20" if name.endswith("rss") else "atom10")
    entries = {e.link: e for e in feed.entries}
    assert set(entries) == {
        f"https://status.test.example/incidents/{i}/" for i in ("api-errors", "cdn-slow", "db-upgrade")
    }
    api = entries["https://status.test.example/incidents/api-errors/"]
    assert api.id == api.link  # stable id: the event's permanent address
    assert time.strftime("%Y-%m-%dT%H:%M", api.updated_parsed if name.endswith("atom") else api.published_parsed) in (
        "2026-11-23T10:40",
        "2026-11-23T10:02",
    )
    content = api.content[0].value
    assert "We found the cause" in content and "Some requests to the API" in content
    assert "db-primary" not in content and "database behind" not in content
    assert feed.entries[0].title == "Elevated error rates on the API"  # newest update first
    assert "Next update expected by" in content and "12:30" in content  # next_update of the open incident
    cdn = entries["https://status.test.example/incidents/cdn-slow/"].content[0].value
    assert "Next update expected" not in cdn  # a closed event promises nothing


def test_atom_updated_is_the_latest_update(site: Path):
    feed = feedparser.parse((site / "history.atom").read_bytes())
    api = next(e for e in feed.entries if e.link.endswith("/api-errors/"))
    assert time.strftime("%Y-%m-%dT%H:%M:%SZ", api.updated_parsed) == "2026-11-23T10:40:00Z"
    assert time.strftime("%Y-%m-%dT%H:%M:%SZ", api.published_parsed) == "2026-11-23T10:02:00Z"
    assert time.strftime("%Y-%m-%dT%H:%M:%SZ", feed.feed.updated_parsed) == "2026-11-23T10:40:00Z"
    assert any(
        link.rel == "self" and link.href == "https://status.test.example/history.atom" for link in feed.feed.links
    )


@pytest.mark.parametrize(
    ("component", "expected"),
    [
        ("cdn", ["Slow file downloads"]),
        ("api", ["Elevated error rates on the API"]),
        ("database", ["Database upgrade"]),
        ("dashboard", ["Elevated error rates on the API"]),
    ],
)
def test_component_feeds_hold_only_their_events(site: Path, component: str, expected: list[str]):
    for kind in ("rss", "atom"):
        feed = feedparser.parse((site / f"components/{component}/history.{kind}").read_bytes())
        assert feed.bozo == 0 and [e.title for e in feed.entries] == expected
