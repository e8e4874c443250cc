"""One local stack (in a child process, on a free port) for the whole end-to-end session."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from local.client import Client
from local.harness import LocalStack
from tests.e2e.browser import chromium  # noqa: F401 - the browser tests' fixture, for every module
from tests.e2e.support import upload_ready

ROOT = Path(__file__).resolve().parents[2]
# "fuzz" is the tenant test_fuzz.py drives every route as, apart from the tenants other tests read;
# "web" is the one the /app page is used with (its recipes list holds only what test_app_page.py saves);
# "lists" the one test_client_urls_lists.py lists, so its lists hold only what it made.
KEYS = "alpha:alpha-e2e-key,beta:beta-e2e-key,fuzz:fuzz-e2e-key,web:web-e2e-key-7Qz,lists:lists-e2e-key"


@pytest.fixture(scope="session")
def stack():
    with LocalStack(port=0, api_keys=KEYS, retry_after=1) as running:
        yield running


@pytest.fixture(scope="session")
def alpha(stack) -> Client:
    return Client(stack.url, stack.key_for("alpha"))


@pytest.fixture(scope="session")
def beta(stack) -> Client:
    return Client(stack.url, stack.key_for("beta"))


@pytest.fixture(scope="session")
def portrait_bytes() -> bytes:
    """The sample portrait at 256 px: the model's own input size keeps every job quick."""
    out = io.BytesIO()
    Image.open(ROOT / "events" / "samples" / "astronaut.jpg").resize((256, 256)).save(out, "JPEG", quality=92)
    return out.getvalue()


@pytest.fixture(scope="session")
def portrait(alpha, portrait_bytes) -> str:
    return upload_ready(alpha, "astronaut.jpg", portrait_bytes, "image/jpeg",
                        {"title": "Astronaut", "owner": "nasa"})
