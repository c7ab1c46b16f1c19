"""Time two commands in turn, several times, and print the median of their ratios.

On a host shared with other work, load comes and goes over minutes: timing all runs of
one command, then all runs of its baseline, let a busy minute fall on one side only (the
same Hugo rebuild took 2.6 s in one run of run.sh and 10.7 s in another). Here each run
of A is followed at once by a run of B, and the ratio is taken per pair, so both sides of
each ratio see about the same load.

Usage: python bench/pair.py LABEL RUNS PREPARE_A COMMAND_A PREPARE_B COMMAND_B
(each a shell command; a PREPARE is run untimed before its command, "" for none).
Prints a Markdown row per command (named by `--names`) and one for the ratio; `--record
FILE` appends each command's median and the median ratio to FILE for run.sh's summary.
"""

from __future__ import annotations

import argparse
import shlex
import statistics

from measure import record, record_runs, row, timed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("label")
    parser.add_argument("runs", type=int)
    parser.add_argument("prepare_a")
    parser.add_argument("command_a")
    parser.add_argument("prepare_b")
    parser.add_argument("command_b")
    parser.add_argument("--names", nargs=2, default=("A", "B"), help="what A and B are, for the rows")
    parser.add_argument("--record", help="append both medians and the median ratio to this file")
    args = parser.parse_args()
    a_runs, b_runs = [], []
    for _ in range(args.runs):
        a_runs.append(timed(args.prepare_a, shlex.split(args.command_a)))
        b_runs.append(timed(args.prepare_b, shlex.split(args.command_b)))
    ratios = [a[0] / b[0] for a, b in zip(a_runs, b_runs)]
    ratio = statistics.median(ratios)
    for name, runs in zip(args.names, (a_runs, b_runs)):
        print(row(name, runs))
        record_runs(args.record, name, runs)
    each = ", ".join(f"{r:.2f}" for r in ratios)
    print(f"| {args.label}: median of per-pair ratios | {ratio:.2f}x | | | {each} |", flush=True)
    record(args.record, args.label, ratio)


if __name__ == "__main__":
    main()
