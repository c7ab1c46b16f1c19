"""How times are written in HTML: UTC text in the page, local time added by JavaScript."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from markupsafe import Markup


def iso(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def human(at: datetime) -> str:
    return at.strftime("%d %b %Y, %H:%M UTC").lstrip("0")


_MONTHS = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")  # %b, C locale


def time_tag(at: datetime | None) -> Markup:
    return Markup(time_html(at))


@lru_cache(maxsize=131072)
def time_html(at: datetime | None) -> str:
    """``time_tag`` as a plain string: for pages written without Jinja, which join strings."""
    if at is None:
        return ""
    # Digits, letters, ':', ',' and blanks: nothing to escape. (Markup.format, which escapes
    # each value, cost 30 µs a tag: a second per audience at 10,000 events.)
    if at.year < 1000:  # strftime writes such a year unpadded, isoformat pads it
        return f'<time datetime="{iso(at)}" data-sm-time>{human(at)}</time>'
    # iso() and human() from one isoformat (a third of one strftime): every process
    # building pages tags the tens of thousands of times of a big history anew.
    stamp = at.isoformat(timespec="seconds")
    return f'<time datetime="{stamp[:19]}Z" data-sm-time>{at.day} {_MONTHS[at.month]} {stamp[:4]}, {stamp[11:16]} UTC</time>'
