"""The request's optional `"webhook": {"url": ...}`: where the finished job's status is POSTed.

The same guard as a graphic's image_url: https to a public host, no credentials in the URL, checked
here (400 at submit) and again, on the resolved addresses, at every delivery. The local stack also
allows http(s) to 127.0.0.1 and localhost (RequestLimits.webhook_loopback), so a developer can run
a receiver on their machine; every other non-public address stays refused there too.
"""
from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, ValidationInfo
from pydantic_core import PydanticCustomError

from imagegraphics.addresses import host_problem
from imagegraphics.request.base import RequestObject
from imagegraphics.request.types import MAX_URL_LENGTH, limits_of

LOOPBACK_HOSTS = ("127.0.0.1", "localhost")


def webhook_url_problem(url: str, loopback: bool = False) -> str | None:
    """Why `url` cannot receive webhooks, or None. Pure: no DNS lookup (delivery checks the answers)."""
    if len(url) > MAX_URL_LENGTH:
        return f"must be at most {MAX_URL_LENGTH} characters"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - parsed lazily: raises ValueError when out of range
    except ValueError as exc:
        return f"is not a valid URL ({exc})"
    host = parts.hostname or ""
    if not host:
        return "must be an absolute https URL with a host"
    if parts.username is not None or parts.password is not None:
        return "must not carry credentials (user:password@)"
    if loopback and host in LOOPBACK_HOSTS:
        return None if parts.scheme in ("http", "https") else "must be an http or https URL"
    if parts.scheme != "https":
        return "must be an https URL"
    problem = host_problem(host)
    return f"must be a URL of a public host: {problem}" if problem else None


def _webhook_url(value: str, info: ValidationInfo) -> str:
    problem = webhook_url_problem(value, limits_of(info).webhook_loopback)
    if problem:
        raise PydanticCustomError("webhook_url", problem)
    return value


WebhookUrl = Annotated[str, AfterValidator(_webhook_url)]


class Webhook(RequestObject):
    """POSTed the job's status, signed with the tenant's webhook secret, once the job finishes."""

    url: WebhookUrl
