"""POST a webhook without letting a tenant's URL reach our own network (SSRF), the image_url way.

The URL is checked again (its rules may have changed since submit), the host is resolved once and
every address must be public (urlfetch.public_addresses), the connection goes to the checked
address, redirects are not followed (a 3xx is a failed attempt), and the receiver gets 10 s in all.
"""
from __future__ import annotations

import http.client
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from imagegraphics.errors import AssetMissing
from imagegraphics.request.webhook import LOOPBACK_HOSTS, webhook_url_problem
from imagegraphics.service.urlfetch import PinnedHTTPSConnection, public_addresses

TIMEOUT_SECONDS = 10.0
_ANSWER_BYTES = 64 * 1024  # of the receiver's answer, read and dropped


@dataclass(frozen=True)
class Answer:
    status: int | None  # the receiver's HTTP status; None when there was no answer
    error: str | None = None  # why the attempt failed, when it did

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, address: str, port: int, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


def post(url: str, body: bytes, headers: dict[str, str], loopback: bool = False,
         timeout: float = TIMEOUT_SECONDS) -> Answer:
    problem = webhook_url_problem(url, loopback)
    if problem:
        return Answer(None, f"webhook url {problem}")
    parts = urlsplit(url)
    host, https = parts.hostname or "", parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    if loopback and host in LOOPBACK_HOSTS:
        address = "127.0.0.1"
    else:
        try:
            address = public_addresses(host, port)[0]
        except AssetMissing as exc:
            return Answer(None, exc.message)
    kind = PinnedHTTPSConnection if https else _PinnedHTTPConnection
    conn = kind(host, address, port, timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    deadline = time.monotonic() + timeout
    try:
        conn.request("POST", path, body=body, headers={**headers, "User-Agent": "imagegraphics-webhooks"})
        # One budget for connecting, sending and answering, not `timeout` for each of them.
        conn.sock.settimeout(max(deadline - time.monotonic(), 0.001))
        response = conn.getresponse()
        response.read(_ANSWER_BYTES)
    except TimeoutError:
        return Answer(None, f"no answer within {timeout:g} s")
    except (OSError, http.client.HTTPException) as exc:
        return Answer(None, f"{type(exc).__name__}: {exc}")
    finally:
        conn.close()
    answer = Answer(response.status)
    return answer if answer.ok else Answer(response.status, f"the receiver answered HTTP {response.status}")
