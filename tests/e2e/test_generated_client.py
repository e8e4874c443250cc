"""A client generated from openapi.json by openapi-python-client runs a whole flow against the stack.

The document is the contract for clients in any language; this proves a generated one can create and
upload assets, submit a job (the asset entry included) and read the result, using only what it generated.
"""
from __future__ import annotations

import importlib
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
import requests
from PIL import Image

from tests.e2e.support import decode, png

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "generated_imagegraphics"  # not imagegraphics_client: the project's own client has that name
# No formatter run: formatting the generated code proves nothing and needs ruff on the PATH.
CONFIG = f"package_name_override: {PACKAGE}\npost_hooks: []\n"


@pytest.fixture(scope="module")
def gen(tmp_path_factory) -> SimpleNamespace:
    """The generated package's api and models modules, imported from a temporary folder."""
    folder = tmp_path_factory.mktemp("generated")
    (folder / "config.yaml").write_text(CONFIG)
    result = subprocess.run(
        [sys.executable, "-m", "openapi_python_client", "generate", "--path", str(ROOT / "openapi.json"),
         "--config", str(folder / "config.yaml"), "--output-path", str(folder / "client")],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "warning" not in (result.stdout + result.stderr).lower(), result.stdout + result.stderr
    sys.path.insert(0, str(folder / "client"))
    try:
        modules = {name: importlib.import_module(f"{PACKAGE}.{path}") for name, path in [
            ("client", "client"), ("models", "models"), ("create_asset", "api.assets.create_asset"),
            ("get_asset", "api.assets.get_asset"), ("submit_job", "api.jobs.submit_job"),
            ("get_job", "api.jobs.get_job")]}
        yield SimpleNamespace(**modules)
    finally:
        sys.path.remove(str(folder / "client"))
        for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
            del sys.modules[name]


@pytest.fixture(scope="module")
def api(gen, stack):
    with gen.client.AuthenticatedClient(base_url=stack.url, token=stack.key_for("alpha"),
                                        timeout=httpx.Timeout(30)) as client:
        yield client


def _distance(a: tuple, b: tuple) -> int:
    return max(abs(x - y) for x, y in zip(a, b))


def upload(gen, api, filename: str, data: bytes, content_type: str) -> str:
    """Create the asset with the generated client, POST the file to its presigned form, wait for READY."""
    m = gen.models
    answer = gen.create_asset.sync_detailed(client=api, body=m.CreateAsset(
        filename=filename, content_type=m.CreateAssetContentType(content_type)))
    assert answer.status_code == 201, answer.content
    created = answer.parsed
    assert isinstance(created, m.CreateAssetResponse)
    form = created.upload
    posted = requests.post(form.url, data=form.fields.to_dict(), files={"file": (filename, data, content_type)},
                           timeout=60)
    assert posted.status_code in (200, 201, 204), posted.text
    deadline = time.monotonic() + 60
    while (asset := gen.get_asset.sync(created.asset_id, client=api)).status == m.AssetResponseStatus.PENDING:
        assert time.monotonic() < deadline, "the upload stayed PENDING"
        time.sleep(0.1)
    assert asset.status == m.AssetResponseStatus.READY, asset
    return created.asset_id


def full_flow(m, portrait: str, frame: str):
    """bg_remove on the portrait, onto a colour at 240x200, an uploaded frame as its border, as a conversion."""
    entry = m.AssetEntry()
    entry[portrait] = m.AssetBody(options=m.AssetOptions(
        size=m.Size(width=160, height=160),
        disposition=m.Disposition(add_as_conversion=True, conversion_name="generated")))
    return m.ImageGraphicsRequest(assets=[entry], operations=[
        m.BgRemove(bg_remove=m.BgRemoveBgRemove(options=m.BgRemoveOptions(mode=m.BgRemoveOptionsMode.PORTRAIT))),
        m.BgAdd(bg_add=m.BgAddBgAdd(options=m.BgAddOptions(color="#2050a0", size=m.Size(width=240, height=200)))),
        m.BorderAdd(border_add=m.BorderAddBorderAdd(options=m.BorderAddOptions(image_id=frame)))])


def test_a_generated_client_uploads_submits_and_reads_the_result(gen, api, portrait_bytes):
    m = gen.models
    portrait = upload(gen, api, "astronaut.jpg", portrait_bytes, "image/jpeg")
    navy = (20, 30, 120)
    frame_image = Image.new("RGBA", (240, 200), navy + (255,))
    frame_image.paste((0, 0, 0, 0), (8, 8, 232, 192))
    frame = upload(gen, api, "frame.png", png(frame_image), "image/png")

    request = full_flow(m, portrait, frame)
    assert request.to_dict()["assets"] == [{portrait: {"options": {
        "size": {"width": 160, "height": 160},
        "disposition": {"add_as_conversion": True, "create_asset": False, "conversion_name": "generated",
                        "mode": "APPEND", "format": "png"}}}}]
    submitted = gen.submit_job.sync_detailed(client=api, body=request)
    assert submitted.status_code == 200, submitted.content
    job_id = submitted.parsed.job_id

    deadline = time.monotonic() + 300
    while (job := gen.get_job.sync(str(job_id), client=api)).status == m.JobStatusResponseStatus.QUEUED:
        assert time.monotonic() < deadline, "the job stayed QUEUED"
        time.sleep(0.2)
    assert isinstance(job, m.JobStatusResponse)
    assert (job.job_id, job.status, job.error) == (job_id, m.JobStatusResponseStatus.OK, [])
    assert (job.progress.total, job.progress.succeeded) == (1, 1)
    [output] = job.output
    assert (output.asset_id, output.name) == (portrait, "generated")

    image = decode(requests.get(output.url, timeout=60).content)
    assert (image.format, image.size) == ("PNG", (240, 200))
    rgb = image.convert("RGB")
    blue = (0x20, 0x50, 0xa0)
    assert rgb.getpixel((2, 2)) == navy  # the frame, scaled to the background
    assert rgb.getpixel((12, 100)) == blue  # the colour, left of the centred 160 px subject (40..200, 20..180)
    assert _distance(rgb.getpixel((46, 26)), blue) < 12  # the portrait's backdrop corner was cut away
    assert _distance(rgb.getpixel((112, 45)), blue) > 60  # the face was kept

    asset = gen.get_asset.sync(portrait, client=api)
    [conversion] = [c for c in asset.conversions if c.name == "generated"]
    assert (conversion.width, conversion.height, conversion.content_type) == (240, 200, "image/png")


def test_a_generated_client_reads_the_error_body_of_a_refused_job(gen, api):
    m = gen.models
    asset_id = "0" * 32
    entry = m.AssetEntry()
    entry[asset_id] = m.AssetBody(options=m.AssetOptions(
        size=m.Size(width=20000, height=100), disposition=m.Disposition(format_=m.DispositionFormat.JPG)))
    request = m.ImageGraphicsRequest(assets=[entry], operations=[
        m.BgAdd(bg_add=m.BgAddBgAdd(options=m.BgAddOptions(color="#ffffff")))])
    answer = gen.submit_job.sync_detailed(client=api, body=request)
    assert answer.status_code == 400, answer.content
    assert isinstance(answer.parsed, m.ErrorBody)
    [error] = answer.parsed.errors
    assert (error.loc, error.msg) == (["assets", 0, asset_id, "options", "size", "width"],
                                      "must be at most 10000 pixels")
