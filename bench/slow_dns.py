#!/usr/bin/env python3
"""Creates behind a resolver that drops queries: what a user on a flaky DNS (the conntrack race of many
Kubernetes clusters) sees when creating destinations whose hosts are distinct names.

Runs the server in a network namespace of its own (root, iproute2) with nothing but loopback, its resolver a
fake DNS server on that loopback: it answers each name with an address in 203.0.113.0/24 (TEST-NET-3), but
ignores the first query for one name in ten, as a resolver that drops it does; the C library asks again after
its 5 s timeout and gets the answer. The server's jobs dial those addresses and fail at once (the namespace has
no route off the machine: nothing is sent). Reports the latency of N sequential creates, each with a host name
of its own, at the server's default settings.

    sudo python3 bench/slow_dns.py [--binary .build/release/destinations] [--count 200] [--drop-every 10]
"""
import argparse
import json
import os
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))


def serve_dns(sock, drop_every):
    """Answers A queries with 203.0.113.x, AAAA with no data; drops the first query of every n-th name."""
    seen = {}
    while True:
        query, client = sock.recvfrom(512)
        ident, offset, labels = query[:2], 12, []
        while query[offset]:
            labels.append(query[offset + 1:offset + 1 + query[offset]].decode())
            offset += 1 + query[offset]
        qtype = struct.unpack("!H", query[offset + 1:offset + 3])[0]
        question = query[12:offset + 5]
        name = ".".join(labels).lower()
        if name not in seen:
            seen[name] = len(seen)
            if drop_every and seen[name] % drop_every == drop_every - 1:
                continue
        header = ident + struct.pack("!HHHHH", 0x8180, 1, 1 if qtype == 1 else 0, 0, 0)
        answer = b""
        if qtype == 1:
            answer = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + bytes([203, 0, 113, 1 + seen[name] % 250])
        sock.sendto(header + question + answer, client)


def inside(namespace):
    """Runs the measurement inside the namespace (re-executed there by main)."""
    args = json.loads(os.environ["SLOW_DNS_ARGS"])
    dns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    dns.bind(("127.0.0.1", 53))
    threading.Thread(target=serve_dns, args=(dns, args["drop_every"]), daemon=True).start()

    work = tempfile.mkdtemp(prefix="destinations-slow-dns-")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environment = dict(os.environ, PORT=str(port), DATABASE_URL=os.path.join(work, "bench.sqlite"), LOG_LEVEL="error",
                       RATE_LIMIT_ENABLED="false")
    server = subprocess.Popen([args["binary"], "serve"], env=environment, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    token = next(line.strip() for line in server.stdout if line.startswith("secret-token:"))
    base = f"http://127.0.0.1:{port}/api/v1"

    def call(method, path, body=None):
        request = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body else None,
                                         headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status

    try:
        for _ in range(200):
            try:
                call("GET", "/destinations")
                break
            except OSError:
                time.sleep(0.05)
        latencies = []
        started = time.time()
        for index in range(args["count"]):
            body = {"service_connection": {"type": "active_campaign", "name": f"d{index}",
                                           "credentials": {"api_token": "t", "instance_url": f"https://account-{index}.bench.example"}}}
            before = time.perf_counter()
            status = call("POST", "/destinations", body)
            latencies.append((time.perf_counter() - before) * 1000)
            assert status == 201, status
        total = time.time() - started
        drop = args["drop_every"]
        # The names the resolver answered at once: the first query of every drop-th name was dropped.
        answered = [latency for index, latency in enumerate(latencies) if not drop or index % drop != drop - 1]

        def summary(values):
            values = sorted(values)
            return {
                "p50": round(statistics.median(values), 1),
                "p90": round(values[int(len(values) * 0.9)], 1),
                "p99": round(values[int(len(values) * 0.99)], 1),
                "max": round(values[-1], 1),
            }

        print(json.dumps({
            "creates": len(latencies),
            "drop_every": drop,
            "seconds_in_all": round(total, 2),
            "latency_ms": summary(latencies),
            "latency_ms_of_names_answered_at_once": summary(answered),
        }, indent=2))
    finally:
        server.terminate()
        server.wait(timeout=30)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--inside":
        inside(sys.argv[2])
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=".build/release/destinations")
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--drop-every", type=int, default=10, help="drop the first query of every n-th name (0: none)")
    args = parser.parse_args()
    namespace = f"destinations-dns-{os.getpid()}"
    subprocess.run(["ip", "netns", "add", namespace], check=True)
    try:
        subprocess.run(["ip", "-n", namespace, "link", "set", "lo", "up"], check=True)
        os.makedirs(f"/etc/netns/{namespace}", exist_ok=True)
        with open(f"/etc/netns/{namespace}/resolv.conf", "w") as conf:
            conf.write("nameserver 127.0.0.1\n")
        environment = dict(os.environ, SLOW_DNS_ARGS=json.dumps({"binary": os.path.abspath(args.binary), "count": args.count,
                                                                  "drop_every": args.drop_every}))
        subprocess.run(["ip", "netns", "exec", namespace, sys.executable, os.path.abspath(__file__), "--inside", namespace],
                       env=environment, check=True)
    finally:
        subprocess.run(["ip", "netns", "del", namespace])
        subprocess.run(["rm", "-rf", f"/etc/netns/{namespace}"])


if __name__ == "__main__":
    main()
