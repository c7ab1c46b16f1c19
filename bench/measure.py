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


def timed(prepare: str | None, command: list[str]) -> tuple[float, int, float]:
    """``run_once`` of ``command``, after ``prepare`` (a shell command, untimed) if given."""
    if prepare:
        subprocess.run(prepare, shell=True, check=True)
        # Deleting a built site is tens of thousands of unlinks (and, on a disk mounted
        # with discard, trims): flush them before the clock starts, not into the run.
        subprocess.run(["sync"], check=True)
    return run_once(command)


def row(label: str, results: list[tuple[float, int, float]]) -> str:
    """A Markdown row: median wall, median CPU, peak RSS, every run's wall time."""
    walls = [wall for wall, _, _ in results]
    cpu = statistics.median(cpu for _, _, cpu in results)
    peak = max(rss for _, rss, _ in results) / 1024
    runs = ", ".join(f"{w:.2f}" for w in walls)
    return f"| {label} | {statistics.median(walls):.2f} s | {cpu:.2f} s | {peak:.0f} MiB | {runs} |"


def record(path: str | None, label: str, value: float, peak_mib: float = 0) -> None:
    """Keep a figure for run.sh's summary: 'label<TAB>value<TAB>peak MiB'."""
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(f"{label}\t{value:.3f}\t{peak_mib:.0f}\n")


def record_runs(path: str | None, label: str, results: list[tuple[float, int, float]]) -> None:
    """Keep the median wall time and the peak RSS of ``results``."""
    record(path, label, statistics.median(w for w, _, _ in results), max(r for _, r, _ in results) / 1024)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("label")
    parser.add_argument("runs", type=int)
    parser.add_argument("--prepare", help="shell command run before each timed run, untimed")
    parser.add_argument("--record", help="append 'label<TAB>median seconds<TAB>peak MiB' to this file")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    results = [timed(args.prepare, command) for _ in range(args.runs)]
    print(row(args.label, results), flush=True)
    record_runs(args.record, args.label, results)


if __name__ == "__main__":
    main()
