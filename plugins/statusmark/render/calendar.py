"""/maintenance.ics: every scheduled maintenance as an RFC 5545 event (icalendar)."""

from __future__ import annotations

from urllib.parse import urlparse

from icalendar import Calendar
from icalendar import Event as CalendarEvent

from ..model import Event, Site
from ..status import UPDATE_LABELS


def sequence(event: Event) -> int:
    """A SEQUENCE that grows with every update (a reschedule comes with one) and is the
    same on every rebuild of the same file: minutes from the first update to the last."""
    if len(event.updates) < 2:
        return 0
    return int((event.updates[-1].at - event.updates[0].at).total_seconds() // 60)


def maintenance_calendar(site: Site) -> str:
    host = urlparse(site.url).hostname or "statusmark"
    calendar = Calendar()
    calendar.add("prodid", "-//Statusmark//Maintenance calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"{site.name} maintenance")
    for event in sorted((e for e in site.events if e.is_maintenance), key=lambda e: (e.scheduled_start, e.id)):
        assert event.scheduled_start and event.scheduled_end
        names = {c.id: c.name for c in site.components}
        affected = ", ".join(names.get(cid, cid) for cid in event.component_ids)
        latest = event.updates[-1].text if event.updates else ""
        item = CalendarEvent()
        item.add("uid", f"{event.id}@{host}")
        item.add("dtstamp", event.updated_at)  # never the clock: rebuilds stay byte-identical
        item.add("dtstart", event.scheduled_start)
        item.add("dtend", event.scheduled_end)
        item.add("sequence", sequence(event))
        item.add("summary", event.title)
        item.add("description", f"{UPDATE_LABELS[event.status]}. Affects: {affected}.\n\n{latest}".strip())
        item.add("url", f"{site.url}incidents/{event.id}/")
        item.add("status", "CONFIRMED")
        calendar.add_component(item)
    return calendar.to_ical().decode("utf-8")
