"""Fetch a graphic's image_url without letting a request reach our own network (SSRF).

Only https, checked as at submit (urlcheck.check_url); the host is resolved once, every address must be public (an IPv6 address that embeds an
IPv4 one is judged by that: addresses.non_public), and the connection goes to
the address we checked (so a second DNS answer cannot point somewhere else). No redirects, a
timeout, and a size cap while reading.

The pieces every outbound call shares live here too: the pinned connections, the resolver bounded
by a deadline and the watchdog that holds a whole exchange to one deadline (webhook_http, download).
"""
from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import threading
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as ResolveTimeout

from imagegraphics.addresses import non_public
from imagegraphics.errors import AssetMissing
from imagegraphics.urlcheck import UrlProblem, check_url

TIMEOUT_SECONDS = 10.0


def _refuse(url: str, why: str) -> AssetMissing:
    return AssetMissing(f"image_url {url!r} cannot be fetched: {why}")


def public_addresses(host: str, port: int) -> list[str]:
    """Every address `host` resolves to, refusing the lot if any is not a public unicast one."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise AssetMissing(f"host {host!r} does not resolve") from exc
    addresses = []
    for *_, sockaddr in infos:
        ip = ipaddress.ip_address(sockaddr[0])
        problem = non_public(ip)
        if problem:
            raise AssetMissing(f"host {host!r} resolves to {problem}")
        # An IPv4-mapped answer is an IPv4 address: connect to it as one (no dual-stack socket needed).
        addresses.append(str(getattr(ip, "ipv4_mapped", None) or ip))
    return addresses


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    """Connects to a pre-checked address while verifying the certificate for the URL's host name."""

    def __init__(self, host: str, address: str, port: int, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self.opened = self._context.wrap_socket(sock, server_hostname=self.host)


class PinnedHTTPConnection(http.client.HTTPConnection):
    """Plain http to a pre-checked address: only ever the local stack's loopback allowance."""

    def __init__(self, host: str, address: str, port: int, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = self.opened = socket.create_connection((self._address, self.port), self.timeout)


class Watchdog:
    """Shuts a connection's socket down when the deadline passes: the read or write waiting on it
    returns at once, however the other side paces its bytes. A socket timeout bounds each read,
    not their sum (a server sending a byte a second would never time out)."""

    def __init__(self, conn: http.client.HTTPConnection, seconds: float):
        self.expired = False
        self._conn = conn
        self._timer = threading.Timer(max(seconds, 0.0), self._expire)
        self._timer.daemon = True

    def __enter__(self) -> "Watchdog":
        self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self._timer.cancel()

    def _expire(self) -> None:
        self.expired = True
        # The socket as connected: http.client hands it over to a response that will close it
        # (HTTP/1.0, "Connection: close") and forgets it, while the body is still being read.
        sock = getattr(self._conn, "opened", None) or self._conn.sock
        if sock is not None:
            try:  # the plain socket's shutdown, also under TLS: no TLS state is touched from this thread
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
            except OSError:
                pass  # already closed


def resolve_within(host: str, port: int, seconds: float, what: str = "the call") -> str:
    """The first checked public address of `host`, or AssetMissing; the lookup counts against the
    deadline (a resolver that hangs is that host's problem, not another tenant's)."""
    pool = ThreadPoolExecutor(1)
    try:
        return pool.submit(public_addresses, host, port).result(timeout=max(seconds, 0.001))[0]
    except ResolveTimeout:
        raise AssetMissing(f"host {host!r} did not resolve within {what}'s time") from None
    finally:
        pool.shutdown(wait=False)


def fetch_https(url: str, max_bytes: int, timeout: float = TIMEOUT_SECONDS) -> bytes:
    try:
        checked = check_url(url, ("https",))
    except UrlProblem as exc:
        raise _refuse(url, f"it {exc}") from None
    try:
        address = public_addresses(checked.host, checked.port)[0]
    except AssetMissing as exc:
        raise _refuse(url, exc.message) from exc
    conn = PinnedHTTPSConnection(checked.host, address, checked.port, timeout)
    try:
        conn.request("GET", checked.target, headers={"User-Agent": "imagegraphics", "Accept": "image/*"})
        response = conn.getresponse()
        if response.status != 200:
            raise _refuse(url, f"the server answered HTTP {response.status}")
        length = response.getheader("Content-Length")
        if length and length.isdigit() and int(length) > max_bytes:
            raise _refuse(url, f"larger than {max_bytes} bytes")
        data = response.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise _refuse(url, f"larger than {max_bytes} bytes")
        return data
    except (OSError, http.client.HTTPException) as exc:
        raise _refuse(url, f"{type(exc).__name__}: {exc}") from exc
    finally:
        conn.close()
