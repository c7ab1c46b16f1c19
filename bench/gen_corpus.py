"""Seeded benchmark corpus: a whole status repository with N events over five years.

    python bench/gen_corpus.py N DIR [--seed S] [--end 2026-11-01T00:00:00Z]

Every update has a public, a semi-technical and a technical block of realistic Markdown
(paragraphs, lists, code fences), about 6 KB per event. Same seed, same bytes.
"""

from __future__ import annotations

import argparse
import random
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

GROUPS = ("Core platform", "Data", "Integrations", "Accounts", "Edge")
SUBJECTS = (
    "requests",
    "sign-ins",
    "uploads",
    "exports",
    "searches",
    "payments",
    "webhooks",
    "reports",
    "syncs",
    "notifications",
)
SYMPTOMS = (
    "are failing for some customers",
    "are slower than usual",
    "time out intermittently",
    "return errors",
    "are delayed",
)
PUBLIC = (
    "We are investigating reports that {subject} {symptom}. We will post an update as soon as we know more.",
    "We have identified the cause and are working on a fix. Some {subject} may still be affected until it is in place.",
    "A fix has been applied and we are monitoring the results. {Subject} should be back to normal for most customers.",
    "This incident is resolved. {Subject} have worked normally since the fix. We are sorry for the disruption.",
)
SEMI = (
    "About {pct} % of {subject} were affected in the {region} region. The cause is in the {layer} layer; no data was lost.",
    "A change released earlier today interacted badly with the {layer} layer. Customers on the {plan} plan saw most of the impact.",
    "We moved traffic away from the affected systems and capacity is back to normal levels.",
)
TECH = (
    "Alert `{metric}` fired at p95 {ms} ms on {host}; error budget burn {burn}x.",
    "Rolled back deploy {sha} on {host} and drained the node pool:\n\n```\nkubectl -n {ns} rollout undo deploy/{svc}\nkubectl -n {ns} scale deploy/{svc} --replicas={n}\n```",
    "- connection pool {used}/{size} on {host}\n- queue depth {depth}\n- GC pauses up to {ms} ms after {sha}",
    "Root cause: {svc} retried without jitter after the {layer} failover, amplifying load {n}x. Ticket OPS-{ticket}.",
)
INCIDENT_FLOW = ("investigating", "identified", "monitoring", "resolved")


def components() -> list[tuple[str, str, str, str]]:
    names = ("api", "web", "auth", "billing", "search", "storage", "queue", "cache", "cdn", "dns", "email", "sms",
             "webhooks", "reports", "exports", "imports", "sync", "mobile", "admin", "audit", "db", "ml", "logs",
             "metrics", "chat", "files", "video", "maps", "payments", "status")  # fmt: skip
    return [
        (n, n.title(), GROUPS[i % 5], "infrastructure" if i % 3 == 2 else "application") for i, n in enumerate(names)
    ]


def fill(rng: random.Random, template: str) -> str:
    subject = rng.choice(SUBJECTS)
    values = {
        "subject": subject, "Subject": subject.capitalize(), "symptom": rng.choice(SYMPTOMS),
        "pct": rng.randint(2, 60), "region": rng.choice(("eu-west", "us-east", "ap-south")),
        "layer": rng.choice(("database", "cache", "network", "queue", "storage")),
        "plan": rng.choice(("Team", "Business", "Enterprise")), "metric": rng.choice(("http_5xx_ratio", "latency_p95", "queue_lag")),
        "ms": rng.randint(80, 9000), "host": f"node-{rng.randint(1, 99)}.{rng.choice(('fra1', 'iad2', 'sin3'))}",
        "burn": rng.randint(2, 40), "sha": f"{rng.getrandbits(28):07x}", "ns": rng.choice(("api", "edge", "data")),
        "svc": rng.choice(("api-server", "worker", "gateway", "indexer")), "n": rng.randint(2, 48),
        "used": rng.randint(100, 500), "size": 500, "depth": rng.randint(1000, 900000), "ticket": rng.randint(1000, 9999),
    }  # fmt: skip
    return template.format(**values)


def paragraphs(rng: random.Random, templates: tuple[str, ...], count: int) -> str:
    return "\n\n".join(fill(rng, rng.choice(templates)) for _ in range(count))


def event_text(
    rng: random.Random, index: int, start: datetime, comps: list[tuple[str, str, str, str]]
) -> tuple[str, str]:
    maintenance = rng.random() < 0.08
    chosen = rng.sample(comps, rng.randint(1, 3))
    updates = rng.randint(1, 6)
    if maintenance:
        title = f"Scheduled maintenance of {chosen[0][1]}"
        end = start + timedelta(hours=rng.randint(1, 4))
        front = (
            f"kind: maintenance\nscheduled_start: {start:%Y-%m-%dT%H:%M:%SZ}\nscheduled_end: {end:%Y-%m-%dT%H:%M:%SZ}\n"
        )
        statuses = (
            ["scheduled", "in_progress", "verifying", "completed"][-min(updates, 4) :] if updates > 1 else ["completed"]
        )
        cstatus = "under_maintenance"
    else:
        title = f"{rng.choice(SUBJECTS).capitalize()} {rng.choice(SYMPTOMS)} on {chosen[0][1]}"
        front = f"impact: {rng.choice(('none', 'minor', 'major', 'critical'))}\ntags: [{rng.choice(('database', 'network', 'security', 'deploy'))}]\n"
        flow = list(INCIDENT_FLOW) + ["resolved"] * 2
        statuses = flow[: updates - 1] + ["resolved"] if updates > 1 else ["resolved"]
        cstatus = rng.choice(("degraded_performance", "partial_outage", "major_outage"))
    lines = [f"---\ntitle: {title}\n{front}components:"] + [f"  {c[0]}: {cstatus}" for c in chosen] + ["---", ""]
    at = start
    for number, status in enumerate(statuses):
        at += timedelta(minutes=rng.randint(5, 90))
        lines += [
            f"## {at:%Y-%m-%dT%H:%M:%SZ} {status}", "",
            "/// public", PUBLIC[min(number, 3)].format(subject="requests", Subject="Requests", symptom="are affected"), "///", "",
            "/// semi-technical", paragraphs(rng, SEMI, 2), "///", "",
            "/// technical", paragraphs(rng, TECH, rng.randint(3, 5)), "///", "",
        ]  # fmt: skip
    return f"{start:%Y}", "\n".join(lines)


def config(comps: list[tuple[str, str, str, str]]) -> str:
    rows = "\n".join(f"        - {{id: {c}, name: {n}, group: {g}, kind: {k}}}" for c, n, g, k in comps)
    return (
        "site_name: Bench Status\nsite_url: https://status.bench.example/\ndocs_dir: site_src\n"
        "theme:\n  name: material\n  font: false\n"
        f"plugins:\n  - search\n  - statusmark:\n      components:\n{rows}\n"
    )


def generate(count: int, out: Path, seed: int = 1, end: datetime = datetime(2026, 11, 1, tzinfo=UTC)) -> None:
    rng = random.Random(seed)
    comps = components()
    if out.exists():
        shutil.rmtree(out)
    (out / "site_src").mkdir(parents=True)
    (out / "site_src" / "about.md").write_text("# About\n\nA generated benchmark status site.\n")
    (out / "mkdocs.yml").write_text(config(comps))
    span = timedelta(days=5 * 365).total_seconds()
    starts = sorted(end - timedelta(seconds=rng.uniform(0, span)) for _ in range(count))
    for index, start in enumerate(starts):
        start = start.replace(second=0, microsecond=0)
        year, text = event_text(rng, index, start, comps)
        path = out / "incidents" / year / f"event-{index:05d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--end", default="2026-11-01T00:00:00Z")
    args = parser.parse_args()
    generate(args.count, args.out, args.seed, datetime.fromisoformat(args.end))
    print(f"wrote {args.count} events to {args.out}")


if __name__ == "__main__":
    main()
