"""`statusmark report`: a metrics digest of the week or month that just ended.

Computation is pure (``compute_report(site, now, period)`` -> ``Report``); formatting
(Markdown, JSON) and sending (through ``notify.direct.deliver_to_groups``) sit on top.

The digest counts what the technical tier may see (drafts excluded) but never holds the
text of an update: only titles, impacts, components, statuses and times, which are
public. Definitions (also in the README, "Reports"):

- An event belongs to the period its ``started_at`` falls in: an incident's first update,
  a maintenance's first ``in_progress`` update (its scheduled start if it never started).
- Time to acknowledge: from an incident's first update to its first update past
  ``investigating`` (identified, monitoring, resolved or postmortem); 0 when the first
  update already says so. The model has no separate detection time, so this measures how
  long the cause stayed unknown after the incident was declared.
- Time to resolve: from the first update to the first ``resolved`` (or ``postmortem``) one.
- Both as mean and p90, nearest rank: the value at rank ceil(0.9 x n) of the sorted list.
  Incidents not yet acknowledged / resolved at ``now`` are counted as pending, not measured.
- Uptime: ``statusmark.status.uptime_days`` over the period's days (the status page's
  formula), mean over days; "available" in the summary is the mean over all components.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .audience import view_site
from .model import IMPACTS, TECHNICAL, Event, Site
from .status import uptime_days, uptime_percent

if TYPE_CHECKING:
    from .notify.direct import Delivery

PERIODS = ("week", "month")
ACKNOWLEDGED = frozenset({"identified", "monitoring", "resolved", "postmortem"})
RESOLVED = frozenset({"resolved", "postmortem"})
P90 = 90


# ---------------------------------------------------------------------------- periods


@dataclass(frozen=True)
class Period:
    kind: str  # week | month
    start: datetime  # inclusive, UTC midnight
    end: datetime  # exclusive, UTC midnight
    current: bool = False  # the period in progress: measured up to now

    @property
    def run_id(self) -> str:
        return f"{self.kind}-{self.start:%Y%m%d}"

    @property
    def label(self) -> str:
        """'16–22 November 2026' for a week, 'November 2026' for a month."""
        if self.kind == "month":
            return f"{self.start:%B %Y}"
        last = (self.end - timedelta(days=1)).date()
        first = self.start.date()
        if first.year != last.year:
            return f"{_day(first)} {first:%B %Y} – {_day(last)} {last:%B %Y}"
        if first.month != last.month:
            return f"{_day(first)} {first:%B} – {_day(last)} {last:%B %Y}"
        return f"{_day(first)}–{_day(last)} {last:%B %Y}"

    @property
    def noun(self) -> str:
        return self.kind  # "week" / "month"


def _day(value: date) -> str:
    return str(value.day)


def _midnight(value: date) -> datetime:
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


def _month_start(value: date, back: int = 0) -> date:
    index = value.year * 12 + value.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def period_for(kind: str, now: datetime, *, current: bool = False) -> Period:
    """The last full Monday–Sunday week / calendar month (UTC) before ``now``, or the one in progress."""
    if kind not in PERIODS:
        raise ValueError(f"period: expected week or month; got {kind!r}")
    today = now.astimezone(UTC).date()
    if kind == "week":
        this_start = _midnight(today - timedelta(days=today.weekday()))
        if current:
            return Period(kind, this_start, this_start + timedelta(days=7), current=True)
        return Period(kind, this_start - timedelta(days=7), this_start)
    this_start = _midnight(_month_start(today))
    if current:
        return Period(kind, this_start, _midnight(_month_start(today, -1)), current=True)
    return Period(kind, _midnight(_month_start(today, 1)), this_start)


def previous_period(period: Period) -> Period:
    """The full period just before ``period``."""
    if period.kind == "week":
        return Period("week", period.start - timedelta(days=7), period.start)
    return Period("month", _midnight(_month_start(period.start.date(), 1)), period.start)


# ---------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Stat:
    """Durations in seconds of the incidents that have them; ``pending``: those that do not yet."""

    measured: int
    pending: int
    mean: float | None
    p90: float | None


@dataclass(frozen=True)
class IncidentLine:
    id: str
    title: str
    impact: str
    components: tuple[str, ...]
    started: datetime
    acknowledge_seconds: float | None
    resolve_seconds: float | None


@dataclass(frozen=True)
class ComponentLine:
    id: str
    name: str
    incidents: int
    maintenance: int
    uptime: float  # percent, 0..100
    downtime_seconds: float  # weighted: major outage 100 %, partial outage 30 %


@dataclass(frozen=True)
class MaintenanceLine:
    id: str
    title: str
    scheduled_start: datetime
    scheduled_end: datetime
    started: datetime | None  # first in_progress update
    completed: datetime | None  # first completed update
    outcome: str  # kept | overran | started_early | not_completed | pending
    overrun_seconds: float = 0.0
    early_seconds: float = 0.0


@dataclass(frozen=True)
class Trend:
    current: float | None
    previous: float | None

    @property
    def delta(self) -> float | None:
        if self.current is None or self.previous is None:
            return None
        return self.current - self.previous

    @property
    def direction(self) -> str:
        delta = self.delta
        if delta is None:
            return "n/a"
        return "up" if delta > 0 else "down" if delta < 0 else "same"


@dataclass(frozen=True)
class Measures:
    """The numbers of one period."""

    period: Period
    as_of: datetime
    incidents: tuple[IncidentLine, ...]
    maintenance: tuple[MaintenanceLine, ...]
    by_impact: dict[str, int]
    components: tuple[ComponentLine, ...]
    acknowledge: Stat
    resolve: Stat
    availability: float  # percent: mean of the components' uptimes


@dataclass(frozen=True)
class Report:
    site_name: str
    site_url: str
    now: datetime
    current: Measures
    previous: Measures

    @property
    def period(self) -> Period:
        return self.current.period

    @property
    def trends(self) -> dict[str, Trend]:
        cur, prev = self.current, self.previous
        return {
            "incidents": Trend(len(cur.incidents), len(prev.incidents)),
            "maintenance": Trend(len(cur.maintenance), len(prev.maintenance)),
            "mean_time_to_resolve": Trend(cur.resolve.mean, prev.resolve.mean),
        }


# ---------------------------------------------------------------------------- computation


def percentile(values: list[float], p: int) -> float | None:
    """Nearest-rank percentile: the value at rank ceil(p/100 x n) of the sorted values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def _stat(values: list[float], pending: int) -> Stat:
    mean = sum(values) / len(values) if values else None
    return Stat(len(values), pending, mean, percentile(values, P90))


def _known(event: Event, now: datetime, statuses: frozenset[str]) -> datetime | None:
    """When the event first reached one of ``statuses``, if it had by ``now``."""
    return next((u.at for u in event.updates if u.status in statuses and u.at <= now), None)


def _in(event: Event, period: Period, as_of: datetime) -> bool:
    return period.start <= event.started_at < period.end and event.started_at <= as_of


def _maintenance_line(event: Event, now: datetime) -> MaintenanceLine:
    assert event.scheduled_start is not None and event.scheduled_end is not None
    start, end = event.scheduled_start, event.scheduled_end
    started = _known(event, now, frozenset({"in_progress"}))
    completed = _known(event, now, frozenset({"completed"}))
    base = (event.id, event.title, start, end, started, completed)
    if completed is None:
        return MaintenanceLine(*base, "pending" if now < end else "not_completed")
    if completed > end:
        early = (start - started).total_seconds() if started and started < start else 0.0
        return MaintenanceLine(*base, "overran", (completed - end).total_seconds(), early)
    if started is not None and started < start:
        return MaintenanceLine(*base, "started_early", 0.0, (start - started).total_seconds())
    return MaintenanceLine(*base, "kept")


def _period_uptime(site: Site, component_id: str, period: Period, as_of: datetime) -> tuple[float, float]:
    """(uptime percent, weighted downtime seconds) over the period up to ``as_of``: the status page's formula."""
    span = (as_of.date() - period.start.date()).days + 1
    days = [
        d
        for d in uptime_days(site, component_id, as_of, span)
        if d.day >= period.start.date() and _midnight(d.day) < as_of  # a day with no time elapsed is not counted
    ]
    downtime = sum(
        (1.0 - d.uptime) * (min(_midnight(d.day) + timedelta(days=1), as_of) - _midnight(d.day)).total_seconds()
        for d in days
    )
    return uptime_percent(days), downtime


def measure(site: Site, now: datetime, period: Period) -> Measures:
    """The numbers of ``period`` as known at ``now`` (``site`` already filtered to a tier)."""
    as_of = min(period.end, now)
    events = [e for e in site.events if _in(e, period, as_of)]
    incidents = sorted((e for e in events if not e.is_maintenance), key=lambda e: (e.started_at, e.id))
    works = sorted((e for e in events if e.is_maintenance), key=lambda e: (e.started_at, e.id))
    lines = []
    for event in incidents:
        acknowledged = _known(event, now, ACKNOWLEDGED)
        resolved = _known(event, now, RESOLVED)
        lines.append(
            IncidentLine(
                event.id,
                event.title,
                event.impact,
                event.component_ids,
                event.created_at,
                (acknowledged - event.created_at).total_seconds() if acknowledged else None,
                (resolved - event.created_at).total_seconds() if resolved else None,
            )
        )
    by_impact = {impact: sum(1 for e in incidents if e.impact == impact) for impact in IMPACTS}
    components = []
    for comp in site.components:
        uptime, downtime = _period_uptime(site, comp.id, period, as_of)
        components.append(
            ComponentLine(
                comp.id,
                comp.name,
                sum(1 for e in incidents if comp.id in e.component_ids),
                sum(1 for e in works if comp.id in e.component_ids),
                uptime,
                downtime,
            )
        )
    acks = [i.acknowledge_seconds for i in lines if i.acknowledge_seconds is not None]
    fixes = [i.resolve_seconds for i in lines if i.resolve_seconds is not None]
    availability = sum(c.uptime for c in components) / len(components) if components else 100.0
    return Measures(
        period=period,
        as_of=as_of,
        incidents=tuple(lines),
        maintenance=tuple(_maintenance_line(e, now) for e in works),
        by_impact=by_impact,
        components=tuple(components),
        acknowledge=_stat(acks, len(lines) - len(acks)),
        resolve=_stat(fixes, len(lines) - len(fixes)),
        availability=availability,
    )


def compute_report(site: Site, now: datetime, period: Period, *, level: int = TECHNICAL) -> Report:
    """The digest of ``period`` and its predecessor, counting what a reader at ``level`` may see."""
    visible = view_site(site, level)  # drafts and what the tier may not see are gone
    now = now.astimezone(UTC)
    return Report(
        site.name, site.url, now, measure(visible, now, period), measure(visible, now, previous_period(period))
    )


# ---------------------------------------------------------------------------- formatting


def duration(seconds: float | None) -> str:
    """'45 s', '40 min', '1 h 40 min', '2 d 3 h'; '–' for none."""
    if seconds is None:
        return "–"
    total = round(seconds)
    if total < 60:
        return f"{total} s"
    minutes = round(total / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def percent(value: float) -> str:
    """Two decimals, rounded down, so any downtime never shows as 100.00%."""
    floored = math.floor(value * 100 + 1e-9) / 100
    return f"{floored:.2f}%"


def _plural(count: int, word: str, plural: str = "") -> str:
    return f"{count} {word if count == 1 else plural or word + 's'}"


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _when(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value else "–"


def period_phrase(period: Period) -> str:
    if period.current:
        return f"this {period.noun} so far ({period.label})"
    return f"the {period.noun} of {period.label}" if period.kind == "week" else period.label


def summary(report: Report) -> str:
    """A short paragraph in plain language, for readers who will not read the tables."""
    cur, prev, noun = report.current, report.previous, report.period.noun
    count = len(cur.incidents)
    worst = [f"{cur.by_impact[i]} {i}" for i in reversed(IMPACTS) if i != "none" and cur.by_impact.get(i)]
    headline = f"{_plural(count, 'incident')}" + (f" ({', '.join(worst)})" if worst else "")
    change = count - len(prev.incidents)
    if change == 0:
        versus = f"the same as the {noun} before"
    else:
        versus = f"{abs(change)} {'more' if change > 0 else 'fewer'} than the {noun} before"
    when = period_phrase(report.period)
    sentences = [
        f"{when[0].upper()}{when[1:]}: {headline}, {versus}; "
        f"services were available {percent(cur.availability)} of the time."
    ]
    if cur.resolve.measured:
        sentences.append(
            f"Incidents were resolved in {duration(cur.resolve.mean)} on average "
            f"(9 in 10 within {duration(cur.resolve.p90)})."
        )
    if cur.resolve.pending:
        sentences.append(f"{_plural(cur.resolve.pending, 'incident is', 'incidents are')} still open.")
    if cur.maintenance:
        outcomes = _maintenance_counts(cur.maintenance)
        sentences.append(f"{_plural(len(cur.maintenance), 'planned maintenance', 'planned maintenances')}: {outcomes}.")
    return " ".join(sentences)


_OUTCOME_WORDS = {
    "kept": "kept to its window",
    "overran": "overran its window",
    "started_early": "started before its window",
    "not_completed": "not completed",
    "pending": "not finished yet",
}


def _maintenance_counts(lines: tuple[MaintenanceLine, ...]) -> str:
    counts: dict[str, int] = {}
    for line in lines:
        counts[line.outcome] = counts.get(line.outcome, 0) + 1
    return ", ".join(f"{n} {_OUTCOME_WORDS[outcome]}" for outcome, n in counts.items())


def outcome_text(line: MaintenanceLine) -> str:
    if line.outcome == "overran":
        return f"overran by {duration(line.overrun_seconds)}"
    if line.outcome == "started_early":
        return f"started {duration(line.early_seconds)} early"
    return _OUTCOME_WORDS[line.outcome].replace(" to its window", " within its window")


def title(report: Report) -> str:
    kind = "Weekly" if report.period.kind == "week" else "Monthly"
    so_far = " (so far)" if report.period.current else ""
    return f"{kind} status report: {report.period.label}{so_far}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def to_markdown(report: Report, *, tables: bool = True) -> str:
    """The digest as Markdown: the summary first, then (``tables``) the engineers' tables."""
    out = [f"# {title(report)}", "", summary(report)]
    if not tables:
        return "\n".join(out) + "\n"
    cur, prev, noun = report.current, report.previous, report.period.noun
    this, last = f"This {noun}", f"Previous {noun}"
    out += ["", "## Events by impact", ""]
    rows = [[i, str(cur.by_impact[i]), str(prev.by_impact[i])] for i in reversed(IMPACTS)]
    rows.append(["**all incidents**", str(len(cur.incidents)), str(len(prev.incidents))])
    rows.append(["maintenance", str(len(cur.maintenance)), str(len(prev.maintenance))])
    out += _table(["Impact", this, last], rows)
    out += ["", "## Events by component", ""]
    out += _table(
        ["Component", "Incidents", "Maintenance"],
        [[c.name, str(c.incidents), str(c.maintenance)] for c in cur.components],
    )
    out += ["", "## Time to acknowledge and to resolve", ""]
    out += _table(
        ["Measure", "Incidents measured", "Pending", "Mean", "p90"],
        [
            [name, str(s.measured), str(s.pending), duration(s.mean), duration(s.p90)]
            for name, s in (("Time to acknowledge", cur.acknowledge), ("Time to resolve", cur.resolve))
        ],
    )
    out += ["", "## Uptime", ""]
    out += _table(
        ["Component", "Uptime", "Weighted downtime"],
        [[c.name, percent(c.uptime), duration(c.downtime_seconds)] for c in cur.components]
        + [["**all components**", percent(cur.availability), ""]],
    )
    out += ["", "## Maintenance windows", ""]
    if cur.maintenance:
        out += _table(
            ["Maintenance", "Window (UTC)", "Started", "Completed", "Outcome"],
            [
                [
                    m.title,
                    f"{_when(m.scheduled_start)} – {_when(m.scheduled_end)}",
                    _when(m.started),
                    _when(m.completed),
                    outcome_text(m),
                ]
                for m in cur.maintenance
            ],
        )
    else:
        out.append("No maintenance in this period.")
    out += ["", f"## Trend against the previous {noun}", ""]
    rows = []
    for name, trend in report.trends.items():
        timed = name == "mean_time_to_resolve"
        show = duration if timed else (lambda v: "–" if v is None else str(int(v)))
        delta = trend.delta
        change = trend.direction if delta in (None, 0) else f"{trend.direction} {show(abs(delta))}"
        rows.append([name.replace("_", " ").capitalize(), show(trend.current), show(trend.previous), change])
    out += _table(["Measure", this, last, "Change"], rows)
    if cur.incidents:
        out += ["", "## Incidents", ""]
        out += _table(
            ["Incident", "Impact", "Started (UTC)", "Acknowledged after", "Resolved after"],
            [
                [i.title, i.impact, _when(i.started), duration(i.acknowledge_seconds), duration(i.resolve_seconds)]
                for i in cur.incidents
            ],
        )
    return "\n".join(out) + "\n"


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def _stat_json(stat: Stat) -> dict[str, Any]:
    return {"measured": stat.measured, "pending": stat.pending, "mean_seconds": stat.mean, "p90_seconds": stat.p90}


def _period_json(period: Period) -> dict[str, Any]:
    return {
        "kind": period.kind,
        "start": _iso(period.start),
        "end": _iso(period.end),
        "current": period.current,
        "label": period.label,
    }


def to_json(report: Report) -> dict[str, Any]:
    """The same numbers as the Markdown; durations in seconds, times in UTC ISO 8601."""
    cur, prev = report.current, report.previous
    return {
        "site": report.site_name,
        "generated_at": _iso(report.now),
        "period": {**_period_json(report.period), "as_of": _iso(cur.as_of)},
        "previous_period": _period_json(prev.period),
        "summary": summary(report),
        "counts": {
            "incidents": len(cur.incidents),
            "maintenance": len(cur.maintenance),
            "by_impact": dict(cur.by_impact),
            "by_component": {c.id: {"incidents": c.incidents, "maintenance": c.maintenance} for c in cur.components},
        },
        "time_to_acknowledge": _stat_json(cur.acknowledge),
        "time_to_resolve": _stat_json(cur.resolve),
        "uptime": {
            "overall_percent": round(cur.availability, 6),
            "components": {
                c.id: {"percent": round(c.uptime, 6), "downtime_seconds": round(c.downtime_seconds, 3)}
                for c in cur.components
            },
        },
        "maintenance": [
            {
                "id": m.id,
                "title": m.title,
                "scheduled_start": _iso(m.scheduled_start),
                "scheduled_end": _iso(m.scheduled_end),
                "started": _iso(m.started),
                "completed": _iso(m.completed),
                "outcome": m.outcome,
                "overrun_seconds": m.overrun_seconds,
                "early_seconds": m.early_seconds,
            }
            for m in cur.maintenance
        ],
        "incidents": [
            {
                "id": i.id,
                "title": i.title,
                "impact": i.impact,
                "components": list(i.components),
                "started": _iso(i.started),
                "acknowledge_seconds": i.acknowledge_seconds,
                "resolve_seconds": i.resolve_seconds,
            }
            for i in cur.incidents
        ],
        "previous": {
            "incidents": len(prev.incidents),
            "maintenance": len(prev.maintenance),
            "by_impact": dict(prev.by_impact),
            "time_to_resolve": _stat_json(prev.resolve),
        },
        "trend": {
            name: {"current": t.current, "previous": t.previous, "delta": t.delta, "direction": t.direction}
            for name, t in report.trends.items()
        },
    }


def dumps(report: Report) -> str:
    return json.dumps(to_json(report), indent=2, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------------------- sending


def send_report(
    config_file: Path,
    *,
    now: datetime,
    period: Period,
    groups: list[str],
    send: bool,
    outbox: Path | None = None,
    ledger_spec: str = "",
    environ: Mapping[str, str] | None = None,
) -> list[Delivery]:
    """Deliver the digest once per period to each named group: tables to technical groups, summary to others.

    A group below the technical tier gets numbers computed from what its own tier may see,
    so an incident hidden from it (only internal updates) is not counted in its summary.
    """
    from .notify.command import load, subscribers_of
    from .notify.config import Group
    from .notify.direct import Content, deliver_to_groups
    from .notify.ledger import open_ledger
    from .notify.run import Report as RunReport
    from .render.markdown import render_markdown

    env = os.environ if environ is None else environ
    loaded = load(config_file)
    chosen = loaded.groups_named(groups, "report")
    reports = {level: compute_report(loaded.site, now, period, level=level) for level in {g.tier for g in chosen}}

    def content(group: Group) -> Content:
        report = reports[group.tier]
        text = to_markdown(report, tables=group.tier >= TECHNICAL)
        cur = report.current
        short = (
            f"{loaded.site.name}, {period_phrase(report.period)}: {_plural(len(cur.incidents), 'incident')}, "
            f"{percent(cur.availability)} available"
        )
        return Content(
            subject=f"{loaded.site.name}: {title(report)}",
            text=text,
            html=render_markdown(text),
            short=short,
            link=loaded.tier_urls.get(group.tier, loaded.site.url),
            title=title(report),
        )

    run_id = period.run_id
    if period.current:
        run_id += f"-asof-{now.astimezone(UTC):%Y%m%dT%H%MZ}"  # a partial report never blocks the final one
    ledger = open_ledger(ledger_spec or env.get("STATUSMARK_LEDGER", "") or loaded.config.settings.ledger, loaded.base)
    try:
        subscribers = subscribers_of(loaded, env, RunReport()) if any(g.subscribers for g in chosen) else {}
        return deliver_to_groups(
            loaded.config, chosen, content, kind="report", run_id=run_id, now=now, ledger=ledger, send=send,
            outbox=outbox, environ=environ, subscribers=subscribers,
        )  # fmt: skip
    finally:
        ledger.close()


def deliveries_text(results: list[Delivery]) -> str:
    """One line per delivery, for stderr."""
    if not results:
        return "report: nothing to deliver"
    return "\n".join(f"report: {r.outcome}: {r.key}" + (f": {r.reason}" if r.reason else "") for r in results)
