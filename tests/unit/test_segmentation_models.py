"""Registry and ONNX sessions (tiny models built here), and the bundled portrait model when built."""
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper
from PIL import Image

from imagegraphics.segmentation import Segmenter, get_segmenter, registry
from imagegraphics.segmentation.sessions import GeneralSession, SelfieSession

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "events" / "samples" / "astronaut.jpg"
BUNDLED = REPO / "models" / "selfie_segmentation.onnx"


def save(model_dir: Path, name: str, graph) -> None:
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.save(model, model_dir / name)


def red_channel_nhwc(h: int, w: int):
    """[1,h,w,3] -> [1,h,w,1]: the red channel (a 'model' whose answer we can predict)."""
    weight = numpy_helper.from_array(np.array([[1.0], [0.0], [0.0]], np.float32), "w")
    return helper.make_graph(
        [helper.make_node("MatMul", ["input", "w"], ["output"])], "red",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, h, w, 3])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, h, w, 1])], [weight])


def red_channel_nchw(h: int, w: int):
    weight = numpy_helper.from_array(np.array([1.0, 0.0, 0.0], np.float32).reshape(1, 3, 1, 1), "w")
    return helper.make_graph(
        [helper.make_node("Conv", ["input.1", "w"], ["mask"])], "red",
        [helper.make_tensor_value_info("input.1", TensorProto.FLOAT, [1, 3, h, w])],
        [helper.make_tensor_value_info("mask", TensorProto.FLOAT, [1, 1, h, w])], [weight])


def entry(name, kind, w, h, layout, **extra):
    return {"name": name, "file": name + ".onnx", "kind": kind, "sha256": "-", "license": "-",
            "input": {"width": w, "height": h, "layout": layout}, "output": "probabilities", **extra}


@pytest.fixture
def models(tmp_path) -> Path:
    save(tmp_path, "square.onnx", red_channel_nhwc(16, 16))
    save(tmp_path, "wide.onnx", red_channel_nhwc(9, 16))
    save(tmp_path, "general.onnx", red_channel_nchw(8, 8))
    (tmp_path / "registry.json").write_text(json.dumps([
        entry("missing", "general", 8, 8, "NCHW"),  # listed, file not installed
        entry("wide", "portrait", 16, 9, "NHWC"),
        entry("square", "portrait", 16, 16, "NHWC", default=True),
        entry("general", "general", 8, 8, "NCHW", output="logits",
              normalize={"mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25], "scale": 1 / 255}),
    ]))
    return tmp_path


def red_left_half(size=(64, 32)) -> Image.Image:
    pixels = np.zeros((size[1], size[0], 3), np.uint8)
    pixels[:, : size[0] // 2, 0] = 255
    return Image.fromarray(pixels)


def test_models_dir_argument_then_environment_then_repository(monkeypatch, tmp_path):
    monkeypatch.delenv("IMAGEGRAPHICS_MODELS_DIR", raising=False)
    monkeypatch.delenv("MODELS_DIR", raising=False)
    assert registry.models_dir(tmp_path) == tmp_path
    assert registry.models_dir() == REPO / "models"
    monkeypatch.setenv("IMAGEGRAPHICS_MODELS_DIR", str(tmp_path / "env"))
    assert registry.models_dir() == tmp_path / "env"


def test_registry_lists_installed_models_default_first(models):
    reg = registry.Registry(models)
    assert [e.name for e in reg.installed("portrait")] == ["square", "wide"]
    assert [e.name for e in reg.installed("general")] == ["general"]


def test_selfie_session_stretches_scales_and_keeps_nhwc(models):
    seg = Segmenter(models)
    square = seg.registry.entries["square"]
    session = seg.session(square)
    assert isinstance(session, SelfieSession) and seg.session(square) is session  # opened once
    mask = session.predict(red_left_half())
    assert mask.shape == (16, 16) and mask.dtype == np.float32
    assert np.allclose(mask[:, :7], 1.0, atol=1e-3) and np.allclose(mask[:, 9:], 0.0, atol=1e-3)


def test_general_session_normalises_nchw_and_reads_logits(models):
    seg = Segmenter(models)
    session = seg.session(seg.registry.entries["general"])
    assert isinstance(session, GeneralSession)
    mask = session.predict(red_left_half())
    # red 255 -> (1 - 0.5) / 0.25 = 2 -> sigmoid; red 0 -> -2 -> sigmoid
    assert abs(mask[4, 0] - 1 / (1 + np.exp(-2))) < 1e-3 and abs(mask[4, 7] - 1 / (1 + np.exp(2))) < 1e-3


def test_portrait_model_follows_the_image_shape(models):
    seg = Segmenter(models)
    assert seg.portrait_entry((1920, 1080)).name == "wide"
    assert seg.portrait_entry((1000, 1000)).name == "square"
    assert seg.portrait_entry((1080, 1920)).name == "square"


def test_portrait_mode_cuts_along_the_model_answer_at_full_resolution(models):
    seg = Segmenter(models)
    image = red_left_half((200, 100))  # one model pixel is 12.5 image pixels
    matte = seg.matte(image, mode="portrait")
    alpha = matte.alpha
    assert matte.choice == "portrait" and alpha.shape == (100, 200)
    assert alpha[:, :90].min() > 0.99 and alpha[:, 110:].max() < 0.01
    assert (alpha[:, 99] - alpha[:, 100]).min() > 0.4  # the cut jumps where the image does
    assert set(matte.timings) >= {"inference", "mask", "refine"}
    assert (seg.alpha(image, mode="portrait") == alpha).all()


def test_product_mode_uses_an_installed_general_model(models):
    seg = Segmenter(models)
    matte = seg.matte(red_left_half((80, 40)), mode="product")
    assert matte.choice == "product" and "inference" in matte.timings
    assert matte.alpha[:, :30].min() > 0.99 and matte.alpha[:, 50:].max() < 0.01


def test_threads_sharing_a_segmenter_each_get_their_own_choice_and_timings(models):
    seg = Segmenter(models)
    image, other = red_left_half((80, 40)), red_left_half((60, 40))
    state = set(vars(seg))

    def run(mode: str, picture: Image.Image) -> list[tuple[str, bool]]:
        return [(m.choice, "inference" in m.timings)
                for m in (seg.matte(picture, mode=mode, remove_artifacts=False) for _ in range(15))]

    with ThreadPoolExecutor(2) as pool:
        portrait, product = pool.submit(run, "portrait", image), pool.submit(run, "product", other)
        assert portrait.result() == [("portrait", True)] * 15
        assert product.result() == [("product", True)] * 15
    assert set(vars(seg)) == state  # nothing of a call is kept on the shared instance


def test_get_segmenter_is_cached_per_directory(models):
    assert get_segmenter(models) is get_segmenter(str(models))


bundled = pytest.mark.skipif(not (BUNDLED.is_file() and SAMPLE.is_file()),
                             reason="bundled model not built (make model)")


@bundled
def test_bundled_portrait_model_cuts_out_the_astronaut():
    seg = get_segmenter(REPO / "models")
    image = Image.open(SAMPLE).convert("RGB")
    matte = seg.matte(image)
    alpha = matte.alpha
    assert matte.choice == "portrait"
    w, h = image.size
    face = alpha[int(0.2 * h):int(0.3 * h), int(0.38 * w):int(0.5 * w)]
    assert face.min() > 0.9
    assert alpha[: int(0.1 * h), int(0.75 * w):].max() < 0.1  # wall behind the rocket model
    assert alpha[: int(0.3 * h), : int(0.08 * w)].max() < 0.1  # the flag


@bundled
@pytest.mark.parametrize("mode", ["portrait", "product", "auto"])
def test_bundled_strength_is_monotonic_at_every_pixel_in_every_mode(mode):
    seg = get_segmenter(REPO / "models")
    image = Image.open(SAMPLE).convert("RGB")
    low, medium, high = (seg.alpha(image, mode=mode, strength=s) for s in ("low", "medium", "high"))
    assert (high <= medium).all() and (medium <= low).all()
    assert high.sum() < medium.sum() < low.sum()


@bundled
def test_bundled_auto_picks_product_for_an_object_on_a_plain_backdrop():
    pixels = np.full((600, 800, 3), 242, np.uint8)
    pixels[150:500, 300:500] = (30, 60, 150)
    seg = get_segmenter(REPO / "models")
    matte = seg.matte(Image.fromarray(pixels))
    alpha = matte.alpha
    assert matte.choice == "product"
    assert alpha[200:450, 350:450].min() > 0.95 and alpha[:100].max() < 0.05


@bundled
@pytest.mark.parametrize("mode, strength", [("portrait", "medium"), ("auto", "high"), ("auto", "medium")])
def test_bundled_demo_sample_is_opaque_inside_with_nothing_outside_the_person(mode, strength):
    """What `make demo` makes of its sample (a portrait conversion, a high-strength new asset), held
    to the hand-made reference: the straps, badge and glove opaque, no flag stripe left beside the arm."""
    from bench import quality_metrics as metrics

    image = Image.open(SAMPLE).convert("RGB")
    reference = np.asarray(Image.open(REPO / "bench" / "data" / "real" / "astronaut.png"), np.float32) / 255
    matte = get_segmenter(REPO / "models").matte(image, mode=mode, strength=strength)
    alpha = np.asarray(matte.cutout(image.copy()).convert("RGBA"))[..., 3].astype(np.float32) / 255
    assert metrics.see_through(alpha, reference) <= 0.01
    assert metrics.stray(alpha, reference) <= 0.008
    deep, _ = metrics.far_inside_outside(reference)
    assert np.mean(alpha[deep] == 1.0) >= 0.99  # opaque, not merely over one half
