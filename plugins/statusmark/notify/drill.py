"""`statusmark drill`: a clearly marked test message through every channel and contact.

External groups are reached only when named: a drill that surprises customers is an
incident of its own.
"""

from __future__ import annotations

import os
import statistics
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from ..model import AUDIENCES
from .command import load, subscribers_of
from .config import Group
from .direct import Content, Delivery, deliver_to_groups
from .ledger import open_ledger
from .run import Report


def run_drill(
    config_file: Path,
    *,
    now: datetime,
    groups: list[str],
    send: bool = True,
    outbox: Path | None = None,
    ledger_spec: str = "",
    environ: Mapping[str, str] | None = None,
) -> list[Delivery]:
    env = os.environ if environ is None else environ
    loaded = load(config_file)
    chosen = loaded.groups_named(groups, "drill") if groups else [g for g in loaded.config.groups if not g.external]
    stamp = now.strftime("%Y%m%dT%H%M%SZ")

    def content(group: Group) -> Content:
        tier = AUDIENCES[group.tier]
        text = (
            f"This is a drill of {loaded.site.name}'s incident notifications, sent at {now:%Y-%m-%d %H:%M} UTC "
            f"to the group '{group.id}' ({tier} tier). Nothing is wrong and no action is needed.\n\n"
            "If you received it, this channel works. If you expected it on another channel and it did not arrive, "
            "tell the incident communications owner."
        )
        return Content(
            subject=f"Notification drill: {loaded.site.name}",
            text=text + "\n",
            html="<p>" + text.replace("\n\n", "</p><p>") + "</p>",
            short=f"{loaded.site.name}: notification drill, no action needed.",
            link=loaded.site.url,
            title=f"Notification drill: {loaded.site.name}",
        )

    ledger = open_ledger(ledger_spec or env.get("STATUSMARK_LEDGER", "") or loaded.config.settings.ledger, loaded.base)
    try:
        subscribers = subscribers_of(loaded, env, Report()) if any(g.subscribers for g in chosen) else {}
        return deliver_to_groups(
            loaded.config, chosen, content, kind="drill", run_id=stamp, now=now, ledger=ledger, send=send,
            outbox=outbox, environ=environ, subscribers=subscribers, drill=True,
        )  # fmt: skip
    finally:
        ledger.close()


def drill_table(results: list[Delivery]) -> str:
    """Delivery and latency per channel, then each failure."""
    by_channel: dict[tuple[str, str], list[Delivery]] = {}
    for result in results:
        by_channel.setdefault((result.group, result.channel), []).append(result)
    lines = [["group", "channel", "delivered", "failed", "median ms", "max ms"]]
    for (group, channel), items in by_channel.items():
        times = [r.seconds * 1000 for r in items if r.outcome == "sent"]
        lines.append([
            group, channel,
            f"{sum(r.outcome in ('sent', 'already_sent', 'would_send') for r in items)}/{len(items)}",
            str(sum(r.outcome == "failed" for r in items)),
            f"{statistics.median(times):.0f}" if times else "-",
            f"{max(times):.0f}" if times else "-",
        ])  # fmt: skip
    widths = [max(len(row[i]) for row in lines) for i in range(len(lines[0]))]
    out = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in lines]
    out.insert(1, "  ".join("-" * w for w in widths))
    out += [f"failed: {r.key}: {r.reason}" for r in results if r.outcome == "failed"]
    return "\n".join(out)
