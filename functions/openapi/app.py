"""The API's pages, answered without an API key: GET /api/v1/openapi.json, the OpenAPI document;
GET /api/v1/docs, a reference page rendering it (Swagger UI) with the files it loads; and GET /app, a
page to try the service with one's own key (the key stays in the browser, which calls the API itself).

`make openapi` builds the document from every function's routes and writes it beside this file (and to
the repository root). The reference page is docs/index.html, docs/init.js and docs/docs.css beside this
file, and the Swagger UI release that vendor.json pins, which the build fetches into vendor/
(git-ignored). The app page is web/index.html and the modules and stylesheet web/ holds. The function
only reads these files, once per container.
"""
import json
from functools import cache
from pathlib import Path
from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Path as PathParam
from aws_lambda_powertools.utilities.typing import LambdaContext

from imagegraphics.errors import NotFound, detail
from imagegraphics.observability import REQUEST_ID_PATH, logger, tracer
from imagegraphics.service import static, webapp
from imagegraphics.service.http import cors, install_error_handlers
from imagegraphics.service.openapi import documented

HERE = Path(__file__).parent
DOCUMENT = HERE / "openapi.json"
PAGE = HERE / "docs" / "index.html"
OWN_FILES = (HERE / "docs" / "init.js", HERE / "docs" / "docs.css")
VENDOR = HERE / "vendor.json"
WEB = HERE / "web"
APP_PAGE = WEB / "index.html"

Digest = Annotated[str, PathParam(description="The start of the file's sha256, as the page names it.",
                                  pattern="^[0-9a-f]{16}$")]
FileName = Annotated[str, PathParam(description="The file's name, as the page names it.")]

app = APIGatewayRestResolver(cors=cors())
install_error_handlers(app)


@cache
def document() -> str:
    return DOCUMENT.read_text(encoding="utf-8")


@cache
def site() -> static.StaticSite:
    vendored = json.loads(VENDOR.read_text(encoding="utf-8"))
    folder = HERE / vendored["into"]
    return static.StaticSite(PAGE, [*OWN_FILES, *(folder / name for name in vendored["files"])])


@cache
def app_site() -> static.StaticSite:
    # Every file of web/ but the page: its modules import each other, so they share one digest.
    files = sorted(path for path in WEB.iterdir() if path.is_file() and path != APP_PAGE)
    return static.StaticSite(APP_PAGE, files, prefix="app", shared=True)


@app.get("/api/v1/openapi.json", cache_control="public, max-age=300", **documented(
    operation_id="getOpenApiDocument",
    summary="This API's OpenAPI document",
    description="The OpenAPI 3.1 document of every route: bodies, status codes and security. Needs no "
                "API key.",
    tag="meta", status=200, response={"type": "object", "description": "An OpenAPI 3.1 document."},
    response_description="The document.", public=True))
def openapi_document():
    return Response(status_code=200, content_type="application/json", body=document())


@app.get("/api/v1/docs", **documented(
    operation_id="getDocsPage",
    summary="A reference page of this API",
    description="An HTML page that renders this API's OpenAPI document (Swagger UI, read-only: it sends no "
                "request to the API but for the document). Needs no API key.",
    tag="meta", status=200, response={"type": "string"}, media_types=("text/html",),
    response_description="The page.", public=True))
def docs_page():
    return _site_page(site(), "docs", static.CONTENT_SECURITY_POLICY)


@app.get("/api/v1/docs/<digest>/<name>", **documented(
    operation_id="getDocsFile",
    summary="A file of the reference page",
    description="A script, stylesheet or licence the reference page loads, at the URL the page names: the "
                "digest changes with the content, so the answer may be cached for a year. Needs no API key.",
    tag="meta", status=200, response={"type": "string"},
    media_types=("text/javascript", "text/css", "text/plain"),
    response_description="The file.", public=True,
    errors={404: "No file of the page has this name and digest (a page loaded before the API was updated "
                 "names files that are gone: reload it)."}))
def docs_file(digest: Digest, name: FileName):
    return _site_file(site(), "docs", digest, name)


def _site_page(pages: static.StaticSite, page: str, policy: str) -> Response:
    """A page's HTML with its Content-Security-Policy. API Gateway routes `<page>/` here too; the page's
    links are relative to `<page>`, so that one is redirected."""
    if app.current_event.path.endswith("/"):
        return Response(status_code=301, content_type="text/plain; charset=utf-8", body="",
                        headers={"Location": f"../{page}"})
    return Response(status_code=200, content_type=static.TEXT_TYPES[".html"], body=pages.page,
                    headers=static.headers(static.PAGE_CACHE, policy))


def _site_file(pages: static.StaticSite, page: str, digest: str, name: str) -> Response:
    """A file a page names by digest: cached for a year, or a 404 telling an old page to reload."""
    found = pages.find(digest, name)
    if found is None:
        raise NotFound(f"no such file of the {page} page", [detail(["path"], f"{digest}/{name} is not a current "
                                                                            "file of the page; reload the page")])
    return Response(status_code=200, content_type=found.content_type, body=found.body,
                    headers=static.headers(static.FILE_CACHE))


@app.get("/app", **documented(
    operation_id="getAppPage",
    summary="A page to try the service",
    description="An HTML page that calls this API with the key a person types (kept in the browser tab's "
                "session storage, sent only as the Authorization header): upload photos, pick a look or edit "
                "the request, follow the job, compare and download the results, upload with a saved recipe. "
                "Loading it needs no API key.",
    tag="meta", status=200, response={"type": "string"}, media_types=("text/html",),
    response_description="The page.", public=True))
def app_page():
    return _site_page(app_site(), "app", webapp.app_policy())


@app.get("/app/<digest>/<name>", **documented(
    operation_id="getAppFile",
    summary="A file of the app page",
    description="A module or stylesheet the app page loads, at the URL the page names: the digest "
                "changes with the content, so the answer may be cached for a year. Needs no API key.",
    tag="meta", status=200, response={"type": "string"},
    media_types=("text/javascript", "text/css"),
    response_description="The file.", public=True,
    errors={404: "No file of the page has this name and digest (a page loaded before the API was updated "
                 "names files that are gone: reload it)."}))
def app_file(digest: Digest, name: FileName):
    return _site_file(app_site(), "app", digest, name)


@logger.inject_lambda_context(clear_state=True, correlation_id_path=REQUEST_ID_PATH)
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
