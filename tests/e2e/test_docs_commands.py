"""Every shell block of README.md and docs/ that can run here runs as written: `local-stack` blocks
against the session's local stack (its address and key in place of `make serve`'s), `offline` blocks
on their own. Each runs in a fresh folder that sees the repository's files as a clone would."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from tests.docblocks import ROOT, blocks

pytestmark = pytest.mark.e2e

RUNNABLE = [b for b in blocks() if b.kind in ("local-stack", "offline")]
VENV = ROOT / ".venv"


@pytest.fixture
def workdir(tmp_path):
    for name in ("events", "models", "openapi.json", "clients"):
        (tmp_path / name).symlink_to(ROOT / name)
    (tmp_path / ".venv").symlink_to(VENV if VENV.exists() else sys.prefix)
    return tmp_path


@pytest.mark.skipif(not shutil.which("curl"), reason="the documented commands use curl")
@pytest.mark.parametrize("block", RUNNABLE, ids=str)
def test_the_block_runs_as_written(block, stack, workdir):
    script = block.body
    env = dict(os.environ)
    if block.kind == "local-stack":
        key = stack.key_for("alpha")
        script = script.replace("http://127.0.0.1:3000", stack.url).replace("local-dev-key", key)
        # Blocks that say "with $API and $KEY set as in the walk-through" find them set.
        env.update(API=stack.url, KEY=key)
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=workdir, env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, f"{block}\n{script}\n--- stdout\n{done.stdout[-3000:]}\n--- stderr\n{done.stderr[-3000:]}"
    assert "Traceback" not in done.stderr


def test_there_are_blocks_of_both_kinds_to_run():
    assert {b.kind for b in RUNNABLE} == {"local-stack", "offline"}
