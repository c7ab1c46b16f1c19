"""Declared, validated configuration: the ``statusmark`` block of ``mkdocs.yml``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from mkdocs.config import base
from mkdocs.config import config_options as c

from .errors import Problem
from .loader import ID_PATTERN
from .model import AUDIENCES, Component

COMPONENT_FIELDS = ("id", "name", "description", "group", "kind", "order")


class AudienceSite(base.Config):
    site_dir = c.Type(str)
    """Where this audience's complete site is written (never inside the public site_dir)."""
    site_url = c.Optional(c.Type(str))
    """Where readers of this audience find it; notifications for this tier link here."""


class PrivacyLint(base.Config):
    rules = c.DictOfItems(c.Choice(("error", "warning", "off", False)), default={})
    """Level per rule: ipv4, ipv6, stack-trace, file-path, commit-hash, email, credential, internal-host, deny-N."""
    internal_suffixes = c.ListOfItems(c.Type(str), default=[])
    """Domain suffixes of internal host names, e.g. [.internal, .corp.example.com]."""
    deny = c.ListOfItems(c.Type(str), default=[])
    """Extra regular expressions that must never appear in public text (rules deny-1, deny-2, ...)."""


class StatusmarkConfig(base.Config):
    incidents_dir = c.Type(str, default="incidents")
    """Folder of incident and maintenance files, relative to mkdocs.yml."""
    components = c.Type((list, str), default=[])
    """Components in display order, or the path of a YAML file holding that list."""
    default_audience = c.Choice(AUDIENCES, default="technical")
    """Audience of text written outside any '///' block. Keep 'technical' so a forgotten fence stays internal."""
    audience = c.Choice(AUDIENCES, default="public")
    """The audience a plain 'mkdocs build' renders; 'statusmark build --audience' overrides it."""
    audiences = c.DictOfItems(c.SubConfig(AudienceSite), default={})
    """Output folder of each non-public audience site, e.g. {technical: {site_dir: site-technical}}."""
    history_page_size = c.Type(int, default=50)
    """Events per page of /history/ and of each component's list of events."""
    recent_days = c.Type(int, default=14)
    """How many days of past events the status page lists under 'Recent history'."""
    uptime_days = c.Type(int, default=90)
    """Days shown in each component's uptime bar."""
    feed_entries = c.Type(int, default=50)
    """Events in each feed (newest first)."""
    notifications = c.Type(str, default="notifications.yml")
    """Stakeholder groups, channels, routing and approvals, relative to mkdocs.yml (absent: none)."""
    privacy_lint = c.SubConfig(PrivacyLint)
    """What the privacy lint looks for in public text, and how loudly."""


def default_audience_dirs(config_dir: Path) -> dict[str, Path]:
    return {
        "semi-technical": config_dir / "site-semi-technical",
        "technical": config_dir / "site-technical",
    }


def line_of(text: str, pattern: str, start: int = 0) -> int:
    """1-based line of the first match of ``pattern`` (a regex, multiline) at or after line ``start``."""
    lines = text.splitlines()
    regex = re.compile(pattern)
    for index in range(max(start - 1, 0), len(lines)):
        if regex.search(lines[index]):
            return index + 1
    return max(start, 1)


def load_components(
    raw: list[Any] | str, config_path: Path, config_text: str
) -> tuple[tuple[Component, ...], list[Problem]]:
    """Components from the plugin block (or the YAML file it names), every problem located."""
    problems: list[Problem] = []
    path, text = str(config_path), config_text
    start = line_of(text, r"^\s*components\s*:")
    if isinstance(raw, str):
        include = config_path.parent / raw
        try:
            text = include.read_text(encoding="utf-8")
            raw = yaml.safe_load(text) or []
        except (OSError, yaml.YAMLError) as error:
            return (), [Problem(path, start, "components", f"cannot read {raw!r}: {error}")]
        path, start = str(include), 1
        if isinstance(raw, dict) and "components" in raw:
            raw = raw["components"]
        if not isinstance(raw, list):
            return (), [Problem(path, 1, "components", "expected a list of components (- id: api ...)")]
    components: list[Component] = []
    seen: set[str] = set()
    after = start  # components are listed in order: each is found after the previous one
    for index, item in enumerate(raw):
        cid = item.get("id") if isinstance(item, dict) else None
        id_line = rf"\bid\s*:\s*['\"]?{re.escape(str(cid))}['\"]?\s*(?:[,}}]|$)"
        line = line_of(text, id_line if cid else r"^\s*-(?:\s|$)", after)  # without an id: its list item
        after = line + 1
        field = f"components[{index}]"
        if not isinstance(item, dict):
            problems.append(Problem(path, line, field, "expected a mapping with id, name, group, ..."))
            continue
        if not isinstance(cid, str) or not ID_PATTERN.match(cid):
            problems.append(
                Problem(path, line, f"{field}.id", f"expected an id matching [a-z0-9][a-z0-9-]*; got {cid!r}")
            )
            continue
        if cid in seen:
            problems.append(Problem(path, line, f"{field}.id", f"duplicate component id {cid!r}"))
            continue
        seen.add(cid)
        for key in sorted(set(item) - set(COMPONENT_FIELDS), key=str):
            # In block style each field has its own line; in flow style this is the id's line.
            key_line = line_of(text, rf"^(?:\s*-)?\s*{re.escape(str(key))}\s*:|[{{,]\s*{re.escape(str(key))}\s*:", line)
            problems.append(
                Problem(
                    path, key_line, f"{field}.{key}", f"unknown field; expected one of {', '.join(COMPONENT_FIELDS)}"
                )
            )
        name = item.get("name", cid)
        order = item.get("order", index)
        if not isinstance(name, str) or not isinstance(order, int):
            problems.append(Problem(path, line, field, "name must be text and order a whole number"))
            continue
        components.append(
            Component(
                id=cid,
                name=name,
                description=str(item.get("description") or "").strip(),
                group=str(item.get("group") or ""),
                kind=str(item.get("kind") or "application"),
                order=order,
            )
        )
    components.sort(key=lambda comp: (comp.order, comp.id))
    return tuple(components), problems
