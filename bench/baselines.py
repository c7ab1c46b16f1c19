"""Baseline sites from a benchmark corpus: the same events, public text only.

    python bench/baselines.py CORPUS OUT

Writes OUT/hugo (Hugo with a minimal theme written here: one page per event with its
text, a list paged by 50) and OUT/mkdocs (stock MkDocs + Material: one page per event,
the search plugin, no Statusmark). Both hold each event's title and public text only.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plugins"))

from statusmark.loader import parse_event  # noqa: E402
from statusmark.model import PUBLIC  # noqa: E402

HUGO_CONFIG = """baseURL = "https://status.bench.example/"
title = "Bench Status"
disableKinds = ["taxonomy", "term", "RSS"]
paginate = 50
"""
HUGO_BASEOF = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }} - {{ .Site.Title }}</title></head>
<body><header><a href="{{ "/" | relURL }}">{{ .Site.Title }}</a></header>
<main>{{ block "main" . }}{{ end }}</main></body></html>
"""
HUGO_SINGLE = """{{ define "main" }}<article><h1>{{ .Title }}</h1><p>{{ .Date.Format "02 Jan 2006, 15:04 UTC" }}</p>
{{ .Content }}</article>{{ end }}
"""
HUGO_HOME = """{{ define "main" }}<h1>{{ .Site.Title }}</h1><p><a href="{{ "events/" | relURL }}">History</a></p>{{ end }}
"""
HUGO_LIST = """{{ define "main" }}<h1>{{ .Title }}</h1><ul>
{{ range (.Paginate .RegularPages).Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Date.Format "02 Jan 2006" }}</li>
{{ end }}</ul>{{ template "_internal/pagination.html" . }}{{ end }}
"""
MKDOCS_CONFIG = """site_name: Bench Status
site_url: https://status.bench.example/
docs_dir: docs
theme:
  name: material
  font: false
plugins:
  - search
nav:
  - Home: index.md
"""


def events(corpus: Path):
    for path in sorted((corpus / "incidents").rglob("*.md")):
        event, _ = parse_event(path.read_text(encoding="utf-8"), path.stem, path.name, _known(corpus))
        if event is None:
            continue
        text = "\n\n".join(
            f"**{u.status}** {u.at:%Y-%m-%d %H:%M} UTC\n\n{u.text_for(PUBLIC)}"
            for u in reversed(event.updates)
            if not u.internal
        )
        yield event, text


_KNOWN: dict[Path, set[str]] = {}


def _known(corpus: Path) -> set[str]:
    if corpus not in _KNOWN:
        import yaml

        config = yaml.safe_load((corpus / "mkdocs.yml").read_text())
        plugin = next(p for p in config["plugins"] if isinstance(p, dict) and "statusmark" in p)
        _KNOWN[corpus] = {c["id"] for c in plugin["statusmark"]["components"]}
    return _KNOWN[corpus]


def write(corpus: Path, out: Path) -> None:
    shutil.rmtree(out, ignore_errors=True)
    hugo, mkdocs = out / "hugo", out / "mkdocs"
    (hugo / "content" / "events").mkdir(parents=True)
    (hugo / "layouts" / "_default").mkdir(parents=True)
    (hugo / "config.toml").write_text(HUGO_CONFIG)
    (hugo / "layouts" / "_default" / "baseof.html").write_text(HUGO_BASEOF)
    (hugo / "layouts" / "_default" / "single.html").write_text(HUGO_SINGLE)
    (hugo / "layouts" / "_default" / "list.html").write_text(HUGO_LIST)
    (hugo / "layouts" / "index.html").write_text(HUGO_HOME)
    (hugo / "content" / "events" / "_index.md").write_text("---\ntitle: History\n---\n")
    (mkdocs / "docs" / "events").mkdir(parents=True)
    (mkdocs / "mkdocs.yml").write_text(MKDOCS_CONFIG)
    (mkdocs / "docs" / "index.md").write_text("# Bench Status\n\nEvery event has a page under events/.\n")
    for event, text in events(corpus):
        title = event.title.replace('"', '\\"')
        date = event.created_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        (hugo / "content" / "events" / f"{event.id}.md").write_text(
            f'---\ntitle: "{title}"\ndate: {date}\n---\n\n{text}\n', encoding="utf-8"
        )
        (mkdocs / "docs" / "events" / f"{event.id}.md").write_text(f"# {event.title}\n\n{text}\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    write(args.corpus, args.out)


if __name__ == "__main__":
    main()
