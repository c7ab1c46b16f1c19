"""Run a command several times under /usr/bin/time -v; print median wall and CPU time, peak RSS.

CPU time (user + system, of the command and its worker processes) is what the machine's
load changes least: on a shared 2-core host the wall time of one command varies far more.

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


def run_once(command: list[str]) -> tuple[float, int, float]:
    """Wall seconds, peak RSS in KiB, and CPU seconds (user + system, children included)."""
    started = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-v", *command], capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"command failed ({done.returncode}): {' '.join(command)}\n{done.stderr[-2000:]}")
    rss_kb = int(_field(done.stderr, r"Maximum resident set size \(kbytes\)"))
    cpu = _field(done.stderr, r"User time \(seconds\)") + _field(done.stderr, r"System time \(seconds\)")
    return wall, rss_kb, cpu


def _field(report: str, name: str) -> float:
    found = re.search(name + r": ([\d.]+)", report)
    assert found, f"/usr/bin/time -v printed no {name}"
    return float(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("label")
    parser.add_argument("runs", type=int)
    parser.add_argument("--prepare", help="shell command run before each timed run, untimed")
    parser.add_argument("--record", help="append 'label<TAB>median seconds<TAB>peak MiB' to this file")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    walls, peaks, cpus = [], [], []
    for _ in range(args.runs):
        if args.prepare:
            subprocess.run(args.prepare, shell=True, check=True)
            # Deleting a built site is tens of thousands of unlinks (and, on a disk mounted
            # with discard, trims): flush them before the clock starts, not into the run.
            subprocess.run(["sync"], check=True)
        wall, rss, cpu = run_once(command)
        walls.append(wall)
        peaks.append(rss)
        cpus.append(cpu)
    runs = ", ".join(f"{w:.2f}" for w in walls)
    median, cpu = statistics.median(walls), statistics.median(cpus)
    print(f"| {args.label} | {median:.2f} s | {cpu:.2f} s | {max(peaks) / 1024:.0f} MiB | {runs} |", flush=True)
    if args.record:
        with open(args.record, "a", encoding="utf-8") as handle:
            handle.write(f"{args.label}\t{statistics.median(walls):.3f}\t{max(peaks) / 1024:.0f}\n")


if __name__ == "__main__":
    main()
