"""What one notification says, ready for any channel to wrap in its own format."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Recipient:
    """Who a send goes to. ``address`` is set for per-contact channels (e-mail, SMS) only."""

    contact: str  # contact id, or "*" for a channel that reaches the whole group
    address: str = ""
    unsubscribe: str = ""  # List-Unsubscribe target for subscriber e-mail


@dataclass(frozen=True)
class Message:
    """A rendered notification for one group at its tier. Never holds text above that tier."""

    key: str  # the ledger key: event/update/group/contact/channel
    idempotency_key: str  # stable across retries and runs: webhook-id, Message-ID, ...
    event_id: str
    title: str
    subject: str
    text: str  # plain text (Markdown-flavoured) body
    html: str  # HTML body
    short: str  # one short line for SMS and chat previews
    link: str  # this tier's page for the event
    impact: str  # none | minor | major | critical (maintenance: "maintenance")
    status: str  # the update's status
    resolved: bool  # this update closed the event
    components: tuple[str, ...]  # affected component names
    at: datetime  # when the update was written (UTC)
    kind: str = "incident"
    drill: bool = False  # a test message: every channel marks it clearly
    correction: bool = False

    @property
    def event_key(self) -> str:
        """One key per event, for receivers that group or close alerts (PagerDuty dedup_key)."""
        return f"statusmark-{self.event_id}"
