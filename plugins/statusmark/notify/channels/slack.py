"""Slack incoming webhooks, as a Block Kit message.

Limits respected (Slack drops or rejects anything past them): a header's text is at most
150 characters, a section's text 3000, a button URL 3000, a message 50 blocks. Long update
text is split over several sections at paragraph, line or word breaks; past ``MAX_SECTIONS``
it is cut and points at the status page. The top-level ``text`` is the fallback Slack shows
in notifications and to screen readers.
"""

from __future__ import annotations

import json
import re

from ..message import Message, Recipient
from . import _http, _options
from .base import Channel, Payload

HEADER_CHARS = 150
SECTION_CHARS = 3000
URL_CHARS = 3000
MAX_BLOCKS = 50
MAX_SECTIONS = 10  # 30,000 characters of text is more than anyone reads in Slack
FALLBACK_CHARS = 3000

DRILL_NOTE = ":rotating_light: *This is a drill.* It tests the notification path; no action is needed."
CORRECTION_NOTE = ":pencil2: This corrects an earlier update."


class SlackChannel(Channel):
    type = "slack"
    required = ("url",)
    secret_options = ("url",)

    def payload(self, message: Message, recipient: Recipient) -> Payload:
        body = {"text": fallback_text(message), "blocks": blocks(message)}
        return Payload(json.dumps(body, ensure_ascii=False).encode("utf-8"), "application/json", ".json")

    def send(self, payload: Payload, message: Message, recipient: Recipient, timeout: float) -> None:
        url = _options.secret(self, "url")
        _http.post(url, payload.body, target=self.describe(), timeout=timeout, ok={200})


def fallback_text(message: Message) -> str:
    text = message.short or message.title
    return clip(escape(f"[TEST] {text}" if message.drill else text), FALLBACK_CHARS)


def blocks(message: Message) -> list[dict[str, object]]:
    title = message.title or message.subject or "Status update"
    result: list[dict[str, object]] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": clip(f"[TEST] {title}" if message.drill else title, HEADER_CHARS)},
        }
    ]
    if message.drill:
        result.append(_section(DRILL_NOTE))
    if message.correction:
        result.append(_context(CORRECTION_NOTE))
    result += [_section(chunk) for chunk in sections(to_mrkdwn(message.text), message.link)]
    result.append(_context(clip(facts(message), SECTION_CHARS)))
    if message.link and len(message.link) <= URL_CHARS:
        button = {
            "type": "button",
            "text": {"type": "plain_text", "text": "View on the status page"},
            "url": message.link,
            "action_id": "statusmark-open-link",
        }
        result.append({"type": "actions", "elements": [button]})
    return result[:MAX_BLOCKS]


def facts(message: Message) -> str:
    components = ", ".join(message.components) or "none"
    return " · ".join(
        [
            f"*Impact:* {escape(message.impact)}",
            f"*Status:* {escape(message.status)}",
            f"*Components:* {escape(components)}",
        ]
    )


def sections(text: str, link: str) -> list[str]:
    """``text`` in pieces that each fit a section; cut, with a pointer to ``link``, past ``MAX_SECTIONS``."""
    chunks = split(text.strip(), SECTION_CHARS)
    if len(chunks) <= MAX_SECTIONS:
        return chunks
    more = f"… <{link}|Read the full update>" if link else "…"
    kept = chunks[:MAX_SECTIONS]
    kept[-1] = kept[-1][: max(SECTION_CHARS - len(more), 0)].rstrip() + more
    return kept


def split(text: str, limit: int) -> list[str]:
    """``text`` split into pieces of at most ``limit`` characters, preferring paragraph, line, then word breaks."""
    pieces: list[str] = []
    while len(text) > limit:
        window = text[:limit]
        cut = max(window.rfind("\n\n"), 0) or max(window.rfind("\n"), 0) or max(window.rfind(" "), 0) or limit
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        pieces.append(text)
    return [piece for piece in pieces if piece]


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def escape(text: str) -> str:
    """Slack's three control characters; everything else is shown as written."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^)\s]+)\)")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*$", re.M)


def to_mrkdwn(text: str) -> str:
    """The Markdown our updates are written in, as Slack's mrkdwn: links, bold and headings differ."""
    text = escape(text)
    text = _LINK.sub(lambda m: f"<{m[2]}|{m[1].replace('|', '/')}>", text)
    text = _BOLD.sub(r"*\1*", text)
    return _HEADING.sub(r"*\1*", text)


def _section(text: str) -> dict[str, object]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _context(text: str) -> dict[str, object]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}
