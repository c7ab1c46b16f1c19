"""The one small interface every channel implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from ..message import Message, Recipient
from ..secrets import EnvRef, mask, resolve

LITERAL_SECRET = "write it as !ENV VARIABLE_NAME; secrets never belong in the repository"


def _literal(value: Any) -> bool:
    """True if a secret option holds a value written in config rather than an ``!ENV`` name.

    A list (Apprise ``urls``) is literal if any of its items is.
    """
    if isinstance(value, list | tuple):
        return any(_literal(item) for item in value)
    return not isinstance(value, EnvRef)


@dataclass(frozen=True)
class Payload:
    """The exact bytes a send would deliver; a dry run writes them to the outbox."""

    body: bytes
    media_type: str  # e.g. application/json, message/rfc822, text/plain
    suffix: str  # file suffix in the outbox: .json, .eml, .txt


class SendFailed(Exception):
    """A send did not succeed.

    ``outcome_unknown`` is True when the request may have reached the receiver (a timeout
    after it was written): the runner then resends only where that is safe.
    ``permanent`` is True when retrying cannot help (the receiver rejected the payload).
    """

    def __init__(self, reason: str, *, outcome_unknown: bool = False, permanent: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.outcome_unknown = outcome_unknown
        self.permanent = permanent


class Channel(ABC):
    """A way to reach people: Slack, e-mail, a webhook, ...

    Subclasses set ``type`` and, for per-contact channels, ``address_field`` (the contact
    field holding the address, e.g. ``email``). ``deduplicates`` says the receiver drops a
    repeat of the same idempotency key, which makes resending an unknown outcome safe.
    """

    type: ClassVar[str]
    address_field: ClassVar[str | None] = None
    deduplicates: ClassVar[bool] = False
    required: ClassVar[tuple[str, ...]] = ()  # option names that must be set
    optional: ClassVar[tuple[str, ...]] = ()
    secret_options: ClassVar[tuple[str, ...]] = ()  # options that must come from !ENV

    def __init__(self, name: str, options: Mapping[str, Any], environ: Mapping[str, str] | None = None):
        self.name = name
        self.options = dict(options)
        self.environ = environ

    @classmethod
    def check_options(cls, options: Mapping[str, Any]) -> list[tuple[str, str]]:
        """Problems in this channel's options as (option, what was expected); empty if fine."""
        problems = [(key, f"required by a {cls.type} channel") for key in cls.required if key not in options]
        known = {"type", *cls.required, *cls.optional}
        problems += [
            (key, f"unknown option; a {cls.type} channel takes {', '.join(sorted(known - {'type'}))}")
            for key in options
            if key not in known
        ]
        problems += [(key, LITERAL_SECRET) for key in cls.secret_options if key in options and _literal(options[key])]
        return problems

    @classmethod
    def target_ids(cls, options: Mapping[str, Any]) -> tuple[str, ...]:
        """The ledger's ids of the separate targets one broadcast channel reaches; usually one, "*"."""
        return ("*",)

    def option(self, name: str, default: Any = None) -> Any:
        """An option's real value, secrets read from the environment now."""
        if name not in self.options:
            return default
        return resolve(self.options[name], self.environ)

    def describe(self) -> str:
        """The target as it may be printed: secrets masked."""
        shown = next((self.options[k] for k in (*self.required, *self.optional) if k in self.options), "")
        return f"{self.type}:{self.name} ({mask(shown)})" if shown != "" else f"{self.type}:{self.name}"

    @abstractmethod
    def payload(self, message: Message, recipient: Recipient) -> Payload:
        """What would be delivered to ``recipient``; pure, needs no secret."""

    @abstractmethod
    def send(self, payload: Payload, message: Message, recipient: Recipient, timeout: float) -> None:
        """Deliver ``payload``; raise ``SendFailed`` on any failure. Must not retry itself."""
