"""Secrets live in the environment only; config names them with ``!ENV NAME``.

A secret is resolved at the moment of sending, so ``check``, ``preview`` and dry runs
work without any secret set, and anything printed shows the variable's name instead.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


class MissingSecret(Exception):
    """An ``!ENV`` variable a send needs is not set."""


@dataclass(frozen=True)
class EnvRef:
    """A value to read from the environment variable ``name`` when it is needed."""

    name: str

    def __str__(self) -> str:
        return f"${self.name}"


def resolve(value: Any, environ: Mapping[str, str] | None = None) -> Any:
    """The real value behind ``value``: an ``EnvRef`` is looked up, anything else returned."""
    if not isinstance(value, EnvRef):
        return value
    env = os.environ if environ is None else environ
    if value.name not in env or env[value.name] == "":
        raise MissingSecret(f"environment variable {value.name} is not set")
    return env[value.name]


_URL_SECRET = re.compile(r"^(?P<scheme>[a-z][a-z0-9+.-]*://)(?:[^@/]*@)?(?P<host>[^/?#]*)(?P<rest>.*)$", re.I)


def mask(value: Any) -> str:
    """How a target is shown in reports and logs: env names as-is, literal URLs without paths."""
    if isinstance(value, EnvRef):
        return str(value)
    text = str(value)
    match = _URL_SECRET.match(text)
    if match:
        # Webhook URLs carry their token in the path or query; the host says enough.
        return (
            f"{match['scheme']}{match['host']}/***" if match["rest"].strip("/") else f"{match['scheme']}{match['host']}"
        )
    return text[:2] + "***" if len(text) > 8 else "***"


# Values that are credentials by their shape: flagged when written literally in config.
SECRET_SHAPES = re.compile(
    r"hooks\.slack\.com/services/|webhook\.office\.com/|logic\.azure\.com/.*sig=|"
    r"\bxox[abpr]-|\bgh[pousr]_[A-Za-z0-9]{20,}|\bAKIA[0-9A-Z]{16}\b|\bwhsec_|"
    r"://[^/@\s]+:[^/@\s]+@|[?&](?:token|key|sig|signature|secret|password)=",
    re.I,
)
