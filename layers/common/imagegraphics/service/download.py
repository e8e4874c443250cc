"""Fetch an asset's `url` (POST /api/v1/assets with a url) without reaching our own network (SSRF).

The image_url rules, plus redirects: every URL on the way, the first and each redirect's target, is
checked by urlcheck.check_url (https, a public host; the local stack's loopback allowance), its host
resolved once with every answer public, and the connection made to the checked address (TLS
verified for the name). A redirect to anything else refuses the fetch. One deadline holds the whole
fetch, resolving, each hop, connecting and the body, however the server paces its bytes; the body
is capped at the upload limit, from its Content-Length and while reading.
"""
from __future__ import annotations

import http.client
import time
from dataclasses import dataclass
from urllib.parse import urljoin

from imagegraphics.errors import AssetMissing
from imagegraphics.service.urlfetch import PinnedHTTPConnection, PinnedHTTPSConnection, Watchdog, resolve_within
from imagegraphics.urlcheck import CheckedUrl, UrlProblem, check_url

MAX_REDIRECTS = 5
REDIRECTS = frozenset({301, 302, 303, 307, 308})
_HEADERS = {"User-Agent": "imagegraphics", "Accept": "image/*"}


class FetchRefused(Exception):
    """Why the URL gave no image, worded for the asset's `reason`."""


@dataclass(frozen=True)
class Fetched:
    data: bytes
    url: str  # where the bytes came from (the last redirect's target)


@dataclass(frozen=True)
class _Answer:
    status: int
    location: str | None = None
    data: bytes = b""


def download(url: str, max_bytes: int, timeout: float, loopback: bool = False) -> Fetched:
    """The bytes at `url`, or FetchRefused with the reason."""
    deadline = time.monotonic() + timeout
    current = url
    for hop in range(MAX_REDIRECTS + 1):
        where = "the URL" if hop == 0 else f"the URL redirected to {current!r}, which"
        checked = _checked(current, where, loopback)
        answer = _get(checked, where, max_bytes, deadline, timeout)
        if answer.status in REDIRECTS:
            if not answer.location:
                raise FetchRefused(f"the URL answered {answer.status} without a Location")
            current = urljoin(current, answer.location)
            continue
        if answer.status != 200:
            raise FetchRefused(f"the URL answered {answer.status}")
        return Fetched(answer.data, current)
    raise FetchRefused(f"the URL redirected more than {MAX_REDIRECTS} times")


def _checked(url: str, where: str, loopback: bool) -> CheckedUrl:
    """The URL's parts, or the refusal (`where` names the URL itself or a redirect's target)."""
    try:
        return check_url(url, ("https",), loopback)
    except UrlProblem as exc:
        raise FetchRefused(f"{where} {exc}") from None


def _address(checked: CheckedUrl, where: str, seconds: float) -> str:
    if checked.loopback:
        return "127.0.0.1"
    try:
        return resolve_within(checked.host, checked.port, seconds, "the fetch")
    except AssetMissing as exc:
        raise FetchRefused(f"{where} cannot be fetched: {exc.message}") from None


def _get(checked: CheckedUrl, where: str, max_bytes: int, deadline: float, timeout: float) -> _Answer:
    late = f"no complete answer within {timeout:g} s"
    address = _address(checked, where, deadline - time.monotonic())
    if time.monotonic() >= deadline:
        raise FetchRefused(late)
    kind = PinnedHTTPSConnection if checked.scheme == "https" else PinnedHTTPConnection
    conn = kind(checked.host, address, checked.port, max(deadline - time.monotonic(), 0.001))
    with Watchdog(conn, deadline - time.monotonic()) as watchdog:
        try:
            conn.request("GET", checked.target, headers=_HEADERS)
            conn.sock.settimeout(max(deadline - time.monotonic(), 0.001))  # no single wait past the deadline
            response = conn.getresponse()
            if response.status in REDIRECTS:
                return _Answer(response.status, response.getheader("Location"))
            if response.status != 200:
                return _Answer(response.status)
            data = _body(response, max_bytes)
        except FetchRefused:
            raise
        except TimeoutError:
            raise FetchRefused(late) from None
        except (OSError, http.client.HTTPException) as exc:
            raise FetchRefused(late if watchdog.expired else f"the URL could not be fetched: "
                                                             f"{type(exc).__name__}: {exc}") from None
        finally:
            conn.close()
    if watchdog.expired:  # the body was cut short at the deadline
        raise FetchRefused(late)
    return _Answer(200, data=data)


def _body(response: http.client.HTTPResponse, max_bytes: int) -> bytes:
    too_large = f"larger than {max_bytes} bytes, the upload limit"
    length = response.getheader("Content-Length")
    if length and length.strip().isdigit() and int(length) > max_bytes:
        raise FetchRefused(too_large)
    data = response.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise FetchRefused(too_large)
    return data
