"""Pre-optimized model copies (tools/build_model.optimize): used when present, same outputs,
and never a reason for a model to stop working."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper
from PIL import Image

from imagegraphics.segmentation.registry import ModelEntry, Registry
from imagegraphics.segmentation.sessions import GeneralSession, open_session, optimized_path
from tools.build_model import optimize

REPO = Path(__file__).resolve().parents[2]
MODELS = REPO / "models"
SAMPLE = REPO / "events" / "samples" / "astronaut.jpg"


def conv_model(path: Path) -> None:
    """Conv + BatchNormalization + Relu: a chain onnxruntime fuses at load time."""
    rng = np.random.default_rng(1)
    weight = numpy_helper.from_array(rng.standard_normal((4, 3, 3, 3)).astype(np.float32), "w")
    ones, zeros = np.ones(4, np.float32), np.zeros(4, np.float32)
    norm = [numpy_helper.from_array(v, n) for v, n in ((ones, "scale"), (zeros + 0.1, "bias"),
                                                       (zeros, "mean"), (ones, "var"))]
    squash = numpy_helper.from_array(np.full((1, 4, 1, 1), 0.25, np.float32), "squash")
    graph = helper.make_graph(
        [helper.make_node("Conv", ["input.1", "w"], ["c"], pads=[1, 1, 1, 1]),
         helper.make_node("BatchNormalization", ["c", "scale", "bias", "mean", "var"], ["n"]),
         helper.make_node("Relu", ["n"], ["r"]),
         helper.make_node("Conv", ["r", "squash"], ["mask"])],
        "tiny", [helper.make_tensor_value_info("input.1", TensorProto.FLOAT, [1, 3, 8, 8])],
        [helper.make_tensor_value_info("mask", TensorProto.FLOAT, [1, 1, 8, 8])], [weight, *norm, squash])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.save(model, path)


TINY = ModelEntry(name="tiny", file="tiny.onnx", kind="general", width=8, height=8, layout="NCHW")


def test_the_build_writes_a_copy_named_after_the_runtime_and_sessions_load_it(tmp_path):
    conv_model(tmp_path / "tiny.onnx")
    copy = optimize(tmp_path / "tiny.onnx")
    assert copy == tmp_path / f"tiny.ort-{ort.__version__}.onnx" == optimized_path(tmp_path / "tiny.onnx",
                                                                                   ort.__version__)
    fused = {node.op_type for node in onnx.load(copy).graph.node}
    assert "BatchNormalization" not in fused  # folded into the convolution: the rewrite is saved
    session = GeneralSession(TINY, tmp_path / "tiny.onnx")
    assert Path(session.session._model_path) == copy


def test_the_copy_and_the_model_answer_alike(tmp_path):
    conv_model(tmp_path / "tiny.onnx")
    plain = GeneralSession(TINY, tmp_path / "tiny.onnx")
    optimize(tmp_path / "tiny.onnx")
    fast = GeneralSession(TINY, tmp_path / "tiny.onnx")
    image = Image.fromarray(np.random.default_rng(2).integers(0, 256, (8, 8, 3), np.uint8))
    assert np.array_equal(plain.predict(image), fast.predict(image))


def test_an_unreadable_copy_falls_back_to_the_model(tmp_path, caplog):
    conv_model(tmp_path / "tiny.onnx")
    optimized_path(tmp_path / "tiny.onnx", ort.__version__).write_bytes(b"not a model")
    session = GeneralSession(TINY, tmp_path / "tiny.onnx")
    assert Path(session.session._model_path) == tmp_path / "tiny.onnx"
    assert "not loadable" in caplog.text
    assert session.predict(Image.new("RGB", (8, 8), (200, 10, 10))).shape == (8, 8)


def test_a_copy_from_another_runtime_version_is_not_read(tmp_path):
    conv_model(tmp_path / "tiny.onnx")
    optimized_path(tmp_path / "tiny.onnx", "0.0.0").write_bytes(b"from another runtime")
    session = GeneralSession(TINY, tmp_path / "tiny.onnx")
    assert Path(session.session._model_path) == tmp_path / "tiny.onnx"


def built_copies() -> list[str]:
    if not (MODELS / "registry.json").is_file():
        return []
    names = [e["name"] for e in json.loads((MODELS / "registry.json").read_text())]
    registry = Registry(MODELS)
    return [n for n in names if n in registry.entries and registry.path(registry.entries[n]).is_file()
            and optimized_path(registry.path(registry.entries[n]), ort.__version__).is_file()]


@pytest.mark.skipif(not built_copies() or not SAMPLE.is_file(), reason="bundled models not built")
@pytest.mark.parametrize("name", built_copies())
def test_bundled_models_answer_bit_for_bit_alike_from_their_copies(name, tmp_path):
    registry = Registry(MODELS)
    entry = registry.entries[name]
    alone = tmp_path / entry.file  # the model without its copy beside it
    alone.symlink_to(registry.path(entry))
    plain, fast = open_session(entry, alone), open_session(entry, registry.path(entry))
    assert Path(fast.session._model_path) == optimized_path(registry.path(entry), ort.__version__)
    photo = Image.open(SAMPLE).convert("RGB")
    for image in (photo, photo.transpose(Image.Transpose.ROTATE_90), Image.new("RGB", (64, 64), (240, 240, 240))):
        assert np.array_equal(plain.predict(image), fast.predict(image))
