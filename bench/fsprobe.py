"""How fast the disk under DIR makes folders now: what a build does 30,000 times.

    python bench/fsprobe.py DIR TRASH [--wait MINUTES] [--under MICROSECONDS]

Prints the time one folder with a page in it takes (the median of five rounds of 500),
marked SLOW above ``--under`` (default 90 µs; 55-85 µs is usual here). With ``--wait``,
probes again every 20 seconds, for at most MINUTES, until three probes in a row are not
slow.

Why: on ext4 without a journal (this VM's disk), making an inode skips the free ones
deleted lately, reading each one's record to find out (``recently_deleted``). After tens
of thousands of deletions (a benchmark's sites, deleted at its end) every new folder
scans past them: 5,000 folders with a page took 2.3-3.1 s instead of 0.25 s, for
minutes, and a cold build took 15 s instead of 5.5 s, with 21 s of system time. It
passes: 1.5 minutes after 15,000 deletions ended, the probe read 67 µs again. Dropping
the kernel's caches ends it at once (71 µs), but frees gigabytes that this VM then
reports to its host, and memory touched again after that is slow too (session 17), so
``run.sh`` waits instead. The probe's folders are made in DIR and then set aside in
TRASH (a rename: the same disk), as run.sh's builds are.

It can miss a milder slowdown: right after deleting 562,000 files it read 66 µs, and the
cold build that followed took 7.0 s with 5.6 s of system time (5.5 s and 2.8 s on a
quiet disk). A probe that reads SLOW is sure; one that does not is a good sign only.
The bar was 150 µs until a probe read 128 µs a minute after a million deletions and
the cold builds that followed took 19-20 s (5.9 s on a quiet disk); 100 µs until one
probe read 96 µs four minutes after 7.5 GB of deletions, and the cold builds that
followed took 6.2, 11.6 and 11.0 s (5.2 s on a quiet disk). The probes of the next
minutes read 105, 99, 97, 508, 94, 69, 59, 57 µs: one reading under the bar is not
enough, three in a row are asked for.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

ROUNDS, FOLDERS = 5, 500
PAGE = b"x" * 12_000  # about an event page


def probe(root: Path, trash: Path) -> float:
    """Median µs per folder (made in ``root``, a page written in it) over ``ROUNDS`` rounds.

    In ``root`` itself, where the builds make their sites: ext4 makes a folder's inodes
    near its parent's, and the slow ones are those near the folders deleted (a probe in a
    new folder elsewhere read 62 µs while builds beside the deleted sites took 15 s)."""
    times = []
    trash.mkdir(parents=True, exist_ok=True)
    for _ in range(ROUNDS):
        folder = root / f".fsprobe-{time.time_ns()}"
        folder.mkdir()
        start = time.perf_counter()
        for i in range(FOLDERS):
            page = folder / f"e{i}"
            page.mkdir()
            with open(page / "index.html", "wb") as handle:
                handle.write(PAGE)
        times.append((time.perf_counter() - start) / FOLDERS * 1e6)
        folder.rename(trash / folder.name)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("trash", type=Path)
    parser.add_argument("--wait", type=float, default=0.0, metavar="MINUTES")
    parser.add_argument("--under", type=float, default=90.0, metavar="MICROSECONDS")
    args = parser.parse_args()
    began = time.monotonic()
    took = probe(args.dir, args.trash)
    quiet = int(took <= args.under)  # probes in a row under the bar
    while args.wait and quiet < 3 and time.monotonic() - began < args.wait * 60:
        time.sleep(20)
        took = probe(args.dir, args.trash)
        quiet = quiet + 1 if took <= args.under else 0
    waited = time.monotonic() - began
    note = f", after waiting {waited / 60:.1f} min for it" if waited > 20 else ""
    slow = " (SLOW: deletions on this disk; the figures will be too)" if took > args.under else ""
    print(f"a folder with a page {took:.0f} µs{note}{slow}")
    os.sync()  # the probe's pages written back now, not during the first timed run


if __name__ == "__main__":
    main()
