"""Run a command once; print each Python process it ran: when it lived, its CPU, its page faults.

`/usr/bin/time` gives a build's CPU in one sum. This splits it by process (the parse
workers, each audience's build, their page workers) and into user and system time: on
this VM, two thirds of the audiences' CPU turned out to be the kernel's (creating and
filling the sites' files), not Python's. Page faults (minor: new pages and copies on
write) and peak RSS show what each process touched; a forked process's peak counts the
pages it shares with its parent.

Usage: python bench/processes.py -- COMMAND...

Each Python process started or forked under COMMAND imports a ``sitecustomize`` put first
on its ``PYTHONPATH`` (it runs the one it hides) that appends one line at exit, ``os._exit``
included (forked workers leave by it): pid, parent pid, start and end time, and its own
``getrusage``: user and system time, minor page faults, peak RSS. The "all" row is what
the kernel counted for COMMAND and every process waited for under it; "not listed" is the
part no line accounts for (processes that are not Python, Python run with ``-I``, ``-E``
or ``-S``, or killed).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

HOOK = """\
import os, resource, time
_LOG = os.environ.get("BENCH_PROCESSES_LOG")
if _LOG:
    _started = [time.time()]

    def _forked():
        _started[0] = time.time()

    def _log():
        own = resource.getrusage(resource.RUSAGE_SELF)
        line = (
            f"{os.getpid()} {os.getppid()} {_started[0]:.3f} {time.time():.3f}"
            f" {own.ru_utime:.2f} {own.ru_stime:.2f} {own.ru_minflt} {own.ru_maxrss}\\n"
        )
        with open(_LOG, "a") as out:
            out.write(line)

    def _exit(status, _real_exit=os._exit):
        try:
            _log()
        finally:
            _real_exit(status)

    os.register_at_fork(after_in_child=_forked)
    os._exit = _exit
    import atexit
    atexit.register(_log)

# The sitecustomize this one hides (a distribution's, coverage's), run as it would have been.
import importlib.machinery, importlib.util, sys
_here = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.machinery.PathFinder.find_spec(
    "sitecustomize", [p for p in sys.path if os.path.abspath(p or ".") != _here]
)
if _spec is not None and _spec.loader is not None:
    _spec.loader.exec_module(importlib.util.module_from_spec(_spec))
"""


class Process(NamedTuple):
    pid: int
    parent: int
    start: float
    end: float
    user: float
    system: float
    faults: int  # minor page faults
    peak_kib: int  # peak RSS


class Run(NamedTuple):
    started: float  # when COMMAND started (time.time())
    processes: list[Process]  # the Python processes that logged, in the order they started
    user: float  # CPU of COMMAND and every process waited for under it, logged or not
    system: float
    faults: int  # minor page faults, as counted alike


def run(command: list[str]) -> Run:
    """``command`` run once with the hook."""
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "sitecustomize.py").write_text(HOOK, encoding="utf-8")
        log = Path(folder, "processes.log")
        env = dict(os.environ, BENCH_PROCESSES_LOG=str(log))
        env["PYTHONPATH"] = os.pathsep.join(p for p in (folder, os.environ.get("PYTHONPATH")) if p)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.time()
        done = subprocess.run(command, env=env)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode != 0:
            sys.exit(f"command failed ({done.returncode}): {' '.join(command)}")
        lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    found = [
        Process(int(p), int(pp), float(s), float(e), float(u), float(y), int(f), int(r))
        for p, pp, s, e, u, y, f, r in map(str.split, lines)
    ]
    user, system = after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime
    faults = after.ru_minflt - before.ru_minflt
    return Run(started, sorted(found, key=lambda p: p.start), user, system, faults)


def table(done: Run) -> str:
    rows = [
        "| pid | parent | alive (s from start) | user (s) | system (s) | page faults | peak RSS (MiB) |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for p in done.processes:
        alive = f"{p.start - done.started:.2f}-{p.end - done.started:.2f}"
        rows.append(
            f"| {p.pid} | {p.parent} | {alive} | {p.user:.2f} | {p.system:.2f} | {p.faults} | {p.peak_kib / 1024:.0f} |"
        )
    user, system = sum(p.user for p in done.processes), sum(p.system for p in done.processes)
    faults = sum(p.faults for p in done.processes)
    rest = f"{max(0.0, done.user - user):.2f} | {max(0.0, done.system - system):.2f} | {max(0, done.faults - faults)}"
    rows.append(f"| not listed | | | {rest} | |")
    rows.append(f"| all | | | {done.user:.2f} | {done.system:.2f} | {done.faults} | |")
    return "\n".join(rows)


def main(argv: list[str]) -> None:
    if not argv or argv[0] != "--" or len(argv) < 2:
        sys.exit("usage: python bench/processes.py -- COMMAND...")
    print(table(run(argv[1:])))


if __name__ == "__main__":
    main(sys.argv[1:])
