"""Notification throughput: N notifications to a webhook receiver on 127.0.0.1.

    python bench/notify_bench.py [N] [--runs 3]

Writes a status repository with N open incidents (one recent update each) and one
internal group whose Standard-Webhooks channel points at a local receiver running in
its own process, then times `statusmark notify --send` under /usr/bin/time -v. Each run
starts from an empty ledger; a second, immediate re-run measures reconciliation when
everything is already sent. Prints messages per second and peak RSS (medians).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

NOW = "2026-11-23T12:00:00Z"
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
CONFIG = """\
site_name: Bench Status
site_url: https://status.bench.example/
docs_dir: site_src
theme: {name: material, font: false}
plugins:
  - statusmark:
      components:
        - {id: api, name: API, group: Product}
"""
GROUPS = """\
settings: {retries: 2, backoff: 0.05, timeout: 5, ledger: ledger.jsonl, first_run_window: 7d}
channels:
  hook: {type: webhook, url: !ENV BENCH_HOOK_URL, secret: !ENV BENCH_HOOK_SECRET}
groups:
  oncall: {tier: technical, channels: [hook], routes: [{}]}
"""
EVENT = """\
---
title: Event {n}
impact: minor
components: {{api: degraded_performance}}
---

## 2026-11-23T{h:02d}:{m:02d}:{s:02d}Z investigating

/// public
Some requests to the API are slow. We are investigating.
///

/// semi-technical
A database replica is behind; reads fall back to the primary.
///

Replica lag on db-{n} at 900 s; pool saturation on the primary.
"""


def serve(port_queue: multiprocessing.Queue, count: multiprocessing.Value) -> None:  # type: ignore[type-arg]
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with count.get_lock():
                count.value += 1
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port_queue.put(server.server_address[1])
    server.serve_forever()


def write_repo(root: Path, n: int) -> Path:
    (root / "site_src").mkdir(parents=True)
    (root / "site_src" / "about.md").write_text("# About\n")
    incidents = root / "incidents"
    incidents.mkdir()
    for i in range(n):
        seconds = i % 36000  # spread over the ten hours before NOW, all recent
        h, rest = divmod(seconds, 3600)
        (incidents / f"e{i:05d}.md").write_text(EVENT.format(n=i, h=1 + h, m=rest // 60, s=rest % 60))
    (root / "notifications.yml").write_text(GROUPS)
    (root / "mkdocs.yml").write_text(CONFIG)
    return root / "mkdocs.yml"


def timed(command: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    start = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-v", *command], env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"failed: {' '.join(command)}\n{done.stdout}\n{done.stderr}")
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr).group(1))  # type: ignore[union-attr]
    return wall, rss, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int, nargs="?", default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not Path("/usr/bin/time").exists():
        sys.exit("needs /usr/bin/time (Debian package 'time')")
    count = multiprocessing.Value("i", 0)
    ports: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    receiver = multiprocessing.Process(target=serve, args=(ports, count), daemon=True)
    receiver.start()
    port = ports.get(timeout=10)
    root = Path(tempfile.mkdtemp(prefix="statusmark-notify-bench-"))
    config = write_repo(root, args.n)
    statusmark = str(Path(sys.executable).with_name("statusmark"))
    env = {
        **os.environ,
        "STATUSMARK_NOW": NOW,
        "BENCH_HOOK_URL": f"http://127.0.0.1:{port}/hook",
        "BENCH_HOOK_SECRET": SECRET,
    }
    command = [statusmark, "notify", "--send", "-f", str(config)]
    sends, rechecks = [], []
    try:
        for _ in range(args.runs):
            (root / "ledger.jsonl").unlink(missing_ok=True)
            before = count.value
            sends.append(timed(command, env))
            received = count.value - before
            if received != args.n:
                sys.exit(f"the receiver got {received} requests, expected {args.n}")
            rechecks.append(timed(command, env))
            if count.value - before != args.n:
                sys.exit("the re-run sent again")
    finally:
        receiver.terminate()
        shutil.rmtree(root, ignore_errors=True)
    wall = statistics.median(s[0] for s in sends)
    rss = statistics.median(s[1] for s in sends) / 1024
    again = statistics.median(r[0] for r in rechecks)
    print(f"notifications: {args.n} to a webhook receiver on 127.0.0.1, median of {args.runs}")
    print(f"  send:   {wall:.2f} s wall, {args.n / wall:.0f} messages/s, peak RSS {rss:.0f} MiB")
    print(f"  re-run: {again:.2f} s wall (everything already sent; nothing sent twice)")


if __name__ == "__main__":
    main()
