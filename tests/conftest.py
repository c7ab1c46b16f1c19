"""Shared test helpers: small status repositories written to a temp dir, and real builds."""

from __future__ import annotations

import importlib.util
import textwrap
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import settings
from statusmark.loader import parse_event
from statusmark.model import Component, Site

# Property tests check behaviour, never speed (speed is measured in bench/): no deadline,
# which on this shared 2-core host failed a run whose first example waited 0.6 s for a core.
settings.register_profile("statusmark", deadline=None)
settings.load_profile("statusmark")

ROOT = Path(__file__).resolve().parents[1]
NOW = "2026-11-23T12:00:00Z"

BASE_CONFIG = """\
site_name: Test Status
site_url: https://status.test.example/
docs_dir: site_src
theme:
  name: material
  font: false
plugins:
  - search
  - statusmark:
      components:
        - {id: api, name: Public API, group: Product, description: The REST API.}
        - {id: dashboard, name: Dashboard, group: Product}
        - {id: database, name: Data storage, group: Infrastructure, kind: infrastructure}
        - {id: cdn, name: File delivery, group: Infrastructure, kind: infrastructure}
"""


def write_repo(root: Path, incidents: dict[str, str], config: str = BASE_CONFIG) -> Path:
    """A status repository under ``root``; returns its mkdocs.yml path."""
    (root / "site_src").mkdir(parents=True, exist_ok=True)
    (root / "site_src" / "about.md").write_text("# About\n\nA test status site.\n")
    (root / "incidents").mkdir(exist_ok=True)
    for name, text in incidents.items():
        path = root / "incidents" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    config_path = root / "mkdocs.yml"
    config_path.write_text(config, encoding="utf-8")
    return config_path


@pytest.fixture
def fixed_now(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("STATUSMARK_NOW", NOW)
    return NOW


def load_script(relative: str) -> ModuleType:
    """A script of the project that is not a package module (examples/, bench/), imported."""
    path = ROOT / relative
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def corpus_site(folder: Path, count: int, seed: int, name: str = "Bench", url: str = "https://b.example/") -> Site:
    """A site of ``count`` events the benchmark's generator writes (``bench/gen_corpus.py``),
    each parsed, in the generator's order."""
    corpus = load_script("bench/gen_corpus.py")
    paths = corpus.generate(count, folder, seed=seed)
    components = tuple(Component(cid, cname, group=group) for cid, cname, group, *_ in corpus.components())
    known = {c.id for c in components}
    events = tuple(e for e, _ in (parse_event(p.read_text(), p.stem, p.name, known) for p in paths) if e)
    return Site(name, url, components, events)
