"""Status badges: an SVG with text and colour, and shields.io endpoint documents."""

from __future__ import annotations

import json

from markupsafe import escape

from ..model import Site
from ..status import INDICATOR_DESCRIPTIONS, STATUS_LABELS

# Colours with at least 4.5:1 contrast against white text.
INDICATOR_COLOURS = {
    "none": "#1a7f37",
    "minor": "#9a6700",
    "major": "#bc4c00",
    "critical": "#cf222e",
    "maintenance": "#0969da",
}
STATUS_COLOURS = {
    "operational": "#1a7f37", "degraded_performance": "#9a6700", "partial_outage": "#bc4c00",
    "major_outage": "#cf222e", "under_maintenance": "#0969da",
}  # fmt: skip
_CHAR_WIDTH = 6.5  # Verdana 11px, near enough for sizing a badge


def badge_svg(label: str, message: str, colour: str) -> str:
    left, right = int(len(label) * _CHAR_WIDTH + 12), int(len(message) * _CHAR_WIDTH + 12)
    width = left + right
    title = escape(f"{label}: {message}")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" role="img" aria-label="{title}">'
        f"<title>{title}</title>"
        f'<rect width="{left}" height="20" fill="#555"/><rect x="{left}" width="{right}" height="20" fill="{colour}"/>'
        '<g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11" text-anchor="middle">'
        f'<text x="{left / 2}" y="14">{escape(label)}</text><text x="{left + right / 2}" y="14">{escape(message)}</text>'
        "</g></svg>\n"
    )


def endpoint(label: str, message: str, colour: str) -> str:
    """The shields.io endpoint schema (schemaVersion 1)."""
    body = {"schemaVersion": 1, "label": label, "message": message, "color": colour.lstrip("#")}
    return json.dumps(body, sort_keys=True) + "\n"


def badge_files(site: Site, indicator: str, statuses: dict[str, str]) -> dict[str, str]:
    label = "status"
    message = INDICATOR_DESCRIPTIONS[indicator].lower()
    colour = INDICATOR_COLOURS[indicator]
    files = {"badge.svg": badge_svg(label, message, colour), "api/badge.json": endpoint(label, message, colour)}
    for comp in site.components:
        status = statuses.get(comp.id, "operational")
        text, colour = STATUS_LABELS[status].lower(), STATUS_COLOURS[status]
        files[f"components/{comp.id}/badge.svg"] = badge_svg(comp.name, text, colour)
        files[f"api/components/{comp.id}/badge.json"] = endpoint(comp.name, text, colour)
    return files
