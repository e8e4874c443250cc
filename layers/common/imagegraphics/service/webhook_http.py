"""POST a webhook without letting a tenant's URL reach our own network (SSRF), the image_url way.

The URL is checked again (its rules may have changed since submit), the host is resolved once and
every address must be public (urlfetch.public_addresses), the connection goes to the checked
address, redirects are not followed (a 3xx is a failed attempt), and the receiver gets 10 s in all:
one deadline for resolving, connecting, sending and the whole answer. A socket timeout bounds
each read, not their sum (a receiver sending a byte a second would never time out), so at the
deadline a watchdog shuts the connection down under whatever call is waiting.
"""
from __future__ import annotations

import http.client
import time
from dataclasses import dataclass

from imagegraphics.errors import AssetMissing
from imagegraphics.service.urlfetch import PinnedHTTPConnection, PinnedHTTPSConnection, Watchdog, resolve_within
from imagegraphics.urlcheck import UrlProblem, check_url

TIMEOUT_SECONDS = 10.0
_ANSWER_BYTES = 64 * 1024  # of the receiver's answer, read and dropped


@dataclass(frozen=True)
class Answer:
    status: int | None  # the receiver's HTTP status; None when there was no answer
    error: str | None = None  # why the attempt failed, when it did

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def _resolve(host: str, port: int, seconds: float) -> str:
    return resolve_within(host, port, seconds, "the delivery")


def post(url: str, body: bytes, headers: dict[str, str], loopback: bool = False,
         timeout: float = TIMEOUT_SECONDS) -> Answer:
    deadline = time.monotonic() + timeout
    try:
        checked = check_url(url, ("https",), loopback)  # the rules may have changed since submit
    except UrlProblem as exc:
        return Answer(None, f"webhook url {exc}")
    if checked.loopback:
        address = "127.0.0.1"
    else:
        try:
            address = _resolve(checked.host, checked.port, deadline - time.monotonic())
        except AssetMissing as exc:
            return Answer(None, exc.message)
    kind = PinnedHTTPSConnection if checked.scheme == "https" else PinnedHTTPConnection
    conn = kind(checked.host, address, checked.port, max(deadline - time.monotonic(), 0.001))
    late = f"no answer within {timeout:g} s"
    with Watchdog(conn, deadline - time.monotonic()) as watchdog:
        try:
            conn.request("POST", checked.target, body=body,
                         headers={**headers, "User-Agent": "imagegraphics-webhooks"})
            conn.sock.settimeout(max(deadline - time.monotonic(), 0.001))  # no single wait past the deadline
            response = conn.getresponse()
            response.read(_ANSWER_BYTES)
        except TimeoutError:
            return Answer(None, late)
        except (OSError, http.client.HTTPException) as exc:
            return Answer(None, late if watchdog.expired else f"{type(exc).__name__}: {exc}")
        finally:
            conn.close()
    if watchdog.expired:  # the answer was cut short at the deadline, whatever it said so far
        return Answer(None, late)
    answer = Answer(response.status)
    return answer if answer.ok else Answer(response.status, f"the receiver answered HTTP {response.status}")
