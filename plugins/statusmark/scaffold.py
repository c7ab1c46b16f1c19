"""`statusmark init DIR`: a new status repository that checks and builds at once.

The files live in the package's ``scaffold/`` folder. Two conventions keep them simple
to ship as package data: a leading ``dot-`` in a name becomes ``.`` (``dot-github`` ->
``.github``: wheels and globs skip hidden files), and a ``.tmpl`` file has its
``$name`` placeholders filled (site name, dates relative to now) and loses the suffix.
Everything else, such as the workflows full of ``${{ }}``, is copied byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from string import Template

from .authoring import now_utc, stamp

SCAFFOLD_DIR = Path(__file__).parent / "scaffold"
TEMPLATE_SUFFIX = ".tmpl"
DOT_PREFIX = "dot-"
IGNORED_IN_TARGET = {".git"}  # `git init status && statusmark init status` is fine


class TargetNotEmpty(Exception):
    """The target folder already holds files: init never overwrites anything."""


@dataclass(frozen=True)
class Options:
    site_name: str
    site_url: str = "https://status.example.com/"


def default_site_name(target: Path) -> str:
    words = target.resolve().name.replace("-", " ").replace("_", " ").split()
    name = " ".join(w[:1].upper() + w[1:] for w in words) or "Example"
    return name if name.lower().endswith("status") else f"{name} Status"


def values(options: Options, now: datetime) -> dict[str, str]:
    """What the ``.tmpl`` files may use: the site's name and URL, and example dates."""
    announced = now.replace(second=0) - timedelta(hours=1)
    start = (now + timedelta(days=7)).replace(hour=2, minute=0, second=0)
    return {
        "site_name": options.site_name,
        "site_url": options.site_url.rstrip("/") + "/",
        "day": f"{now - timedelta(days=3):%Y-%m-%d}",  # the example incident, resolved
        "announced": stamp(announced),
        "start": stamp(start),
        "end": stamp(start + timedelta(hours=2)),
    }


def plan(options: Options, now: datetime) -> dict[Path, str]:
    """Relative path -> text of every file the new repository gets."""
    fill = values(options, now)
    files: dict[Path, str] = {}
    for source in sorted(SCAFFOLD_DIR.rglob("*")):
        if not source.is_file() or "__pycache__" in source.parts:
            continue
        relative = Path(*(_undot(part) for part in source.relative_to(SCAFFOLD_DIR).parts))
        text = source.read_text(encoding="utf-8")
        if relative.suffix == TEMPLATE_SUFFIX:
            relative = relative.with_suffix("")
            text = Template(text).substitute(fill)
        files[relative] = text
    return files


def init(target: Path, options: Options) -> list[Path]:
    """Write the scaffold into ``target`` (new or empty); return the files written."""
    if target.exists() and not target.is_dir():
        raise TargetNotEmpty(f"{target}: exists and is not a folder")
    if target.is_dir():
        present = sorted(p.name for p in target.iterdir() if p.name not in IGNORED_IN_TARGET)
        if present:
            shown = ", ".join(present[:5]) + (", ..." if len(present) > 5 else "")
            raise TargetNotEmpty(
                f"{target}: folder is not empty ({shown}); statusmark init only writes into a new or empty folder"
            )
    files = plan(options, now_utc())
    written = []
    for relative, text in files.items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def _undot(part: str) -> str:
    return "." + part[len(DOT_PREFIX) :] if part.startswith(DOT_PREFIX) else part
