"""What each route tells the OpenAPI document: its bodies, every status it may answer, how it is authorized.

The handlers keep their own validation (a 400 naming the field and the rule); these are annotations
only: `documented(...)` gives the keyword arguments of a Powertools route decorator, and
tools/openapi.py builds the document from them at build time. Nothing here builds a schema, so a
cold start pays only for a few small dicts.
"""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from imagegraphics.api.models import ErrorBody

JSON = "application/json"
COMPONENTS = "#/components/schemas/"

# Either header carries the key (service/auth.py); a route needs one of them, not both.
BEARER = "bearerAuth"
FILESPIN_KEY = "fileSpinApiKey"
API_KEY_SECURITY: list[dict[str, list[str]]] = [{BEARER: []}, {FILESPIN_KEY: []}]

# What each error status means wherever it is answered; a route may say more (see `documented`).
ERROR_MEANINGS: dict[int, str] = {
    400: "The request broke a rule: each entry of `errors` names the field (`loc`) and the rule (`msg`).",
    401: "No API key, or one that is not known.",
    403: "The API key lacks the scope this route needs.",
    404: "No such record for this key's tenant (another tenant's records answer the same).",
    409: "A record is not in the state this request needs; the same request may succeed later.",
    413: "The request body is larger than the API accepts (the message says the limit).",
    422: "The table refused to store what the request holds (the message says why).",
    429: "Too many requests: the API's rate limit was reached; retry after a pause.",
    500: "An unexpected error; the message says nothing of its cause, the service's logs do.",
    502: "The function failed outside its own error handling (it crashed or ran out of memory).",
    503: "A dependency was busy or failed and nothing was left half-done: retry later.",
    504: "The function did not answer in time (API Gateway waits at most 29 seconds).",
}
# Any route may meet the stage's throttle (429), an unexpected error (500) and, from API Gateway, a
# function that crashed (502) or timed out (504).
ALWAYS = (429, 500, 502, 504)
# Every route behind the key authorizer.
AUTHORIZED = (401, 403)

RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before retrying, when the API knows.",
                               "required": False, "schema": {"type": "integer"}}}

# Request body models by schema name, filled as routes are declared; tools/openapi.py turns each into
# a component schema (Powertools only derives a body from a validated handler argument).
REQUEST_BODIES: dict[str, type[BaseModel]] = {}


def _content(model: type[BaseModel]) -> dict[str, Any]:
    return {JSON: {"model": model}}


def documented(*, operation_id: str, summary: str, description: str, tag: str, status: int,
               response: type[BaseModel] | dict | None, response_description: str,
               errors: dict[int, str | None] | tuple[int, ...] = (), body: type[BaseModel] | None = None,
               body_description: str = "", body_example: dict | None = None, public: bool = False,
               media_types: tuple[str, ...] = (JSON,)) -> dict:
    """Keyword arguments for `@app.get/post(...)`: the success body, each error status (with a
    route-specific meaning, or None for the usual one), the request body (and an example of it) and
    the security.
    `response` is the success body's model, a JSON schema where no model describes it, or None for
    an answer without a body (204); `media_types` are the success body's (a page is text/html)."""
    declared = dict.fromkeys(errors) if isinstance(errors, tuple) else dict(errors)
    for code in ALWAYS + (() if public else AUTHORIZED):
        declared.setdefault(code, None)
    success: dict[str, Any] = {"description": response_description}
    if response is None:
        success["content"] = {}  # else Powertools describes the handler's return value
    else:
        success["content"] = {media: {"schema": response} for media in media_types} if isinstance(response, dict) \
            else _content(response)
    responses: dict[int, dict[str, Any]] = {status: success}
    for code in sorted(declared):
        answer: dict[str, Any] = {"description": declared[code] or ERROR_MEANINGS[code],
                                  "content": _content(ErrorBody)}
        if code in (429, 503):
            answer["headers"] = RETRY_AFTER
        responses[code] = answer
    # An empty list overrides the document's default: no key needed.
    extensions: dict[str, Any] = {"security": [] if public else API_KEY_SECURITY}
    if body is not None:
        REQUEST_BODIES[body.__name__] = body
        media: dict[str, Any] = {"schema": {"$ref": f"{COMPONENTS}{body.__name__}"}}
        if body_example is not None:
            media["example"] = body_example
        extensions["requestBody"] = {"required": True, "description": body_description, "content": {JSON: media}}
    return {"operation_id": operation_id, "summary": summary, "description": description, "tags": [tag],
            "responses": responses, "openapi_extensions": extensions}
