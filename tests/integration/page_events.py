"""The openapi function's pages (the docs page, the app page) invoked as API Gateway invokes them."""
from __future__ import annotations

import copy

from local.runtime import LambdaContext


def invoke_page(function, sample: dict, file_route: str, path: str) -> dict:
    """`path` on the sample event's route: the page's, or `file_route` (`<page>/{digest}/{name}`) when the
    path names a file of the page."""
    event = copy.deepcopy(sample)
    event["path"], event["requestContext"]["path"] = path, f"/prod{path}"
    prefix = file_route.split("{", 1)[0]
    parts = path[len(prefix):].split("/") if path.startswith(prefix) else []
    if len(parts) == 2:
        event["resource"] = event["requestContext"]["resourcePath"] = file_route
        event["pathParameters"] = {"digest": parts[0], "name": parts[1]}
    return function.lambda_handler(event, LambdaContext("OpenApiFunction", 512, 5))


def headers(answer: dict) -> dict[str, str]:
    """An answer's headers, names lower-cased, single and multi-value alike."""
    return {k.lower(): ", ".join(v) for k, v in (answer.get("multiValueHeaders") or {}).items()} | \
        {k.lower(): v for k, v in (answer.get("headers") or {}).items()}
