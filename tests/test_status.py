"""Status derivation: component status, page indicator and the uptime formula."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statusmark.loader import parse_event
from statusmark.model import Component, Site
from statusmark.status import (
    Day,
    _intervals,
    _weighted_seconds,
    active_events,
    component_statuses,
    indicator,
    is_active,
    is_upcoming,
    uptime_days,
    uptime_percent,
    worst,
)

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
COMPONENTS = tuple(Component(cid, cid.title()) for cid in ("api", "dashboard", "database"))


def event(
    eid: str,
    *updates: tuple[str, str],
    impact: str = "major",
    components: str = "api: partial_outage",
    kind: str = "incident",
    window: tuple[str, str] | None = None,
):
    front = f"---\ntitle: {eid}\nkind: {kind}\nimpact: {impact}\ncomponents: {{{components}}}\n"
    if window:
        front += f"scheduled_start: {window[0]}\nscheduled_end: {window[1]}\n"
    body = "".join(f"\n## {at} {status}\n\n/// public\nText {status}.\n///\n" for at, status in updates)
    parsed, problems = parse_event(front + "---\n" + body, eid, f"{eid}.md", {c.id for c in COMPONENTS})
    assert not problems, problems
    return parsed


def site(*events) -> Site:
    return Site("Test", "https://s.example/", COMPONENTS, tuple(events))


@pytest.mark.parametrize(
    ("events", "expected_api", "expected_indicator"),
    [
        ((), "operational", "none"),
        ((event("a", ("2026-11-23T10:00:00Z", "investigating")),), "partial_outage", "major"),
        (
            (event("a", ("2026-11-23T10:00:00Z", "investigating"), ("2026-11-23T11:00:00Z", "resolved")),),
            "operational",
            "none",
        ),
        (
            (
                event(
                    "a", ("2026-11-23T10:00:00Z", "monitoring"), impact="minor", components="api: degraded_performance"
                ),
            ),
            "degraded_performance",
            "minor",
        ),
        (
            (
                event(
                    "a", ("2026-11-23T10:00:00Z", "identified"), impact="minor", components="api: degraded_performance"
                ),
                event("b", ("2026-11-23T11:00:00Z", "investigating"), impact="minor", components="api: major_outage"),
            ),
            "major_outage",
            "critical",
        ),
        (
            (
                event(
                    "a",
                    ("2026-11-23T10:00:00Z", "investigating"),
                    impact="critical",
                    components="dashboard: degraded_performance",
                ),
            ),
            "operational",
            "critical",
        ),
        (
            (
                event(
                    "m",
                    ("2026-11-23T10:00:00Z", "in_progress"),
                    kind="maintenance",
                    impact="none",
                    components="api: under_maintenance",
                    window=("2026-11-23T10:00:00Z", "2026-11-23T14:00:00Z"),
                ),
            ),
            "under_maintenance",
            "maintenance",
        ),
        (
            (
                event(
                    "m",
                    ("2026-11-20T10:00:00Z", "scheduled"),
                    kind="maintenance",
                    impact="none",
                    components="api: under_maintenance",
                    window=("2026-11-23T11:00:00Z", "2026-11-23T13:00:00Z"),
                ),
            ),
            "under_maintenance",
            "maintenance",
        ),
        (
            (
                event(
                    "m",
                    ("2026-11-20T10:00:00Z", "scheduled"),
                    kind="maintenance",
                    impact="none",
                    components="api: under_maintenance",
                    window=("2026-11-25T11:00:00Z", "2026-11-25T13:00:00Z"),
                ),
            ),
            "operational",
            "none",
        ),
        (
            (
                event(
                    "m",
                    ("2026-11-23T10:00:00Z", "completed"),
                    kind="maintenance",
                    impact="none",
                    components="api: under_maintenance",
                    window=("2026-11-23T09:00:00Z", "2026-11-23T13:00:00Z"),
                ),
            ),
            "operational",
            "none",
        ),
    ],
)
def test_component_status_and_indicator(events, expected_api, expected_indicator):
    s = site(*events)
    statuses = component_statuses(s, NOW)
    assert statuses["api"] == expected_api
    assert indicator(s, statuses, NOW) == expected_indicator


def test_upcoming_and_active_maintenance():
    window = ("2026-11-25T02:00:00Z", "2026-11-25T04:00:00Z")
    m = event(
        "m",
        ("2026-11-20T10:00:00Z", "scheduled"),
        kind="maintenance",
        impact="none",
        components="api: under_maintenance",
        window=window,
    )
    assert is_upcoming(m, NOW) and not is_active(m, NOW)
    later = NOW + timedelta(days=1, hours=15)
    assert is_active(m, later) and not is_upcoming(m, later)


def test_event_status_is_latest_update_whatever_the_file_order():
    e = event("a", ("2026-11-23T11:00:00Z", "resolved"), ("2026-11-23T10:00:00Z", "investigating"))
    assert e.status == "resolved"
    assert e.resolved_at == datetime(2026, 11, 23, 11, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("status", "hours", "expected_uptime"),
    [
        ("major_outage", 6, 1 - 6 / 24),
        ("partial_outage", 10, 1 - 0.3 * 10 / 24),
        ("degraded_performance", 10, 1.0),
    ],
)
def test_uptime_weights(status, hours, expected_uptime):
    start = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
    e = event(
        "a",
        (start.isoformat(), "investigating"),
        ((start + timedelta(hours=hours)).isoformat(), "resolved"),
        components=f"api: {status}",
    )
    days = uptime_days(site(e), "api", NOW, 90)
    assert len(days) == 90 and days[-1].day == NOW.date()
    day = next(d for d in days if d.day == start.date())
    assert day.uptime == pytest.approx(expected_uptime)
    assert day.worst == status and day.events == ("a",)
    assert all(d.uptime == 1.0 for d in days if d.day != start.date())


def test_overlapping_incidents_count_once_at_the_heaviest_weight():
    a = event(
        "a",
        ("2026-11-20T00:00:00Z", "investigating"),
        ("2026-11-20T12:00:00Z", "resolved"),
        components="api: partial_outage",
    )
    b = event(
        "b",
        ("2026-11-20T06:00:00Z", "investigating"),
        ("2026-11-20T09:00:00Z", "resolved"),
        components="api: major_outage",
    )
    day = next(d for d in uptime_days(site(a, b), "api", NOW, 10) if d.day.isoformat() == "2026-11-20")
    down_hours = 3 * 1.0 + 9 * 0.3
    assert day.uptime == pytest.approx(1 - down_hours / 24)
    assert day.worst == "major_outage"


def test_incident_spanning_midnight_splits_across_days_and_open_one_runs_to_now():
    e = event("a", ("2026-11-22T18:00:00Z", "investigating"), components="api: major_outage")
    days = {d.day.isoformat(): d for d in uptime_days(site(e), "api", NOW, 3)}
    assert days["2026-11-22"].uptime == pytest.approx(1 - 6 / 24)
    assert days["2026-11-23"].uptime == pytest.approx(0.0)  # down all of today so far
    assert uptime_percent(list(days.values())) == pytest.approx(100 * (1 + 0.75 + 0) / 3)


def test_maintenance_is_not_downtime():
    m = event(
        "m",
        ("2026-11-20T02:00:00Z", "in_progress"),
        ("2026-11-20T04:00:00Z", "completed"),
        kind="maintenance",
        impact="none",
        components="api: major_outage",
        window=("2026-11-20T02:00:00Z", "2026-11-20T04:00:00Z"),
    )
    day = next(d for d in uptime_days(site(m), "api", NOW, 10) if d.day.isoformat() == "2026-11-20")
    assert day.uptime == 1.0 and day.events == ("m",)


def test_active_events_are_found_once_per_events_and_time_and_never_mixed_up():
    """``active_events`` remembers its last answer: another site, or another time, is asked anew."""
    open_ = event("open", ("2026-11-23T10:00:00Z", "investigating"))
    done = event("done", ("2026-11-23T09:00:00Z", "investigating"), ("2026-11-23T09:30:00Z", "resolved"))
    later = event("later", ("2026-11-24T09:00:00Z", "investigating"))
    first, second = site(open_, done, later), site(done)
    for s, now in [(first, NOW), (second, NOW), (first, NOW), (first, NOW + timedelta(days=1)), (first, NOW)]:
        expected = tuple(e for e in s.events if is_active(e, now))
        assert active_events(s, now) == expected
    assert active_events(first, NOW) == (open_,)
    assert active_events(first, NOW + timedelta(days=1)) == (open_, later)
    assert active_events(second, NOW) == ()
    # A site with equal events in a new tuple, and the view of a site: never the old answer.
    assert active_events(site(open_), NOW) == (open_,) and active_events(site(), NOW) == ()


def _uptime_days_day_by_day(site_: Site, component_id: str, now: datetime, days: int) -> list[Day]:
    """The formula as written: every day against every span (what ``uptime_days`` does faster)."""
    spans = _intervals(site_, component_id, now)
    result = []
    for back in range(days - 1, -1, -1):
        day = now.date() - timedelta(days=back)
        day_start = datetime(day.year, day.month, day.day, tzinfo=now.tzinfo)
        day_end = min(day_start + timedelta(days=1), now)
        touching = [
            (max(s, day_start), min(e, day_end), st, t, w) for s, e, st, t, w in spans if s < day_end and e > day_start
        ]
        elapsed = (day_end - day_start).total_seconds()
        down = _weighted_seconds([(s, e, w) for s, e, _, _, w in touching])
        uptime = 1.0 - down / elapsed if elapsed > 0 else 1.0
        titles = tuple(dict.fromkeys(t for _, _, _, t, _ in touching))
        result.append(Day(day, max(0.0, uptime), worst([st for _, _, st, _, _ in touching]), titles))
    return result


def _z(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


_STATUSES = ("degraded_performance", "partial_outage", "major_outage")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(-200 * 24, 2 * 24), st.integers(0, 30 * 24), st.sampled_from(_STATUSES), st.booleans()),
        max_size=8,
    ),
    st.integers(1, 120),
    st.integers(0, 23 * 60),
)
def test_uptime_days_matches_the_formula_day_by_day(spans, days, minute_of_now):
    """Spans before the window, across it, open, across midnight and ``now``: each day as
    the formula gives it, whichever days a span is found in."""
    now = datetime(2026, 11, 23, tzinfo=UTC) + timedelta(minutes=minute_of_now)
    events = []
    for number, (start_hour, hours, status, resolved) in enumerate(spans):
        start = now + timedelta(hours=start_hour)
        updates = [(_z(start), "investigating")]
        if resolved:
            updates.append((_z(start + timedelta(hours=hours, minutes=1)), "resolved"))
        events.append(event(f"e{number}", *updates, components=f"api: {status}"))
    expected = _uptime_days_day_by_day(site(*events), "api", now, days)
    assert uptime_days(site(*events), "api", now, days) == expected


def test_a_day_is_touched_by_anything_a_bar_shows():
    clear = Day.clear(NOW.date())
    assert not clear.touched and clear == Day(NOW.date(), 1.0, worst([]), ())
    for touched in (
        Day(NOW.date(), 0.99, "operational", ()),
        Day(NOW.date(), 1.0, "under_maintenance", ()),
        Day(NOW.date(), 1.0, "operational", ("a maintenance",)),
    ):
        assert touched.touched
