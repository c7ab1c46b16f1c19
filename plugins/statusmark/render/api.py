"""Statuspage API v2 documents: Atlassian's field names, nesting and vocabulary.

Existing Statuspage clients and aggregators read these files unchanged. Ids are derived
from stable names (event id, update time, group name) so they survive text edits.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from ..model import CLOSED_STATUSES, COMPONENT_STATUSES, Component, Event, Site, Update
from ..status import INDICATOR_DESCRIPTIONS, active_events, component_statuses, indicator, is_upcoming
from .timefmt import iso

LIMIT = 50  # Statuspage lists the 50 most recent incidents and maintenances


def short_id(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:12]


def update_id(event_id: str, at: datetime) -> str:
    return short_id(event_id, iso(at))


# cached(key parts, the events a list shows, make the list's JSON) -> that JSON
CachedList = Callable[[tuple[Any, ...], list[Event], Callable[[], str]], str]


def api_files(
    site: Site, now: datetime, page_id: str | None = None, cached: CachedList | None = None
) -> dict[str, str]:
    """The API's files. With ``cached``, the two lists of the 50 newest incidents and
    maintenances (most of the API's bytes, and the updates of 100 events to read) come from
    the cache while those events, the page and its components are as they were."""
    page_id = page_id or short_id(site.url)
    doc = _Documents(site, now, page_id)
    incidents, maintenances = doc.incidents, doc.maintenances
    now_active = active_events(site, now)
    unresolved = [e for e in now_active if not e.is_maintenance]
    active = [e for e in now_active if e.is_maintenance]
    upcoming = sorted((e for e in maintenances if is_upcoming(e, now)), key=lambda e: (e.scheduled_start or now, e.id))
    page, status, components = _json(doc.page()), _json(doc.status()), _json(doc.components())
    open_incidents = _json(doc.events(unresolved))  # in the summary and on their own

    def listed(name: str, events: list[Event]) -> str:
        def make() -> str:
            return _json(doc.events(events))

        # An event's entry also holds its components' rows (status, first and latest event).
        return make() if cached is None else cached(("api", name, site.url, page_id, components), events, make)

    files = {
        "summary.json": {
            "page": page,
            "status": status,
            "components": components,
            "incidents": open_incidents,
            "scheduled_maintenances": _json(doc.events(active + upcoming)),
        },
        "status.json": {"page": page, "status": status},
        "components.json": {"page": page, "components": components},
        "incidents.json": {"page": page, "incidents": listed("incidents", incidents[:LIMIT])},
        "incidents/unresolved.json": {"page": page, "incidents": open_incidents},
        "scheduled-maintenances.json": {
            "page": page,
            "scheduled_maintenances": listed("maintenances", maintenances[:LIMIT]),
        },
        "scheduled-maintenances/upcoming.json": {"page": page, "scheduled_maintenances": _json(doc.events(upcoming))},
        "scheduled-maintenances/active.json": {"page": page, "scheduled_maintenances": _json(doc.events(active))},
    }
    return {f"api/v2/{name}": _object(fields) + "\n" for name, fields in files.items()}


def _json(value: Any) -> str:
    # Compact, as Statuspage serves them: json's C encoder writes these; with ``indent`` it
    # falls back to its pure-Python one, 3-4 times slower (a tenth of a second per audience).
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _object(fields: dict[str, str]) -> str:
    """The JSON object of ``fields``' values, each JSON already: ``_json`` of the whole, in parts."""
    return "{" + ",".join(f"{_json(name)}:{fields[name]}" for name in sorted(fields)) + "}"


class _Documents:
    def __init__(self, site: Site, now: datetime, page_id: str):
        self.site, self.now, self.page_id = site, now, page_id
        self.statuses = component_statuses(site, now)
        self.group_ids = {group: short_id(site.url, "group", group) for group in site.groups}
        # A component's created_at/updated_at: its first and latest event, else the page's.
        self.touched: dict[str, list[datetime]] = {}  # component id -> [earliest, latest]
        self.incidents: list[Event] = []
        self.maintenances: list[Event] = []
        latest = None
        for event in site.events:  # one pass over the whole history, each event's time worked out once
            (self.maintenances if event.is_maintenance else self.incidents).append(event)
            at = event.updated_at
            if latest is None or at > latest:
                latest = at
            for cid, _ in event.components:
                span = self.touched.setdefault(cid, [at, at])
                if at < span[0]:
                    span[0] = at
                elif at > span[1]:
                    span[1] = at
        self.updated_at = now if latest is None else latest

    def page(self) -> dict[str, Any]:
        return {
            "id": self.page_id,
            "name": self.site.name,
            "url": self.site.url.rstrip("/"),
            "time_zone": "Etc/UTC",
            "updated_at": iso(self.updated_at),
        }

    def status(self) -> dict[str, str]:
        level = indicator(self.site, self.statuses, self.now)
        return {"indicator": level, "description": INDICATOR_DESCRIPTIONS[level]}

    def components(self) -> list[dict[str, Any]]:
        rows = []
        for position, comp in enumerate(self.site.components, start=1):
            rows.append(self.component(comp, position))
        for position, group in enumerate(self.site.groups, start=len(rows) + 1):
            members = [c for c in self.site.components if c.group == group]
            worst = max((self.statuses[c.id] for c in members), key=_severity, default="operational")
            times = [t for c in members for t in self.touched.get(c.id, [])]
            rows.append({
                "id": self.group_ids[group], "name": group, "status": worst,
                "created_at": iso(min(times, default=self.updated_at)), "updated_at": iso(max(times, default=self.updated_at)),
                "position": position, "description": None, "showcase": False, "start_date": None,
                "group_id": None, "page_id": self.page_id, "group": True, "only_show_if_degraded": False,
                "components": [c.id for c in members],
            })  # fmt: skip
        return rows

    def component(self, comp: Component, position: int) -> dict[str, Any]:
        times = self.touched.get(comp.id, [])
        return {
            "id": comp.id, "name": comp.name, "status": self.statuses.get(comp.id, "operational"),
            "created_at": iso(min(times, default=self.updated_at)), "updated_at": iso(max(times, default=self.updated_at)),
            "position": position, "description": comp.description or None, "showcase": True,
            "start_date": min(times, default=self.updated_at).date().isoformat(),
            "group_id": self.group_ids.get(comp.group), "page_id": self.page_id, "group": False,
            "only_show_if_degraded": False,
        }  # fmt: skip

    def events(self, events: list[Event]) -> list[dict[str, Any]]:
        return [self.event(e) for e in events]

    def event(self, event: Event) -> dict[str, Any]:
        known = {c.id: c for c in self.site.components}
        affected = [known[cid] for cid in event.component_ids if cid in known]
        body: dict[str, Any] = {
            "id": event.id, "name": event.title, "status": event.status, "impact": event.impact,
            "created_at": iso(event.created_at), "updated_at": iso(event.updated_at),
            "monitoring_at": _maybe(event.first_at("monitoring")), "resolved_at": _maybe(event.resolved_at),
            "started_at": iso(event.started_at), "shortlink": f"{self.site.url}incidents/{event.id}/",
            "page_id": self.page_id, "postmortem_body": None,
            "components": [self.component(c, i) for i, c in enumerate(affected, start=1)],
            "incident_updates": [self.update(event, i) for i in reversed(range(len(event.updates)))],
        }  # fmt: skip
        if event.is_maintenance:
            body["scheduled_for"] = _maybe(event.scheduled_start)
            body["scheduled_until"] = _maybe(event.scheduled_end)
            body["impact"] = "maintenance"
        return body

    def update(self, event: Event, index: int) -> dict[str, Any]:
        update: Update = event.updates[index]
        return {
            "id": update_id(event.id, update.at), "status": update.status, "body": update.text,
            "incident_id": event.id, "created_at": iso(update.at), "updated_at": iso(update.at),
            "display_at": iso(update.at), "affected_components": self.transitions(event, index),
            "deliver_notifications": True, "custom_tweet": None, "tweet_id": None,
        }  # fmt: skip

    def transitions(self, event: Event, index: int) -> list[dict[str, str]] | None:
        """Component status changes an update made: the first opens them, the closing one ends them."""
        closes = event.updates[index].status in CLOSED_STATUSES
        opened_before = index > 0 and event.updates[index - 1].status not in CLOSED_STATUSES
        if not closes and opened_before:
            return None
        if closes and not opened_before and index > 0:
            return None
        known = {c.id: c for c in self.site.components}
        return [
            {
                "code": cid,
                "name": known[cid].name,
                "old_status": status if closes else "operational",
                "new_status": "operational" if closes else status,
            }
            for cid, status in event.components
            if cid in known
        ] or None


def _maybe(at: datetime | None) -> str | None:
    return iso(at) if at else None


def _severity(status: str) -> int:
    return COMPONENT_STATUSES.index(status)
