"""The request's optional `"webhook": {"url": ...}`: where the finished job's status is POSTed.

The same check as a graphic's image_url (urlcheck.check_url): https to a public host, read as the
resolver reads it, checked here (400 at submit) and again, on the resolved addresses, at every
delivery. The local stack also allows http(s) to 127.0.0.1 and localhost
(RequestLimits.webhook_loopback), so a developer can run a receiver on their machine; every other
non-public address stays refused there too.
"""
from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, ValidationInfo
from pydantic_core import PydanticCustomError

from imagegraphics.request.base import RequestObject
from imagegraphics.request.types import limits_of
from imagegraphics.urlcheck import url_problem


def webhook_url_problem(url: str, loopback: bool = False) -> str | None:
    """Why `url` cannot receive webhooks, or None. Pure: no DNS lookup (delivery checks the answers)."""
    return url_problem(url, ("https",), loopback)


def _webhook_url(value: str, info: ValidationInfo) -> str:
    problem = webhook_url_problem(value, limits_of(info).webhook_loopback)
    if problem:
        raise PydanticCustomError("webhook_url", "{problem}", {"problem": problem})
    return value


WebhookUrl = Annotated[str, AfterValidator(_webhook_url)]


class Webhook(RequestObject):
    """POSTed the job's status, signed with the tenant's webhook secret, once the job finishes."""

    url: WebhookUrl
