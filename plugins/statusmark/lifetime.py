"""Ending the ``statusmark`` process without tearing the interpreter down.

``build`` and ``check`` end their process right after their work. Freeing 10,000 parsed
events object by object, and then the interpreter's own teardown, took a quarter of a
second and more (and 40,000 page faults) at the end of a warm build: work the operating
system does at once when the process ends. So those commands
keep what they made until the end (``keep``) and the console script then ends the
process directly (``end``), after flushing output and logs. Other commands (notify, its
ledger and connections) end the ordinary way, as do commands run in-process (tests).
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any, NoReturn

_kept: list[Any] = []
_enabled = False  # set by the console script, never by in-process callers
_fast = False  # set by a command whose process may end without teardown


def enable() -> None:
    global _enabled
    _enabled = True


def ends_with_process() -> bool:
    """True under the console script: what the command leaves is freed with the process."""
    return _enabled


def keep(value: Any) -> None:
    """Hold ``value`` until the process ends (only under the console script)."""
    if _enabled:
        _kept.append(value)


def allow_fast_end() -> None:
    """The running command left nothing that needs the interpreter's teardown."""
    global _fast
    _fast = True


def end(code: int) -> NoReturn:
    if _enabled and _fast:
        logging.shutdown()
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                code = code or 1  # e.g. a closed pipe: as Python itself would report
        os._exit(code)
    sys.exit(code)
