"""Contact hours: "mon-fri 09:00-17:30" in a contact's own time zone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPEC = re.compile(r"^\s*(?P<days>[a-z,\- ]+?)\s+(?P<start>\d{1,2}:\d{2})\s*-\s*(?P<end>\d{1,2}:\d{2})\s*$", re.I)


@dataclass(frozen=True)
class Hours:
    """When a contact may be reached. A window may cross midnight (22:00-06:00)."""

    days: frozenset[int]  # 0 = Monday, of the day the window opens
    start: time
    end: time
    zone: ZoneInfo

    def is_open(self, moment: datetime) -> bool:
        local = moment.astimezone(self.zone)
        clock = local.time()
        if self.start < self.end:
            return local.weekday() in self.days and self.start <= clock < self.end
        # Overnight: open from start on an allowed day until end on the next day.
        if clock >= self.start:
            return local.weekday() in self.days
        return clock < self.end and (local.weekday() - 1) % 7 in self.days

    def next_open(self, moment: datetime) -> datetime:
        """The first moment at or after ``moment`` when these hours are open."""
        if self.is_open(moment):
            return moment
        local = moment.astimezone(self.zone)
        for offset in range(8):
            day = (local + timedelta(days=offset)).date()
            if day.weekday() not in self.days:
                continue
            opening = datetime.combine(day, self.start, tzinfo=self.zone)
            if opening >= local:
                return opening.astimezone(moment.tzinfo)
        raise AssertionError("hours with at least one day open within a week")


def parse_hours(spec: str, zone: ZoneInfo) -> Hours:
    """``mon-fri 09:00-17:00``, ``daily 08:00-20:00``, ``sat,sun 10:00-14:00``; ValueError if not."""
    match = _SPEC.match(spec)
    if not match:
        raise ValueError(f"expected days and a time range such as 'mon-fri 09:00-17:00'; got {spec!r}")
    days: set[int] = set()
    for part in match["days"].lower().replace(" ", "").split(","):
        if part in ("daily", "all", "every-day"):
            days.update(range(7))
        elif "-" in part:
            first, _, last = part.partition("-")
            if first not in DAY_NAMES or last not in DAY_NAMES:
                raise ValueError(f"unknown day in {part!r}; use {', '.join(DAY_NAMES)} or daily")
            a, b = DAY_NAMES.index(first), DAY_NAMES.index(last)
            days.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
        elif part in DAY_NAMES:
            days.add(DAY_NAMES.index(part))
        else:
            raise ValueError(f"unknown day {part!r}; use {', '.join(DAY_NAMES)} or daily")
    try:
        start, end = (time.fromisoformat(match[k].zfill(5)) for k in ("start", "end"))
    except ValueError:
        raise ValueError(f"expected times as HH:MM in {spec!r}") from None
    if start == end:
        raise ValueError(f"the window {spec!r} is empty; for any time, leave hours out")
    return Hours(frozenset(days), start, end, zone)
