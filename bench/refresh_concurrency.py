#!/usr/bin/env python3
"""Measures the background refresh path against a fake provider that answers after a fixed delay.

Reports (1) the time from a refresh_objects request to a worker starting its job (median, p90, from
the jobs table's created_at and started_at) and (2) how many of N refreshes queued at once complete
within a deadline. Needs only Python's standard library and a built `destinations` binary.

    python3 bench/refresh_concurrency.py [--binary .build/debug/destinations] [--count 500]
        [--delay-ms 200] [--deadline-s 2] [--concurrency 16]
"""
import argparse
import concurrent.futures
import http.server
import json
import os
import sqlite3
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.request


class SlowBraze(http.server.BaseHTTPRequestHandler):
    delay = 0.2

    def do_GET(self):
        time.sleep(self.delay)
        body = b'{"catalogs": [], "message": "success"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except BrokenPipeError:
            pass

    def log_message(self, *args):
        pass


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(port, token, method, path, body=None):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=".build/debug/destinations")
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--delay-ms", type=int, default=200)
    parser.add_argument("--deadline-s", type=float, default=2.0)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()

    SlowBraze.delay = args.delay_ms / 1000
    fake = http.server.ThreadingHTTPServer(("127.0.0.1", 0), SlowBraze)
    fake.daemon_threads = True
    fake.request_queue_size = 1024
    threading.Thread(target=fake.serve_forever, daemon=True).start()

    workdir = tempfile.mkdtemp(prefix="destinations-bench-")
    database = os.path.join(workdir, "bench.sqlite")
    port = free_port()
    environment = dict(
        os.environ,
        PORT=str(port),
        DATABASE_URL=database,
        OUTBOUND_ALLOW_PRIVATE_NETWORKS="true",
        CONNECTORS_BRAZE_BASE_URL=f"http://127.0.0.1:{fake.server_port}",
        JOBS_CONCURRENCY=str(args.concurrency),
        LOG_LEVEL="warning",
    )
    server = subprocess.Popen([args.binary, "serve"], env=environment, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    token = None
    for line in server.stdout:
        if line.startswith("secret-token:"):
            token = line.strip()
            break
    try:
        for _ in range(100):
            try:
                call(port, token, "GET", "/api/v1/destinations")
                break
            except OSError:
                time.sleep(0.05)

        create = {"service_connection": {"type": "braze", "credentials": {"api_key": "k", "instance_url": "https://rest.iad-03.braze.com"}}}
        with concurrent.futures.ThreadPoolExecutor(max_workers=32) as pool:
            ids = list(pool.map(lambda _: call(port, token, "POST", "/api/v1/destinations", create)["data"]["id"], range(args.count)))

        db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
        while db.execute("SELECT COUNT(*) FROM jobs WHERE status IN ('queued', 'running')").fetchone()[0]:
            time.sleep(0.1)
        first_new_job = db.execute("SELECT COALESCE(MAX(id), 0) FROM jobs").fetchone()[0] + 1

        # One at a time on an idle queue: the pure latency from request to a worker starting the job.
        idle_waits = []
        for destination in ids[:50]:
            key = call(port, token, "POST", f"/api/v1/destinations/{destination}/refresh_objects")["refresh_key"]
            while db.execute("SELECT status FROM jobs WHERE id = ?", (key,)).fetchone()[0] in ("queued", "running"):
                time.sleep(0.01)
            created, started = db.execute("SELECT created_at, started_at FROM jobs WHERE id = ?", (key,)).fetchone()
            idle_waits.append(started - created)
        first_new_job = db.execute("SELECT COALESCE(MAX(id), 0) FROM jobs").fetchone()[0] + 1

        def refresh(destination):
            return call(port, token, "POST", f"/api/v1/destinations/{destination}/refresh_objects")["refresh_key"]

        start = time.time()
        with concurrent.futures.ThreadPoolExecutor(max_workers=100) as pool:
            keys = list(pool.map(refresh, ids))
        queued_in = time.time() - start

        deadline = start + args.deadline_s
        while time.time() < deadline + 10 and db.execute(
            "SELECT COUNT(*) FROM jobs WHERE id >= ? AND status IN ('queued', 'running')", (first_new_job,)
        ).fetchone()[0]:
            time.sleep(0.05)
        rows = db.execute(
            "SELECT created_at, started_at, finished_at, status FROM jobs WHERE id >= ?", (first_new_job,)
        ).fetchall()
        waits = sorted(started - created for created, started, _, _ in rows if started is not None)
        within = sum(1 for _, _, finished, status in rows if status == "completed" and finished is not None and finished / 1000 <= deadline)
        print(json.dumps({
            "refreshes": len(keys),
            "distinct_keys": len(set(keys)),
            "concurrency": args.concurrency,
            "provider_delay_ms": args.delay_ms,
            "idle_queue_to_start_ms": {"median": statistics.median(idle_waits), "max": max(idle_waits), "samples": len(idle_waits)},
            "seconds_to_queue_all": round(queued_in, 3),
            "queue_to_start_ms": {
                "median": statistics.median(waits) if waits else None,
                "p90": waits[int(len(waits) * 0.9)] if waits else None,
                "first_job": waits[0] if waits else None,
            },
            f"completed_within_{args.deadline_s}s": within,
            "completed_in_total": sum(1 for row in rows if row[3] == "completed"),
        }, indent=2))
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
