"""SMS through a generic HTTP gateway: ``{"to": phone, "text": ...}`` as JSON, optional Bearer token.

The text is the message's one-line summary and link, cut to fit ``max_segments`` segments
(see ``sms_text``) because each segment is billed and long texts arrive out of order on
some phones.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..message import Message, Recipient
from . import _http, _options
from .base import Channel, Payload, SendFailed
from .sms_text import fit

MAX_SEGMENTS = 10


class SmsChannel(Channel):
    type = "sms"
    address_field = "phone"
    required = ("url",)
    optional = ("token", "max_segments")
    secret_options = ("url", "token")

    @classmethod
    def check_options(cls, options: Mapping[str, Any]) -> list[tuple[str, str]]:
        problems = super().check_options(options)
        limit = options.get("max_segments", 1)
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_SEGMENTS:
            problems.append(("max_segments", f"a whole number from 1 to {MAX_SEGMENTS}"))
        return problems

    def payload(self, message: Message, recipient: Recipient) -> Payload:
        short = message.short or message.title
        text = fit(f"[TEST] {short}" if message.drill else short, message.link, self.max_segments)
        body = {"to": recipient.address, "text": text}
        return Payload(json.dumps(body, ensure_ascii=False).encode("utf-8"), "application/json", ".json")

    @property
    def max_segments(self) -> int:
        limit = self.options.get("max_segments", 1)
        return limit if isinstance(limit, int) and 1 <= limit <= MAX_SEGMENTS else 1

    def send(self, payload: Payload, message: Message, recipient: Recipient, timeout: float) -> None:
        target = self.describe()
        if not recipient.address:
            raise SendFailed(f"{target}: contact {recipient.contact} has no phone number", permanent=True)
        url = _options.secret(self, "url")
        headers, secrets = {}, [url]
        if "token" in self.options:
            token = _options.secret(self, "token")
            headers["Authorization"] = f"Bearer {token}"
            secrets.append(token)
        _http.post(
            url, payload.body, target=target, timeout=timeout, ok=range(200, 300), headers=headers, secrets=secrets
        )
