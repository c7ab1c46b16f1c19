"""Seeded benchmark corpus: a whole status repository with N events over five years.

    python bench/gen_corpus.py N DIR [--seed S] [--end 2026-11-01T00:00:00Z] [--open]

Writes DIR/mkdocs.yml (30 components in 5 groups), DIR/site_src/about.md and
DIR/incidents/YYYY/<id>.md. About 92 % of the events are incidents and 8 % maintenance;
each has 1-6 updates and every update a public, a semi-technical and a technical block of
realistic Markdown (paragraphs, lists, code fences), about 6 KB per event. All events are
closed (resolved or completed); --open leaves the newest incident open. Same seed, same
bytes. Pure standard library.
"""

from __future__ import annotations

import argparse
import random
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

END = datetime(2026, 11, 1, tzinfo=UTC)
SPAN = timedelta(days=5 * 365)
DAY = 86400.0  # the longest event ends within a day of its start: all of it stays before --end
MAINTENANCE_SHARE = 0.08
GROUPS = ("Core platform", "Data", "Integrations", "Accounts", "Edge")
COMPONENTS = (
    ("api", "Public API"), ("web", "Web app"), ("auth", "Sign-in"), ("billing", "Billing"),
    ("search", "Search"), ("storage", "File storage"), ("queue", "Job queue"), ("cache", "Cache"),
    ("cdn", "CDN"), ("dns", "DNS"), ("email", "Email delivery"), ("sms", "SMS delivery"),
    ("webhooks", "Webhooks"), ("reports", "Reports"), ("exports", "Data exports"), ("imports", "Data imports"),
    ("sync", "Calendar sync"), ("mobile", "Mobile apps"), ("admin", "Admin console"), ("audit", "Audit log"),
    ("db", "Primary database"), ("ml", "Recommendations"), ("logs", "Log ingestion"), ("metrics", "Metrics"),
    ("chat", "Chat"), ("files", "File previews"), ("video", "Video calls"), ("maps", "Maps"),
    ("payments", "Card payments"), ("status", "Status notifications"),
)  # fmt: skip
SUBJECTS = ("requests", "sign-ins", "uploads", "exports", "searches", "payments", "webhooks", "reports", "syncs")
SYMPTOMS = ("are failing for some customers", "are slower than usual", "time out intermittently", "return errors")
TAGS = ("database", "network", "security", "deploy", "third-party", "payments", "capacity", "dns")
INCIDENT_FLOWS = {  # update statuses by number of updates
    1: ("resolved",),
    2: ("investigating", "resolved"),
    3: ("investigating", "identified", "resolved"),
    4: ("investigating", "identified", "monitoring", "resolved"),
    5: ("investigating", "identified", "monitoring", "resolved", "postmortem"),
    6: ("investigating", "identified", "identified", "monitoring", "resolved", "postmortem"),
}
MAINTENANCE_FLOW = ("scheduled", "in_progress", "verifying", "completed")

PUBLIC = {
    "investigating": (
        "We are investigating reports that {subject} on {name} {symptom}. We will post an update within {every} minutes.",
        "Some customers may notice that {subject} {symptom}. Our engineers are looking into it now.",
    ),
    "identified": (
        "We have found the cause and are working on a fix. Some {subject} may still be affected until it is in place.",
        "The problem is understood and a fix is being rolled out region by region. Thank you for your patience.",
    ),
    "monitoring": (
        "A fix is in place and {subject} are working normally again for most customers. We are monitoring closely.",
        "Service has recovered. We are keeping a close eye on {name} before closing this incident.",
    ),
    "resolved": (
        "This incident is resolved. {Subject} have worked normally since the fix. We are sorry for the disruption.",
        "Everything is back to normal. If you still see problems with {name}, please contact our support team.",
    ),
    "postmortem": ("We have published a review of this incident: what happened, why, and what we are changing.",),
    "scheduled": (
        "We will carry out planned maintenance on {name}. {Subject} may be briefly unavailable during the window; "
        "no action is needed on your side.",
    ),
    "in_progress": ("Planned maintenance on {name} has started. {Subject} may be slower than usual for a while.",),
    "verifying": ("The maintenance work is done and we are checking that everything works as expected.",),
    "completed": ("The maintenance is complete and {name} is working normally. Thank you for your patience.",),
}
SEMI = (
    "About {pct} % of {subject} were affected in the {region} region. The cause is in the {layer} layer; "
    "no data was lost and no customer action is needed.",
    "A change released earlier today interacted badly with the {layer} layer. Customers on the {plan} plan saw "
    "most of the impact; account managers have the list of affected accounts.",
    "We moved traffic away from the affected systems and capacity is back to normal levels. The risk of a repeat "
    "in the next hours is low, and on-call engineers stay on it until the incident is closed.",
    "Business impact so far: roughly {count} customers affected, {tickets} support tickets opened, no contractual "
    "SLA breached yet. Sales engineers can tell prospects that the problem is understood and contained.",
    "The root cause sits with {vendor}, one of our suppliers. We have escalated with them and are working around "
    "the problem on our side so that customers are not waiting on their fix.",
)
SEMI_LISTS = (
    "What this means for customers:\n\n- {Subject} may need a retry\n- nothing was lost or duplicated\n"
    "- customers on the {plan} plan may ask about service credits",
    "Next steps:\n\n1. finish the fix in {region}\n2. confirm with the three largest affected accounts\n"
    "3. review the change process that let this through",
)
TECH = (
    "Alert `{metric}` fired at p95 {ms} ms on {host}; error budget burn {burn}x over the last hour.",
    "Rolled back deploy {sha} on {host} and drained the node pool:\n\n```\n"
    "kubectl -n {ns} rollout undo deploy/{svc}\nkubectl -n {ns} scale deploy/{svc} --replicas={n}\n```",
    "- connection pool {used}/{size} on {host}\n- queue depth {depth}\n- GC pauses up to {ms} ms after {sha}",
    "Root cause: {svc} retried without jitter after the {layer} failover, amplifying load {n}x. Ticket OPS-{ticket}.",
    "Log excerpt from {host}:\n\n```\n{stamp} ERROR {svc} upstream timeout after {ms}ms (pool={used}/{size})\n"
    "{stamp} WARN  {svc} circuit breaker open for {layer}-{n}\n{stamp} ERROR {svc} 503 returned to client\n```",
    "Stack trace seen in {svc}:\n\n```\nTraceback (most recent call last):\n"
    '  File "/srv/{svc}/handlers.py", line {line}, in handle\n    result = backend.fetch(key)\n'
    "TimeoutError: {layer} did not answer within {ms} ms\n```",
    "Dashboards: `{metric}` back under SLO since the fix; {region} shows {pct} % headroom. Ran the canary suite "
    "(`make canary REGION={region}`), all {n} checks green.",
    "Follow-ups: OPS-{ticket} (alert on {metric} earlier), OPS-{ticket2} (load test {svc} with {n}x traffic), "
    "OPS-{ticket3} (runbook for the {layer} failover).",
)
SEMI_MAINTENANCE = (
    "This is routine work to keep {name} on a supported version. We expect no downtime; {subject} may be slower "
    "for a few minutes in the {region} region.",
    "Customers were told {every} days ahead by email and in the app. Account managers of {plan} customers have the "
    "schedule in case anyone asks.",
    "Why now: the current {layer} version reaches end of support soon, and staying on it would put our security "
    "certifications at risk.",
)
TECH_MAINTENANCE = (
    "Runbook RB-{ticket}: drain {host}, upgrade the {layer} tier, then rejoin it behind the load balancer.",
    "Commands:\n\n```\nansible-playbook -l {region} upgrade-{layer}.yml --diff\n"
    "kubectl -n {ns} rollout restart deploy/{svc}\n```",
    "- expected write pause < {n} s\n- rollback: redeploy {sha}\n- owner: on-call of team {ns}",
    "Checks after each step: `{metric}` stays under SLO, replication lag < {n} s, canary suite green.",
)
FIXED = {
    "every": lambda r: r.choice((15, 20, 30, 60)),
    "pct": lambda r: r.randint(2, 60),
    "region": lambda r: r.choice(("eu-west", "us-east", "ap-south")),
    "layer": lambda r: r.choice(("database", "cache", "network", "queue", "storage")),
    "plan": lambda r: r.choice(("Team", "Business", "Enterprise")),
    "vendor": lambda r: r.choice(("our cloud provider", "our payment processor", "our email provider", "our DNS host")),
    "metric": lambda r: r.choice(("http_5xx_ratio", "latency_p95", "queue_lag", "db_pool_saturation")),
    "host": lambda r: f"node-{r.randint(1, 99)}.{r.choice(('fra1', 'iad2', 'sin3'))}.internal",
    "sha": lambda r: f"{r.getrandbits(28):07x}",
    "ns": lambda r: r.choice(("api", "edge", "data")),
    "svc": lambda r: r.choice(("api-server", "worker", "gateway", "indexer")),
}
VARYING = {
    "ms": lambda r: r.randint(80, 9000),
    "burn": lambda r: r.randint(2, 40),
    "n": lambda r: r.randint(2, 48),
    "used": lambda r: r.randint(100, 500),
    "size": lambda r: 500,
    "depth": lambda r: r.randint(1000, 900000),
    "ticket": lambda r: r.randint(1000, 9999),
    "ticket2": lambda r: r.randint(1000, 9999),
    "ticket3": lambda r: r.randint(1000, 9999),
    "count": lambda r: r.randint(3, 4000),
    "tickets": lambda r: r.randint(0, 250),
    "line": lambda r: r.randint(20, 900),
}


class Values(dict):
    """Template values: event-wide ones fixed on first use, the others drawn per use."""

    def __init__(self, rng: random.Random, fixed: dict[str, str]):
        super().__init__(fixed)
        self.rng = rng

    def __missing__(self, key: str) -> object:
        if key in VARYING:
            return VARYING[key](self.rng)
        value = FIXED[key](self.rng)
        self[key] = value
        return value


def components() -> list[tuple[str, str, str, str]]:
    """(id, name, group, kind) of the 30 components: 6 per group, every third infrastructure."""
    return [
        (cid, name, GROUPS[i % 5], "infrastructure" if i % 3 == 2 else "application")
        for i, (cid, name) in enumerate(COMPONENTS)
    ]


def stamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def block(audience: str, text: str) -> str:
    return f"/// {audience}\n{text}\n///\n"


def update(rng: random.Random, values: Values, at: datetime, status: str, maintenance: bool) -> str:
    values["stamp"] = stamp(at)
    choices = PUBLIC[status]
    public = " ".join(t.format_map(values) for t in rng.sample(choices, rng.randint(1, len(choices))))
    if maintenance:
        semi = [t.format_map(values) for t in rng.sample(SEMI_MAINTENANCE, 2)]
        tech = [t.format_map(values) for t in rng.sample(TECH_MAINTENANCE, rng.randint(3, 4))]
    else:
        semi = [t.format_map(values) for t in rng.sample(SEMI, rng.randint(2, 3))]
        if rng.random() < 0.4:
            semi.append(rng.choice(SEMI_LISTS).format_map(values))
        tech = [t.format_map(values) for t in rng.sample(TECH, rng.randint(5, 7))]
    return (
        f"## {stamp(at)} {status}\n\n"
        + block("public", public)
        + "\n"
        + block("semi-technical", "\n\n".join(semi))
        + "\n"
        + block("technical", "\n\n".join(tech))
    )


def event_text(rng: random.Random, start: datetime, comps: list[tuple[str, str, str, str]], open_: bool) -> str:
    chosen = rng.sample(comps, rng.randint(1, 3))
    subject = rng.choice(SUBJECTS)
    values = Values(rng, {"subject": subject, "Subject": subject.capitalize(), "name": chosen[0][1]})
    values["symptom"] = rng.choice(SYMPTOMS)
    count = rng.randint(1, 6)
    updates: list[tuple[datetime, str]] = []
    maintenance = not open_ and rng.random() < MAINTENANCE_SHARE
    if maintenance:
        start = start.replace(minute=0)
        end = start + timedelta(hours=rng.randint(1, 4))
        front = [
            f"title: Scheduled maintenance of {chosen[0][1]}",
            "kind: maintenance",
            f"scheduled_start: {stamp(start)}",
            f"scheduled_end: {stamp(end)}",
            "components:",
            *(f"  {c[0]}: under_maintenance" for c in chosen),
        ]
        flow = MAINTENANCE_FLOW[-min(count, 4) :]
        at = start
        for status in flow:
            if status == "scheduled":  # announced days ahead
                updates.append((start - timedelta(days=rng.randint(3, 10), minutes=rng.randint(0, 600)), status))
            else:
                at += timedelta(minutes=rng.randint(5, 40))
                updates.append((at, status))
    else:
        impact = "major" if open_ else rng.choice(("none", "minor", "minor", "major", "major", "critical"))
        status = {"none": "operational", "minor": "degraded_performance", "major": "partial_outage"}
        front = [
            f"title: {values['Subject']} {values['symptom']} on {chosen[0][1]}",
            f"impact: {impact}",
            f"tags: [{', '.join(sorted(rng.sample(TAGS, rng.randint(1, 2))))}]",
            "components:",
            *(f"  {c[0]}: {status.get(impact, 'major_outage')}" for c in chosen),
        ]
        if impact in ("major", "critical"):
            front.append(f"approvals:\n  - {{role: communications, by: Comms On-call, at: {stamp(start)}}}")
        flow = INCIDENT_FLOWS[count]
        if open_:
            flow = flow[: flow.index("resolved")] or ("investigating",)
        at = start
        for status_ in flow:
            at += timedelta(minutes=rng.randint(5, 90))
            updates.append((at, status_))
    body = "\n".join(update(rng, values, at, status, maintenance) for at, status in updates)
    return "---\n" + "\n".join(front) + "\n---\n\n" + body


def config(comps: list[tuple[str, str, str, str]]) -> str:
    rows = "\n".join(
        f"        - {{id: {cid}, name: {name}, group: {group}, kind: {kind}}}" for cid, name, group, kind in comps
    )
    return (
        "site_name: Bench Status\nsite_url: https://status.bench.example/\ndocs_dir: site_src\n"
        "theme:\n  name: material\n  font: false\n"
        f"plugins:\n  - search\n  - statusmark:\n      components:\n{rows}\n"
    )


def prepare(out: Path) -> None:
    """Empty DIR for a new corpus, refusing to wipe anything that is not one."""
    config_file = out / "mkdocs.yml"
    if out.exists() and any(out.iterdir()):
        if not config_file.is_file() or not config_file.read_text(encoding="utf-8").startswith(
            "site_name: Bench Status"
        ):
            raise SystemExit(f"{out}: exists and is not a benchmark corpus; choose an empty or new folder")
        shutil.rmtree(out)
    (out / "site_src").mkdir(parents=True)


def generate(count: int, out: Path, seed: int = 1, end: datetime = END, open_newest: bool = False) -> list[Path]:
    rng = random.Random(seed)
    comps = components()
    prepare(out)
    (out / "site_src" / "about.md").write_text("# About\n\nA generated benchmark status site.\n", encoding="utf-8")
    (out / "mkdocs.yml").write_text(config(comps), encoding="utf-8")
    span = SPAN.total_seconds()
    starts = sorted(
        (end - timedelta(seconds=rng.uniform(DAY, span))).replace(second=0, microsecond=0) for _ in range(count)
    )
    written = []
    for index, start in enumerate(starts):
        path = out / "incidents" / f"{start:%Y}" / f"event-{index:05d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(event_text(rng, start, comps, open_newest and index == count - 1) + "\n", encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, help="number of events")
    parser.add_argument("out", type=Path, help="folder to write the status repository to")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--end", default=stamp(END), help="no event starts after this time")
    parser.add_argument("--open", action="store_true", help="leave the newest incident open")
    args = parser.parse_args(argv)
    end = datetime.fromisoformat(args.end)
    end = (end if end.tzinfo else end.replace(tzinfo=UTC)).astimezone(UTC)
    generate(args.count, args.out, args.seed, end, args.open)
    print(f"wrote {args.count} events to {args.out}")


if __name__ == "__main__":
    main()
