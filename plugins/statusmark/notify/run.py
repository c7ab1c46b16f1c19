"""One notification run: reconcile what is due against the ledger, send, record, report."""

from __future__ import annotations

import os
import re
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from .channels import channel_types
from .channels.base import Channel, SendFailed
from .compose import Composer
from .config import ChannelConfig, Contact, NotifyConfig
from .ledger import DEFERRED, DONE, FAILED, FALLBACK, SENDING, SENT, SUPERSEDED, UNKNOWN, Ledger
from .message import Message, Recipient
from .plan import Due
from .secrets import EnvRef, MissingSecret, mask

# Outcomes counted in the report, in the order the table shows them.
OUTCOMES = ("sent", "would_send", "already_sent", "held_approval", "held_unknown", "deferred", "failed", "superseded")


def with_contact(key: str, contact: str) -> str:
    """The same notification key for another contact: event/update/group/CONTACT/channel."""
    parts = key.split("/")
    parts[3] = contact
    return "/".join(parts)


@dataclass
class Report:
    counts: Counter[tuple[str, str, str]] = field(default_factory=Counter)  # (group, channel, outcome)
    held: list[dict[str, Any]] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)
    unknown: list[dict[str, Any]] = field(default_factory=list)
    deferred: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def count(self, due: Due, outcome: str) -> None:
        self.counts[(due.group.id, due.channel.id, outcome)] += 1

    def total(self, outcome: str) -> int:
        return sum(n for (_, _, o), n in self.counts.items() if o == outcome)

    def as_json(self) -> dict[str, Any]:
        rows: dict[tuple[str, str], dict[str, int]] = {}
        for (group, channel, outcome), n in sorted(self.counts.items()):
            rows.setdefault((group, channel), dict.fromkeys(OUTCOMES, 0))[outcome] = n
        return {
            "totals": {o: self.total(o) for o in OUTCOMES},
            "rows": [{"group": g, "channel": c, **counts} for (g, c), counts in rows.items()],
            "held_for_approval": self.held,
            "failed": self.failed,
            "outcome_unknown": self.unknown,
            "deferred": self.deferred,
            "notes": self.notes,
        }

    def table(self) -> str:
        data = self.as_json()
        shown = [o for o in OUTCOMES if data["totals"][o]] or ["sent"]
        header = ["group", "channel", *shown]
        lines = [header] + [[r["group"], r["channel"], *(str(r[o]) for o in shown)] for r in data["rows"]]
        widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
        out = ["  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip() for line in lines]
        out.insert(1, "  ".join("-" * w for w in widths))
        for item in self.held:
            out.append(f"held: {item['key']}: needs approval by {', '.join(item['missing'])}")
        for item in self.unknown:
            out.append(
                f"outcome unknown, held: {item['key']}: {item['reason']} (settle with --confirm KEY or --resend KEY)"
            )
        for item in self.failed:
            out.append(f"failed, still due: {item['key']}: {item['reason']}")
        out += [f"note: {n}" for n in self.notes]
        return "\n".join(out)


@dataclass
class Runner:
    """Sends (or, in a dry run, writes) every due notification the ledger does not hold as done."""

    config: NotifyConfig
    composer: Composer
    ledger: Ledger
    now: datetime
    send: bool = False  # False: dry run, nothing leaves the machine and the ledger is untouched
    outbox: Path | None = None
    environ: Mapping[str, str] | None = None
    sleep: Callable[[float], None] = time.sleep
    report: Report = field(default_factory=Report)

    def __post_init__(self) -> None:
        self._channels: dict[str, Channel] = {}
        self._down: dict[str, str] = {}  # channel id -> why it is skipped for the rest of this run

    def channel(self, config: ChannelConfig) -> Channel:
        if config.id not in self._channels:
            self._channels[config.id] = channel_types()[config.type](config.id, config.options, self.environ)
        return self._channels[config.id]

    def run(self, due: list[Due]) -> Report:
        for item in due:
            self.one(item)
        self.ledger.checkpoint()
        return self.report

    def one(self, due: Due) -> None:
        entry = self.ledger.state(due.key)
        if entry is not None and entry.state in DONE:
            self.report.count(due, "already_sent")
            return
        for older in due.superseded:
            previous = self.ledger.state(older)
            if self.send and (previous is None or previous.state not in DONE | {SENDING, UNKNOWN}):
                self.ledger.record(older, SUPERSEDED, self.now, detail=f"newer update {due.key}")
                self.report.count(due, "superseded")
        if due.missing_approvals:
            self.report.count(due, "held_approval")
            self.report.held.append({"key": due.key, "group": due.group.id, "missing": list(due.missing_approvals)})
            return
        channel = self.channel(due.channel)
        if entry is not None and entry.state in (SENDING, UNKNOWN) and not self._safe_to_repeat(due, channel):
            # The last run died (or timed out) after the request may have left: a second copy
            # to customers is itself an incident, so a person decides.
            if entry.state == SENDING and self.send:
                self.ledger.record(due.key, UNKNOWN, self.now, id=entry.id, detail="the run stopped mid-send")
            self.report.count(due, "held_unknown")
            self.report.unknown.append({"key": due.key, "reason": entry.detail or "the run stopped mid-send"})
            return
        if due.defer_until is not None:
            until = due.defer_until.strftime("%Y-%m-%dT%H:%M:%SZ")
            if self.send and (entry is None or entry.until != until):
                self.ledger.record(due.key, DEFERRED, self.now, until=until, detail="outside contact hours")
            self.report.count(due, "deferred")
            self.report.deferred.append({"key": due.key, "until": until})
            return
        self.deliver(due, channel)

    def _safe_to_repeat(self, due: Due, channel: Channel) -> bool:
        return channel.deduplicates or not due.group.external

    def deliver(self, due: Due, channel: Channel) -> bool:
        message = self.composer.compose(
            due.key, due.event, due.update, due.group.tier, due.channel.type, reminder=due.reminder
        )
        if message is None:
            return True  # nothing of this update is for this tier
        recipient = self.recipient(due, channel)
        payload = channel.payload(message, recipient)
        if not self.send:
            self.write_outbox(due, payload.body, payload.suffix)
            self.report.count(due, "would_send")
            return True
        if due.channel.id in self._down:
            self._fail(due, self._down[due.channel.id])
            return False
        outcome = self.attempt(due, channel, message, recipient, payload)
        if outcome == SENT:
            if due.instead_of and due.contact is not None:
                primary = with_contact(due.key, due.instead_of)
                self.ledger.record(primary, FALLBACK, self.now, detail=f"reached backup {due.contact.id}")
            self.report.count(due, "sent")
            return True
        if outcome == FAILED and due.backup is not None and due.contact is not None:
            # The primary cannot be reached on this channel: the backup stands in, once.
            stand_in = replace(
                due,
                key=with_contact(due.key, due.backup.id),
                contact=due.backup,
                backup=None,
                instead_of=due.contact.id,
            )
            previous = self.ledger.state(stand_in.key)
            if previous is None or previous.state not in DONE:
                return self.deliver(stand_in, channel)
        return False

    def attempt(self, due: Due, channel: Channel, message: Message, recipient: Recipient, payload: Any) -> str:
        delay = self.config.settings.backoff
        attempts = self.config.settings.retries
        for number in range(1, attempts + 1):
            self.ledger.record(due.key, SENDING, self.now, id=message.idempotency_key)
            try:
                channel.send(payload, message, recipient, self.config.settings.timeout)
            except MissingSecret as error:
                self._down[due.channel.id] = str(error)
                self._fail(due, str(error))
                return FAILED
            except SendFailed as failure:
                reason = self._scrub(failure.reason, channel)
                if failure.outcome_unknown and not self._safe_to_repeat(due, channel):
                    self.ledger.record(due.key, UNKNOWN, self.now, id=message.idempotency_key, detail=reason)
                    self.report.count(due, "held_unknown")
                    self.report.unknown.append({"key": due.key, "reason": reason})
                    return UNKNOWN
                if failure.permanent or number == attempts:
                    self._fail(due, reason, message.idempotency_key)
                    if not failure.permanent:
                        self._down[due.channel.id] = f"{channel.describe()} failed {attempts} times this run: {reason}"
                    return FAILED
                self.sleep(min(delay, self.config.settings.max_backoff))
                delay *= 2
                continue
            self.ledger.record(due.key, SENT, self.now, id=message.idempotency_key)
            if due.group.external and not channel.deduplicates:
                self.ledger.checkpoint()  # keep the window in which a crash could repeat this small
            return SENT
        return FAILED  # pragma: no cover - the loop always returns

    def _fail(self, due: Due, reason: str, id: str = "") -> None:
        self.ledger.record(due.key, FAILED, self.now, id=id, detail=reason)
        self.report.count(due, "failed")
        self.report.failed.append({"key": due.key, "reason": reason})

    def _scrub(self, reason: str, channel: Channel) -> str:
        """A failure's text without any secret the channel holds (URLs carry tokens)."""
        environ = os.environ if self.environ is None else self.environ
        for value in channel.options.values():
            real = environ.get(value.name) if isinstance(value, EnvRef) else None
            if real:
                reason = reason.replace(real, mask(value))
        return re.sub(r"https?://[^\s'\"]+", lambda m: mask(m.group(0)), reason)

    def recipient(self, due: Due, channel: Channel) -> Recipient:
        contact: Contact | None = due.contact
        if contact is None or channel.address_field is None:
            return Recipient(due.target)
        unsubscribe = due.group.unsubscribe.replace("{contact}", contact.id) if due.group.unsubscribe else ""
        return Recipient(contact.id, getattr(contact, channel.address_field), unsubscribe)

    def write_outbox(self, due: Due, body: bytes, suffix: str) -> None:
        if self.outbox is None:
            return
        event, update, group, contact, channel = due.key.split("/")
        folder = self.outbox / group / channel
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{event}--{update}" + ("" if contact == "*" else f"--{contact}") + suffix
        (folder / name).write_bytes(body)
