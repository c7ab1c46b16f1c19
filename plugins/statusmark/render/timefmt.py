"""How times are written in HTML: UTC text in the page, local time added by JavaScript."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from markupsafe import Markup, escape


def iso(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def human(at: datetime) -> str:
    return at.strftime("%d %b %Y, %H:%M UTC").lstrip("0")


@lru_cache(maxsize=131072)
def time_tag(at: datetime | None) -> Markup:
    if at is None:
        return Markup("")
    return Markup('<time datetime="{}" data-sm-time>{}</time>').format(iso(at), escape(human(at)))
