"""S3's CORS, for the local upload endpoint: a bucket's CorsRules decide what a browser may do.

The same rules (template.yaml's, resolved by local.resources) are given to moto's bucket, which answers
the browser's reads of presigned URLs by them; this module answers the upload form's POST and its
preflight as S3 does:

- a preflight (OPTIONS with Origin and Access-Control-Request-Method) matching a rule — its origin (at
  most one `*` wildcard), the method, and every requested header — is a 200 naming what the rule
  allows; one matching none is S3's 403 `AccessForbidden`, and one lacking either header its 400;
- any other request is served as usual, with the CORS headers of the first rule matching its Origin
  and method, or none (the browser then keeps the answer from the page).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Sequence

from local.responses import Response, json_error

# S3 names what a browser may need to tell apart answers that differ by them.
VARY = ("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method")
NOT_ALLOWED = ("CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, "
               "request method / Access-Control-Request-Method or Access-Control-Request-Headers are not "
               "whitelisted by the resource's CORS spec.")


def _wildcard(pattern: str, flags: int = 0) -> re.Pattern:
    """S3's match of an AllowedOrigin or AllowedHeader: literal but for `*` (any run of characters)."""
    return re.compile(".*".join(re.escape(part) for part in pattern.split("*")), flags)


@dataclass(frozen=True)
class CorsRule:
    methods: tuple[str, ...]
    origins: tuple[str, ...]
    headers: tuple[str, ...] = ()
    expose: tuple[str, ...] = ()
    max_age: int | None = None

    @classmethod
    def from_s3(cls, rule: dict[str, Any]) -> "CorsRule":
        """From a rule as PutBucketCors takes it (AllowedMethods, AllowedOrigins, ...)."""
        return cls(tuple(m.upper() for m in rule["AllowedMethods"]), tuple(rule["AllowedOrigins"]),
                   tuple(rule.get("AllowedHeaders", ())), tuple(rule.get("ExposeHeaders", ())),
                   rule.get("MaxAgeSeconds"))

    def allows_origin(self, origin: str) -> bool:
        # Origins are compared as written (S3 is case-sensitive here), header names in any case.
        return any(_wildcard(allowed).fullmatch(origin) for allowed in self.origins)

    def allows_header(self, header: str) -> bool:
        return any(_wildcard(allowed, re.IGNORECASE).fullmatch(header) for allowed in self.headers)

    def answer_origin(self, origin: str) -> str:
        """`*` when the rule allows every origin (and so says nothing of this one), else the origin itself."""
        return "*" if "*" in self.origins else origin

    def headers_for(self, origin: str) -> list[tuple[str, str]]:
        headers = [("Access-Control-Allow-Origin", self.answer_origin(origin)),
                   ("Access-Control-Allow-Methods", ", ".join(self.methods))]
        if self.expose:
            headers.append(("Access-Control-Expose-Headers", ", ".join(self.expose)))
        if self.max_age is not None:
            headers.append(("Access-Control-Max-Age", str(self.max_age)))
        return headers


class BucketCors:
    def __init__(self, rules: Sequence[dict[str, Any]]):
        self.rules = [CorsRule.from_s3(rule) for rule in rules]

    def _match(self, origin: str, method: str, headers: Sequence[str] = ()) -> CorsRule | None:
        for rule in self.rules:
            if rule.allows_origin(origin) and method.upper() in rule.methods and all(
                    rule.allows_header(h) for h in headers):
                return rule
        return None

    def preflight(self, request_headers: dict[str, str]) -> Response:
        """The answer to an OPTIONS request (`request_headers` with lower-case names)."""
        origin, method = request_headers.get("origin"), request_headers.get("access-control-request-method")
        if not origin or not method:
            missing = "Origin" if not origin else "Access-Control-Request-Method"
            return json_error(400, "Insufficient information.", ["headers", missing],
                              f"a CORS preflight names its {missing}", code="BadRequest")
        asked = [h.strip() for h in request_headers.get("access-control-request-headers", "").split(",") if h.strip()]
        rule = self._match(origin, method, asked)
        if rule is None:
            return json_error(403, NOT_ALLOWED, ["headers", "Origin"], NOT_ALLOWED, [VARY], code="AccessForbidden")
        headers = rule.headers_for(origin)
        if asked:
            headers.append(("Access-Control-Allow-Headers", ", ".join(asked)))
        return 200, [*headers, VARY], b""

    def headers(self, request_headers: dict[str, str], method: str) -> list[tuple[str, str]]:
        """The CORS headers of an answer to `method` (none without an Origin or a rule allowing it)."""
        origin = request_headers.get("origin")
        if not origin:
            return []
        rule = self._match(origin, method)
        return [*rule.headers_for(origin), VARY] if rule else [VARY]
