"""Messages that are not incident updates: drills and periodic reports, sent to whole groups.

Each send is keyed like any notification (``<kind>-<id>/<kind>/group/contact/channel``)
and recorded in the ledger, so a report for a period goes out once however often the
scheduled job runs, and a drill leaves a trace of what it reached.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .channels import channel_types
from .channels.base import SendFailed
from .compose import idempotency_key
from .config import Group, NotifyConfig
from .ledger import DONE, FAILED, SENDING, SENT, Ledger
from .message import Message, Recipient
from .secrets import MissingSecret


@dataclass(frozen=True)
class Content:
    """What a group's tier should read: the caller decides per tier."""

    subject: str
    text: str
    html: str
    short: str
    link: str
    title: str


@dataclass(frozen=True)
class Delivery:
    key: str
    group: str
    channel: str
    contact: str
    outcome: str  # sent | already_sent | failed | would_send
    seconds: float = 0.0
    reason: str = ""


def deliver_to_groups(
    config: NotifyConfig,
    groups: list[Group],
    content_for: Callable[[Group], Content],
    *,
    kind: str,
    run_id: str,
    now: datetime,
    ledger: Ledger,
    send: bool,
    outbox: Path | None = None,
    environ: Mapping[str, str] | None = None,
    subscribers: Mapping[str, tuple] = {},  # type: ignore[type-arg]  # noqa: B006 - read only
    drill: bool = False,
    clock: Callable[[], float] = time.perf_counter,
) -> list[Delivery]:
    """Send ``content_for(group)`` once to every channel and contact of each group."""
    results: list[Delivery] = []
    for group in groups:
        content = content_for(group)
        for channel_id in group.channels:
            channel_config = config.channels[channel_id]
            channel = channel_types()[channel_config.type](channel_id, channel_config.options, environ)
            if channel.address_field is None:
                targets = [Recipient(t) for t in channel.target_ids(channel_config.options)]
            else:
                field = channel.address_field
                contacts = [c for c in (*group.contacts, *subscribers.get(group.id, ())) if getattr(c, field)]
                targets = [Recipient(c.id, getattr(c, field)) for c in contacts]
            for recipient in targets:
                key = f"{kind}-{run_id}/{kind}/{group.id}/{recipient.contact}/{channel_id}"
                message = Message(
                    key=key,
                    idempotency_key=idempotency_key(key),
                    event_id=f"{kind}-{run_id}",
                    title=content.title,
                    subject=content.subject,
                    text=content.text,
                    html=content.html,
                    short=content.short,
                    link=content.link,
                    impact="none",
                    status=kind,
                    resolved=False,
                    components=(),
                    at=now,
                    kind=kind,
                    drill=drill,
                )
                payload = channel.payload(message, recipient)
                base = (key, group.id, channel_id, recipient.contact)
                previous = ledger.state(key)
                if previous is not None and previous.state in DONE:
                    results.append(Delivery(*base, "already_sent"))
                    continue
                if not send:
                    if outbox is not None:
                        folder = outbox / group.id / channel_id
                        folder.mkdir(parents=True, exist_ok=True)
                        name = f"{kind}-{run_id}" + ("" if recipient.contact == "*" else f"--{recipient.contact}")
                        (folder / (name + payload.suffix)).write_bytes(payload.body)
                    results.append(Delivery(*base, "would_send"))
                    continue
                ledger.record(key, SENDING, now, id=message.idempotency_key)
                started = clock()
                try:
                    channel.send(payload, message, recipient, config.settings.timeout)
                except (SendFailed, MissingSecret) as error:
                    reason = str(getattr(error, "reason", error))
                    ledger.record(key, FAILED, now, id=message.idempotency_key, detail=reason)
                    results.append(Delivery(*base, "failed", clock() - started, reason))
                    continue
                ledger.record(key, SENT, now, id=message.idempotency_key)
                results.append(Delivery(*base, "sent", clock() - started))
    ledger.checkpoint()
    return results
