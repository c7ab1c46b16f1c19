"""Pages put into the theme shell are byte for byte what a full MkDocs render gives."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from statusmark import fastpages
from statusmark.cli import main

from .conftest import BASE_CONFIG, write_repo
from .test_audience import CANARY_INCIDENT, CANARY_MAINTENANCE
from .test_build import OPEN_INCIDENT, RESOLVED, UPCOMING, tree_digest

QUOTED = RESOLVED.replace("Slow file downloads", 'Downloads "slow" & it\'s <b>bold</b>')
ODD = RESOLVED.replace("Slow file downloads", "Spaces  and 'quotes' — ünïcode")
WIDE = RESOLVED.replace("Slow file downloads", "Slow downloads — ünïcode 🐢")  # plain: into the shell
SITES = ("site", "site-semi-technical", "site-technical")


def build_all(root: Path) -> dict[str, dict[str, str]]:
    assert main(["build", "-f", str(root / "mkdocs.yml"), "--audience", "all"]) == 0
    return {name: tree_digest(root / name) for name in SITES}


@pytest.mark.parametrize("directory_urls", [True, False])
def test_shell_pages_equal_full_renders(tmp_path: Path, fixed_now: str, monkeypatch, directory_urls: bool):
    config = BASE_CONFIG + f"use_directory_urls: {str(directory_urls).lower()}\nrepo_url: https://git.example/status\n"
    files = {
        "api-errors.md": OPEN_INCIDENT,
        "db-upgrade.md": UPCOMING,
        "login.md": CANARY_INCIDENT,
        "upgrade.md": CANARY_MAINTENANCE,
        "quoted.md": QUOTED,
        "odd.md": ODD,
        "wide.md": WIDE,
    }
    write_repo(tmp_path / "a", files, config)
    (tmp_path / "a/site_src/post.md").write_text("# Postmortem\n\nSee [the incident](incidents/odd.md).\n")
    fast = build_all(tmp_path / "a")
    shutil.copytree(
        tmp_path / "a", tmp_path / "b", ignore=shutil.ignore_patterns("site", "site-*", ".statusmark-cache")
    )
    monkeypatch.setattr(
        fastpages.Theme, "page", lambda self, src, title, body: fastpages.encode(self.render_full(src, title, body()))
    )
    full = build_all(tmp_path / "b")
    assert fast == full
    post = (tmp_path / "a/site/post/index.html" if directory_urls else tmp_path / "a/site/post.html").read_text()
    assert 'href="../incidents/odd/"' in post if directory_urls else 'href="incidents/odd.html"' in post
