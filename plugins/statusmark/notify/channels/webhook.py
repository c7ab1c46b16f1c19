"""A generic JSON webhook, signed per the Standard Webhooks specification (standardwebhooks.com).

Headers: ``webhook-id`` (the message's idempotency key: the same on every retry, so receivers
drop repeats), ``webhook-timestamp`` (Unix seconds at sending) and ``webhook-signature``
(``v1,<base64 HMAC-SHA256 of "id.timestamp.body">`` keyed with the ``whsec_`` secret).
Receivers verify with any Standard Webhooks library, e.g. ``Webhook(secret).verify(body, headers)``.

The body is a stable schema (fields are only ever added)::

    {
      "type": "incident.updated",
      "timestamp": "2026-11-23T12:00:00Z",      # when the update was written
      "data": {
        "event_id": "...", "title": "...", "kind": "incident" | "maintenance",
        "impact": "none" | "minor" | "major" | "critical" | "maintenance",
        "status": "...", "resolved": false, "components": ["..."],
        "subject": "...", "text": "...", "link": "https://...",
        "at": "2026-11-23T12:00:00Z", "drill": false, "correction": false
      }
    }
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

from standardwebhooks import Webhook

from ..message import Message, Recipient
from . import _http, _options
from ._time import iso
from .base import Channel, Payload, SendFailed

EVENT_TYPE = "incident.updated"


class WebhookChannel(Channel):
    type = "webhook"
    required = ("url", "secret")
    secret_options = ("secret",)
    deduplicates = True  # the spec asks receivers to drop a repeated webhook-id

    def payload(self, message: Message, recipient: Recipient) -> Payload:
        return Payload(json.dumps(body(message), ensure_ascii=False).encode("utf-8"), "application/json", ".json")

    def send(self, payload: Payload, message: Message, recipient: Recipient, timeout: float) -> None:
        url = str(_options.plain(self, "url"))
        secret = _options.secret(self, "secret")
        headers = sign(secret, message.idempotency_key, payload.body, target=self.describe())
        # Any 2xx is success for a Standard Webhooks sender.
        _http.post(url, payload.body, target=self.describe(), timeout=timeout, ok=range(200, 300), headers=headers)


def body(message: Message) -> dict[str, object]:
    data = {
        "event_id": message.event_id,
        "title": message.title,
        "kind": message.kind,
        "impact": message.impact,
        "status": message.status,
        "resolved": message.resolved,
        "components": list(message.components),
        "subject": message.subject,
        "text": message.text,
        "link": message.link,
        "at": iso(message.at),
        "drill": message.drill,
        "correction": message.correction,
    }
    return {"type": EVENT_TYPE, "timestamp": iso(message.at), "data": data}


def sign(secret: str, msg_id: str, body: bytes, *, target: str, now: float | None = None) -> dict[str, str]:
    """The three Standard Webhooks headers for ``body``, signed now (receivers reject stale timestamps)."""
    try:
        signer = Webhook(secret)
    except Exception:
        # binascii.Error or EmptyWebhookSecretError; their text could quote the secret.
        raise SendFailed(f"{target}: the secret is not a whsec_ base64 secret", permanent=True) from None
    seconds = int(time.time() if now is None else now)
    signature = signer.sign(msg_id=msg_id, timestamp=datetime.fromtimestamp(seconds, UTC), data=body.decode("utf-8"))
    return {"webhook-id": msg_id, "webhook-timestamp": str(seconds), "webhook-signature": signature}
