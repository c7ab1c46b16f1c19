"""/maintenance.ics read back with icalendar; badges as SVG and shields.io endpoint JSON."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import pytest
from icalendar import Calendar
from statusmark.cli import main

from .conftest import write_repo
from .test_build import OPEN_INCIDENT, RESOLVED, UPCOMING


@pytest.fixture
def site(tmp_path: Path, fixed_now: str) -> Path:
    config = write_repo(tmp_path, {"api-errors.md": OPEN_INCIDENT, "cdn-slow.md": RESOLVED, "db-upgrade.md": UPCOMING})
    assert main(["build", "-f", str(config)]) == 0
    return tmp_path


def events_of(root: Path):
    calendar = Calendar.from_ical((root / "site" / "maintenance.ics").read_bytes())
    return [c for c in calendar.walk("VEVENT")]


def test_calendar_holds_each_maintenance(site: Path):
    (event,) = events_of(site)
    assert str(event["uid"]) == "db-upgrade@status.test.example"
    assert event.decoded("dtstart") == datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
    assert event.decoded("dtend") == datetime(2026, 11, 27, 4, 0, tzinfo=UTC)
    assert str(event["summary"]) == "Database upgrade"
    assert str(event["url"]) == "https://status.test.example/incidents/db-upgrade/"
    assert "We will upgrade the database" in str(event["description"])


def test_calendar_sequence_grows_with_a_reschedule_and_rebuilds_are_identical(site: Path):
    before = (site / "site" / "maintenance.ics").read_bytes()
    assert main(["build", "-f", str(site / "mkdocs.yml")]) == 0
    assert (site / "site" / "maintenance.ics").read_bytes() == before
    first = int(events_of(site)[0]["sequence"])
    path = site / "incidents" / "db-upgrade.md"
    text = (
        path.read_text()
        .replace("2026-11-27T02:00:00Z", "2026-11-28T02:00:00Z")
        .replace("2026-11-27T04:00:00Z", "2026-11-28T04:00:00Z")
    )
    path.write_text(text + "\n## 2026-11-21T09:00:00Z scheduled\n\n/// public\nMoved one day later.\n///\n")
    assert main(["build", "-f", str(site / "mkdocs.yml")]) == 0
    (event,) = events_of(site)
    assert int(event["sequence"]) > first and str(event["uid"]) == "db-upgrade@status.test.example"
    assert event.decoded("dtstart") == datetime(2026, 11, 28, 2, 0, tzinfo=UTC)


def test_status_badge_and_endpoint(site: Path):
    svg = ET.fromstring((site / "site" / "badge.svg").read_text())
    assert svg.get("aria-label") == "status: partial system outage"
    assert [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")] == ["status", "partial system outage"]
    endpoint = json.loads((site / "site" / "api" / "badge.json").read_text())
    assert endpoint == {"schemaVersion": 1, "label": "status", "message": "partial system outage", "color": "bc4c00"}


@pytest.mark.parametrize(
    ("component", "message"), [("api", "partial outage"), ("cdn", "operational"), ("database", "operational")]
)
def test_component_badges(site: Path, component: str, message: str):
    endpoint = json.loads((site / "site" / "api" / "components" / component / "badge.json").read_text())
    assert endpoint["message"] == message and endpoint["schemaVersion"] == 1
    svg = ET.fromstring((site / "site" / "components" / component / "badge.svg").read_text())
    assert message in svg.get("aria-label")
