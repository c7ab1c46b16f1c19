"""When work may go to forked worker processes, and how many.

Parsing, audience builds and page rendering each fork workers that inherit what the
parent holds (no pickling of the site). Forking a process that runs other threads (the
server of ``mkdocs serve``, a test session's receivers) is unsafe: there, work stays in
the process.
"""

from __future__ import annotations

import gc
import marshal
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing import get_all_start_methods, get_context
from typing import Any

MAX_WORKERS = 8


def cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def workers() -> int:
    return min(cores(), MAX_WORKERS)


def fork_is_safe() -> bool:
    return "fork" in get_all_start_methods() and threading.active_count() == 1


@contextmanager
def pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    """Forked worker processes; what this process holds when they start is frozen meanwhile.

    A frozen object is out of the cycle collector's reach (``gc.freeze``): the workers'
    collections walk only what they made themselves, and never write to (and so copy) the
    memory they share with this process. In an audience's build, one collection of the
    view of 10,000 events and what it points to took 0.13 s; 0.06 s frozen.
    """
    gc.freeze()
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("fork")) as executor:
            yield executor
    finally:
        gc.unfreeze()


class Background:
    """``work(*args)`` in a forked process while this one goes on; ``result()`` waits for it.

    For work whose answer is a plain value (marshal's kinds) and that only saves time: on
    any failure, or where forking is unsafe, ``result()`` is None and the caller does the
    work itself. A plain fork and a pipe, not a pool: a pool's thread in this process
    would make every later fork here unsafe (``fork_is_safe``) while it runs.
    """

    def __init__(self, work: Callable[..., Any], *args: Any):
        self.pid: int | None = None
        self.value: Any = None
        if not fork_is_safe():
            return
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover (the child; its answer is checked through result())
            code = 1
            try:
                os.close(read)
                with open(write, "wb") as pipe:
                    pipe.write(marshal.dumps(work(*args)))
                code = 0
            finally:
                os._exit(code)
        os.close(write)  # the child's end: reading ends when the child's copy closes
        self.pid, self.pipe = pid, open(read, "rb")  # noqa: SIM115 (closed by result(), which __exit__ calls)

    def result(self) -> Any:
        if self.pid is not None:
            with self.pipe:
                data = self.pipe.read()
            _, status = os.waitpid(self.pid, 0)
            self.pid = None
            try:
                self.value = marshal.loads(data) if os.waitstatus_to_exitcode(status) == 0 else None
            except (ValueError, EOFError, TypeError):
                self.value = None
        return self.value

    def __enter__(self) -> Background:
        return self

    def __exit__(self, *exc: object) -> None:
        self.result()  # never a process left behind
