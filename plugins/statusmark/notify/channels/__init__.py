"""Channel plugins: built-ins and any registered under the entry point group ``statusmark.channels``."""

from __future__ import annotations

from functools import cache
from importlib.metadata import entry_points

from .base import Channel

ENTRY_POINT_GROUP = "statusmark.channels"


@cache
def channel_types() -> dict[str, type[Channel]]:
    """Every installed channel class by its ``type`` name (built-ins are registered the same way)."""
    found: dict[str, type[Channel]] = {}
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        try:
            cls = entry.load()
        except Exception:  # a broken third-party plugin must not stop the others; its type stays unknown
            continue
        if isinstance(cls, type) and issubclass(cls, Channel):
            found[entry.name] = cls
    return found
