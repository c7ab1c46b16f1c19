"""Any service Apprise 2.x reaches (Discord, Telegram, Matrix, ntfy, ...), one Apprise URL per target.

Each URL goes through its own ``apprise.Apprise()``: one shared instance reports only an
overall result, and the ledger needs to know which target failed. Apprise 2.x's ``notify()``
returns an ``AppriseResult`` (truthy only on SUCCESS; ``.status`` is SUCCESS, FAILURE,
NOMATCH, PARTIAL or TIMEOUT) and does not raise for a failing service, only for bad
arguments (``AppriseImproperlyConfigured``). Apprise's own retries are switched off (the
runner retries), and its wait is bounded by the send's ``timeout``: a service still busy
then is a TIMEOUT, reported as an unknown outcome.
"""

from __future__ import annotations

import json
from typing import Any

import apprise

from ..message import Message, Recipient
from ..secrets import EnvRef
from . import _options
from .base import Channel, Payload, SendFailed

DRILL_NOTE = "**This is a drill.** It tests the notification path; no action is needed."


class TargetsFailed(SendFailed):
    """Some Apprise targets failed; ``outcomes`` maps each masked target to delivered/failed/timeout/invalid."""

    def __init__(self, reason: str, outcomes: dict[str, str], **kwargs: bool):
        super().__init__(reason, **kwargs)
        self.outcomes = outcomes


class AppriseChannel(Channel):
    type = "apprise"
    required = ("urls",)
    secret_options = ("urls",)

    def describe(self) -> str:
        return f"{self.type}:{self.name} ({', '.join(self.targets())})"

    @classmethod
    def target_ids(cls, options: Any) -> tuple[str, ...]:
        # Each URL is its own target in the ledger, so one failing service never resends to the others.
        raw = options.get("urls")
        count = len(raw) if isinstance(raw, list | tuple) else 1
        return ("*",) if count == 1 else tuple(f"target-{n}" for n in range(1, count + 1))

    def targets(self) -> list[str]:
        """Each target as it may be printed: the variable's name, or for a literal URL its scheme only.

        ``mask`` would keep the host, and many Apprise URLs carry their token there (``tgram://TOKEN/chat``).
        """
        raw = self.options.get("urls")
        shown = [
            str(url) if isinstance(url, EnvRef) else _scheme(url)
            for url in (raw if isinstance(raw, list | tuple) else [raw])
        ]
        # Two literal URLs of one scheme look alike; number them so each outcome keeps its own name.
        return [name if shown.count(name) == 1 else f"{name} #{n}" for n, name in enumerate(shown, 1)]

    def payload(self, message: Message, recipient: Recipient) -> Payload:
        body = {
            "title": f"[TEST] {message.title}" if message.drill else message.title,
            "body": body_text(message),
            "type": notify_type(message),
            "urls": self.targets(),
        }
        return Payload(json.dumps(body, ensure_ascii=False).encode("utf-8"), "application/json", ".json")

    def send(self, payload: Payload, message: Message, recipient: Recipient, timeout: float) -> None:
        content = json.loads(payload.body)
        urls = _options.secrets(self, "urls")
        pairs = list(zip(self.targets(), urls))
        if recipient.contact.startswith("target-"):  # the runner sends to each target on its own
            pairs = [pairs[int(recipient.contact.removeprefix("target-")) - 1]]
        outcomes = {
            shown: notify(url, content["title"], content["body"], content["type"], timeout) for shown, url in pairs
        }
        failed = {shown: status for shown, status in outcomes.items() if status != "delivered"}
        if not failed:
            return
        listed = "; ".join(f"{shown} {status}" for shown, status in failed.items())
        raise TargetsFailed(
            f"{self.type}:{self.name}: {len(failed)} of {len(outcomes)} targets not delivered: {listed}",
            outcomes,
            # A timed-out service may still deliver after Apprise stopped waiting.
            outcome_unknown="timeout" in failed.values(),
            # Only URLs Apprise cannot parse are beyond a retry's help.
            permanent=set(failed.values()) == {"invalid"},
        )


def notify(url: str, title: str, body: str, kind: str, timeout: float) -> str:
    """Send to one Apprise URL: delivered, failed, timeout, or invalid (Apprise does not know the URL)."""
    asset = apprise.AppriseAsset(storage_mode="memory", service_timeout=timeout, default_service_retry=0)
    sender = apprise.Apprise(asset=asset)
    if not sender.add(url):
        return "invalid"
    for service in sender:
        _bound(service, timeout)
    try:
        with sender.notify(
            body=body, title=title, notify_type=kind, body_format=apprise.NotifyFormat.MARKDOWN, timeout=timeout
        ) as result:
            status = result.status
    except apprise.exception.AppriseException:
        return "invalid"
    if status == apprise.AppriseResultStatus.SUCCESS:
        return "delivered"
    return "timeout" if status == apprise.AppriseResultStatus.TIMEOUT else "failed"


def _bound(service: Any, timeout: float) -> None:
    # A ?retry=N in the URL would make Apprise resend by itself; the runner owns retries.
    service.retry = 0
    # Connecting is bounded by our timeout; reading is left a moment longer than Apprise's own
    # deadline, so a slow answer shows as TIMEOUT (may have arrived), not as a plain failure.
    service.socket_connect_timeout = timeout
    service.socket_read_timeout = timeout + 1


def _scheme(url: object) -> str:
    scheme, found, _ = str(url).partition("://")
    return f"{scheme}://***" if found else "***"


def body_text(message: Message) -> str:
    parts = [DRILL_NOTE] if message.drill else []
    parts.append(message.text.strip())
    parts.append(f"Impact: {message.impact} · Status: {message.status}")
    if message.link:
        parts.append(message.link)
    return "\n\n".join(part for part in parts if part)


def notify_type(message: Message) -> str:
    """Apprise's colour/icon for the update."""
    if message.resolved:
        return apprise.NotifyType.SUCCESS.value
    if message.impact in {"major", "critical"}:
        return apprise.NotifyType.FAILURE.value
    return apprise.NotifyType.WARNING.value if message.impact == "minor" else apprise.NotifyType.INFO.value
