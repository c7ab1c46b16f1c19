"""PagerDuty Events API v2: one alert per event, triggered while open and resolved when closed.

``dedup_key`` is the event's key, so every update of an event lands on the same alert and a
repeated send is dropped by PagerDuty; ``resolve`` closes it. The routing key is a secret and
so is added to the body only when sending: the payload (what a dry run shows) leaves it out.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from ..message import Message, Recipient
from . import _http, _options
from ._time import iso
from .base import Channel, Payload

DEFAULT_URL = "https://events.pagerduty.com/v2/enqueue"
SUMMARY_CHARS = 1024
DETAIL_CHARS = 4000  # custom_details are for context; the status page has the rest

SEVERITY = {"critical": "critical", "major": "error", "minor": "warning", "none": "info", "maintenance": "info"}


class PagerDutyChannel(Channel):
    type = "pagerduty"
    required = ("routing_key",)
    optional = ("url",)
    secret_options = ("routing_key",)
    deduplicates = True  # same dedup_key: PagerDuty folds a repeat into the open alert

    def payload(self, message: Message, recipient: Recipient) -> Payload:
        return Payload(json.dumps(event(message), ensure_ascii=False).encode("utf-8"), "application/json", ".json")

    def send(self, payload: Payload, message: Message, recipient: Recipient, timeout: float) -> None:
        routing_key = _options.secret(self, "routing_key")
        url = str(_options.plain(self, "url", DEFAULT_URL))
        body = {"routing_key": routing_key, **json.loads(payload.body)}
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        _http.post(url, data, target=self.describe(), timeout=timeout, ok={202}, secrets=[routing_key])


def event(message: Message) -> dict[str, object]:
    """The Events API v2 body, without its routing key."""
    alert: dict[str, object] = {
        "summary": summary(message),
        "source": urlsplit(message.link).hostname or "statusmark",
        # A drill must not wake anyone: it is always informational.
        "severity": "info" if message.drill else SEVERITY.get(message.impact, "warning"),
        "timestamp": iso(message.at),
        "class": message.kind,
        "custom_details": {
            "status": message.status,
            "impact": message.impact,
            "components": list(message.components),
            "text": _clip(message.text, DETAIL_CHARS),
            "link": message.link,
            "drill": message.drill,
            "correction": message.correction,
        },
    }
    if message.components:
        alert["component"] = ", ".join(message.components)[:255]
    result: dict[str, object] = {
        "event_action": "resolve" if message.resolved else "trigger",
        "dedup_key": message.event_key,
        "payload": alert,
        "client": "Statusmark",
    }
    if message.link:
        result["client_url"] = message.link
        result["links"] = [{"href": message.link, "text": "Status page"}]
    return result


def summary(message: Message) -> str:
    text = f"{message.title}: {message.short}" if message.short and message.short != message.title else message.title
    return _clip(f"[TEST] {text}" if message.drill else text, SUMMARY_CHARS)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
