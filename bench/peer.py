"""Side by side with rembg, the most used open background remover, on the same 12 MP photo and the
same model (u2netp): warm seconds per image (decode, cut-out, PNG) and peak memory, each in a fresh
process of its own.

    make bench-peer          # builds .venv-peer with rembg pinned, then runs this

rembg looks for its model in U2NET_HOME before downloading: it is given a folder holding this
project's models/u2netp.onnx (the same bytes rembg publishes), so nothing is fetched.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "events" / "samples" / "astronaut.jpg"
PEER_PYTHON = ROOT / ".venv-peer" / "bin" / "python"
RUNS = 3

PEER = """
import json, resource, sys, time
from rembg import new_session, remove
data = open(sys.argv[1], "rb").read()
session = new_session("u2netp")
remove(data, session=session)
times = []
for _ in range(int(sys.argv[2])):
    start = time.perf_counter(); remove(data, session=session); times.append(time.perf_counter() - start)
print(json.dumps({"times": times, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

OURS = """
import json, resource, sys, time
from imagegraphics.imaging import render_asset
from imagegraphics.request import parse_request
from imagegraphics.segmentation import get_segmenter
data = open(sys.argv[1], "rb").read()
class Loader:
    def load(self, asset_id): return data
req = parse_request({"assets": [{"a" * 32: {}}], "operations": [{"bg_remove": {"options": {"mode": "product"}}}]})
seg = get_segmenter()
render_asset(req, 0, Loader(), seg)
times = []
for _ in range(int(sys.argv[2])):
    start = time.perf_counter(); render_asset(req, 0, Loader(), seg); times.append(time.perf_counter() - start)
print(json.dumps({"times": times, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run(python: Path | str, code: str, photo: Path, env: dict | None = None) -> dict:
    done = subprocess.run([str(python), "-c", code, str(photo), str(RUNS)], capture_output=True, text=True,
                          timeout=900, env=env)
    if done.returncode:
        raise SystemExit(f"{python} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    if not PEER_PYTHON.exists():
        print("rembg is not installed: run `make bench-peer` (it builds .venv-peer first)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        photo = Path(tmp) / "photo-12mp.jpg"
        Image.open(SAMPLE).convert("RGB").resize((4000, 3000), Image.Resampling.BICUBIC).save(photo, quality=92)
        home = Path(tmp) / "u2net"
        home.mkdir()
        shutil.copy(ROOT / "models" / "u2netp.onnx", home / "u2netp.onnx")
        env = {**os.environ, "U2NET_HOME": str(home)}
        peer = run(PEER_PYTHON, PEER, photo, env)
        ours = run(sys.executable, OURS, photo)
    print(f"12 MP photo, u2netp, warm, best and median of {RUNS} runs after one warm-up; fresh process each")
    print(f"{'tool':>12} {'best s':>7} {'median s':>9} {'peak MB':>8}")
    for name, figures in (("rembg", peer), ("imagegraphics", ours)):
        times = sorted(figures["times"])
        print(f"{name:>12} {times[0]:7.2f} {times[len(times) // 2]:9.2f} {figures['peak_mb']:8.0f}")
    print(f"ratio rembg / ours: time {min(peer['times']) / min(ours['times']):.2f}x, "
          f"memory {peer['peak_mb'] / ours['peak_mb']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
