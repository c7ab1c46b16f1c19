"""The plain data model: what incident files and site config mean, free of MkDocs and I/O."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any, Generic, NamedTuple, TypeVar, overload

IMPACTS = ("none", "minor", "major", "critical")
INCIDENT_STATUSES = ("investigating", "identified", "monitoring", "resolved", "postmortem")
MAINTENANCE_STATUSES = ("scheduled", "in_progress", "verifying", "completed")
CLOSED_STATUSES = frozenset({"resolved", "postmortem", "completed"})
# Ordered from best to worst: "worst status" is the one with the highest index.
COMPONENT_STATUSES = (
    "operational",
    "under_maintenance",
    "degraded_performance",
    "partial_outage",
    "major_outage",
)
KINDS = ("incident", "maintenance")

# Audiences are ordered: a reader sees every block at or below their level.
PUBLIC, SEMI_TECHNICAL, TECHNICAL = 0, 1, 2
AUDIENCES = ("public", "semi-technical", "technical")


_T = TypeVar("_T")


class once(Generic[_T]):
    """A property worked out at its first read and then kept as a plain attribute.

    ``functools.cached_property`` without the lock Python 3.11 takes at every first read
    (3.12 dropped it): its ``__get__`` was 6 % of a warm build's time, each audience
    working out several properties of 10,000 events. Events are worked out in one thread.
    """

    def __init__(self, func: Callable[[Any], _T]):
        self.func = func
        self.__doc__ = func.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> once[_T]: ...
    @overload
    def __get__(self, obj: object, owner: type | None = None) -> _T: ...
    def __get__(self, obj: object, owner: type | None = None) -> _T | once[_T]:
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.func(obj)
        return value


def audience_level(name: str) -> int:
    return AUDIENCES.index(name)


@dataclass(frozen=True)
class Component:
    id: str
    name: str
    description: str = ""
    group: str = ""
    kind: str = "application"
    order: int = 0


class Segment(NamedTuple):
    """A run of an update's source text that belongs to one audience.

    A named tuple, not a dataclass: a site of 10,000 events holds a hundred thousand, and
    the parse cache's ``(audience, text)`` pairs become them in a fifth of the time.
    """

    audience: int
    text: str


@dataclass(frozen=True)
class Update:
    at: datetime  # timezone-aware, UTC
    status: str
    segments: tuple[Segment, ...]
    internal: bool = False  # heading ended with "(internal)": technical readers only
    line: int = 0
    revision: int = 0  # "(correction N)" in the heading: notify again with the fixed text

    @property
    def key(self) -> str:
        """The update's identity for notifications: survives rebases, squashes and text edits."""
        return self.at.strftime("%Y%m%dT%H%M%SZ") + f"-{self.status}" + (f"-r{self.revision}" if self.revision else "")

    def text_for(self, level: int) -> str:
        """The update's Markdown source as a reader at ``level`` sees it."""
        if self.internal and level < TECHNICAL:
            return ""
        return "\n\n".join(s.text for s in self.segments if s.audience <= level and s.text)

    @property
    def text(self) -> str:
        """All the text this update holds (after ``audience.view`` filtered it)."""
        return "\n\n".join(s.text for s in self.segments if s.text)

    def has_text_for(self, level: int) -> bool:
        return any(s.audience <= level and s.text.strip() for s in self.segments)


@dataclass(frozen=True)
class Approval:
    role: str
    by: str
    at: datetime | None


@dataclass(frozen=True)
class Event:
    """An incident or a maintenance: one file under ``incidents/``."""

    id: str
    path: str
    title: str
    kind: str
    impact: str
    components: tuple[tuple[str, str], ...]  # (component id, its status during the event)
    updates: tuple[Update, ...]  # sorted by time
    tags: tuple[str, ...] = ()
    approvals: tuple[Approval, ...] = ()
    scheduled_start: datetime | None = None
    scheduled_end: datetime | None = None
    postmortem: str = ""
    next_update: datetime | None = None
    eta: datetime | None = None
    draft: bool = False

    # Derived from the fields, worked out once per event: every audience's pages read
    # them for every event, several times (status, then closed, then the times...). An
    # Event's fields never change; a view that copies one with fewer updates leaves these
    # behind (``DERIVED``, ``fastview``).
    @once
    def is_maintenance(self) -> bool:
        return self.kind == "maintenance"

    @once
    def status(self) -> str:
        if self.updates:
            return self.updates[-1].status
        return "scheduled" if self.is_maintenance else "investigating"

    @once
    def closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    @once
    def component_ids(self) -> tuple[str, ...]:
        return tuple(cid for cid, _ in self.components)

    @once
    def created_at(self) -> datetime:
        if self.updates:
            return self.updates[0].at
        assert self.scheduled_start is not None
        return self.scheduled_start

    @once
    def updated_at(self) -> datetime:
        return self.updates[-1].at if self.updates else self.created_at

    @once
    def started_at(self) -> datetime:
        """When the event began affecting components (a maintenance: its window start)."""
        if self.is_maintenance and self.scheduled_start is not None:
            started = [u.at for u in self.updates if u.status == "in_progress"]
            return min(started) if started else self.scheduled_start
        return self.created_at

    @once
    def resolved_at(self) -> datetime | None:
        """Time of the first update that closed the event, if it is closed."""
        if not self.closed:
            return None
        return next(u.at for u in self.updates if u.status in CLOSED_STATUSES)

    @once
    def update_count(self) -> int:
        return len(self.updates)

    @once
    def internal_updates(self) -> int:
        """How many of its updates are internal (a reader below technical sees none)."""
        return sum(1 for u in self.updates if u.internal)

    def first_at(self, status: str) -> datetime | None:
        return next((u.at for u in self.updates if u.status == status), None)

    @cached_property
    def acknowledgement_free(self) -> bool:
        """No ``<!-- lint-ok -->`` marker in any of its text: an audience view strips none.

        Worked out once per event (the parse cache keeps it), so that views need not read
        every text: in each audience's forked process, reading a text writes to its memory
        (a reference count) and makes the kernel copy its page. Not a field: copies made
        with ``dataclasses.replace`` work it out again; a view, which only drops text,
        keeps it.
        """
        return not any("lint-ok" in s.text for u in self.updates for s in u.segments)


# What an event works out from its updates (``acknowledgement_free``, which a view keeps, is not).
DERIVED = tuple(name for name, value in vars(Event).items() if isinstance(value, once))
_DERIVED_SET = frozenset(DERIVED)
PENDING = "_pending_updates"  # how to make an event's updates, until their first read: see ``_Deferred``


class _Deferred:
    """``Event.updates``, made at their first read where an event holds, under ``PENDING``,
    how to make them.

    An event read from the parse cache holds its updates as marshal bytes until then
    (``parsecache.decode_event``); an audience view, the event's updates with what its
    reader may not see taken out (``fastview``). A warm build reads the updates of few
    events: those whose pages are written again and the newest. Whatever reads
    ``updates`` (pages, feeds, ``==``, ``repr``, ``dataclasses.replace``) gets them made.
    An event made by ``__init__`` holds its updates in its ``__dict__``, which comes before
    this class attribute (it has no ``__set__``).
    """

    def __get__(self, event: object, owner: type | None = None) -> tuple[Update, ...]:
        if event is None:
            raise AttributeError("updates")  # a field without a default, as for any other
        fields = event.__dict__
        make = fields.get(PENDING)
        if make is None:
            raise AttributeError("updates")
        updates = fields["updates"] = make()
        fields.pop(PENDING, None)  # after: a read meanwhile (another thread) makes them too
        return updates  # type: ignore[no-any-return]


Event.updates = _Deferred()  # type: ignore[assignment]  # after @dataclass: not a default


def work_out(events: Iterable[Event]) -> None:
    """Work out what each event derives (``DERIVED``) now: before forking audience builds,
    so that each of them finds it done rather than doing it again. For events that passed
    the check (an incident has an update, a maintenance its window)."""
    for event in events:
        if not event.__dict__.keys() >= _DERIVED_SET:  # a cached event comes with them: one C test
            for name in DERIVED:
                getattr(event, name)


@dataclass(frozen=True)
class Site:
    """Everything one build needs, parsed once and shared by every audience."""

    name: str
    url: str  # absolute, ends with "/"
    components: tuple[Component, ...]
    events: tuple[Event, ...]  # newest first by started_at (a maintenance: its window)
    default_audience: int = TECHNICAL
    groups: tuple[str, ...] = field(default=())  # component groups in display order

    def component(self, component_id: str) -> Component:
        return next(c for c in self.components if c.id == component_id)
