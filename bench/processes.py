"""Run a command once; print each Python process it ran: when it lived, its user and system CPU.

`/usr/bin/time` gives a build's CPU in one sum. This splits it by process (the parse
workers, each audience's build, their page workers) and into user and system time, which
is how session 16 found that two thirds of the audiences' CPU on this VM is the kernel's
(creating and filling the sites' files), not Python's.

Usage: python bench/processes.py -- COMMAND...   (COMMAND's Python processes only)

Each Python process started or forked under COMMAND imports a ``sitecustomize`` put first
on its ``PYTHONPATH`` that appends one line at exit, ``os._exit`` included (forked workers
leave by it): pid, parent pid, start and end time, ``os.times()`` user and system.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import NamedTuple

HOOK = """\
import os, time
_LOG = os.environ.get("BENCH_PROCESSES_LOG")
if _LOG:
    _started = [time.time()]

    def _forked():
        _started[0] = time.time()

    def _log():
        times = os.times()
        line = f"{os.getpid()} {os.getppid()} {_started[0]:.3f} {time.time():.3f} {times.user:.2f} {times.system:.2f}\\n"
        with open(_LOG, "a") as out:
            out.write(line)

    def _exit(code, _real_exit=os._exit):
        try:
            _log()
        finally:
            _real_exit(code)

    os.register_at_fork(after_in_child=_forked)
    os._exit = _exit
    import atexit
    atexit.register(_log)
"""


class Process(NamedTuple):
    pid: int
    parent: int
    start: float
    end: float
    user: float
    system: float


def run(command: list[str]) -> list[Process]:
    """``command`` run once with the hook; its Python processes, in the order they started."""
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "sitecustomize.py").write_text(HOOK, encoding="utf-8")
        log = Path(folder, "processes.log")
        env = dict(os.environ, BENCH_PROCESSES_LOG=str(log))
        env["PYTHONPATH"] = os.pathsep.join(p for p in (folder, os.environ.get("PYTHONPATH")) if p)
        done = subprocess.run(command, env=env)
        if done.returncode != 0:
            sys.exit(f"command failed ({done.returncode}): {' '.join(command)}")
        lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    found = [
        Process(int(p), int(pp), float(s), float(e), float(u), float(y)) for p, pp, s, e, u, y in map(str.split, lines)
    ]
    return sorted(found, key=lambda p: p.start)


def table(processes: list[Process]) -> str:
    t0 = min((p.start for p in processes), default=0.0)
    rows = ["| pid | parent | alive (s from start) | user (s) | system (s) |", "| --- | --- | --- | --- | --- |"]
    for p in processes:
        rows.append(f"| {p.pid} | {p.parent} | {p.start - t0:.2f}-{p.end - t0:.2f} | {p.user:.2f} | {p.system:.2f} |")
    user, system = sum(p.user for p in processes), sum(p.system for p in processes)
    rows.append(f"| all | | | {user:.2f} | {system:.2f} |")
    return "\n".join(rows)


def main(argv: list[str]) -> None:
    if not argv or argv[0] != "--" or len(argv) < 2:
        sys.exit("usage: python bench/processes.py -- COMMAND...")
    print(table(run(argv[1:])))


if __name__ == "__main__":
    main(sys.argv[1:])
