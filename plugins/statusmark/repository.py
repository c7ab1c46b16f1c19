"""Reads a whole status repository (config + incident files) into one Site, once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .config import line_of, load_components
from .errors import Problem, errors_only
from .loader import load_event
from .model import Event, Site, audience_level


def load_site(
    config_path: Path,
    config_text: str,
    site_name: str,
    site_url: str | None,
    options: Any,
) -> tuple[Site, list[Problem]]:
    """Parse components and every incident file; return the site and all problems found."""
    problems: list[Problem] = []
    if not site_url:
        problems.append(
            Problem(
                str(config_path),
                1,
                "site_url",
                "required: the public address of the status page, e.g. https://status.example.com/ (feeds and the API need absolute links)",
            )
        )
    components, component_problems = load_components(options["components"], config_path, config_text)
    problems += component_problems
    known = {comp.id for comp in components}
    incidents_dir = config_path.parent / options["incidents_dir"]
    events: list[Event] = []
    if not incidents_dir.is_dir():
        line = line_of(config_text, r"^\s*incidents_dir\s*:")
        problems.append(
            Problem(
                str(config_path),
                line,
                "incidents_dir",
                f"folder {str(incidents_dir)!r} does not exist; create it or point incidents_dir at your incident files",
            )
        )
    else:
        events, event_problems = load_events(
            incidents_dir, config_path.parent, known, audience_level(options["default_audience"])
        )
        problems += event_problems
    groups: list[str] = []
    for comp in components:
        if comp.group and comp.group not in groups:
            groups.append(comp.group)
    url = (site_url or "http://localhost/").rstrip("/") + "/"
    site = Site(
        name=site_name,
        url=url,
        components=components,
        events=tuple(sorted(events, key=lambda e: (e.started_at, e.id), reverse=True)),
        default_audience=audience_level(options["default_audience"]),
        groups=tuple(groups),
    )
    return site, problems


def load_events(
    incidents_dir: Path, base: Path, known: set[str], default_audience: int
) -> tuple[list[Event], list[Problem]]:
    events: list[Event] = []
    problems: list[Problem] = []
    first_path: dict[str, str] = {}
    for path in sorted(incidents_dir.rglob("*.md")):
        display = _display(path, base)
        event, event_problems = load_event(path, display, known, default_audience)
        problems += event_problems
        if path.stem in first_path:
            problems.append(
                Problem(display, 1, "id", f"duplicate id {path.stem!r}: {first_path[path.stem]} has the same file name")
            )
            continue
        first_path[path.stem] = display
        # Only valid events enter the model: renderers and status derivation may trust it.
        if event is not None and not errors_only(event_problems):
            events.append(event)
    return events, problems


def _display(path: Path, base: Path) -> str:
    try:
        return str(path.relative_to(base))
    except ValueError:
        return str(path)
