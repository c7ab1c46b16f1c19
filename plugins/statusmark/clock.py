"""The build's notion of "now", at the edge so tests and reproducible builds can fix it."""

from __future__ import annotations

import os
from datetime import UTC, datetime

from .loader import parse_time

NOW_VARIABLE = "STATUSMARK_NOW"


def build_now(explicit: str | None = None) -> datetime:
    """``explicit`` or $STATUSMARK_NOW (ISO 8601), else the wall clock to the minute."""
    value = explicit or os.environ.get(NOW_VARIABLE)
    if value:
        return parse_time(value)
    return datetime.now(UTC).replace(second=0, microsecond=0)
