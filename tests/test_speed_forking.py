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


_BACKGROUND = """
import os, threading
from statusmark import forking

def answer(x):
    return {"pid": os.getpid(), "x": x}

def fail():
    raise RuntimeError("no")

with forking.Background(answer, 41) as job:
    got = job.result()
print(got["pid"] != os.getpid(), got["x"], job.result() == got)
print(forking.Background(fail).result(), forking.Background(object).result())  # raises; not marshal's kind
threading.Thread(target=threading.Event().wait, args=(30,), daemon=True).start()
job = forking.Background(answer, 1)
print(job.pid, job.result())  # a thread runs here: no fork, no answer
"""


def test_background_work_answers_from_its_own_process_or_not_at_all():
    done = subprocess.run([sys.executable, "-c", _BACKGROUND], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:3] == ["True 41 True", "None None", "None None"]
    assert not done.stderr
