"""User-facing problems that name the file, line and field, and say what was expected."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in a user's file: printed as ``path:line: field: message``."""

    path: str
    line: int
    field: str
    message: str
    severity: str = "error"  # "error" fails check and build; "warning" only reports

    def __str__(self) -> str:
        prefix = "" if self.severity == "error" else "warning: "
        return f"{self.path}:{self.line}: {prefix}{self.field}: {self.message}"


class ProblemsFound(Exception):
    """Raised at an edge (CLI, plugin) when files hold errors; carries every problem."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ConfigFileError(Exception):
    """The configuration file itself cannot be read (missing, unreadable): exit code 2."""


def errors_only(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]
