"""A component's uptime bar without Jinja: the same bytes as the ``uptime_bar`` macro.

The status page holds one bar per component, 90 days each: through the macro, that page
took a tenth of a second of every audience's build, whatever the number of events. The
macro in ``templates/pages/_macros.html`` calls this function when the page renderer
offers it (``fast_uptime_bar``) and keeps its own body as the reference:
``tests/test_speed_uptimebar.py`` renders both and compares the bytes. Change both
together.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from markupsafe import Markup, escape

from ..status import Day


def uptime_bar(days: Sequence[Day], percent: float, name: str) -> Markup:
    last = len(days) - 1
    spans = [_span(d, index == last) for index, d in enumerate(days)]
    label = (
        f"{escape(name)}: {percent:.2f}% uptime over the last {len(days)} days. Use the arrow keys to read each day."
    )
    return Markup(
        '<div class="sm-uptime">\n'
        f'  <div class="sm-bars" role="group" aria-label="{label}">{"".join(spans)}</div>\n'
        f'  <div class="sm-uptime__legend" aria-hidden="true"><span>{len(days)} days ago</span>'
        f"<span>{percent:.2f}% uptime</span><span>Today</span></div>\n"
        "</div>"
    )


@lru_cache(maxsize=4096)
def _span(d: Day, last: bool) -> str:
    """One day's bar: most days are alike on every bar of a page (and of an audience's
    pages), so each is made once. Its tooltip is its accessible name, shown by the
    stylesheet (``attr(aria-label)``): once per day, not three times (with ``title`` and a
    ``data-tip``), on the page readers load during an outage (800 KB for 30 components)."""
    events = " · " + "; ".join(d.events) if d.events else " · no incidents"
    tip = escape(f"{d.day.strftime('%d %b %Y').lstrip('0')}: {d.uptime * 100:.2f}% uptime{events}")
    return (
        f'<span class="sm-bar sm-bar--{escape(d.worst)}" role="img" tabindex="{0 if last else -1}" '
        f'aria-label="{tip}"></span>'
    )
