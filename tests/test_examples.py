"""The example site and the benchmark corpus: valid, complete, current and deterministic."""

from __future__ import annotations

import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from statusmark.cli import main
from statusmark.loader import parse_event
from statusmark.model import (
    COMPONENT_STATUSES,
    IMPACTS,
    INCIDENT_STATUSES,
    MAINTENANCE_STATUSES,
    PUBLIC,
    SEMI_TECHNICAL,
    TECHNICAL,
    Event,
)
from statusmark.status import is_active, is_upcoming

from .conftest import load_script

ROOT = Path(__file__).resolve().parents[1]


generate = load_script("examples/generate.py")
gen_corpus = load_script("bench/gen_corpus.py")


class _TolerantLoader(yaml.SafeLoader):
    """Safe YAML that reads MkDocs tags such as !ENV as null instead of failing."""


_TolerantLoader.add_multi_constructor("!", lambda loader, suffix, node: None)


def statusmark_config(mkdocs_yml: Path) -> dict[str, Any]:
    config = yaml.load(mkdocs_yml.read_text(encoding="utf-8"), Loader=_TolerantLoader)
    for plugin in config["plugins"]:
        if isinstance(plugin, dict) and "statusmark" in plugin:
            return plugin["statusmark"]
    raise AssertionError(f"no statusmark plugin in {mkdocs_yml}")


EXAMPLE_COMPONENTS = {c["id"] for c in statusmark_config(ROOT / "mkdocs.yml")["components"]}


def parse_all(folder: Path, components: set[str]) -> list[Event]:
    events = []
    for path in sorted(folder.rglob("*.md")):
        event, problems = parse_event(path.read_text(encoding="utf-8"), path.stem, str(path), components)
        assert problems == [], problems
        assert event is not None
        events.append(event)
    return events


# --- the example site -------------------------------------------------------------------


@pytest.mark.parametrize("now", ["2026-11-23T12:00:00Z", "2026-11-24T08:15:00Z", "2027-05-01T23:59:00Z"])
def test_generated_examples_are_valid_and_current(tmp_path: Path, now: str):
    when = datetime.fromisoformat(now)
    generate.main(["--now", now, "--out", str(tmp_path)])
    events = parse_all(tmp_path, EXAMPLE_COMPONENTS)
    open_incidents = [e for e in events if not e.is_maintenance and is_active(e, when)]
    upcoming = [e for e in events if is_upcoming(e, when)]
    assert [e.id for e in open_incidents] == ["api-errors"]
    assert [e.id for e in upcoming] == ["database-upgrade"]
    assert all(e.closed for e in events if e.id not in ("api-errors", "database-upgrade"))
    assert all(e.created_at <= when for e in events)  # nothing posted in the future
    (opened,) = open_incidents
    assert timedelta(hours=1) <= when - opened.created_at < timedelta(days=1, hours=2)
    assert opened.next_update and opened.eta and opened.status in ("identified", "monitoring")
    (planned,) = upcoming
    assert planned.scheduled_start and timedelta(days=2) < planned.scheduled_start - when < timedelta(days=4)
    oldest = min(e.created_at for e in events)
    assert 150 <= (when - oldest).days <= 190  # about six months of history


def test_examples_cover_every_impact_status_and_tier(tmp_path: Path):
    generate.generate(generate.ANCHOR, tmp_path)
    events = parse_all(tmp_path, EXAMPLE_COMPONENTS)
    incidents = [e for e in events if not e.is_maintenance]
    maintenances = [e for e in events if e.is_maintenance]
    assert 16 <= len(incidents) <= 18 and len(maintenances) == 4
    assert {e.impact for e in incidents} == set(IMPACTS)
    assert {u.status for e in incidents for u in e.updates} == set(INCIDENT_STATUSES)
    assert {u.status for e in maintenances for u in e.updates} == set(MAINTENANCE_STATUSES)
    assert {s for e in events for _, s in e.components} == set(COMPONENT_STATUSES)
    assert {cid for e in events for cid, _ in e.components} == EXAMPLE_COMPONENTS
    tiers = {s.audience for e in events for u in e.updates for s in u.segments}
    assert tiers == {PUBLIC, SEMI_TECHNICAL, TECHNICAL}
    public = [u for e in events for u in e.updates if not u.internal]
    three_tier = [u for u in public if {s.audience for s in u.segments} == {PUBLIC, SEMI_TECHNICAL, TECHNICAL}]
    assert three_tier == public  # every customer-facing update speaks to all three audiences
    assert sum(u.internal for e in events for u in e.updates) >= 2
    assert any("security" in e.tags and {a.role for a in e.approvals} >= {"communications", "legal"} for e in events)
    assert all(e.tags for e in events)
    assert sum(bool(e.postmortem) for e in events) >= 2
    groups = {c["group"] for c in statusmark_config(ROOT / "mkdocs.yml")["components"]}
    assert len(groups) >= 3


def test_timestamps_move_by_now_minus_anchor(tmp_path: Path):
    at_anchor = {e.id: e for e in parse_all(_generated(tmp_path / "a", generate.ANCHOR), EXAMPLE_COMPONENTS)}
    now = generate.ANCHOR + timedelta(days=45)
    moved = {e.id: e for e in parse_all(_generated(tmp_path / "b", now), EXAMPLE_COMPONENTS)}
    assert moved.keys() == at_anchor.keys()
    for event_id, event in moved.items():
        before = at_anchor[event_id]
        assert event.created_at - before.created_at == now - generate.ANCHOR
        assert [u.at - b.at for u, b in zip(event.updates, before.updates)] == [now - generate.ANCHOR] * len(
            before.updates
        )
        if before.scheduled_start:
            assert event.scheduled_start - before.scheduled_start == now - generate.ANCHOR
        if before.next_update:
            assert event.next_update - before.next_update == now - generate.ANCHOR
        assert [a.at - b.at for a, b in zip(event.approvals, before.approvals) if a.at and b.at] == [
            now - generate.ANCHOR
        ] * len([a for a in before.approvals if a.at])


def test_dates_move_by_whole_days_and_keep_clock_times(tmp_path: Path):
    generate.generate(datetime(2026, 11, 30, 12, 30, tzinfo=UTC), tmp_path)
    text = (tmp_path / "database-upgrade.md").read_text()
    assert "scheduled_start: 2026-12-04T02:00:00Z" in text
    assert "on 4 December between 02:00 and 04:00 UTC" in text


def test_generation_is_deterministic_and_replaces_only_markdown(tmp_path: Path):
    out = tmp_path / "incidents"
    (out / "old").mkdir(parents=True)
    (out / "old" / "stale-incident.md").write_text("---\ntitle: gone\n---\n")
    (out / "keep.txt").write_text("not ours")
    generate.main(["--now", "2026-12-02T09:41:00Z", "--out", str(out)])
    first = {p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    generate.main(["--now", "2026-12-02T09:41:00Z", "--out", str(out)])
    second = {p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    assert first == second
    assert Path("keep.txt") in first and not (out / "old").exists()
    sources = {p.relative_to(generate.SOURCE) for p in generate.SOURCE.rglob("*.md")}
    assert set(first) - {Path("keep.txt")} == sources


def test_generate_refuses_a_repository_root(tmp_path: Path):
    (tmp_path / "mkdocs.yml").write_text("site_name: Mine\n")
    (tmp_path / "README.md").write_text("# keep me\n")
    with pytest.raises(SystemExit):
        generate.main(["--now", "2026-11-23T12:00:00Z", "--out", str(tmp_path)])
    assert (tmp_path / "README.md").exists()


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


def _generated(out: Path, now: datetime) -> Path:
    generate.generate(now, out)
    return out


# --- the benchmark corpus ---------------------------------------------------------------


def _corpus(out: Path, count: int = 50, *extra: str) -> tuple[set[str], list[Event]]:
    gen_corpus.main([str(count), str(out), *extra])
    config = statusmark_config(out / "mkdocs.yml")
    components = {c["id"] for c in config["components"]}
    return components, parse_all(out / "incidents", components)


def test_corpus_is_valid_and_complete(tmp_path: Path):
    _, events = _corpus(tmp_path / "corpus")
    config = statusmark_config(tmp_path / "corpus" / "mkdocs.yml")
    assert len(config["components"]) == 30
    assert len({c["group"] for c in config["components"]}) == 5
    assert {c.get("kind") for c in config["components"]} >= {"infrastructure", "application"}
    assert len(events) == 50 and all(e.closed for e in events)
    assert all(1 <= len(e.updates) <= 6 for e in events)
    for event in events:
        for update in event.updates:
            assert {s.audience for s in update.segments} == {PUBLIC, SEMI_TECHNICAL, TECHNICAL}
    end = datetime(2026, 11, 1, tzinfo=UTC)
    assert all(end - timedelta(days=5 * 366) <= e.created_at for e in events)
    assert all(u.at < end for e in events for u in e.updates)  # everything happened before --end
    paths = sorted((tmp_path / "corpus" / "incidents").rglob("*.md"))
    assert all(p.parent.name == f"{e.created_at:%Y}" or e.is_maintenance for p, e in zip(paths, events))
    assert 2 * 1024 < sum(p.stat().st_size for p in paths) / len(paths) < 12 * 1024
    assert (tmp_path / "corpus" / "site_src").is_dir()


def test_corpus_mix_of_kinds(tmp_path: Path):
    _, events = _corpus(tmp_path / "corpus", 400)
    share = sum(e.is_maintenance for e in events) / len(events)
    assert 0.03 < share < 0.15
    assert {e.impact for e in events if not e.is_maintenance} == set(IMPACTS)


def test_corpus_is_deterministic(tmp_path: Path):
    def snapshot(root: Path) -> dict[Path, bytes]:
        return {p.relative_to(root): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}

    _corpus(tmp_path / "one", 50, "--seed", "3")
    _corpus(tmp_path / "two", 50, "--seed", "3")
    assert snapshot(tmp_path / "one") == snapshot(tmp_path / "two")
    _corpus(tmp_path / "three", 50, "--seed", "4")
    assert snapshot(tmp_path / "one") != snapshot(tmp_path / "three")


def test_corpus_open_option_and_end(tmp_path: Path):
    _, events = _corpus(tmp_path / "corpus", 30, "--open", "--end", "2025-01-01T00:00:00Z")
    assert [e.closed for e in events].count(False) == 1
    assert all(e.created_at < datetime(2025, 1, 1, tzinfo=UTC) for e in events)


def test_corpus_refuses_a_folder_that_is_not_a_corpus(tmp_path: Path):
    (tmp_path / "notes.md").write_text("mine\n")
    with pytest.raises(SystemExit):
        gen_corpus.main(["5", str(tmp_path)])
    assert (tmp_path / "notes.md").exists()


# --- the benchmark's per-process CPU ---------------------------------------------------


def test_bench_processes_splits_cpu_by_process_forked_workers_included(tmp_path: Path, monkeypatch):
    processes = load_script("bench/processes.py")
    own = tmp_path / "own"  # a sitecustomize of the machine's, which the hook must not hide
    own.mkdir()
    (own / "sitecustomize.py").write_text(f"open({str(tmp_path / 'ran')!r}, 'w').close()\n")
    monkeypatch.setenv("PYTHONPATH", str(own))
    script = textwrap.dedent(
        """
        import os, subprocess, sys, time
        def burn(seconds):
            end = time.process_time() + seconds
            while time.process_time() < end:
                pass
        burn(0.05)
        pid = os.fork()
        if pid == 0:
            burn(0.3)
            touched = b"x" * (64 << 20)  # 16,384 new pages, each written
            os._exit(0)  # as forked workers leave: no atexit
        os.waitpid(pid, 0)
        # Isolated (-I): no sitecustomize, no line of its own.
        subprocess.run([sys.executable, "-I", "-c", "import time\\nwhile time.process_time() < 0.3: pass"])
        """
    )
    done = processes.run([sys.executable, "-c", script])
    assert (tmp_path / "ran").exists()
    assert len(done.processes) == 2
    parent, child = done.processes
    assert child.parent == parent.pid and done.started <= parent.start <= child.start <= child.end <= parent.end
    # each process its own CPU, the fork's too (process_time is a system call: both kinds)
    assert child.user + child.system >= 0.25 > parent.user + parent.system
    # its own page faults, and a peak that holds what it touched
    assert child.faults >= 16_000 > parent.faults and child.peak_kib >= 64 << 10
    listed = sum(p.user + p.system for p in done.processes)
    assert done.user + done.system >= listed + 0.25  # the isolated process, counted but not listed
    rows = processes.table(done).splitlines()
    assert done.faults >= sum(p.faults for p in done.processes)
    assert rows[-2].startswith("| not listed |") and rows[-1].startswith("| all |")
    assert rows[2].split("|")[6:8] == [f" {parent.faults} ", f" {parent.peak_kib / 1024:.0f} "]
    assert sum(map(float, rows[-2].split("|")[4:6])) >= 0.25
