"""Run a command several times under /usr/bin/time -v; print median wall time and peak RSS.

Usage: python bench/measure.py LABEL RUNS -- COMMAND...   (prints one Markdown table row)
A command run under `--prepare CMD` gets CMD run (untimed) before each timed run;
`--record FILE` also appends the median to FILE for run.sh's summary.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import time


def run_once(command: list[str]) -> tuple[float, int]:
    started = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-v", *command], capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"command failed ({done.returncode}): {' '.join(command)}\n{done.stderr[-2000:]}")
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr).group(1))
    return wall, rss_kb


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("label")
    parser.add_argument("runs", type=int)
    parser.add_argument("--prepare", help="shell command run before each timed run, untimed")
    parser.add_argument("--record", help="append 'label<TAB>median seconds<TAB>peak MiB' to this file")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    walls, peaks = [], []
    for _ in range(args.runs):
        if args.prepare:
            subprocess.run(args.prepare, shell=True, check=True)
        wall, rss = run_once(command)
        walls.append(wall)
        peaks.append(rss)
    runs = ", ".join(f"{w:.2f}" for w in walls)
    print(f"| {args.label} | {statistics.median(walls):.2f} s | {max(peaks) / 1024:.0f} MiB | {runs} |", flush=True)
    if args.record:
        with open(args.record, "a", encoding="utf-8") as handle:
            handle.write(f"{args.label}\t{statistics.median(walls):.3f}\t{max(peaks) / 1024:.0f}\n")


if __name__ == "__main__":
    main()
