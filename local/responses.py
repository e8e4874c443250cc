"""What the gateway answers: (status, headers, body) and the API's JSON error shape."""
from __future__ import annotations

import json

Response = tuple[int, list[tuple[str, str]], bytes]
JSON = [("Content-Type", "application/json")]


def json_response(status: int, body: dict, headers: list[tuple[str, str]] | None = None) -> Response:
    return status, JSON + (headers or []), json.dumps(body).encode()


def json_error(status: int, message: str, loc: list, msg: str, headers: list[tuple[str, str]] | None = None,
               **extra: str) -> Response:
    """`{"message", "errors": [{"loc", "msg"}]}`, the body every refusal of this project has."""
    return json_response(status, {"message": message, **extra, "errors": [{"loc": loc, "msg": msg}]}, headers)


REQUEST_ID_HEADER = "X-Request-Id"


def with_request_id(response: Response, request_id: str) -> Response:
    """The answer with `X-Request-Id: <request id>` (the id the functions log under), set once."""
    status, headers, body = response
    kept = [(k, v) for k, v in headers if k.lower() != REQUEST_ID_HEADER.lower()]
    return status, kept + [(REQUEST_ID_HEADER, request_id)], body
