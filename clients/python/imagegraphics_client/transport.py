"""HTTP with retries: 429/503 (and 502/504 on reads) honour Retry-After, connection errors back off.

A request that may have reached the server (a POST whose connection broke after sending) is not
repeated: submitting twice would start two jobs. A POST is repeated only when the connection was
never made, or when the server answered 429/503, which it does before acting.
"""
from __future__ import annotations

import random
import re
import threading
import time
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Callable

import requests
import urllib3

from imagegraphics_client.errors import ApiRefused, AuthError, Interrupted, NoRoute, TransportError

RETRY_ALWAYS = frozenset({429, 503})
RETRY_IF_IDEMPOTENT = frozenset({502, 504})
BACKOFF_BASE, BACKOFF_CAP = 0.5, 8.0
_NOT_A_URL = (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema)


def retry_after(response: requests.Response, now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> float | None:
    """Seconds the server asks to wait: `Retry-After` as delta-seconds or as an HTTP date."""
    value = (response.headers.get("Retry-After") or "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - now()).total_seconds())


def backoff(attempt: int) -> float:
    """Exponential with jitter: about 0.5, 1, 2, 4, 8 s, so retrying clients do not move in step."""
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (attempt - 1))
    return ceiling / 2 + random.uniform(0, ceiling / 2)


def never_sent(exc: requests.RequestException) -> bool:
    """True when the connection itself failed (refused, DNS, connect timeout): nothing reached the server."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, urllib3.exceptions.NewConnectionError)


def describe(response: requests.Response) -> tuple[str, list[dict]]:
    """The message and located errors of a refusal: the API's JSON body, S3's XML, or the status text."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        message = body.get("message") or body.get("Message") or response.reason or "error"
        errors = [e for e in body.get("errors") or [] if isinstance(e, dict)]
        return str(message), errors
    text = response.text or ""
    code, message = re.search(r"<Code>(.*?)</Code>", text), re.search(r"<Message>(.*?)</Message>", text)
    if code or message:  # S3 answers form uploads in XML
        return " ".join(m.group(1) for m in (code, message) if m), []
    return (text.strip()[:200] or response.reason or "error"), []


def request_id(response: requests.Response) -> str | None:
    """The id to quote when asking the operator about a refusal (header, else the error body's)."""
    found = response.headers.get("X-Request-Id") or response.headers.get("x-amzn-RequestId")
    if found:
        return found
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("request_id") if isinstance(body, dict) else None


class Http:
    def __init__(self, endpoint: str, api_key: str, *, retries: int = 5, timeout: float = 60,
                 max_retry_after: float = 120, sleep: Callable[[float], None] | None = None,
                 notify: Callable[[str], None] | None = None, session: requests.Session | None = None,
                 connections: int = 10):
        self.endpoint = endpoint.rstrip("/")
        self.retries, self.timeout, self.max_retry_after = retries, timeout, max_retry_after
        # Set when the command is stopping (Ctrl-C): a pause before a retry ends early, and nothing is retried.
        self.stopped = threading.Event()
        self.sleep = sleep or (lambda seconds: _pause(seconds, self.stopped))
        self.notify = notify or (lambda _message: None)
        self.session = session or requests.Session()
        if session is None and connections > 10:  # requests keeps 10 per host: more calls at once would reconnect
            for scheme in ("http://", "https://"):
                self.session.mount(scheme, requests.adapters.HTTPAdapter(pool_maxsize=connections))
        self.auth = {"Authorization": f"Bearer {api_key}"}
        self.session.headers["User-Agent"] = "imagegraphics-client/0.1"

    def api(self, method: str, path: str, *, expect: int = 200, json: object = None, data: bytes | None = None,
            idempotent: bool | None = None, need: tuple[str, ...] = ()) -> dict:
        """One call of the API: its JSON body on `expect`, ApiRefused/AuthError/TransportError otherwise."""
        what = f"{method} {path}"
        headers = dict(self.auth)
        if data is not None:
            headers["Content-Type"] = "application/json"
        response = self.send(method, self.endpoint + path, what=what, headers=headers, json=json, data=data,
                             idempotent=method == "GET" if idempotent is None else idempotent)
        if response.status_code == expect:
            try:
                body = response.json()
            except ValueError:
                body = None
            if not isinstance(body, dict) or any(key not in body for key in need):
                raise TransportError(f"{what}: the answer is not the API's ({response.headers.get('Content-Type')}: "
                                     f"{response.text[:100]!r}); is {self.endpoint} the API's endpoint?")
            return body
        raise self.refusal(what, response)

    def refusal(self, what: str, response: requests.Response, *, api: bool = True) -> Exception:
        status = response.status_code
        message, errors = describe(response)
        if api and status == 401:
            return AuthError(f"{what}: the API key was refused (401 {message}): check --api-key or IMAGEGRAPHICS_API_KEY")
        if api and status == 403 and message == "Missing Authentication Token":
            # API Gateway's answer for a path it has no route for, whatever the key.
            return NoRoute(f"{what}: no such route at {self.endpoint} (403 {message}); "
                                  "use the stack's ApiUrl output, which ends with the stage (.../prod/)")
        if api and status == 403:
            return AuthError(f"{what}: the API key is not allowed to do this (403 {message})")
        if status in RETRY_ALWAYS or status >= 500:
            return TransportError(f"{what}: the service answered {status} {message}; try again later")
        return ApiRefused(what, status, message, errors, request_id(response))

    def send(self, method: str, url: str, *, what: str, idempotent: bool, **kwargs) -> requests.Response:
        """The response, after retrying what may be retried; TransportError when no answer came."""
        attempt = 0
        body = kwargs.get("data")
        while True:
            attempt += 1
            if self.stopped.is_set():
                raise Interrupted(f"{what}: stopped")
            if hasattr(body, "rewind"):  # a streamed file body is read again from its start
                body.rewind()
            try:
                response = self.session.request(method, url, timeout=(10, self.timeout), **kwargs)
            except _NOT_A_URL as exc:
                raise TransportError(f"{what}: {_plain(exc)}") from None
            except requests.RequestException as exc:
                if attempt > self.retries or not (idempotent or never_sent(exc)):
                    raise TransportError(f"{what}: {_plain(exc)}") from None
                delay = backoff(attempt)
                self.notify(f"{what}: {_plain(exc)}; retrying in {delay:.1f} s ({attempt}/{self.retries})")
                self.sleep(delay)
                continue
            status = response.status_code
            if attempt > self.retries or not (status in RETRY_ALWAYS or (idempotent and status in RETRY_IF_IDEMPOTENT)):
                return response
            asked = retry_after(response)
            if asked is not None and asked > self.max_retry_after:
                raise TransportError(f"{what}: the service answered {status} and asks to retry after {asked:.0f} s, "
                                     f"longer than --max-retry-after ({self.max_retry_after:.0f} s)")
            delay = backoff(attempt) if asked is None else asked
            self.notify(f"{what}: {status}, retrying in {delay:.1f} s ({attempt}/{self.retries})")
            response.close()
            self.sleep(delay)


def _pause(seconds: float, stop: threading.Event | None = None) -> None:
    if stop is None:
        time.sleep(seconds)
    else:
        stop.wait(seconds)


def _plain(exc: requests.RequestException) -> str:
    """One sentence for a connection failure instead of urllib3's nested reprs."""
    if isinstance(exc, requests.ConnectTimeout):
        return "the connection timed out"
    if isinstance(exc, requests.Timeout):
        return "no answer within the timeout"
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    if isinstance(reason, urllib3.exceptions.NameResolutionError):
        return "the host name does not resolve"
    if isinstance(reason, urllib3.exceptions.NewConnectionError):
        return "the connection was refused" if "refused" in str(reason).lower() else "could not connect"
    if isinstance(exc, requests.exceptions.SSLError):
        return "TLS failed (certificate or protocol)"
    if isinstance(exc, _NOT_A_URL):
        return f"not a usable URL ({exc})"
    return "the connection broke before the answer was complete"
