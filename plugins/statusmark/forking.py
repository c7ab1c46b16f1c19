"""When work may go to forked worker processes, and how many.

Parsing, audience builds and page rendering each fork workers that inherit what the
parent holds (no pickling of the site). Forking a process that runs other threads (the
server of ``mkdocs serve``, a test session's receivers) is unsafe: there, work stays in
the process.
"""

from __future__ import annotations

import os
import threading
from multiprocessing import get_all_start_methods

MAX_WORKERS = 8


def cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def workers() -> int:
    return min(cores(), MAX_WORKERS)


def fork_is_safe() -> bool:
    return "fork" in get_all_start_methods() and threading.active_count() == 1
