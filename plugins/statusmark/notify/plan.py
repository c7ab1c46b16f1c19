"""Routing: which update is due for which group, contact and channel. Pure: no I/O, no clock.

For each event and group, only the newest update a group's routes select is due; older
ones never sent are superseded (nobody wants three stale updates in a row after an
approval lands). Contact hours defer a send or move it to the backup.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from ..model import TECHNICAL, Component, Event, Site, Update
from .channels import channel_types
from .config import ChannelConfig, Contact, Group, NotifyConfig, Route

IMPACT_RANK = {"none": 0, "maintenance": 0, "minor": 1, "major": 2, "critical": 3}
BROADCAST = "*"  # the contact part of a key for channels that reach a group as a whole


@dataclass(frozen=True)
class Due:
    """One notification the ledger should hold as sent."""

    key: str
    event: Event
    update: Update
    group: Group
    channel: ChannelConfig
    contact: Contact | None  # None: the channel reaches the whole group
    missing_approvals: tuple[str, ...] = ()
    defer_until: datetime | None = None
    instead_of: str = ""  # the primary contact this backup is reached in place of
    superseded: tuple[str, ...] = ()  # older keys of the same target this one makes moot
    backup: Contact | None = None  # who to try when this contact's channel fails
    reminder: bool = False  # a maintenance reminder, not an update
    target: str = BROADCAST  # which of a broadcast channel's targets (Apprise: one per URL)


def notification_key(
    event: Event, update: Update, group: str, contact: str, channel: str, reminder: bool = False
) -> str:
    # A reminder is keyed by the window's start: moving the window earns a new one, re-runs do not.
    part = f"reminder-{update.at:%Y%m%dT%H%M%SZ}" if reminder else update.key
    return f"{event.id}/{part}/{group}/{contact}/{channel}"


def route_matches(route: Route, event: Event, update: Update, components: Mapping[str, Component]) -> bool:
    if route.kinds and event.kind not in route.kinds:
        return False
    if route.min_impact and (event.is_maintenance or IMPACT_RANK[event.impact] < IMPACT_RANK[route.min_impact]):
        return False
    if route.components and not set(route.components) & set(event.component_ids):
        return False
    if route.component_kinds and not any(
        components[c].kind in route.component_kinds for c in event.component_ids if c in components
    ):
        return False
    if route.tags and not set(route.tags) & set(event.tags):
        return False
    return not route.statuses or update.status in route.statuses


def group_wants(group: Group, event: Event, update: Update, components: Mapping[str, Component]) -> bool:
    if update.internal and group.tier < TECHNICAL:
        return False
    return any(route_matches(r, event, update, components) for r in group.routes)


def plan(
    site: Site,
    config: NotifyConfig,
    now: datetime,
    baseline: datetime | None,
    subscribers: Mapping[str, tuple[Contact, ...]] | None = None,
    only: str = "",
) -> list[Due]:
    """Every notification that should exist by ``now`` for updates after ``baseline``."""
    components = {c.id: c for c in site.components}
    subscribers = subscribers or {}
    due: list[Due] = []
    for event in sorted(site.events, key=lambda e: (e.updated_at, e.id)):
        if event.draft:
            continue
        for group in config.groups:
            if (only == "internal" and group.external) or (only == "external" and not group.external):
                continue
            chosen = [
                u
                for u in event.updates
                if (baseline is None or u.at > baseline) and u.at <= now and group_wants(group, event, u, components)
            ]
            missing = tuple(r for r in config.required_approvals(group, event.tags) if r not in _roles(event))
            contacts = group.contacts + subscribers.get(group.id, ())
            reminder = _reminder(event, group, now, components)
            if not chosen and reminder is None:
                continue
            for channel_id in group.channels:
                channel = config.channels[channel_id]
                if chosen:
                    due += _targets(event, chosen[-1], chosen[:-1], group, channel, contacts, missing, now)
                if reminder is not None:
                    due += _targets(event, reminder, [], group, channel, contacts, missing, now, reminder=True)
    return due


def _reminder(event: Event, group: Group, now: datetime, components: Mapping[str, Component]) -> Update | None:
    """A maintenance reminder once ``group.reminder`` before the window opens, if the group asked."""
    start = event.scheduled_start
    if group.reminder is None or not event.is_maintenance or start is None or event.status != "scheduled":
        return None
    if not start - group.reminder <= now < start or not event.updates:
        return None
    latest = event.updates[-1]
    if not group_wants(group, event, latest, components):
        return None
    return replace(latest, at=start, status="scheduled", revision=0)


def _roles(event: Event) -> set[str]:
    return {a.role for a in event.approvals}


def _targets(
    event: Event,
    update: Update,
    older: list[Update],
    group: Group,
    channel: ChannelConfig,
    contacts: tuple[Contact, ...],
    missing: tuple[str, ...],
    now: datetime,
    reminder: bool = False,
) -> list[Due]:
    def key(u: Update, contact: str) -> str:
        return notification_key(event, u, group.id, contact, channel.id, reminder)

    def due(key: str, contact: Contact | None, **more: object) -> Due:
        return Due(key, event, update, group, channel, contact, missing, reminder=reminder, **more)  # type: ignore[arg-type]

    channel_class = channel_types()[channel.type]
    address = channel_class.address_field
    if address is None:
        return [
            due(key(update, target), None, target=target, superseded=tuple(key(u, target) for u in older))
            for target in channel_class.target_ids(channel.options)
        ]
    by_id = {c.id: c for c in contacts}
    result = []
    for contact in contacts:
        if contact.is_backup or not getattr(contact, address):
            continue
        if contact.components and not set(contact.components) & set(event.component_ids):
            continue  # a subscriber who asked only for other components
        backup = by_id.get(contact.backup)
        backup = backup if backup is not None and getattr(backup, address) else None
        superseded = tuple(key(u, contact.id) for u in older)
        if contact.is_open(now):
            result.append(due(key(update, contact.id), contact, superseded=superseded, backup=backup))
        elif _pages_anytime(group, event):
            if group.after_hours == "backup" and backup is not None:
                result.append(due(key(update, backup.id), backup, instead_of=contact.id, superseded=superseded))
            else:
                result.append(due(key(update, contact.id), contact, superseded=superseded, backup=backup))
        else:
            result.append(
                due(
                    key(update, contact.id),
                    contact,
                    defer_until=contact.next_open(now),
                    superseded=superseded,
                    backup=backup,
                )
            )
    return result


def _pages_anytime(group: Group, event: Event) -> bool:
    if group.page_anytime == "never":
        return False
    return IMPACT_RANK.get(event.impact, 0) >= IMPACT_RANK[group.page_anytime]
