"""One check for every URL the service fetches or calls (a graphic's image_url, a webhook's url),
the same at submit (a 400 at the field) and when it is used.

The host is read the way the resolver will read it before any rule is applied: Python hands a
name to getaddrinfo through the IDNA codec, which maps full-width and circled digits and the
ideographic full stop to ASCII, so `１２７.０.０.１`, `①②⑦.0.0.1` and `127。0。0。1` are all 127.0.0.1.
That ASCII host is what is judged (addresses.host_problem), resolved and connected to. A URL that
could never be called is refused as written rather than stored: a port outside 1-65535, spaces or
control characters anywhere (a CR/LF would also end up in the job's status), a host that is not
a valid DNS name or address, credentials in the URL.
Pure (stdlib only): the request model and the fetchers both check with it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from imagegraphics.addresses import host_address, host_problem

MAX_URL_LENGTH = 2048
LOOPBACK_HOSTS = ("127.0.0.1", "localhost")
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")


class UrlProblem(ValueError):
    """Why a URL is refused, worded to follow "must ..." or "is ..." after the field's name."""


@dataclass(frozen=True)
class CheckedUrl:
    scheme: str
    host: str  # ASCII, lower case: what is resolved, connected to and named in TLS
    port: int
    target: str  # path and query, as sent in the request line
    loopback: bool = False  # the local stack's allowance: 127.0.0.1 or localhost


def check_url(url: str, schemes: tuple[str, ...] = ("https",), loopback: bool = False) -> CheckedUrl:
    """The URL's parts as they will be used, or UrlProblem. No DNS lookup: whoever connects
    judges the resolved addresses too (urlfetch.public_addresses). `loopback` allows http(s) to
    127.0.0.1 and localhost (the local stack), and nothing else that is not public."""
    if len(url) > MAX_URL_LENGTH:
        raise UrlProblem(f"must be at most {MAX_URL_LENGTH} characters")
    if any(c.isspace() or ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in url):
        raise UrlProblem("must not contain spaces or control characters")
    parts = _split(url)
    if not parts.scheme or not parts.netloc or not parts.hostname:
        raise UrlProblem(f"must be an absolute {' or '.join(schemes)} URL with a host")
    if parts.username is not None or parts.password is not None:
        raise UrlProblem("must not carry credentials (user:password@)")
    host = normalised_host(parts.hostname)
    local = loopback and host in LOOPBACK_HOSTS
    allowed = ("http", "https") if local else schemes
    if parts.scheme not in allowed:
        raise UrlProblem(f"must be an {' or '.join(allowed)} URL")
    port = parts.port if parts.port is not None else (443 if parts.scheme == "https" else 80)
    if not local:
        problem = host_problem(host)
        if problem:
            raise UrlProblem(f"must be a URL of a public host: {problem}")
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return CheckedUrl(parts.scheme, host, port, target, local)


def url_problem(url: str, schemes: tuple[str, ...] = ("https",), loopback: bool = False) -> str | None:
    """check_url's refusal as text, or None when the URL passes."""
    try:
        check_url(url, schemes, loopback)
    except UrlProblem as exc:
        return str(exc)
    return None


def _split(url: str) -> SplitResult:
    try:
        parts = urlsplit(url)
        port = parts.port  # parsed lazily: raises ValueError when not a number or over 65535
    except ValueError as exc:
        raise UrlProblem(f"is not a valid URL ({exc})") from None
    if port == 0:
        raise UrlProblem("must have a port from 1 to 65535")
    return parts


def normalised_host(host: str) -> str:
    """The host as the resolver reads it (IDNA, lower case), or UrlProblem when it is neither a
    valid DNS name nor an address."""
    if host_address(host) is not None:
        return host.lower()  # an IP literal (also the legacy IPv4 forms resolvers read)
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise UrlProblem(f"has a host that is not a valid name: {host!r}") from None
    if host_address(ascii_host) is not None:
        return ascii_host  # full-width or circled digits, ideographic full stops: an address after all
    labels = ascii_host[:-1].split(".") if ascii_host.endswith(".") else ascii_host.split(".")
    if len(ascii_host) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        raise UrlProblem(f"has a host that is not a valid name: {host!r}")
    return ascii_host
