"""GET /api/v1/openapi.json: the API's OpenAPI document, answered without an API key.

`make openapi` builds the document from every function's routes and writes it beside this file (and to
the repository root); the function only reads it, once per container.
"""
from functools import cache
from pathlib import Path

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.utilities.typing import LambdaContext

from imagegraphics.observability import REQUEST_ID_PATH, logger, tracer
from imagegraphics.service.http import cors, install_error_handlers
from imagegraphics.service.openapi import documented

DOCUMENT = Path(__file__).with_name("openapi.json")

app = APIGatewayRestResolver(cors=cors())
install_error_handlers(app)


@cache
def document() -> str:
    return DOCUMENT.read_text(encoding="utf-8")


@app.get("/api/v1/openapi.json", cache_control="public, max-age=300", **documented(
    operation_id="getOpenApiDocument",
    summary="This API's OpenAPI document",
    description="The OpenAPI 3.1 document of every route: bodies, status codes and security. Needs no "
                "API key.",
    tag="meta", status=200, response={"type": "object", "description": "An OpenAPI 3.1 document."},
    response_description="The document.", public=True))
def openapi_document():
    return Response(status_code=200, content_type="application/json", body=document())


@logger.inject_lambda_context(clear_state=True, correlation_id_path=REQUEST_ID_PATH)
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
