"""The processor image installs what the tests ran with, and every function has a handler and events."""
from __future__ import annotations

import json
import re
from pathlib import Path

from local.template import load_template, parse_api

ROOT = Path(__file__).resolve().parents[2]


def pins(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text().splitlines():
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)(\[[^\]]*\])?==(\S+)", line.strip())
        if match:
            found[match.group(1).lower()] = match.group(3)
    return found


def test_processor_image_pins_match_the_tested_versions():
    image = pins(ROOT / "functions" / "processor" / "requirements.txt")
    tested = {**pins(ROOT / "requirements-dev.txt"), **pins(ROOT / "layers" / "common" / "requirements.txt")}
    assert {"onnxruntime", "numpy", "pillow", "pydantic", "aws-lambda-powertools"} <= set(image)
    assert {name: tested.get(name) for name in image} == image


def test_dockerfile_copies_the_package_the_models_and_the_handler():
    dockerfile = (ROOT / "functions" / "processor" / "Dockerfile").read_text()
    assert "FROM public.ecr.aws/lambda/python:3.12" in dockerfile
    for source in ("layers/common/imagegraphics", "models/registry.json", "models/*.onnx",
                   "functions/processor/app.py"):
        assert f"COPY {source}" in dockerfile or f" {source} " in dockerfile
    assert 'CMD ["app.lambda_handler"]' in dockerfile


def test_the_image_bakes_in_the_default_models_unless_told_otherwise():
    dockerfile = (ROOT / "functions" / "processor" / "Dockerfile").read_text()
    registry = json.loads((ROOT / "models" / "registry.json").read_text())
    defaults = [e["name"] for e in registry if e.get("default")]
    bundled = defaults + [e["name"] for e in registry if e.get("built_with") in defaults]
    (arg,) = re.findall(r'^ARG MODELS="([^"]+)"$', dockerfile, re.M)
    assert sorted(arg.split()) == sorted(bundled) == ["selfie_segmentation", "selfie_segmentation_landscape",
                                                      "u2netp"]
    metadata = load_template()["Resources"]["ProcessorFunction"]["Metadata"]
    assert metadata["DockerBuildArgs"]["MODELS"].split() == arg.split()
    assert "COPY --from=models /chosen/" in dockerfile  # only the chosen files reach the final image


def test_every_function_in_the_template_has_a_handler_and_a_sample_event():
    api = parse_api(load_template())
    events = {p.name.split("_")[0] for p in (ROOT / "events").glob("*.json")}
    assert events == {"apigw", "authorizer", "sqs"}
    for spec in api.functions.values():
        assert spec.source.is_file(), spec.logical_id
        assert "def lambda_handler" in spec.source.read_text()


def test_only_the_stores_talk_to_boto3():
    package = ROOT / "layers" / "common" / "imagegraphics"
    sources = [p for p in package.rglob("*.py") if "stores" not in p.relative_to(package).parts]
    sources += list((ROOT / "functions").rglob("*.py"))
    talking = [str(p.relative_to(ROOT)) for p in sources
               if re.search(r"^\s*(from|import)\s+(boto3|botocore)\b", p.read_text(), re.MULTILINE)]
    assert talking == []


def test_the_processor_may_write_and_delete_only_derived_objects():
    policies = load_template()["Resources"]["ProcessorFunction"]["Properties"]["Policies"]
    statements = [s for p in policies if isinstance(p, dict) for s in p.get("Statement", [])]
    granted: dict[str, set[str]] = {}
    for statement in statements:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        for action in actions:
            granted.setdefault(action, set()).update(_sub(r) for r in resources)
    derived = {"arn:${AWS::Partition}:s3:::${Bucket}/conversions/*", "arn:${AWS::Partition}:s3:::${Bucket}/generated/*"}
    assert granted["s3:PutObject"] == granted["s3:DeleteObject"] == derived


def _sub(value) -> str:
    return value["Fn::Sub"] if isinstance(value, dict) else str(value)


def test_the_docs_page_files_ship_inside_the_openapi_functions_code():
    code = (ROOT / load_template()["Resources"]["OpenApiFunction"]["Properties"]["CodeUri"]).resolve()
    manifest = json.loads((code / "vendor.json").read_text())
    vendored = (code / manifest["into"]).resolve()
    assert vendored.is_relative_to(code)
    # `sam build` copies CodeUri but for names like these (aws-lambda-builders' python_pip excludes).
    assert not set(vendored.relative_to(code).parts) & {".aws-sam", ".git", "__pycache__", ".cache", ".env",
                                                       ".venv", "venv", "env", "ENV", "htmlcov", ".tox"}
    assert all((vendored / name).is_file() for name in manifest["files"])  # make install vendored them
    assert all((code / "docs" / name).is_file() for name in ("index.html", "init.js", "docs.css"))


def test_the_app_page_files_ship_inside_the_openapi_functions_code():
    code = (ROOT / load_template()["Resources"]["OpenApiFunction"]["Properties"]["CodeUri"]).resolve()
    web = code / "web"
    # Not a folder name sam build leaves out, and every file the page names is there.
    assert web.name not in {".aws-sam", ".git", "__pycache__", ".cache", ".env", ".venv", "venv", "env", "ENV",
                            "htmlcov", ".tox"}
    assert all((web / name).is_file() for name in ("index.html", "main.js", "app.css"))
