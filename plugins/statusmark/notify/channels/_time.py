"""Times as receivers expect them: UTC, ISO 8601 with a ``Z``."""

from __future__ import annotations

from datetime import UTC, datetime


def utc(at: datetime) -> datetime:
    """``at`` in UTC; a naive time is taken to be UTC already (that is how updates record it)."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def iso(at: datetime) -> str:
    return utc(at).isoformat().replace("+00:00", "Z")
