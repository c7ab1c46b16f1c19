"""Forked worker pools: what the parent holds is frozen while they run, and only then."""

from __future__ import annotations

import subprocess
import sys

# In a process of its own: forking is refused where other threads run (a test session's).
_POOL = """
import gc
from statusmark import forking

held = [[i] for i in range(1000)]  # what the parent holds when the workers start
assert gc.get_freeze_count() == 0
with forking.pool(2) as executor:
    frozen = gc.get_freeze_count()
    answers = list(executor.map(abs, [-1, -2, -3]))
print(frozen >= len(held), answers, gc.get_freeze_count())
"""


def test_a_pool_freezes_what_its_process_holds_until_its_workers_end():
    done = subprocess.run([sys.executable, "-c", _POOL], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "[1,", "2,", "3]", "0"]


_FAILING = """
import gc
from statusmark import forking

try:
    with forking.pool(1) as executor:
        executor.submit(int, "x").result()
except ValueError:
    print(gc.get_freeze_count())
"""


def test_a_pool_that_fails_leaves_nothing_frozen():
    done = subprocess.run([sys.executable, "-c", _FAILING], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0"]
