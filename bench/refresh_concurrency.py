#!/usr/bin/env python3
"""Measures the background refresh path against a fake provider that answers after a fixed delay.

Reports (1) the time from a refresh_objects request to a worker starting its job (median, p90, from
the jobs table's created_at and started_at), one at a time on an idle queue and for N refreshes queued
at once, and (2) how many of those N complete within a deadline counted from the first request.

The server runs at its default job settings unless --concurrency or --provider-concurrency say
otherwise, with rate limits off (N refreshes at once from one workspace are far above the
provider-facing budget; a 429 that still comes is retried after its Retry-After). The fake provider and
the load are asyncio on HTTP/1.1 keep-alive, so that neither a thread per connection nor the GIL is what
is measured. Every call the server makes goes to the fake on loopback. Needs only Python's standard
library and a built `destinations` binary.

    python3 bench/refresh_concurrency.py [--binary .build/release/destinations] [--count 500]
        [--delay-ms 200] [--deadline-s 2] [--connections 64] [--concurrency N] [--provider-concurrency N]
"""
import argparse
import asyncio
import json
import os
import sqlite3
import statistics
import subprocess
import tempfile
import time

from keepalive import Client, free_port, spread

CATALOGS = b'{"catalogs": [], "message": "success"}'


async def fake_braze(reader, writer, delay):
    """Every GET answers an empty catalogue list after `delay`, on a kept-alive connection."""
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            if length:
                await reader.readexactly(length)
            await asyncio.sleep(delay)
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(CATALOGS), CATALOGS))
            await writer.drain()
    except (asyncio.IncompleteReadError, asyncio.CancelledError, ConnectionError):
        pass
    finally:
        writer.close()


async def drained(db, first_job=0):
    while db.execute("SELECT COUNT(*) FROM jobs WHERE id >= ? AND status IN ('queued', 'running')", (first_job,)).fetchone()[0]:
        await asyncio.sleep(0.05)


async def measure(args):
    fake = await asyncio.start_server(lambda r, w: fake_braze(r, w, args.delay_ms / 1000), "127.0.0.1", 0, backlog=4096)
    fake_port = fake.sockets[0].getsockname()[1]
    fake_url = f"http://127.0.0.1:{fake_port}"

    workdir = tempfile.mkdtemp(prefix="destinations-bench-")
    database = os.path.join(workdir, "bench.sqlite")
    port = free_port()
    environment = dict(
        os.environ,
        PORT=str(port),
        DATABASE_URL=database,
        OUTBOUND_ALLOW_PRIVATE_NETWORKS="true",
        CONNECTORS_BRAZE_BASE_URL=fake_url,
        RATE_LIMIT_ENABLED="false",
        LOG_LEVEL="warning",
    )
    if args.concurrency:
        environment["JOBS_CONCURRENCY"] = str(args.concurrency)
    if args.provider_concurrency:
        environment["JOBS_PROVIDER_CONCURRENCY"] = str(args.provider_concurrency)
    server = subprocess.Popen([args.binary, "serve"], env=environment, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    token = next(line.strip() for line in server.stdout if line.startswith("secret-token:"))
    clients = [Client(port, token) for _ in range(args.connections)]
    try:
        for _ in range(200):
            try:
                await clients[0].success("GET", "/api/v1/destinations")
                break
            except OSError:
                clients[0].close()
                await asyncio.sleep(0.05)

        # The destination's own URL is the fake too: nothing could be dialled off the machine.
        create = {"service_connection": {"type": "braze", "credentials": {"api_key": "k", "instance_url": fake_url}}}
        created = await spread(clients, [("POST", "/api/v1/destinations", create)] * args.count, send=Client.success)
        ids = [answer["data"]["id"] for answer in created]

        db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
        await drained(db)

        # One at a time on an idle queue: the pure latency from request to a worker starting the job.
        idle_waits = []
        for destination in ids[:50]:
            key = (await clients[0].success("POST", f"/api/v1/destinations/{destination}/refresh_objects"))["refresh_key"]
            while db.execute("SELECT status FROM jobs WHERE id = ?", (key,)).fetchone()[0] in ("queued", "running"):
                await asyncio.sleep(0.005)
            created_at, started_at = db.execute("SELECT created_at, started_at FROM jobs WHERE id = ?", (key,)).fetchone()
            idle_waits.append(started_at - created_at)
        first_new_job = db.execute("SELECT COALESCE(MAX(id), 0) FROM jobs").fetchone()[0] + 1

        start = time.time()
        answers = await spread(
            clients, [("POST", f"/api/v1/destinations/{destination}/refresh_objects", None) for destination in ids], send=Client.success
        )
        queued_in = time.time() - start
        deadline = start + args.deadline_s
        await asyncio.wait_for(drained(db, first_new_job), timeout=args.deadline_s + 60)
        drained_in = time.time() - start

        rows = db.execute("SELECT created_at, started_at, finished_at, status FROM jobs WHERE id >= ?", (first_new_job,)).fetchall()
        waits = sorted(started - created for created, started, _, _ in rows if started is not None)
        within = sum(1 for _, _, finished, status in rows if status == "completed" and finished is not None and finished / 1000 <= deadline)
        return {
            "refreshes": len(answers),
            "distinct_keys": len({answer["refresh_key"] for answer in answers}),
            "concurrency": args.concurrency or "default",
            "provider_concurrency": args.provider_concurrency or "default",
            "provider_delay_ms": args.delay_ms,
            "client_connections": args.connections,
            "idle_queue_to_start_ms": {"median": statistics.median(idle_waits), "max": max(idle_waits), "samples": len(idle_waits)},
            "seconds_to_queue_all": round(queued_in, 3),
            "queue_to_start_ms": {
                "median": statistics.median(waits) if waits else None,
                "p90": waits[int(len(waits) * 0.9)] if waits else None,
                "max": waits[-1] if waits else None,
            },
            f"completed_within_{args.deadline_s}s": within,
            "seconds_until_all_finished": round(drained_in, 3),
            "completed_in_total": sum(1 for row in rows if row[3] == "completed"),
        }
    finally:
        for client in clients:
            client.close()
        server.terminate()
        server.wait(timeout=30)
        fake.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=".build/release/destinations")
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--delay-ms", type=int, default=200)
    parser.add_argument("--deadline-s", type=float, default=2.0)
    parser.add_argument("--connections", type=int, default=64, help="client connections queueing the refreshes")
    parser.add_argument("--concurrency", type=int, help="JOBS_CONCURRENCY (default: the server's)")
    parser.add_argument("--provider-concurrency", type=int, help="JOBS_PROVIDER_CONCURRENCY (default: the server's)")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(measure(args)), indent=2))


if __name__ == "__main__":
    main()
