"""Status derivation, pure: events + a clock -> component statuses, indicator, uptime.

Uptime formula (documented in the README): for each component and UTC day, downtime is
the time covered by the component's incidents weighted by the status the event gave it
(major_outage 100 %, partial_outage 30 %, degraded_performance and under_maintenance
0 %, as Atlassian Statuspage counts it); where events overlap, the heaviest weight at
each moment counts once. An incident lasts from its first update until it was resolved
(or until now while open). Day uptime = 1 - downtime / time elapsed in that day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from .model import COMPONENT_STATUSES, IMPACTS, Event, Site

WEIGHTS = {"major_outage": 1.0, "partial_outage": 0.3}
STATUS_LABELS = {
    "operational": "Operational",
    "degraded_performance": "Degraded performance",
    "partial_outage": "Partial outage",
    "major_outage": "Major outage",
    "under_maintenance": "Under maintenance",
}
UPDATE_LABELS = {
    "investigating": "Investigating",
    "identified": "Identified",
    "monitoring": "Monitoring",
    "resolved": "Resolved",
    "postmortem": "Postmortem",
    "scheduled": "Scheduled",
    "in_progress": "In progress",
    "verifying": "Verifying",
    "completed": "Completed",
}
IMPACT_LABELS = {
    "none": "No impact",
    "minor": "Minor",
    "major": "Major",
    "critical": "Critical",
    "maintenance": "Maintenance",
}
INDICATOR_DESCRIPTIONS = {
    "none": "All Systems Operational",
    "minor": "Minor Service Outage",
    "major": "Partial System Outage",
    "critical": "Major Service Outage",
    "maintenance": "Service Under Maintenance",
}
_STATUS_INDICATOR = {"degraded_performance": "minor", "partial_outage": "major", "major_outage": "critical"}


def is_active(event: Event, now: datetime) -> bool:
    """An open incident, or a maintenance in progress (by its updates or its window)."""
    if event.closed or event.created_at > now:
        return False
    if not event.is_maintenance:
        return True
    if event.status in ("in_progress", "verifying"):
        return True
    assert event.scheduled_start and event.scheduled_end
    return event.scheduled_start <= now < event.scheduled_end


def is_upcoming(event: Event, now: datetime) -> bool:
    # The window first: a view's status may be worked out from its updates, and every
    # maintenance of the history is asked, nearly all of them long past.
    return (
        event.is_maintenance
        and event.scheduled_start is not None
        and event.scheduled_start > now
        and event.status == "scheduled"
    )


def worst(statuses: list[str]) -> str:
    return max(statuses, key=COMPONENT_STATUSES.index, default="operational")


# The last answer: (the events it was found in, held so their id is not reused; when; the active ones).
_last_active: tuple[tuple[Event, ...], datetime, tuple[Event, ...]] | None = None


def active_events(site: Site, now: datetime) -> tuple[Event, ...]:
    """The site's active events, in its order: found once per events and time, though the
    status page, the indicator and the API each ask (a pass over every event each time)."""
    global _last_active
    if _last_active is not None and _last_active[0] is site.events and _last_active[1] == now:
        return _last_active[2]
    active = tuple(e for e in site.events if is_active(e, now))
    _last_active = (site.events, now, active)
    return active


def component_statuses(site: Site, now: datetime) -> dict[str, str]:
    """Each component's current status: the worst among active events naming it."""
    found: dict[str, list[str]] = {comp.id: [] for comp in site.components}
    for event in active_events(site, now):
        for cid, status in event.components:
            found.setdefault(cid, []).append(status)
    return {cid: worst(statuses) for cid, statuses in found.items()}


def indicator(site: Site, statuses: dict[str, str], now: datetime) -> str:
    """Statuspage's page indicator: none, minor, major, critical or maintenance."""
    levels = ["none"]
    active = active_events(site, now)
    levels += [e.impact for e in active if not e.is_maintenance and e.impact in IMPACTS]
    levels += [_STATUS_INDICATOR[s] for s in statuses.values() if s in _STATUS_INDICATOR]
    level = max(levels, key=IMPACTS.index)
    if level == "none" and any(e.is_maintenance for e in active):
        return "maintenance"
    return level


@dataclass(frozen=True)
class Day:
    day: date
    uptime: float  # 0..1, or 1.0 for a day with no data yet
    worst: str  # worst component status seen that day
    events: tuple[str, ...]  # titles of events that touched the component that day

    @classmethod
    def clear(cls, day: date) -> Day:
        """A day nothing touched."""
        return cls(day, 1.0, "operational", ())

    @property
    def touched(self) -> bool:
        """Anything happened that day: it is not ``clear``."""
        return bool(self.events) or self.uptime != 1.0 or self.worst != "operational"


def _intervals(site: Site, component_id: str, now: datetime) -> list[tuple[datetime, datetime, str, str, float]]:
    """(start, end, status, title, weight) of every event that touched the component."""
    spans = []
    for event in site.events:
        status = dict(event.components).get(component_id)
        if status is None or event.started_at > now:
            continue
        if event.is_maintenance:
            # Planned work is not downtime (as Statuspage counts it), but the day shows it.
            fallback = now if is_active(event, now) else (event.scheduled_end or now)
            start, end, weight = event.started_at, event.resolved_at or fallback, 0.0
        else:
            start, end, weight = event.created_at, event.resolved_at or now, WEIGHTS.get(status, 0.0)
        spans.append((start, min(end, now), status, event.title, weight))
    return spans


def uptime_days(site: Site, component_id: str, now: datetime, days: int) -> list[Day]:
    """Per-day uptime of one component over the last ``days`` UTC days, oldest first."""
    grid = _day_grid(now, days)
    if not grid:
        return []
    first = grid[0][1]
    by_day: dict[int, list[tuple[datetime, datetime, str, str, float]]] = {}
    for span in _intervals(site, component_id, now):  # each span to the days it touches
        start, end = span[0], span[1]
        if end <= first:
            continue
        index = max(0, (start - first).days - 1)  # (a day of a zone with summer time is not 24 h)
        while index < len(grid) and grid[index][1] < end:
            if start < grid[index][2]:
                by_day.setdefault(index, []).append(span)
            index += 1
    result = []
    for index, (day, day_start, day_end, elapsed, clear) in enumerate(grid):
        spans = by_day.get(index)
        if not spans:
            result.append(clear)
            continue
        touching = [(max(s, day_start), min(e, day_end), st, t, w) for s, e, st, t, w in spans]
        down = _weighted_seconds([(s, e, w) for s, e, _, _, w in touching])
        uptime = 1.0 - down / elapsed if elapsed > 0 else 1.0
        statuses = [st for _, _, st, _, _ in touching]
        titles = tuple(dict.fromkeys(t for _, _, _, t, _ in touching))
        result.append(Day(day, max(0.0, uptime), worst(statuses), titles))
    return result


@lru_cache(maxsize=8)
def _day_grid(now: datetime, days: int) -> tuple[tuple[date, datetime, datetime, float, Day], ...]:
    """Each of the last ``days`` UTC days: its date, start, end (``now`` for today), seconds
    elapsed, and its Day when nothing touched it. The same for every component of a page
    (thirty components made 2,700 days' datetimes, a tenth of the status page's time)."""
    today = now.date()
    grid = []
    for back in range(days - 1, -1, -1):
        day = today - timedelta(days=back)
        day_start = datetime(day.year, day.month, day.day, tzinfo=now.tzinfo)
        day_end = min(day_start + timedelta(days=1), now)
        grid.append((day, day_start, day_end, (day_end - day_start).total_seconds(), Day.clear(day)))
    return tuple(grid)


def _weighted_seconds(spans: list[tuple[datetime, datetime, float]]) -> float:
    """Seconds covered, each moment counted once at the heaviest weight covering it."""
    points = sorted({p for s, e, _ in spans for p in (s, e)})
    total = 0.0
    for left, right in zip(points, points[1:]):
        weight = max((w for s, e, w in spans if s <= left and e >= right), default=0.0)
        total += weight * (right - left).total_seconds()
    return total


def uptime_percent(days: list[Day]) -> float:
    return 100.0 * sum(d.uptime for d in days) / len(days) if days else 100.0
