"""Exact bytes over a socket, and the responses read back one by one: what an HTTP client library
would never send (bad framing, odd methods, a request hidden in a body) can be sent here."""
from __future__ import annotations

import json
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass
class RawResponse:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self):
        assert self.headers.get("content-type") == "application/json", (self.headers, self.body[:200])
        return json.loads(self.body)


class RawConnection:
    def __init__(self, url: str, timeout: float = 10):
        parts = urlsplit(url)
        self.sock = socket.create_connection((parts.hostname, parts.port), timeout=timeout)
        self.buffer = b""

    def __enter__(self) -> "RawConnection":
        return self

    def __exit__(self, *exc) -> None:
        self.sock.close()

    def send(self, data: bytes, end_writes: bool = False) -> "RawConnection":
        self.sock.sendall(data)
        if end_writes:
            self.sock.shutdown(socket.SHUT_WR)  # the client is done sending; reading still works
        return self

    def _fill(self) -> bool:
        chunk = self.sock.recv(65536)
        self.buffer += chunk
        return bool(chunk)

    def response(self, head: bool = False) -> RawResponse:
        while b"\r\n\r\n" not in self.buffer:
            if not self._fill():
                raise ConnectionError(f"closed before a full response head: {self.buffer[:200]!r}")
        head_bytes, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        status_line, *lines = head_bytes.decode("latin-1").split("\r\n")
        headers = {}
        for line in lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        status = int(status_line.split()[1])
        length = 0 if head or status in (204, 304) else int(headers.get("content-length", "0"))
        while len(self.buffer) < length:
            if not self._fill():
                raise ConnectionError("closed in the middle of a response body")
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return RawResponse(status, headers, body)

    def closed(self, wait: float = 5) -> bool:
        """True when the server closes the connection (after what was already read) within `wait`."""
        self.sock.settimeout(wait)
        try:
            return not self.buffer and not self._fill()
        except TimeoutError:
            return False
        except ConnectionResetError:
            return True

    def silent(self, wait: float = 0.5) -> bool:
        """True when nothing more arrives within `wait` and the connection stays open."""
        if self.buffer:
            return False
        self.sock.settimeout(wait)
        try:
            self.buffer += self.sock.recv(65536)
        except TimeoutError:
            return True
        return False  # data, or b"" for a closed connection
