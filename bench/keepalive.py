"""The load the Python benchmarks share: asyncio on kept-alive HTTP/1.1 connections to the server on loopback,
so that neither a thread per connection nor the GIL is what is measured."""
import asyncio
import json
import socket


class Client:
    """One kept-alive connection to the server."""

    def __init__(self, port, token):
        self.port, self.token = port, token
        self.reader = self.writer = None
        self.retry_after = 1.0

    async def call(self, method, path, body=None):
        """(status, parsed body or None)."""
        payload = json.dumps(body).encode() if body is not None else b""
        request = (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {self.token}\r\n"
                   f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n").encode() + payload
        reused = self.writer is not None
        if not reused:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        try:
            self.writer.write(request)
            await self.writer.drain()
            head = await self.reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            # A kept-alive connection the server closed while it was idle (between phases): it never saw
            # the request, so it is sent once more on a new one.
            self.close()
            if not reused:
                raise
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
            self.writer.write(request)
            await self.writer.drain()
            head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode().split("\r\n")
        status = int(lines[0].split(" ")[1])
        headers = {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:] if ":" in line)}
        content = await self.reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            self.close()
        if status == 429:
            self.retry_after = float(headers.get("retry-after", "1"))
        return status, (json.loads(content) if content else None)

    async def expect(self, status, method, path, body=None):
        """The body of an answer with `status`; any other is an error."""
        answered, content = await self.call(method, path, body)
        if answered != status:
            raise RuntimeError(f"{method} {path}: {answered} {json.dumps(content)[:300]}")
        return content

    async def success(self, method, path, body=None):
        """The body of a 2xx answer, waiting out 429s as Retry-After says; any other status is an error."""
        for _ in range(100):
            status, content = await self.call(method, path, body)
            if status == 429:
                await asyncio.sleep(self.retry_after)
                continue
            if status >= 400:
                raise RuntimeError(f"{method} {path}: {status} {json.dumps(content)[:200]}")
            return content
        raise RuntimeError(f"{method} {path}: still rate limited")

    def close(self):
        if self.writer is not None:
            self.writer.close()
            self.writer = None


async def spread(clients, calls, send=Client.call):
    """Runs the calls over the clients, each client one call at a time, with `send`; its answers in order."""
    queue = asyncio.Queue()
    for index, call in enumerate(calls):
        queue.put_nowait((index, call))
    answers = [None] * len(calls)

    async def work(client):
        while not queue.empty():
            index, (method, path, body) = queue.get_nowait()
            answers[index] = await send(client, method, path, body)

    await asyncio.gather(*(work(client) for client in clients))
    return answers


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
