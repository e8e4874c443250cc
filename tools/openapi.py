"""Build the API's OpenAPI document from the routes of every function under functions/.

    python -m tools.openapi           write openapi.json (repository root) and functions/openapi/openapi.json
    python -m tools.openapi --check   exit 1 when either file differs from what the routes give

Powertools' OpenAPIMerge finds each functions/*/app.py with an API resolver (`app = ...Resolver()`),
imports it and merges the routes' documents: bodies and statuses come from the same pydantic models
the handlers answer with (see imagegraphics.service.openapi.documented). The request bodies, which the
handlers validate themselves, are added here as component schemas of their models.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from pathlib import Path
from typing import Any

from aws_lambda_powertools.event_handler.openapi.merge import OpenAPIMerge
from aws_lambda_powertools.event_handler.openapi.models import APIKey, APIKeyIn, HTTPBearer, OpenAPI, Server, Tag
from pydantic.json_schema import GenerateJsonSchema, models_json_schema

from imagegraphics import __version__
from imagegraphics.service import openapi as routes

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS = ROOT / "functions"
OUTPUTS = (ROOT / "openapi.json", FUNCTIONS / "openapi" / "openapi.json")

DESCRIPTION = """\
A self-hosted Image Graphics API: background removal, background add, graphics overlay and border on \
uploaded images.

Every route but this document's needs an API key, in `Authorization: Bearer <key>` or in \
`X-FileSpin-Api-Key: <key>`. Every error answers `{"message": ..., "errors": [{"loc": [...], \
"msg": ...}]}`: `loc` is the JSON path of the offending field, `msg` the rule it broke.

The server URL `../..` is relative to where this document is served (`<API>/api/v1/openapi.json`), \
so it names the API that served it, stage included."""

TAGS = [Tag(name="assets", description="Upload images and read them back, with their conversions."),
        Tag(name="jobs", description="Run Image Graphics operations on assets and follow the job."),
        Tag(name="recipes", description="Saved operations that run on every upload created with them."),
        Tag(name="webhooks", description="The secret that signs the API's webhook deliveries."),
        Tag(name="meta", description="What the API says about itself.")]


def _merge() -> OpenAPIMerge:
    return OpenAPIMerge(
        title="imagegraphics", version=__version__, description=DESCRIPTION, tags=TAGS,
        servers=[Server(url="../..", description="The API that serves this document.")],
        security_schemes={
            routes.BEARER: HTTPBearer(description="`Authorization: Bearer <key>`"),
            routes.FILESPIN_KEY: APIKey(in_=APIKeyIn.header, name="X-FileSpin-Api-Key",
                                        description="The key alone, for clients written for FileSpin's API."),
        },
        security=routes.API_KEY_SECURITY, on_conflict="error")


class RequestJsonSchema(GenerateJsonSchema):
    """Request schemas whose defaults read as the JSON a client sends: a field's own plain serializer
    applies, as pydantic does for serialization schemas (a colour's default is "#000000", not the
    tuple the model holds, which the schema's own type would refuse)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._fields: list[dict] = []  # the with-default schemas being generated, innermost last

    def default_schema(self, schema):
        self._fields.append(schema["schema"])
        try:
            return super().default_schema(schema)
        finally:
            self._fields.pop()

    def encode_default(self, dft: Any) -> Any:
        serializer = (self._fields[-1].get("serialization") or {}) if self._fields else {}
        if serializer.get("type") == "function-plain" and not serializer.get("info_arg") and dft is not None:
            dft = serializer["function"](dft)
        return super().encode_default(dft)


def _request_schemas() -> dict[str, Any]:
    """Component schemas of every request body model the routes declared, and of the models they use."""
    models = [(model, "validation") for _, model in sorted(routes.REQUEST_BODIES.items())]
    _, schema = models_json_schema(models, ref_template=routes.COMPONENTS + "{model}",
                                   schema_generator=RequestJsonSchema)
    return schema.get("$defs", {})


def _referenced(document: dict) -> set[str]:
    """Component schema names reachable from the paths (a schema may refer to others)."""
    found: set[str] = set()
    pending = [document["paths"]]
    schemas = document["components"]["schemas"]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith(routes.COMPONENTS):
                name = ref.removeprefix(routes.COMPONENTS)
                if name not in found:
                    found.add(name)
                    pending.append(schemas[name])
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return found


def _drop_empty_content(document: dict) -> None:
    """An answer without a body has no `content` (Powertools fills in an empty media type)."""
    for item in document["paths"].values():
        for operation in item.values():
            for answer in operation["responses"].values():
                content = {media: value for media, value in answer.get("content", {}).items() if value}
                if content:
                    answer["content"] = content
                else:
                    answer.pop("content", None)


def build() -> dict[str, Any]:
    merge = _merge()
    files = merge.discover(path=FUNCTIONS, pattern="*/app.py", resolver_name="app", project_root=ROOT)
    if not files:
        raise SystemExit(f"no function with an API resolver under {FUNCTIONS}")
    with warnings.catch_warnings():
        # Powertools says it uses OpenAPI 3.1 with pydantic 2: the document says so itself.
        warnings.filterwarnings("ignore", message=".*OpenAPI schema 3.0.*")
        warnings.filterwarnings("error", message="Failed to load")
        merged = merge.get_openapi_schema()
    document = OpenAPI(**merged).model_dump(mode="json", by_alias=True, exclude_none=True)
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in _request_schemas().items():
        if schemas.setdefault(name, schema) != schema:
            raise SystemExit(f"two different schemas are named {name}: rename one of the models")
    # Powertools adds its own validation-error schemas to every resolver's document; this API answers
    # ErrorBody instead, so whatever no route refers to goes.
    _drop_empty_content(document)
    used = _referenced(document)
    document["components"]["schemas"] = {name: schemas[name] for name in sorted(used)}
    document["paths"] = dict(sorted(document["paths"].items()))
    return document


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.openapi", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 when a file is stale")
    args = parser.parse_args(argv)
    text = render(build())
    stale = [path for path in OUTPUTS if not path.is_file() or path.read_text(encoding="utf-8") != text]
    if args.check:
        for path in stale:
            print(f"{os.path.relpath(path, ROOT)} is stale: run `make openapi`", file=sys.stderr)
        return 1 if stale else 0
    for path in stale:
        path.write_text(text, encoding="utf-8")
        print(f"wrote {os.path.relpath(path, ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
