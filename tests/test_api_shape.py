"""The Statuspage v2 API files against real Statuspage responses: key paths, types, vocabulary."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from statusmark.cli import main

from .conftest import write_repo
from .test_build import OPEN_INCIDENT, RESOLVED, UPCOMING

EXAMPLES = Path(__file__).parent / "fixtures" / "statuspage-api-examples"
ACTIVE = """
---
title: Storage migration
kind: maintenance
components: {database: under_maintenance}
scheduled_start: 2026-11-23T11:00:00Z
scheduled_end: 2026-11-23T13:00:00Z
---

## 2026-11-23T11:00:00Z in_progress

/// public
The migration has started.
///
"""
VOCABULARY = {
    "status.indicator": {"none", "minor", "major", "critical", "maintenance"},
    "components[].status": {
        "operational",
        "degraded_performance",
        "partial_outage",
        "major_outage",
        "under_maintenance",
    },
    "incidents[].status": {"investigating", "identified", "monitoring", "resolved", "postmortem"},
    "incidents[].impact": {"none", "minor", "major", "critical"},
    "scheduled_maintenances[].status": {"scheduled", "in_progress", "verifying", "completed"},
    "scheduled_maintenances[].impact": {"maintenance"},
}


def shape(value: Any, path: str = "") -> dict[str, set[str]]:
    """Every key path of a JSON document with the JSON types found there."""
    found: dict[str, set[str]] = {}

    def walk(v: Any, p: str) -> None:
        kind = (
            "null"
            if v is None
            else "object"
            if isinstance(v, dict)
            else "array"
            if isinstance(v, list)
            else "number"
            if isinstance(v, (int, float)) and not isinstance(v, bool)
            else type(v).__name__
        )
        found.setdefault(p, set()).add(kind)
        if isinstance(v, dict):
            for key, item in v.items():
                walk(item, f"{p}.{key}" if p else key)
        elif isinstance(v, list):
            for item in v:
                walk(item, f"{p}[]")

    walk(value, path)
    return found


def values(doc: Any, path: str) -> list[Any]:
    items = [doc]
    for part in path.split("."):
        many = part.endswith("[]")
        items = [i.get(part.rstrip("[]")) for i in items if isinstance(i, dict)]
        if many:
            items = [x for i in items if isinstance(i, list) for x in i]
    return items


@pytest.fixture(scope="module")
def api(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("api")
    config = write_repo(
        root,
        {"api-errors.md": OPEN_INCIDENT, "cdn-slow.md": RESOLVED, "db-upgrade.md": UPCOMING, "migration.md": ACTIVE},
    )
    mp = pytest.MonkeyPatch()
    mp.setenv("STATUSMARK_NOW", "2026-11-23T12:00:00Z")
    assert main(["build", "-f", str(config)]) == 0
    mp.undo()
    return root / "site" / "api" / "v2"


ENDPOINTS = [
    ("summary.json", "discord-2022-02-15-summary.json"),
    ("summary.json", "illposed-summary-2021-10-28.json"),
    ("status.json", "discord-2022-02-15-status.json"),
    ("components.json", "discord-2022-02-15-components.json"),
    ("incidents.json", "discord-2022-02-15-incidents.json"),
    ("scheduled-maintenances.json", "discord-2022-02-15-scheduled-maintenances.json"),
    ("incidents/unresolved.json", "discord-2022-02-15-incidents-unresolved.json"),
    ("scheduled-maintenances/upcoming.json", "discord-2022-02-15-scheduled-maintenances-upcoming.json"),
    ("scheduled-maintenances/active.json", "discord-2022-02-15-scheduled-maintenances-active.json"),
]


@pytest.mark.parametrize(("ours", "theirs"), ENDPOINTS)
def test_every_key_path_of_statuspage_exists_with_its_type(api: Path, ours: str, theirs: str):
    expected = shape(json.loads((EXAMPLES / theirs).read_text()))
    actual = shape(json.loads((api / ours).read_text()))
    missing = sorted(p for p in expected if p not in actual)
    assert missing == []
    for path, kinds in expected.items():
        # null in either is fine (an optional value); otherwise the JSON types agree
        assert kinds - {"null"} <= actual[path] | {"null"} or actual[path] == {"null"}, (path, kinds, actual[path])


def test_group_rows_have_statuspage_group_shape(api: Path):
    components = json.loads((api / "components.json").read_text())["components"]
    groups = [c for c in components if c["group"]]
    assert {g["name"] for g in groups} == {"Product", "Infrastructure"}
    for group in groups:
        assert group["group_id"] is None and group["components"]
        for member in group["components"]:
            assert next(c for c in components if c["id"] == member)["group_id"] == group["id"]
    reference = json.loads((EXAMPLES / "hashicorp-components-2021-08-06-edited.json").read_text())["components"]
    ref_group = next(c for c in reference if c["group"])
    assert set(ref_group) <= set(groups[0])


@pytest.mark.parametrize(("path", "allowed"), VOCABULARY.items())
def test_vocabulary(api: Path, path: str, allowed: set[str]):
    seen = set()
    for name in ("summary.json", "incidents.json", "scheduled-maintenances.json", "components.json"):
        seen |= {v for v in values(json.loads((api / name).read_text()), path) if v is not None}
    assert seen and seen <= allowed


def test_split_of_unresolved_active_and_upcoming(api: Path):
    def names(file: str, key: str) -> list[str]:
        return [e["name"] for e in json.loads((api / file).read_text())[key]]

    assert names("incidents/unresolved.json", "incidents") == ["Elevated error rates on the API"]
    assert names("scheduled-maintenances/active.json", "scheduled_maintenances") == ["Storage migration"]
    assert names("scheduled-maintenances/upcoming.json", "scheduled_maintenances") == ["Database upgrade"]
    assert sorted(names("incidents.json", "incidents")) == ["Elevated error rates on the API", "Slow file downloads"]
    summary = json.loads((api / "summary.json").read_text())
    assert [m["name"] for m in summary["scheduled_maintenances"]] == ["Storage migration", "Database upgrade"]
    assert summary["status"] == {"indicator": "major", "description": "Partial System Outage"}


def test_incident_fields_follow_the_timeline(api: Path):
    incidents = {i["id"]: i for i in json.loads((api / "incidents.json").read_text())["incidents"]}
    cdn = incidents["cdn-slow"]
    assert cdn["status"] == "resolved" and cdn["resolved_at"] == "2026-11-10T09:30:00Z" and cdn["impact"] == "minor"
    assert [u["status"] for u in cdn["incident_updates"]] == ["resolved", "investigating"]  # newest first
    assert cdn["incident_updates"][0]["affected_components"] == [
        {"code": "cdn", "name": "File delivery", "old_status": "degraded_performance", "new_status": "operational"}
    ]
    assert cdn["incident_updates"][1]["body"] == "Downloads are slower than usual."
    assert cdn["shortlink"] == "https://status.test.example/incidents/cdn-slow/"
    maintenance = json.loads((api / "scheduled-maintenances.json").read_text())["scheduled_maintenances"]
    upgrade = next(m for m in maintenance if m["id"] == "db-upgrade")
    assert (upgrade["scheduled_for"], upgrade["scheduled_until"], upgrade["impact"]) == (
        "2026-11-27T02:00:00Z",
        "2026-11-27T04:00:00Z",
        "maintenance",
    )


def test_page_updated_at_is_the_latest_update_not_the_clock(api: Path):
    page = json.loads((api / "status.json").read_text())["page"]
    assert (
        page["updated_at"] == "2026-11-23T11:00:00Z"
        and page["url"] == "https://status.test.example"
        and page["time_zone"] == "Etc/UTC"
    )
