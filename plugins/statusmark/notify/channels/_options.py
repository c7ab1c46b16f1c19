"""Reading option values at send time, with failures a runner can act on."""

from __future__ import annotations

from typing import Any

from ..secrets import MissingSecret, resolve
from .base import Channel, SendFailed


def secret(channel: Channel, name: str) -> str:
    """A secret option's real value.

    A missing variable raises ``MissingSecret`` naming the channel, variable and option: the
    runner takes the channel down for the run (no retry can make the variable appear),
    which is more than one permanent failure per message would say.
    """
    return str(_value(channel, channel.options.get(name), name))


def secrets(channel: Channel, name: str) -> list[str]:
    """An option that holds one secret or a list of them (Apprise ``urls``), each resolved."""
    raw = channel.options.get(name)
    items = raw if isinstance(raw, list | tuple) else [raw]
    return [str(_value(channel, item, name)) for item in items]


def _value(channel: Channel, raw: Any, name: str) -> Any:
    try:
        value = resolve(raw, channel.environ)
    except MissingSecret as exc:
        raise MissingSecret(f"{channel.describe()}: {exc} (needed for option {name})") from None
    if value is None or value == "":
        raise SendFailed(f"{channel.describe()}: option {name} is not set", permanent=True)
    return value


def plain(channel: Channel, name: str, default: Any = None) -> Any:
    """Any option's value (``!ENV`` allowed), or ``default`` if it is not set."""
    if name not in channel.options:
        return default
    return _value(channel, channel.options[name], name)


def number(channel: Channel, name: str, default: float) -> float:
    """A numeric option, or a permanent ``SendFailed`` saying it is not a number."""
    value = plain(channel, name, default)
    try:
        return float(value)
    except (TypeError, ValueError):
        raise SendFailed(f"{channel.describe()}: option {name} must be a number", permanent=True) from None


def flag(channel: Channel, name: str, default: bool) -> bool:
    """A yes/no option; YAML already gives booleans, strings such as "false" are read too."""
    value = plain(channel, name, default)
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)
