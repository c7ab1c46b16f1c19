"""How fast the disk under DIR makes folders now: what a build does 30,000 times.

    python bench/fsprobe.py DIR [--under MICROSECONDS]

Prints the time one folder with a page in it takes (the median of five rounds of 500),
marked SLOW above ``--under`` (default 150 µs; 60-70 µs is usual here).

Why: on ext4 without a journal (this VM's disk), making an inode skips the free ones
deleted lately, reading each one's record to find out (``recently_deleted``). After tens
of thousands of deletions (a benchmark's sites, deleted at its end) every new folder
scans past them: 5,000 folders with a page took 2.3-3.1 s instead of 0.25 s, for
more than ten minutes, and a cold build took 15 s instead of 5.5 s, with 21 s of system
time. The check reads the inode table from the buffer cache, and only from there: once
the cache is dropped (``run.sh`` does when the probe is slow and it may), the same probe
took 71 µs. The probe's folders are set aside in DIR/trash, as run.sh's builds are.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

ROUNDS, FOLDERS = 5, 500
PAGE = b"x" * 12_000  # about an event page


def probe(root: Path) -> float:
    """Median µs per folder (made, a page written in it) over ``ROUNDS`` rounds."""
    times = []
    for _ in range(ROUNDS):
        folder = root / "trash" / f"probe-{time.time_ns()}"
        folder.mkdir(parents=True)
        start = time.perf_counter()
        for i in range(FOLDERS):
            page = folder / f"e{i}"
            page.mkdir()
            with open(page / "index.html", "wb") as handle:
                handle.write(PAGE)
        times.append((time.perf_counter() - start) / FOLDERS * 1e6)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--under", type=float, default=150.0, metavar="MICROSECONDS")
    args = parser.parse_args()
    took = probe(args.dir)
    slow = " (SLOW: deletions on this disk; the figures will be too)" if took > args.under else ""
    print(f"a folder with a page {took:.0f} µs{slow}")
    os.sync()


if __name__ == "__main__":
    main()
