"""The example site: valid, covers every impact and status, and never goes stale."""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime
from pathlib import Path

import pytest
from statusmark.cli import main
from statusmark.loader import load_event
from statusmark.model import (
    COMPONENT_STATUSES,
    IMPACTS,
    INCIDENT_STATUSES,
    MAINTENANCE_STATUSES,
    PUBLIC,
    SEMI_TECHNICAL,
    TECHNICAL,
)
from statusmark.status import is_active, is_upcoming

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("generate", ROOT / "examples" / "generate.py")
assert spec and spec.loader
generate = importlib.util.module_from_spec(spec)
spec.loader.exec_module(generate)
COMPONENTS = {"website", "dashboard", "api", "webhooks", "login", "billing", "email", "database", "cdn", "search"}


@pytest.mark.parametrize("now", ["2026-11-23T12:00:00Z", "2026-11-24T08:15:00Z", "2027-05-01T23:59:00Z"])
def test_generated_examples_are_valid_and_current(tmp_path: Path, now: str):
    when = datetime.fromisoformat(now)
    generate.generate(when, tmp_path)
    events = []
    for path in sorted(tmp_path.rglob("*.md")):
        event, problems = load_event(path, path.name, COMPONENTS)
        assert problems == [], problems
        events.append(event)
    open_incidents = [e for e in events if not e.is_maintenance and is_active(e, when)]
    upcoming = [e for e in events if is_upcoming(e, when)]
    assert [e.id for e in open_incidents] == ["api-errors"]
    assert [e.id for e in upcoming] == ["database-upgrade"]
    oldest = min(e.created_at for e in events)
    assert 150 <= (when - oldest).days <= 190  # about six months of history


def test_examples_cover_every_impact_status_and_tier(tmp_path: Path):
    generate.generate(generate.ANCHOR, tmp_path)
    events = [load_event(p, p.name, COMPONENTS)[0] for p in sorted(tmp_path.rglob("*.md"))]
    incidents = [e for e in events if not e.is_maintenance]
    maintenances = [e for e in events if e.is_maintenance]
    assert len(incidents) >= 15 and len(maintenances) >= 3
    assert {e.impact for e in incidents} == set(IMPACTS)
    assert {u.status for e in incidents for u in e.updates} == set(INCIDENT_STATUSES)
    assert {u.status for e in maintenances for u in e.updates} == set(MAINTENANCE_STATUSES)
    assert {s for e in events for _, s in e.components} == set(COMPONENT_STATUSES)
    tiers = {s.audience for e in events for u in e.updates for s in u.segments}
    assert tiers == {PUBLIC, SEMI_TECHNICAL, TECHNICAL}
    assert any(u.internal for e in events for u in e.updates)
    assert any("security" in e.tags and {a.role for a in e.approvals} >= {"communications", "legal"} for e in events)
    groups = {
        line.split(":", 1)[1].strip()
        for line in (ROOT / "mkdocs.yml").read_text().splitlines()
        if line.strip().startswith("group:")
    }
    assert len(groups) >= 3


def test_dates_move_by_whole_days_and_keep_clock_times(tmp_path: Path):
    generate.generate(datetime(2026, 11, 30, 12, 30, tzinfo=UTC), tmp_path)
    text = (tmp_path / "database-upgrade.md").read_text()
    assert "scheduled_start: 2026-12-04T02:00:00Z" in text
    assert "on 4 December between 02:00 and 04:00 UTC" in text


def test_example_site_checks_clean(tmp_path: Path, capsys):
    # the real mkdocs.yml against freshly generated incidents
    config = (
        (ROOT / "mkdocs.yml")
        .read_text()
        .replace("incidents_dir: incidents", f"incidents_dir: {tmp_path / 'incidents'}")
    )
    (tmp_path / "mkdocs.yml").write_text(
        config.replace("docs_dir: site_src", f"docs_dir: {ROOT / 'site_src'}").replace(
            "custom_dir: templates/theme", f"custom_dir: {ROOT / 'templates/theme'}"
        )
    )
    generate.generate(generate.ANCHOR, tmp_path / "incidents")
    assert main(["check", "-f", str(tmp_path / "mkdocs.yml")]) == 0, capsys.readouterr().err
