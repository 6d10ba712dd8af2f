#!/usr/bin/env python3
"""Measures webhooks against a receiver on loopback.

(a) Delivery. One webhook subscribed to destination.created, then --count destinations created as fast as
--clients kept-alive connections allow. Reports events delivered a second (from the first create to the last
event's first delivery), the p50/p99 of event-to-delivery latency (the body's `created_at` to the moment the
receiver read the request) and any duplicate or badly signed delivery. The receiver is http.server's
ThreadingHTTPServer on 127.0.0.1 in a process of its own (so it does not share the load's GIL), answering 204
at once; signatures are checked afterwards, against the secret the create answered.

(b) What a create pays for its outbox row. POST /api/v1/destinations from --connections connections for
--phase-seconds with no webhook, and with one subscribed to destination.created, alternately (without, with,
with, without, ... for --rounds pairs, so a drift of the machine's load falls on both): requests/s and p99 of
each phase, and the ratio of the means. Before each phase the jobs and deliveries of the previous one are
drained, so a phase pays only for its own. With a subscriber the server also sends the deliveries while the
creates run; --record-only runs the server with WEBHOOKS_CONCURRENCY=0, so only the outbox rows are measured
(and skips (a)).

The server runs as bench/run starts it: SQLite, rate limits off, JOBS_MAX_ATTEMPTS=1, and the jobs each create
queues calling ActiveCampaign on a loopback port that refuses at once (CONNECTORS_ACTIVE_CAMPAIGN_BASE_URL, and
the destinations' own instance_url there too), with OUTBOUND_ALLOW_PRIVATE_NETWORKS=true so that the
receiver's http loopback endpoint is accepted. Nothing leaves the machine. Prints JSON; needs only Python's
standard library and a built `destinations` binary.

    python3 bench/webhooks.py [--binary .build/release/destinations] [--count 2000] [--clients 4]
        [--connections 32] [--phase-seconds 10] [--rounds 2] [--record-only]
"""
import argparse
import asyncio
import datetime
import hashlib
import hmac
import http.server
import json
import multiprocessing
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

from keepalive import Client, free_port, spread


# The receiver, in a process of its own.

class Receiver(http.server.BaseHTTPRequestHandler):
    """POST: recorded, answered 204 at once (kept alive). GET /count and /records: for the benchmark."""

    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        received = time.time()
        self.send_response(204)
        self.end_headers()
        self.wfile.flush()
        server = self.server
        event_id = self.headers.get("X-Event-Id", "")
        with server.lock:
            server.records.append((received, self.headers.get("X-Signature", ""), event_id, body.decode("utf-8", "replace")))
            server.event_ids.add(event_id)

    def do_GET(self):
        with self.server.lock:
            if self.path == "/count":
                payload = json.dumps({"distinct": len(self.server.event_ids), "requests": len(self.server.records)})
            else:
                payload = json.dumps(self.server.records)
        data = payload.encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def receive(ports):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.daemon_threads = True
    server.request_queue_size = 1024
    server.lock = threading.Lock()
    server.records = []
    server.event_ids = set()
    ports.put(server.server_address[1])
    server.serve_forever()


def receiver_get(port, path):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60) as response:
        return json.load(response)


# The load: asyncio on kept-alive HTTP/1.1 connections (bench/keepalive.py).

async def for_seconds(clients, seconds, method, path, body):
    """The same request from every client, one at a time each, for `seconds`: latencies (s) and statuses."""
    latencies, statuses = [], {}
    until = time.perf_counter() + seconds

    async def work(client):
        while time.perf_counter() < until:
            before = time.perf_counter()
            status, _ = await client.call(method, path, body)
            latencies.append(time.perf_counter() - before)
            statuses[status] = statuses.get(status, 0) + 1

    started = time.perf_counter()
    await asyncio.gather(*(work(client) for client in clients))
    return latencies, statuses, time.perf_counter() - started


# The server.

def memory_mb(pid):
    """(VmRSS, VmHWM) in MB."""
    values = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(("VmRSS:", "VmHWM:")):
                values[line.split(":")[0]] = round(int(line.split()[1]) / 1024, 1)
    return values.get("VmRSS"), values.get("VmHWM")


def metrics(port):
    """The server's /metrics as {name or name{labels}: value}."""
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
    values = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            try:
                values[name] = float(value)
            except ValueError:
                pass
    return values


def drain(port, with_deliveries, timeout=600):
    """Seconds until no job is queued or running and (with_deliveries) no delivery is due, by the server's
    gauges; None if work is still there after `timeout`."""
    names = ["destinations_jobs_queued", "destinations_jobs_running"] + (["destinations_webhook_deliveries_due"] if with_deliveries else [])
    started = time.time()
    while time.time() - started < timeout:
        values = metrics(port)
        if not any(value for name, value in values.items() if name.split("{")[0] in names):
            return round(time.time() - started, 1)
        time.sleep(0.25)
    return None


async def delivered(receiver_port, expected, timeout):
    """Waits until the receiver has seen `expected` distinct events; the count it reached."""
    deadline = time.time() + timeout
    while True:
        count = receiver_get(receiver_port, "/count")["distinct"]
        if count >= expected or time.time() > deadline:
            return count
        await asyncio.sleep(0.05)


def percentile(values, fraction):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * fraction))] if values else None


def milliseconds(seconds):
    return None if seconds is None else round(seconds * 1000, 2)


def parse_time(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


async def measure(args, receiver_port):
    endpoint = f"http://127.0.0.1:{receiver_port}/hook"

    # Bound and never listening: the jobs' calls to it are refused at once, and nothing leaves the machine.
    refusing = socket.socket()
    refusing.bind(("127.0.0.1", 0))
    provider = f"http://127.0.0.1:{refusing.getsockname()[1]}"

    workdir = tempfile.mkdtemp(prefix="destinations-bench-")
    port = free_port()
    environment = dict(
        os.environ,
        PORT=str(port),
        DATABASE_URL=os.path.join(workdir, "bench.sqlite"),
        LOG_LEVEL="error",
        RATE_LIMIT_ENABLED="false",
        JOBS_MAX_ATTEMPTS="1",
        OUTBOUND_ALLOW_PRIVATE_NETWORKS="true",
        CONNECTORS_ACTIVE_CAMPAIGN_BASE_URL=provider,
    )
    if args.record_only:
        environment["WEBHOOKS_CONCURRENCY"] = "0"
    log = open(os.path.join(workdir, "server.log"), "w+")
    server = subprocess.Popen([args.binary, "serve"], env=environment, stdout=subprocess.PIPE, stderr=log, text=True)
    clients = []
    try:
        token = next((line.strip() for line in server.stdout if line.startswith("secret-token:")), None)
        if token is None:
            log.seek(0)
            raise RuntimeError("the server printed no token: " + log.read()[-2000:])
        # Whatever else it prints is read, so that a full pipe never stops it.
        threading.Thread(target=lambda: [None for _ in server.stdout], daemon=True).start()
        for _ in range(600):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
                break
            except OSError:
                time.sleep(0.05)
        clients = [Client(port, token) for _ in range(max(args.clients, args.connections))]
        control = clients[0]
        create = {"service_connection": {"type": "active_campaign", "name": "bench",
                                         "credentials": {"api_token": "t", "instance_url": provider}}}
        subscription = {"name": "bench", "description": None, "events": ["destination.created"], "endpoint": endpoint}
        rss_start, _ = memory_mb(server.pid)
        report = {
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "machine": f"{socket.gethostname()}, {os.cpu_count()} cores",
            "database": "sqlite",
            "record_only": args.record_only,
        }
        expected_deliveries = 0

        if not args.record_only:
            print(f"(a) {args.count} creates, {args.clients} clients, one webhook", file=sys.stderr)
            webhook = (await control.expect(201, "POST", "/api/v1/webhooks", subscription))["data"]
            secret = webhook["secret"].encode()
            first_create = time.time()
            statuses = [status for status, _ in await spread(clients[:args.clients], [("POST", "/api/v1/destinations", create)] * args.count)]
            creates_done = time.time()
            created = statuses.count(201)
            expected_deliveries += created
            reached = await delivered(receiver_port, expected_deliveries, timeout=120 + args.count / 20)
            records = receiver_get(receiver_port, "/records")
            first_seen, latencies, bad_signatures = {}, [], 0
            for received, signatures, event_id, body in records:
                wanted = hmac.new(secret, body.encode(), hashlib.sha256).hexdigest().encode()
                if not any(hmac.compare_digest(wanted, signature.strip().encode()) for signature in signatures.split(",")):
                    bad_signatures += 1
                if event_id not in first_seen:
                    first_seen[event_id] = received
                    latencies.append(received - parse_time(json.loads(body)["created_at"]))
            last_delivery = max(first_seen.values()) if first_seen else None
            span = last_delivery - first_create if last_delivery else None
            report["delivery"] = {
                "creates": args.count,
                "created": created,
                "client_connections": args.clients,
                "creates_per_s": round(created / (creates_done - first_create), 1),
                "events_delivered": reached,
                "duplicate_deliveries": len(records) - len(first_seen),
                "bad_signatures": bad_signatures,
                "seconds_first_create_to_last_delivery": round(span, 3) if span else None,
                "events_delivered_per_s": round(len(first_seen) / span, 1) if span else None,
                "event_to_delivery_ms": {
                    "p50": milliseconds(statistics.median(latencies)) if latencies else None,
                    "p90": milliseconds(percentile(latencies, 0.9)),
                    "p99": milliseconds(percentile(latencies, 0.99)),
                    "max": milliseconds(max(latencies)) if latencies else None,
                },
            }
            report["delivery"]["jobs_and_deliveries_drained_s"] = drain(port, with_deliveries=True)
            await control.expect(200, "DELETE", f"/api/v1/webhooks/{webhook['id']}")
            report["rss_mb_after_delivery"] = memory_mb(server.pid)[0]

        print(f"(b) creates for {args.phase_seconds} s a phase, {args.connections} connections, "
              f"{args.rounds} rounds of without/with", file=sys.stderr)
        phases = []
        for round_index in range(args.rounds):
            for subscribed in ((False, True) if round_index % 2 == 0 else (True, False)):
                drained = drain(port, with_deliveries=not args.record_only)
                webhook = (await control.expect(201, "POST", "/api/v1/webhooks", subscription))["data"] if subscribed else None
                latencies, statuses, seconds = await for_seconds(clients[:args.connections], args.phase_seconds,
                                                                 "POST", "/api/v1/destinations", create)
                phase = {
                    "webhook": subscribed,
                    "requests_per_s": round(statuses.get(201, 0) / seconds, 1),
                    "p50_ms": milliseconds(statistics.median(latencies)),
                    "p99_ms": milliseconds(percentile(latencies, 0.99)),
                    "non_201": sum(count for status, count in statuses.items() if status != 201),
                    "previous_work_drained_in_s": drained,
                }
                if subscribed:
                    if not args.record_only:
                        expected_deliveries += statuses.get(201, 0)
                        started = time.time()
                        phase["events_delivered"] = await delivered(receiver_port, expected_deliveries, timeout=600) - (expected_deliveries - statuses.get(201, 0))
                        phase["deliveries_finished_after_s"] = round(time.time() - started, 1)
                    await control.expect(200, "DELETE", f"/api/v1/webhooks/{webhook['id']}")
                print(f"  {'with' if subscribed else 'without':<8} {phase['requests_per_s']:>9.1f} req/s  p99 {phase['p99_ms']} ms", file=sys.stderr)
                phases.append(phase)

        def mean(subscribed, key):
            return statistics.mean(phase[key] for phase in phases if phase["webhook"] == subscribed)

        report["outbox_cost"] = {
            "phase_seconds": args.phase_seconds,
            "client_connections": args.connections,
            "phases": phases,
            "without": {"requests_per_s": round(mean(False, "requests_per_s"), 1), "p99_ms": round(mean(False, "p99_ms"), 2)},
            "with": {"requests_per_s": round(mean(True, "requests_per_s"), 1), "p99_ms": round(mean(True, "p99_ms"), 2)},
        }
        cost = report["outbox_cost"]
        cost["ratio_requests_per_s"] = round(cost["with"]["requests_per_s"] / cost["without"]["requests_per_s"], 3)
        cost["ratio_p99"] = round(cost["with"]["p99_ms"] / cost["without"]["p99_ms"], 3)

        values = metrics(port)
        report["server_metrics"] = {name: value for name, value in values.items()
                                    if name.startswith("destinations_webhook_deliveries_total")}
        rss_end, peak = memory_mb(server.pid)
        report["rss_mb"] = {"start": rss_start, "end": rss_end, "peak": peak}
        return report
    finally:
        for client in clients:
            client.close()
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        refusing.close()
        log.close()
        shutil.rmtree(workdir, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=".build/release/destinations")
    parser.add_argument("--count", type=int, default=2000, help="(a): destinations created, one event each")
    parser.add_argument("--clients", type=int, default=4, help="(a): connections making them")
    parser.add_argument("--connections", type=int, default=32, help="(b): connections creating")
    parser.add_argument("--phase-seconds", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=2, help="(b): pairs of phases, without and with a webhook")
    parser.add_argument("--record-only", action="store_true", help="WEBHOOKS_CONCURRENCY=0: (b) only, the outbox rows without sending")
    args = parser.parse_args()
    # The receiver first, outside the event loop.
    ports = multiprocessing.Queue()
    receiver = multiprocessing.Process(target=receive, args=(ports,), daemon=True)
    receiver.start()
    try:
        report = asyncio.run(measure(args, ports.get(timeout=30)))
    finally:
        receiver.terminate()
        receiver.join(timeout=10)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
