"""Stakeholder groups, channels, routing and approvals: ``notifications.yml``, validated up front.

Every problem names the file, the line and the field, and says what was expected, so
``statusmark check`` can report a typo in a routing rule before anything is sent.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..errors import Problem
from ..loader import ID_PATTERN
from ..model import AUDIENCES, IMPACTS, INCIDENT_STATUSES, KINDS, MAINTENANCE_STATUSES, Component
from .channels import channel_types
from .hours import Hours, parse_hours
from .secrets import SECRET_SHAPES, EnvRef
from .yamlfile import Located, LocatedList, YamlSyntaxError, load_located

GROUP_FIELDS = (
    "tier", "external", "channels", "contacts", "subscribers", "routes",
    "page_anytime", "after_hours", "unsubscribe", "reminder", "approvals", "description",
)  # fmt: skip
CONTACT_FIELDS = ("id", "name", "email", "phone", "backup", "role", "hours", "timezone", "components")
ROUTE_FIELDS = ("kind", "min_impact", "components", "component_kind", "tags", "statuses")
SETTINGS_FIELDS = ("first_run_window", "retries", "backoff", "max_backoff", "timeout", "ledger")
TOP_FIELDS = ("settings", "approvals", "channels", "groups")
UPDATE_STATUSES = (*INCIDENT_STATUSES, *MAINTENANCE_STATUSES)
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, None: 1}


@dataclass(frozen=True)
class Contact:
    id: str
    name: str = ""
    email: str = ""
    phone: str = ""
    backup: str = ""  # id of the contact reached when this one cannot be
    is_backup: bool = False  # role: backup — reached only in someone's place
    hours: tuple[Hours, ...] = ()  # empty: any time
    components: tuple[str, ...] = ()  # a subscriber's filter; empty: every component

    def is_open(self, moment: Any) -> bool:
        return not self.hours or any(h.is_open(moment) for h in self.hours)

    def next_open(self, moment: Any) -> Any:
        return min(h.next_open(moment) for h in self.hours) if self.hours else moment


@dataclass(frozen=True)
class Route:
    """A rule: every condition given must hold. A group is told when any of its routes matches."""

    kinds: tuple[str, ...] = ()
    min_impact: str = ""
    components: tuple[str, ...] = ()
    component_kinds: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()  # any of these
    statuses: tuple[str, ...] = ()  # update statuses that matter to this group


@dataclass(frozen=True)
class Group:
    id: str
    tier: int
    external: bool
    channels: tuple[str, ...]
    contacts: tuple[Contact, ...] = ()
    routes: tuple[Route, ...] = ()
    page_anytime: str = "critical"  # at or above this impact, contact hours are ignored
    after_hours: str = "primary"  # who is reached at once when hours are ignored: primary | backup
    subscribers: EnvRef | None = None  # env variable naming a CSV/YAML file of more contacts
    unsubscribe: str = ""  # List-Unsubscribe target; "{contact}" becomes the contact id
    reminder: timedelta | None = None  # maintenance reminder this long before the start
    approvals: tuple[str, ...] | None = None  # set: exactly these roles; None: the config-wide rules
    line: int = 1


@dataclass(frozen=True)
class ChannelConfig:
    id: str
    type: str
    options: Mapping[str, Any]
    line: int = 1


@dataclass(frozen=True)
class Settings:
    first_run_window: timedelta = timedelta(hours=24)
    retries: int = 3  # attempts per send in one run
    backoff: float = 2.0  # seconds before the first retry, doubled each time
    max_backoff: float = 30.0
    timeout: float = 10.0
    ledger: str = ".statusmark/ledger.jsonl"


@dataclass(frozen=True)
class NotifyConfig:
    path: str = ""
    settings: Settings = field(default_factory=Settings)
    channels: Mapping[str, ChannelConfig] = field(default_factory=dict)
    groups: tuple[Group, ...] = ()
    external_approvals: tuple[str, ...] = ()  # roles every external send needs
    tag_approvals: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # tag -> more roles

    def group(self, group_id: str) -> Group:
        return next(g for g in self.groups if g.id == group_id)

    def required_approvals(self, group: Group, tags: tuple[str, ...]) -> tuple[str, ...]:
        if not group.external:
            return ()
        if group.approvals is not None:
            return group.approvals  # the group's own list is complete
        roles = list(self.external_approvals)
        for tag in tags:
            roles += [r for r in self.tag_approvals.get(tag, ()) if r not in roles]
        return tuple(roles)


def load_notify_config(path: Path, components: tuple[Component, ...]) -> tuple[NotifyConfig, list[Problem]]:
    """The config at ``path`` (missing file: nothing configured) and every problem in it."""
    if not path.is_file():
        return NotifyConfig(), []
    display = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
        raw = load_located(text)
    except OSError as error:
        return NotifyConfig(), [Problem(display, 1, "notifications", f"cannot be read: {error}")]
    except YamlSyntaxError as error:
        return NotifyConfig(), [Problem(display, error.line, "notifications", error.reason)]
    return _Reader(display, {c.id: c for c in components}).config(raw)


class _Reader:
    def __init__(self, path: str, components: Mapping[str, Component]):
        self.path = path
        self.components = components
        self.problems: list[Problem] = []

    def problem(self, where: Any, key: str | int | None, name: str, message: str) -> None:
        if isinstance(where, Located):
            line = where.line_of(str(key)) if key is not None else where.line
        elif isinstance(where, LocatedList):
            line = where.line_of(key) if isinstance(key, int) else where.line
        else:
            line = 1
        self.problems.append(Problem(self.path, line, name, message))

    def mapping(self, value: Any, parent: Any, key: Any, name: str) -> Located | None:
        if value is None:
            return Located()
        if not isinstance(value, Located):
            self.problem(parent, key, name, f"expected a mapping of names to settings; got {_shown(value)}")
            return None
        return value

    def unknown(self, data: Located, allowed: tuple[str, ...], name: str) -> None:
        for key in data:
            if key not in allowed:
                self.problem(
                    data, key, f"{name}.{key}" if name else key, f"unknown field; expected one of {', '.join(allowed)}"
                )

    def names(self, value: Any, parent: Any, key: Any, name: str, allowed: Any = None) -> tuple[str, ...]:
        """A list of names (or one name) checked against ``allowed``."""
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            self.problem(parent, key, name, f"expected a name or a list of names; got {_shown(value)}")
            return ()
        if allowed is not None:
            for item in items:
                if item not in allowed:
                    self.problem(parent, key, name, f"expected one of {', '.join(sorted(allowed))}; got {item!r}")
        return tuple(items)

    def config(self, raw: Any) -> tuple[NotifyConfig, list[Problem]]:
        top = self.mapping(raw, None, None, "notifications")
        if top is None:
            return NotifyConfig(path=self.path), self.problems
        self.unknown(top, TOP_FIELDS, "")
        settings = self.settings(top.get("settings"), top)
        channels = self.channels(top.get("channels"), top)
        external, by_tag = self.approvals(top.get("approvals"), top)
        groups = self.groups(top.get("groups"), top, channels)
        config = NotifyConfig(self.path, settings, channels, groups, external, by_tag)
        return config, self.problems

    def settings(self, raw: Any, top: Located) -> Settings:
        data = self.mapping(raw, top, "settings", "settings")
        if not data:
            return Settings()
        self.unknown(data, SETTINGS_FIELDS, "settings")
        values: dict[str, Any] = {}
        for key in ("first_run_window", "backoff", "max_backoff", "timeout"):
            if key in data:
                seconds = self.duration(data[key], data, key, f"settings.{key}")
                if seconds is not None:
                    values[key] = timedelta(seconds=seconds) if key == "first_run_window" else seconds
        if "retries" in data:
            if isinstance(data["retries"], int) and not isinstance(data["retries"], bool) and data["retries"] >= 1:
                values["retries"] = data["retries"]
            else:
                self.problem(
                    data,
                    "retries",
                    "settings.retries",
                    f"expected a whole number of attempts, 1 or more; got {_shown(data['retries'])}",
                )
        if "ledger" in data:
            if isinstance(data["ledger"], str) and data["ledger"].strip():
                values["ledger"] = data["ledger"]
            else:
                self.problem(data, "ledger", "settings.ledger", "expected a file path or git:BRANCH")
        return Settings(**values)

    def duration(self, value: Any, parent: Located, key: str, name: str) -> float | None:
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
            return float(value)
        match = _DURATION.match(str(value)) if isinstance(value, str) else None
        if not match:
            self.problem(parent, key, name, f"expected a duration such as 30s, 15m, 24h or 7d; got {_shown(value)}")
            return None
        return float(match[1]) * _UNITS[match[2]]

    def channels(self, raw: Any, top: Located) -> dict[str, ChannelConfig]:
        data = self.mapping(raw, top, "channels", "channels")
        result: dict[str, ChannelConfig] = {}
        types = channel_types()
        for cid, spec in (data or {}).items():
            name = f"channels.{cid}"
            if not ID_PATTERN.match(cid):
                self.problem(data, cid, name, "expected a channel id matching [a-z0-9][a-z0-9-]*")
                continue
            options = self.mapping(spec, data, cid, name)
            if options is None:
                continue
            kind = options.get("type")
            if kind not in types:
                self.problem(
                    options, "type", f"{name}.type", f"expected one of {', '.join(sorted(types))}; got {_shown(kind)}"
                )
                continue
            for option, message in types[kind].check_options(options):
                self.problem(options, option, f"{name}.{option}", message)
            for option, value in options.items():
                if isinstance(value, str) and SECRET_SHAPES.search(value):
                    self.problem(
                        options,
                        option,
                        f"{name}.{option}",
                        "looks like a secret written in the repository; write it as !ENV VARIABLE_NAME",
                    )
            result[cid] = ChannelConfig(cid, kind, {k: v for k, v in options.items() if k != "type"}, options.line)
        return result

    def approvals(self, raw: Any, top: Located) -> tuple[tuple[str, ...], dict[str, tuple[str, ...]]]:
        data = self.mapping(raw, top, "approvals", "approvals")
        if not data:
            return (), {}
        self.unknown(data, ("external", "tags"), "approvals")
        external = self.names(data.get("external", []), data, "external", "approvals.external")
        by_tag: dict[str, tuple[str, ...]] = {}
        tags = self.mapping(data.get("tags"), data, "tags", "approvals.tags")
        for tag, roles in (tags or {}).items():
            by_tag[tag] = self.names(roles, tags, tag, f"approvals.tags.{tag}")
        return external, by_tag

    def groups(self, raw: Any, top: Located, channels: Mapping[str, ChannelConfig]) -> tuple[Group, ...]:
        data = self.mapping(raw, top, "groups", "groups")
        result = []
        for gid, spec in (data or {}).items():
            name = f"groups.{gid}"
            if not ID_PATTERN.match(gid):
                self.problem(data, gid, name, "expected a group id matching [a-z0-9][a-z0-9-]*")
                continue
            group = self.mapping(spec, data, gid, name)
            if group is None:
                continue
            group.line = data.line_of(gid) if data else group.line  # a missing field is reported at the group's name
            built = self.group(gid, group, name, channels)
            if built is not None:
                result.append(built)
        return tuple(result)

    def group(self, gid: str, data: Located, name: str, channels: Mapping[str, ChannelConfig]) -> Group | None:
        self.unknown(data, GROUP_FIELDS, name)
        tier = data.get("tier")
        if tier not in AUDIENCES:
            self.problem(
                data,
                "tier" if "tier" in data else None,
                f"{name}.tier",
                f"expected one of {', '.join(AUDIENCES)}; got {_shown(tier)}",
            )
            return None
        external = data.get("external", tier == "public")
        if not isinstance(external, bool):
            self.problem(data, "external", f"{name}.external", f"expected true or false; got {_shown(external)}")
            external = True  # the safe reading: approvals are required
        if tier == "public" and external is False:
            external = True  # SPEC §5: a public-tier group is always external
        group_channels = self.names(data.get("channels", []), data, "channels", f"{name}.channels", channels)
        if not group_channels:
            self.problem(
                data,
                "channels" if "channels" in data else None,
                f"{name}.channels",
                "expected at least one channel id from 'channels:'",
            )
        contacts = self.contacts(data.get("contacts", []), data, name)
        for cid in group_channels:
            channel = channels.get(cid)
            needs = channel_types()[channel.type].address_field if channel else None
            if needs and "subscribers" not in data and not any(getattr(c, needs) for c in contacts):
                self.problem(
                    data,
                    "channels",
                    f"{name}.channels",
                    f"channel {cid!r} sends to each contact's {needs}, but no contact of this group has one",
                )
        routes = self.routes(data.get("routes"), data, name)
        impacts = IMPACTS
        page_anytime = data.get("page_anytime", "critical")
        if page_anytime not in (*impacts, "never"):
            self.problem(
                data,
                "page_anytime",
                f"{name}.page_anytime",
                f"expected one of {', '.join(impacts)} or never; got {_shown(page_anytime)}",
            )
        after_hours = data.get("after_hours", "primary")
        if after_hours not in ("primary", "backup"):
            self.problem(
                data, "after_hours", f"{name}.after_hours", f"expected primary or backup; got {_shown(after_hours)}"
            )
        subscribers = data.get("subscribers")
        if subscribers is not None and not isinstance(subscribers, EnvRef):
            self.problem(
                data,
                "subscribers",
                f"{name}.subscribers",
                "expected !ENV VARIABLE naming a subscriber file kept outside the repository",
            )
            subscribers = None
        reminder = None
        if "reminder" in data:
            seconds = self.duration(data["reminder"], data, "reminder", f"{name}.reminder")
            reminder = timedelta(seconds=seconds) if seconds else None
        approvals = None
        if "approvals" in data:
            approvals = self.names(data["approvals"] or [], data, "approvals", f"{name}.approvals")
        return Group(
            approvals=approvals,
            id=gid,
            tier=AUDIENCES.index(tier),
            external=external,
            channels=group_channels,
            contacts=contacts,
            routes=routes,
            page_anytime=str(page_anytime),
            after_hours=str(after_hours),
            subscribers=subscribers,
            unsubscribe=str(data.get("unsubscribe") or ""),
            reminder=reminder,
            line=data.line,
        )

    def contacts(self, raw: Any, parent: Located, group: str) -> tuple[Contact, ...]:
        if not isinstance(raw, list):
            self.problem(parent, "contacts", f"{group}.contacts", f"expected a list of contacts; got {_shown(raw)}")
            return ()
        contacts = []
        for index, item in enumerate(raw):
            name = f"{group}.contacts[{index}]"
            if not isinstance(item, Located):
                self.problem(raw, index, name, f"expected a mapping with id, email or phone, ...; got {_shown(item)}")
                continue
            contact = self.contact(item, name)
            if contact:
                contacts.append(contact)
        ids = {c.id for c in contacts}
        for index, contact in enumerate(contacts):
            if contact.backup and contact.backup not in ids:
                self.problem(
                    raw,
                    index,
                    f"{group}.contacts[{index}].backup",
                    f"expected the id of another contact of this group; got {contact.backup!r}",
                )
        return tuple(contacts)

    def contact(self, data: Located, name: str) -> Contact | None:
        self.unknown(data, CONTACT_FIELDS, name)
        cid = data.get("id")
        if not isinstance(cid, str) or not ID_PATTERN.match(cid):
            self.problem(
                data,
                "id" if "id" in data else None,
                f"{name}.id",
                f"expected an id matching [a-z0-9][a-z0-9-]*; got {_shown(cid)}",
            )
            return None
        role = data.get("role", "primary")
        if role not in ("primary", "backup"):
            self.problem(data, "role", f"{name}.role", f"expected primary or backup; got {_shown(role)}")
        hours: list[Hours] = []
        if "hours" in data:
            zone_name = data.get("timezone")
            try:
                zone = ZoneInfo(str(zone_name)) if zone_name else None
            except (ZoneInfoNotFoundError, ValueError):
                zone = None
            if zone is None:
                self.problem(
                    data,
                    "timezone" if "timezone" in data else "hours",
                    f"{name}.timezone",
                    f"contact hours need an IANA time zone such as Europe/Berlin; got {_shown(zone_name)}",
                )
            else:
                specs = data["hours"] if isinstance(data["hours"], list) else [data["hours"]]
                for spec in specs:
                    try:
                        hours.append(parse_hours(str(spec), zone))
                    except ValueError as error:
                        self.problem(data, "hours", f"{name}.hours", str(error))
        components = self.names(data.get("components", []), data, "components", f"{name}.components", self.components)
        for key in ("email", "phone", "name", "backup"):
            if key in data and not isinstance(data[key], str):
                self.problem(data, key, f"{name}.{key}", f"expected text; got {_shown(data[key])}")
        return Contact(
            id=cid,
            name=str(data.get("name") or cid),
            email=str(data.get("email") or ""),
            phone=str(data.get("phone") or ""),
            backup=str(data.get("backup") or ""),
            is_backup=role == "backup",
            hours=tuple(hours),
            components=components,
        )

    def routes(self, raw: Any, parent: Located, group: str) -> tuple[Route, ...]:
        if raw is None:
            self.problem(
                parent,
                None,
                f"{group}.routes",
                "expected a list of routing rules (an empty rule '- {}' matches every update)",
            )
            return ()
        if not isinstance(raw, list):
            self.problem(parent, "routes", f"{group}.routes", f"expected a list of routing rules; got {_shown(raw)}")
            return ()
        routes = []
        kinds = {c.kind for c in self.components.values()}
        for index, item in enumerate(raw):
            name = f"{group}.routes[{index}]"
            data = item if isinstance(item, Located) else None
            if data is None:
                self.problem(
                    raw,
                    index,
                    name,
                    f"expected a mapping of conditions such as {{min_impact: major}}; got {_shown(item)}",
                )
                continue
            self.unknown(data, ROUTE_FIELDS, name)
            min_impact = data.get("min_impact", "")
            if min_impact and min_impact not in IMPACTS:
                self.problem(
                    data,
                    "min_impact",
                    f"{name}.min_impact",
                    f"expected one of {', '.join(IMPACTS)}; got {_shown(min_impact)}",
                )
            routes.append(
                Route(
                    kinds=self.names(data.get("kind", []), data, "kind", f"{name}.kind", KINDS),
                    min_impact=str(min_impact or ""),
                    components=self.names(
                        data.get("components", []), data, "components", f"{name}.components", self.components
                    ),
                    component_kinds=self.names(
                        data.get("component_kind", []),
                        data,
                        "component_kind",
                        f"{name}.component_kind",
                        kinds | {"application", "infrastructure"},
                    ),
                    tags=self.names(data.get("tags", []), data, "tags", f"{name}.tags"),
                    statuses=self.names(
                        data.get("statuses", []), data, "statuses", f"{name}.statuses", UPDATE_STATUSES
                    ),
                )
            )
        return tuple(routes)


def _shown(value: Any) -> str:
    if isinstance(value, (Located, dict)):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "nothing" if value is None else repr(value)


def load_subscribers(path: Path, components: Mapping[str, Component]) -> tuple[tuple[Contact, ...], list[Problem]]:
    """Contacts from a subscriber file (CSV with a header, or a YAML list) kept outside the repository.

    Columns/fields: ``email`` and/or ``phone``, optional ``id`` and ``components``
    (space- or semicolon-separated ids). Without an id, one is derived from the address
    so the ledger never has to hold the address itself.
    """
    display = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        return (), [Problem(display, 1, "subscribers", f"cannot be read: {error}")]
    rows: list[tuple[int, dict[str, Any]]] = []
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(io.StringIO(text))
        rows = [(reader.line_num, dict(row)) for row in reader]
    else:
        try:
            data = load_located(text)
        except YamlSyntaxError as error:
            return (), [Problem(display, error.line, "subscribers", error.reason)]
        if not isinstance(data, list):
            return (), [Problem(display, 1, "subscribers", "expected a list of subscribers (- email: ...)")]
        for index, item in enumerate(data):
            line = data.line_of(index) if isinstance(data, LocatedList) else 1
            rows.append((line, dict(item) if isinstance(item, dict) else {"_bad": item}))
    contacts: list[Contact] = []
    problems: list[Problem] = []
    for line, row in rows:
        email, phone = str(row.get("email") or "").strip(), str(row.get("phone") or "").strip()
        if not email and not phone:
            problems.append(Problem(display, line, "subscriber", "expected an email or a phone"))
            continue
        wanted = row.get("components") or ()
        ids = (
            tuple(re.split(r"[;\s,]+", wanted.strip())) if isinstance(wanted, str) and wanted.strip() else tuple(wanted)
        )
        unknown = [c for c in ids if c not in components]
        if unknown:
            problems.append(
                Problem(display, line, "subscriber.components", f"unknown component id(s): {', '.join(unknown)}")
            )
            continue
        cid = str(row.get("id") or "").strip()
        if not ID_PATTERN.match(cid):  # no usable id: derive one, so the ledger never holds the address
            cid = "sub-" + hashlib.sha256((email or phone).lower().encode()).hexdigest()[:12]
        contacts.append(Contact(id=cid, name=str(row.get("name") or ""), email=email, phone=phone, components=ids))
    return tuple(contacts), problems
