"""The ledger: what was sent, to which target, so nothing is sent twice and nothing is lost.

An append-only JSON-lines file. Each line records one state of one notification key
(``event/update/group/contact/channel``); the last line of a key wins. A send is
bracketed: ``sending`` is written and flushed to disk before the request goes out,
``sent`` after it returned. A key left at ``sending`` therefore means the process died
mid-send: the outcome is unknown, and the runner decides whether resending is safe.

The ledger holds target ids, never recipient addresses.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ..loader import parse_time

SENDING, SENT, FAILED, UNKNOWN, DEFERRED, SUPERSEDED, FALLBACK, CONFIRMED = (
    "sending", "sent", "failed", "unknown", "deferred", "superseded", "fallback", "confirmed",
)  # fmt: skip
DONE = frozenset({SENT, SUPERSEDED, FALLBACK, CONFIRMED})  # nothing more to do for the key


@dataclass(frozen=True)
class Entry:
    key: str
    state: str
    at: str
    id: str = ""  # idempotency key
    detail: str = ""
    until: str = ""  # deferred until (UTC, ISO 8601)


class Ledger:
    """The states of every notification key, backed by a JSON-lines file."""

    def __init__(self, path: Path):
        self.path = path
        self.entries: dict[str, Entry] = {}
        self.baseline: datetime | None = None
        self._file: Any = None
        if path.exists():
            self._read(path.read_text(encoding="utf-8"))

    def _read(self, text: str) -> None:
        for line in text.splitlines():
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line torn by a crash mid-write: the state before it stands
            if "baseline" in record:
                self.baseline = self.baseline or parse_time(record["baseline"])
            elif "key" in record and "state" in record:
                self.entries[record["key"]] = Entry(**{k: record.get(k, "") for k in Entry.__dataclass_fields__})

    def state(self, key: str) -> Entry | None:
        return self.entries.get(key)

    def set_baseline(self, moment: datetime) -> None:
        """On a first run: updates at or before ``moment`` are history, never notified."""
        self.baseline = moment
        self._append({"baseline": moment.strftime("%Y-%m-%dT%H:%M:%SZ")})

    def record(self, key: str, state: str, now: datetime, *, id: str = "", detail: str = "", until: str = "") -> None:
        entry = Entry(key, state, now.strftime("%Y-%m-%dT%H:%M:%SZ"), id, detail, until)
        self.entries[key] = entry
        self._append({k: v for k, v in entry.__dict__.items() if v != ""})

    def _append(self, record: dict[str, Any]) -> None:
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = self.path.open("a", encoding="utf-8")
        self._file.write(json.dumps(record, sort_keys=True) + "\n")
        self._file.flush()
        os.fsync(self._file.fileno())  # a SIGKILL right after must still find this line

    def checkpoint(self) -> None:
        """Make what was recorded durable beyond this machine (a no-op for a plain file)."""

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


class GitBranchLedger(Ledger):
    """A ledger kept on an orphan branch (``git:statusmark-ledger``), so CI keeps it between runs.

    The file is read from the branch (or ``origin/BRANCH``) into a work file; each
    checkpoint commits it to the branch with git plumbing (the checkout is not
    touched) and pushes it when the repository has an ``origin`` remote.
    """

    FILE = "ledger.jsonl"

    def __init__(self, repo: Path, branch: str, work_file: Path):
        self.repo, self.branch = repo, branch
        work_file.parent.mkdir(parents=True, exist_ok=True)
        work_file.write_text(self._fetch(), encoding="utf-8")
        super().__init__(work_file)
        self._committed = work_file.read_bytes()

    def _git(self, *args: str, input: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(["git", "-C", str(self.repo), *args], input=input, capture_output=True, check=False)

    def _has_origin(self) -> bool:
        return self._git("remote", "get-url", "origin").returncode == 0

    def _fetch(self) -> str:
        if self._has_origin():
            self._git("fetch", "--quiet", "origin", f"+refs/heads/{self.branch}:refs/remotes/origin/{self.branch}")
        for ref in (f"refs/remotes/origin/{self.branch}", f"refs/heads/{self.branch}"):
            shown = self._git("show", f"{ref}:{self.FILE}")
            if shown.returncode == 0:
                return shown.stdout.decode("utf-8")
        return ""

    def checkpoint(self) -> None:
        data = self.path.read_bytes()
        if data == self._committed:
            return
        blob = self._git("hash-object", "-w", "--stdin", input=data).stdout.decode().strip()
        tree = self._git("mktree", input=f"100644 blob {blob}\t{self.FILE}\n".encode()).stdout.decode().strip()
        parent = self._git("rev-parse", "--verify", "--quiet", f"refs/heads/{self.branch}").stdout.decode().strip()
        remote = (
            self._git("rev-parse", "--verify", "--quiet", f"refs/remotes/origin/{self.branch}").stdout.decode().strip()
        )
        parents = [p for p in dict.fromkeys((parent, remote)) if p]
        message = b"statusmark: ledger\n"
        env_args = ["-c", "user.name=statusmark", "-c", "user.email=statusmark@localhost"]
        commit = (
            subprocess.run(
                ["git", "-C", str(self.repo), *env_args, "commit-tree", tree, *sum((["-p", p] for p in parents), [])],
                input=message,
                capture_output=True,
                check=True,
            )
            .stdout.decode()
            .strip()
        )
        self._git("update-ref", f"refs/heads/{self.branch}", commit)
        if self._has_origin():
            pushed = self._git("push", "--quiet", "origin", f"refs/heads/{self.branch}:refs/heads/{self.branch}")
            if pushed.returncode != 0:
                raise OSError(f"cannot push the ledger branch {self.branch}: {pushed.stderr.decode().strip()}")
            self._git("update-ref", f"refs/remotes/origin/{self.branch}", commit)
        self._committed = data

    def close(self) -> None:
        super().close()
        self.checkpoint()


def open_ledger(spec: str, base: Path) -> Ledger:
    """``spec`` is a file path (relative to ``base``) or ``git:BRANCH`` for the orphan-branch store."""
    if spec.startswith("git:"):
        branch = spec[4:] or "statusmark-ledger"
        return GitBranchLedger(base, branch, base / ".statusmark" / f"{branch}.jsonl")
    path = Path(spec)
    return Ledger(path if path.is_absolute() else base / path)
