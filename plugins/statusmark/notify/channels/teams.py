"""Microsoft Teams, through a Workflows ("When a Teams webhook request is received") webhook.

The old Office 365 connectors are retired; Workflows takes a ``message`` whose attachment is
an Adaptive Card. Cards are kept at version 1.4, which every Teams client renders, and well
under Teams' 28 KB message limit by cutting long text (it points at the status page).
"""

from __future__ import annotations

import json

from ..message import Message, Recipient
from . import _http, _options
from .base import Channel, Payload

CARD_VERSION = "1.4"
TEXT_BYTES = 20_000  # leaves room for title, facts and JSON escaping within 28 KB

DRILL_NOTE = "This is a drill. It tests the notification path; no action is needed."
CORRECTION_NOTE = "This corrects an earlier update."


class TeamsChannel(Channel):
    type = "teams"
    required = ("url",)
    secret_options = ("url",)

    def payload(self, message: Message, recipient: Recipient) -> Payload:
        body = {
            "type": "message",
            "attachments": [
                {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card(message)}
            ],
        }
        return Payload(json.dumps(body, ensure_ascii=False).encode("utf-8"), "application/json", ".json")

    def send(self, payload: Payload, message: Message, recipient: Recipient, timeout: float) -> None:
        url = _options.secret(self, "url")
        # Workflows answers 202 Accepted; a few tenants' flows answer 200.
        _http.post(url, payload.body, target=self.describe(), timeout=timeout, ok={200, 202})


def card(message: Message) -> dict[str, object]:
    title = message.title or message.subject or "Status update"
    body: list[dict[str, object]] = []
    if message.drill:
        body.append(_text(DRILL_NOTE, color="Attention", weight="Bolder"))
    body.append(_text(f"[TEST] {title}" if message.drill else title, size="Large", weight="Bolder"))
    if message.correction:
        body.append(_text(CORRECTION_NOTE, isSubtle=True))
    if message.text.strip():
        body.append(_text(cut(message.text.strip(), message.link)))
    facts = [
        {"title": "Impact", "value": message.impact},
        {"title": "Status", "value": message.status},
        {"title": "Components", "value": ", ".join(message.components) or "none"},
    ]
    body.append({"type": "FactSet", "facts": facts})
    result: dict[str, object] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": CARD_VERSION,
        "msteams": {"width": "Full"},
        "body": body,
    }
    if message.link:
        result["actions"] = [{"type": "Action.OpenUrl", "title": "View on the status page", "url": message.link}]
    return result


def cut(text: str, link: str) -> str:
    """``text`` within ``TEXT_BYTES`` of UTF-8, ending with a pointer to ``link`` if it was cut."""
    if len(text.encode("utf-8")) <= TEXT_BYTES:
        return text
    more = f"… [Read the full update]({link})" if link else "…"
    budget = TEXT_BYTES - len(more.encode("utf-8"))
    kept = text.encode("utf-8")[:budget].decode("utf-8", errors="ignore")
    return kept.rstrip() + more


def _text(text: str, **style: object) -> dict[str, object]:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}
