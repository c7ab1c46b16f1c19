"""Markup fixes to mkdocs-material 9.x that its templates give no block to override.

Each is an exact replacement; a material release that changes the markup simply makes
the fix a no-op, and the browser tests (axe-core, Nu HTML Checker) say so. And the
theme's indentation, dropped (``compact``).
"""

from __future__ import annotations

import re

FIXES = (
    # The Nu checker rejects autocomplete on checkboxes (material's drawer/search toggles).
    ('type="checkbox" id="__drawer" autocomplete="off">', 'type="checkbox" id="__drawer">'),
    ('type="checkbox" id="__search" autocomplete="off">', 'type="checkbox" id="__search">'),
    # axe-core: a dialog needs an accessible name.
    (
        '<div class="md-search" data-md-component="search" role="dialog">',
        '<div class="md-search" data-md-component="search" role="dialog" aria-label="Search">',
    ),
)


def fix_theme_markup(html: str) -> str:
    for old, new in FIXES:
        html = html.replace(old, new, 1)
    return html


# An element whose text keeps its blanks (kept whole), or a run of blanks holding a line
# break between two tags (the theme's templates indent every line): made one line break.
_BLANKS = re.compile(r"(<(pre|textarea|script|style)\b.*?</\2\s*>)|(?<=>)[ \t]*\n\s*(?=<)", re.DOTALL | re.IGNORECASE)


def compact(html: str, content: str = "") -> str:
    """``html`` with each run of blanks that holds a line break between two tags made one
    line break: the same page to a browser (such a run shows as one space, or nothing),
    a fifth smaller. A page of the theme was 11 KB, 2 KB of it indentation; at 10,000
    events the three sites are 34,000 such pages, and writing them is most of the time a
    cold build spends after the parse.

    ``content``, the page's own HTML, is kept byte for byte (a page put into the theme's
    shell gets its body as it was rendered: ``fastpages``), and so are ``pre``,
    ``textarea``, ``script`` and ``style`` elements.
    """
    at = html.find(content) if content else -1
    if at >= 0:
        return _compact(html[:at]) + content + _compact(html[at + len(content) :])
    return _compact(html)


def _compact(html: str) -> str:
    return _BLANKS.sub(lambda found: found.group(1) or "\n", html)
