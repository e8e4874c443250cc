"""The converted selfie segmentation models against MediaPipe's own runtime (goldens from `make goldens`)."""

import hashlib
import json
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "models"
GOLDENS = ROOT / "tests" / "data" / "goldens"
SAMPLE = ROOT / "events" / "samples" / "astronaut.jpg"
GENERAL, LANDSCAPE = "selfie_segmentation.onnx", "selfie_segmentation_landscape.onnx"


def session(filename: str) -> ort.InferenceSession:
    path = MODELS / filename
    if not path.exists():
        pytest.fail(f"{path.relative_to(ROOT)} is missing: run `make model` to build it")
    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])


def infer(filename: str, rgb: np.ndarray) -> np.ndarray:
    """uint8 RGB at the model's input size -> HxW probabilities (MediaPipe: /255, no mean or std)."""
    x = (rgb.astype(np.float32) / 255.0)[None]
    return session(filename).run(None, {"input": x})[0][0, :, :, 0]


@pytest.fixture(scope="module")
def golden():
    with np.load(GOLDENS / "masks.npz") as data:
        return {name: data[name].astype(np.float32) / 65535.0 for name in data.files}


def load_rgb(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))


def iou(a: np.ndarray, b: np.ndarray, threshold: float = 0.5) -> float:
    fa, fb = a > threshold, b > threshold
    return float((fa & fb).sum() / (fa | fb).sum())


def test_golden_inputs_are_the_ones_the_goldens_were_made_from():
    manifest = json.loads((GOLDENS / "manifest.json").read_text())
    for name, digest in manifest["inputs_sha256"].items():
        path = ROOT / name if "/" in name else GOLDENS / name
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, name


@pytest.mark.parametrize(
    ("model", "case", "size"),
    [(GENERAL, "portrait_256", (256, 256)), (LANDSCAPE, "landscape_256x144", (144, 256))],
)
def test_model_output_matches_mediapipe_at_input_size(golden, model, case, size):
    # At the model's own size MediaPipe's resampling in and out is the identity, so this is the raw model.
    rgb = load_rgb(GOLDENS / f"{case}.png")
    assert rgb.shape[:2] == size
    expected = golden[case]
    assert 0.2 < (expected > 0.5).mean() < 0.8  # a real person/background split, not a blank mask
    got = infer(model, rgb)
    assert got.shape == size
    assert np.abs(got - expected).max() <= 1e-4


def mediapipe_downsample(rgb: np.ndarray, width: int, height: int) -> np.ndarray:
    """MediaPipe's CPU ImageToTensor: bilinear warp sampling source (x * W / w, y * H / h), back to uint8."""
    h_in, w_in = rgb.shape[:2]
    ys, xs = np.arange(height) * h_in / height, np.arange(width) * w_in / width
    y0, x0 = np.floor(ys).astype(int), np.floor(xs).astype(int)
    y1, x1 = np.minimum(y0 + 1, h_in - 1), np.minimum(x0 + 1, w_in - 1)
    wy, wx = (ys - y0)[:, None, None], (xs - x0)[None, :, None]
    img = rgb.astype(np.float32)
    top = img[y0][:, x0] * (1 - wx) + img[y0][:, x1] * wx
    bottom = img[y1][:, x0] * (1 - wx) + img[y1][:, x1] * wx
    return np.round(top * (1 - wy) + bottom * wy).astype(np.uint8)


def bilinear_upsample(mask: np.ndarray, height: int, width: int) -> np.ndarray:
    """OpenCV INTER_LINEAR (half-pixel centres, edge clamp), as TensorsToSegmentation resizes the mask."""
    h, w = mask.shape
    ys = np.clip((np.arange(height) + 0.5) * h / height - 0.5, 0, h - 1)
    xs = np.clip((np.arange(width) + 0.5) * w / width - 0.5, 0, w - 1)
    y0, x0 = np.floor(ys).astype(int), np.floor(xs).astype(int)
    y1, x1 = np.minimum(y0 + 1, h - 1), np.minimum(x0 + 1, w - 1)
    wy, wx = (ys - y0)[:, None], (xs - x0)[None, :]
    top = mask[y0][:, x0] * (1 - wx) + mask[y0][:, x1] * wx
    bottom = mask[y1][:, x0] * (1 - wx) + mask[y1][:, x1] * wx
    return top * (1 - wy) + bottom * wy


def test_full_resolution_matches_mediapipe_graph(golden):
    # The whole MediaPipe graph reproduced (resample in, model, resample out) on the 512x512 sample.
    rgb = load_rgb(SAMPLE)
    mask = bilinear_upsample(infer(GENERAL, mediapipe_downsample(rgb, 256, 256)), *rgb.shape[:2])
    expected = golden["astronaut_full"]
    assert mask.shape == expected.shape
    assert np.abs(mask - expected).max() <= 1e-3
    assert iou(mask, expected) >= 0.999


def test_plain_pillow_pipeline_keeps_iou_on_sample_photo(golden):
    # What a straightforward pipeline does (Pillow resize down, model, Pillow bilinear up).
    photo = Image.open(SAMPLE).convert("RGB")
    small = np.asarray(photo.resize((256, 256), Image.Resampling.BILINEAR))
    mask = np.asarray(Image.fromarray(infer(GENERAL, small)).resize(photo.size, Image.Resampling.BILINEAR))
    assert iou(mask, golden["astronaut_full"]) >= 0.98


def test_segmenter_portrait_mode_follows_the_model_and_cuts_closer_to_the_photo(golden):
    """The portrait cut is the model's subject, mended where colour and structure show the model
    wrong (the flag's stripes it half takes, the badge it doubts): closer to the hand-made
    reference (bench/data/real/astronaut.png) than the model's own answer cut at one half."""
    segmentation = pytest.importorskip("imagegraphics.segmentation")
    if not hasattr(segmentation, "get_segmenter"):
        pytest.skip("imagegraphics.segmentation has no get_segmenter yet")
    session(GENERAL)  # fail with the `make model` hint rather than inside the segmenter
    segmenter = segmentation.get_segmenter(MODELS)
    alpha = segmenter.alpha(Image.open(SAMPLE).convert("RGB"), mode="portrait")
    assert alpha.shape == golden["astronaut_full"].shape
    assert iou(alpha, golden["astronaut_full"]) >= 0.96
    reference = np.asarray(Image.open(ROOT / "bench" / "data" / "real" / "astronaut.png"), np.float32) / 255
    assert iou(alpha, reference) > iou(golden["astronaut_full"], reference)
