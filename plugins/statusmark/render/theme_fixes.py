"""Markup fixes to mkdocs-material 9.x that its templates give no block to override.

Each is an exact replacement; a material release that changes the markup simply makes
the fix a no-op, and the browser tests (axe-core, Nu HTML Checker) say so.
"""

from __future__ import annotations

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
