"""How fast the disk under DIR makes folders now: what a build does 30,000 times.

    python bench/fsprobe.py DIR [--wait MINUTES] [--under MICROSECONDS]

Prints the time one folder with a page in it takes (the median of five rounds of 500),
marked SLOW above ``--under`` (default 150 µs; 60-70 µs is usual here). With ``--wait``,
probes again every 20 seconds, for at most MINUTES, until it is not slow.

Why: on ext4 without a journal (this VM's disk), making an inode skips the free ones
deleted lately, reading each one's record to find out (``recently_deleted``). After tens
of thousands of deletions (a benchmark's sites, deleted at its end) every new folder
scans past them: 5,000 folders with a page took 2.3-3.1 s instead of 0.25 s, for
minutes, and a cold build took 15 s instead of 5.5 s, with 21 s of system time. It
passes: 1.5 minutes after 15,000 deletions ended, the probe read 67 µs again. Dropping
the kernel's caches ends it at once (71 µs), but frees gigabytes that this VM then
reports to its host, and memory touched again after that is slow too (session 17), so
``run.sh`` waits instead. The probe's folders are set aside in DIR/trash, as run.sh's
builds are.
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
    parser.add_argument("--wait", type=float, default=0.0, metavar="MINUTES")
    parser.add_argument("--under", type=float, default=150.0, metavar="MICROSECONDS")
    args = parser.parse_args()
    began = time.monotonic()
    took = probe(args.dir)
    while took > args.under and time.monotonic() - began < args.wait * 60:
        time.sleep(20)
        took = probe(args.dir)
    waited = time.monotonic() - began
    note = f", after waiting {waited / 60:.1f} min for it" if waited > 20 else ""
    slow = " (SLOW: deletions on this disk; the figures will be too)" if took > args.under else ""
    print(f"a folder with a page {took:.0f} µs{note}{slow}")
    os.sync()


if __name__ == "__main__":
    main()
