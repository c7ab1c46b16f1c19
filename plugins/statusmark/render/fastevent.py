"""An event page's body and an event's line in a list, without Jinja: the same bytes as
``event.html`` and the ``event_summary`` macro.

Event pages are ten thousand of the eleven thousand pages an audience's site has at
ten thousand events, and Jinja's macro calls and escaping were most of their cost. This
module writes exactly what ``templates/pages/event.html`` renders (``test_speed_event``
compares the two on generated and edge-case events); a site that overrides
``event.html`` or ``_macros.html`` gets Jinja, and its own template, as before. Change
both together: the test fails until they agree again.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping

from ..model import Event, Update
from ..status import IMPACT_LABELS, STATUS_LABELS, UPDATE_LABELS
from .markdown import render_update
from .timefmt import time_html

TEMPLATES = ("event.html", "_macros.html")  # what this module stands in for


def overridden(override_dir: str | os.PathLike[str] | None) -> bool:
    """Whether a site's own page templates (``override_dir``) replace what this module writes:
    then its event pages are rendered with them, in each audience's build, never here."""
    if not override_dir:
        return False
    return any(os.path.exists(os.path.join(override_dir, name)) for name in TEMPLATES)


_HTML_SPECIAL = re.compile("[&<>'\"]")


def escape(text: str) -> str:
    """``markupsafe.escape`` for a string, as a string: most text here has nothing to escape,
    and making a ``Markup`` of each of the dozens of values a page holds was a fifth of it."""
    if _HTML_SPECIAL.search(text) is None:
        return text
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;").replace('"', "&#34;")
    )


# The labels, escaped once.
_STATUS = {key: escape(label) for key, label in STATUS_LABELS.items()}
_UPDATE = {key: escape(label) for key, label in UPDATE_LABELS.items()}
_IMPACT = {
    key: escape(label) + (" impact" if key not in ("none", "maintenance") else "")
    for key, label in IMPACT_LABELS.items()
}


def event_body(event: Event, names: Mapping[str, str], link: Callable[[str], str]) -> str:
    """``names``: component id to name, of the site the page belongs to."""
    parts = [f"\n<h1>{escape(event.title)}</h1>\n", f'<p class="sm-event__meta">{_badges(event)}']
    if event.is_maintenance:
        parts.append(f" · Scheduled {time_html(event.scheduled_start)} – {time_html(event.scheduled_end)}")
    parts.append("</p>\n")
    closed = event.closed
    if not closed and event.next_update:
        parts.append(f'<p class="sm-next">Next update expected by {time_html(event.next_update)}</p>')
    parts.append("\n")
    if not closed and event.eta:
        parts.append(f'<p class="sm-next">Expected resolution {time_html(event.eta)}</p>')
    parts.append("\n")
    if event.components:
        parts.append('<ul class="sm-affected" aria-label="Affected components">')
        for cid, component_status in event.components:
            href = escape(link("components/" + cid + ".md"))
            parts.append(f'<li><a href="{href}">{escape(names[cid])}</a>: {_STATUS[component_status]}</li>')
        parts.append("</ul>")
    parts.append("\n")
    if event.postmortem:
        parts.append(f'<p class="sm-postmortem"><a href="{escape(event.postmortem)}">Read the postmortem</a></p>')
    parts.append("\n")
    if event.tags:
        parts.append(f'<p class="sm-tags">Tags: {escape(", ".join(event.tags))}</p>')
    parts.append('\n<section class="sm-timeline" aria-label="Updates, newest first">\n')
    parts += [_update(u) for u in reversed(event.updates)]
    parts.append(f'\n</section>\n<p><a href="{escape(link("history/index.md"))}">All incidents</a></p>')
    return "".join(parts)


def event_summary(event: Event, link: Callable[[str], str]) -> str:
    href = escape(link("incidents/" + event.id + ".md"))
    if event.is_maintenance:
        when = f"{time_html(event.scheduled_start)} – {time_html(event.scheduled_end)}"
    else:
        resolved = event.resolved_at
        when = time_html(event.created_at) + (f" – {time_html(resolved)}" if resolved else "")
    return (
        f'<li class="sm-event sm-event--{escape(event.impact)}">\n'
        f'  <a class="sm-event__title" href="{href}">{escape(event.title)}</a>\n'
        f'  <span class="sm-event__meta">{_badges(event)} · {when}</span>\n</li>'
    )


def _badges(event: Event) -> str:
    """The ``event_status`` and ``impact`` macros, a blank between them."""
    status, impact = event.status, event.impact
    return (
        f'<span class="sm-badge sm-badge--{escape(status)}">{_UPDATE[status]}</span> '
        f'<span class="sm-impact sm-impact--{escape(impact)}">{_IMPACT[impact]}</span>'
    )


def _update(u: Update) -> str:
    internal = ' <span class="sm-internal">internal</span>' if u.internal else ""
    return (
        f'<article class="sm-update">\n  <header><strong class="sm-update__status">{_UPDATE[u.status]}</strong>'
        f'{internal} <span class="sm-update__time">{time_html(u.at)}</span></header>\n'
        f'  <div class="sm-update__body">{render_update(u)}</div>\n</article>'
    )
