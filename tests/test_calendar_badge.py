"""/maintenance.ics read back with icalendar; badges as SVG and shields.io endpoint JSON."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
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


def _reference_calendar(site) -> bytes:
    """The calendar as the icalendar library writes it (how Statusmark wrote it before)."""
    from urllib.parse import urlparse

    from icalendar import Event as CalendarEvent
    from statusmark.render.calendar import sequence
    from statusmark.status import UPDATE_LABELS

    host = urlparse(site.url).hostname or "statusmark"
    calendar = Calendar()
    calendar.add("prodid", "-//Statusmark//Maintenance calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"{site.name} maintenance")
    for event in sorted((e for e in site.events if e.is_maintenance), key=lambda e: (e.scheduled_start, e.id)):
        names = {c.id: c.name for c in site.components}
        affected = ", ".join(names.get(cid, cid) for cid in event.component_ids)
        item = CalendarEvent()
        item.add("uid", f"{event.id}@{host}")
        item.add("dtstamp", event.updated_at)
        item.add("dtstart", event.scheduled_start)
        item.add("dtend", event.scheduled_end)
        item.add("sequence", sequence(event))
        item.add("summary", event.title)
        item.add(
            "description", f"{UPDATE_LABELS[event.status]}. Affects: {affected}.\n\n{event.updates[-1].text}".strip()
        )
        item.add("url", f"{site.url}incidents/{event.id}/")
        item.add("status", "CONFIRMED")
        calendar.add_component(item)
    return calendar.to_ical()


_awkward = (
    st.lists(st.sampled_from(list("ab ,;\\:\n^\"'é日😀") + ["\r\n", "x" * 40]), min_size=1, max_size=30)
    .map("".join)
    .filter(lambda t: t.strip())
)


@settings(max_examples=150)
@given(title=_awkward, body=_awkward)
def test_calendar_reads_back_like_the_one_icalendar_writes(title: str, body: str):
    from statusmark.model import Component, Event, Segment, Site, Update
    from statusmark.render.calendar import maintenance_calendar

    at = datetime(2026, 11, 20, 10, tzinfo=UTC)
    updates = (
        Update(at, "scheduled", (Segment(0, "Planned."),)),
        Update(at.replace(hour=11), "in_progress", (Segment(0, body),)),
    )
    event = Event("m1", "m1.md", title, "maintenance", "maintenance", (("api", "under_maintenance"),), updates,
                  scheduled_start=at.replace(hour=12), scheduled_end=at.replace(hour=13))  # fmt: skip
    site = Site("Example", "https://s.example/", (Component("api", "API, v2; \\ new"),), (event,))
    ours = maintenance_calendar(site).encode("utf-8")
    assert all(len(line) <= 75 for line in ours.split(b"\r\n")) and ours.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in ours.replace(b"\r\n", b"")
    mine, theirs = Calendar.from_ical(ours), Calendar.from_ical(_reference_calendar(site))
    assert mine.to_ical() == theirs.to_ical()  # the same properties and values, however folded
    (vevent,) = mine.walk("VEVENT")
    assert str(vevent["summary"]) == title.replace("\r\n", "\n")


def test_calendar_name_is_escaped_text():
    from statusmark.model import Site
    from statusmark.render.calendar import maintenance_calendar

    ics = maintenance_calendar(Site("Acme, Inc; EU", "https://s.example/", (), ()))
    assert "\r\nX-WR-CALNAME:Acme\\, Inc\\; EU maintenance\r\n" in ics


@settings(max_examples=300)
@given(line=st.text(alphabet=st.sampled_from(list('ab ,;:\\^"x')), max_size=400), limit=st.integers(3, 80))
def test_ascii_lines_fold_as_character_by_character_folding_does(line: str, limit: int):
    """Lines of ASCII are cut by position: the pieces are those of the general folding."""
    from statusmark.render.calendar import fold, fold_by_octets

    assert fold(line, limit) == fold_by_octets(line, limit)
