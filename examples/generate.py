"""Write the example incidents to incidents/ with dates moved up to today.

The stories in examples/incidents/ are written as if "now" were ANCHOR. This script moves
every date in them (timestamps, ISO dates and "27 November"-style dates in the text) by
the whole number of days between ANCHOR and now, so the open incident is always recent
and the upcoming maintenance always a few days ahead. Whole days keep every clock time
mentioned in the text true. The *.md files already in the output folder are replaced.

    python examples/generate.py [--now 2026-11-23T12:00:00Z] [--out incidents]
"""

from __future__ import annotations

import argparse
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

# The moment the example stories were written for: the open incident started 90 minutes
# before it and the database upgrade is scheduled four days after it.
ANCHOR = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "examples" / "incidents"
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})(?=T|\b)")
TEXT_DATE = re.compile(rf"\b(\d{{1,2}}) ({'|'.join(MONTHS)})\b")


def parse_now(text: str) -> datetime:
    """An ISO 8601 time; one without an offset is taken as UTC."""
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        raise SystemExit(f"--now: expected an ISO 8601 time such as 2026-11-23T12:00:00Z; got {text!r}") from None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


def shift_days(now: datetime) -> timedelta:
    """Whole days from ANCHOR to the last anchor-time-of-day at or before ``now``."""
    return timedelta(days=(now - ANCHOR) // timedelta(days=1))


def shift_text(text: str, delta: timedelta) -> str:
    def iso(match: re.Match[str]) -> str:
        moved = date(*map(int, match.groups())) + delta
        return moved.isoformat()

    def spoken(match: re.Match[str]) -> str:
        moved = date(ANCHOR.year, MONTHS.index(match.group(2)) + 1, int(match.group(1))) + delta
        return f"{moved.day} {MONTHS[moved.month - 1]}"

    return TEXT_DATE.sub(spoken, ISO_DATE.sub(iso, text))


def clear(out: Path) -> None:
    """Remove the Markdown files of an earlier run (and folders left empty), nothing else."""
    if not out.is_dir():
        return
    resolved = out.resolve()
    if resolved == ROOT or SOURCE.is_relative_to(resolved) or (out / "mkdocs.yml").exists():
        raise SystemExit(f"{out}: not an incidents folder; refusing to delete its Markdown files")
    for path in sorted(out.rglob("*.md")):
        path.unlink()
    for folder in sorted((p for p in out.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()


def generate(now: datetime, out: Path) -> list[Path]:
    delta = shift_days(now)
    clear(out)
    written = []
    for source in sorted(SOURCE.rglob("*.md")):
        target = out / source.relative_to(SOURCE)  # ids stay put: only dates move
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(shift_text(source.read_text(encoding="utf-8"), delta), encoding="utf-8")
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--now", help="ISO 8601 time to treat as now (default: the clock)")
    parser.add_argument("--out", type=Path, default=ROOT / "incidents")
    args = parser.parse_args(argv)
    now = parse_now(args.now) if args.now else datetime.now(UTC).replace(second=0, microsecond=0)
    written = generate(now, args.out)
    print(f"wrote {len(written)} example incidents to {args.out} (dates moved by {shift_days(now).days} days)")


if __name__ == "__main__":
    main()
