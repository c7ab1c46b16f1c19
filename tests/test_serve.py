"""`statusmark serve`: a real live preview on 127.0.0.1 that picks up incident edits."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.request import urlopen

from .conftest import write_repo
from .test_build import OPEN_INCIDENT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch_until(url: str, predicate, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        try:
            with urlopen(url, timeout=2) as response:
                last = response.read().decode()
                if predicate(last):
                    return last
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} never satisfied the condition; last body starts {last[:200]!r}")


def test_serve_shows_the_site_and_reloads_on_incident_edits(tmp_path: Path):
    config = write_repo(tmp_path, {"api-errors.md": OPEN_INCIDENT})
    port = free_port()
    command = [
        str(Path(sys.executable).parent / "statusmark"),
        "serve",
        "-f",
        str(config),
        "-a",
        f"127.0.0.1:{port}",
        "--audience",
        "technical",
    ]
    env = {**os.environ, "STATUSMARK_NOW": "2026-11-23T12:00:00Z"}
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    try:
        page = f"http://127.0.0.1:{port}/incidents/api-errors/"
        body = fetch_until(page, lambda b: "Elevated error rates" in b)
        assert "Connection pool on db-primary-2" in body  # the technical audience
        incident = tmp_path / "incidents" / "api-errors.md"
        incident.write_text(
            incident.read_text()
            + "\n## 2026-11-23T11:50:00Z monitoring\n\n/// public\nA fix is rolling out everywhere.\n///\n"
        )
        fetch_until(page, lambda b: "A fix is rolling out everywhere." in b)
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert not (tmp_path / "site").exists()  # a preview writes nothing into the site folders
