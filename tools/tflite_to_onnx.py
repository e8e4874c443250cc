"""Convert a float TFLite model (MediaPipe's selfie segmentation family) to ONNX.

The flatbuffer is read with the `tflite` package and the graph is written with `onnx.helper`.
Activations are NHWC in TFLite; the ONNX graph transposes the input to NCHW once, keeps every
4-D tensor in NCHW, and transposes the output back, so the public interface stays the upstream
one (NHWC in, NHWC out). Only the ops these models use are supported; anything else is refused
by name rather than converted wrongly.

    python -m tools.tflite_to_onnx model.tflite model.onnx
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import onnx
import tflite
from onnx import TensorProto, helper, numpy_helper
from tflite.BuiltinOperator import BuiltinOperator

from tools.tflite_ops import CUSTOM_OPS, NCHW, OPS, UnsupportedModel, same_pads

__all__ = ["convert", "convert_file", "same_pads", "UnsupportedModel"]

OPSET = 18
IR_VERSION = 8  # the lowest IR that carries opset 18: loads in any onnxruntime >= 1.14
PRODUCER = "imagegraphics.tools.tflite_to_onnx"
PRODUCER_VERSION = "1"
INPUT_NAME = "input"
OUTPUT_NAME = "output"

_OP_NAMES = {v: k for k, v in vars(BuiltinOperator).items() if not k.startswith("_")}
_NP_TYPES = {0: np.float32, 1: np.float16, 2: np.int32, 4: np.int64}


class _Converter:
    def __init__(self, buf: bytes):
        self.model = tflite.Model.GetRootAsModel(buf, 0)
        if self.model.SubgraphsLength() != 1:
            raise UnsupportedModel("only single-subgraph models are supported")
        self.graph = self.model.Subgraphs(0)
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: dict[str, onnx.TensorProto] = {}
        self.consts: dict[int, np.ndarray] = {}  # tensor index -> constant value (TFLite layout)
        self.names: dict[int, str] = {}  # tensor index -> ONNX value name
        self._counter = 0

    # -- tensors ---------------------------------------------------------------------------
    def shape(self, idx: int) -> list[int]:
        return self.graph.Tensors(idx).ShapeAsNumpy().tolist()

    def const(self, idx: int) -> np.ndarray | None:
        if idx in self.consts:
            return self.consts[idx]
        tensor = self.graph.Tensors(idx)
        data = self.model.Buffers(tensor.Buffer()).DataAsNumpy()
        if isinstance(data, int) or data.size == 0:
            return None
        dtype = _NP_TYPES.get(tensor.Type())
        if dtype is None:
            raise UnsupportedModel(f"tensor {tensor.Name()!r}: unsupported type {tensor.Type()}")
        value = np.frombuffer(data.tobytes(), dtype=dtype).reshape(self.shape(idx))
        self.consts[idx] = value
        return value

    def fresh(self, hint: str) -> str:
        self._counter += 1
        return f"{hint}_{self._counter}"

    def add_init(self, hint: str, value: np.ndarray) -> str:
        name = self.fresh(hint)
        self.initializers[name] = numpy_helper.from_array(np.ascontiguousarray(value), name)
        return name

    def value(self, idx: int) -> str:
        """ONNX name of an activation, or of a constant laid out for an NCHW graph."""
        if idx in self.names:
            return self.names[idx]
        value = self.const(idx)
        if value is None:
            raise UnsupportedModel(f"tensor {idx} is used before it is produced")
        if value.ndim == 4:
            value = value.transpose(NCHW)
        elif value.ndim == 1 and value.dtype == np.float32 and value.size > 1:
            value = value.reshape(-1, 1, 1)  # per-channel constant broadcasts over H, W
        self.names[idx] = self.add_init("const", value.astype(np.float32))
        return self.names[idx]

    def emit(self, op_type: str, inputs: list[str], output: str | None = None, **attrs) -> str:
        output = output or self.fresh(op_type.lower())
        self.nodes.append(helper.make_node(op_type, inputs, [output], **attrs))
        return output

    def activation(self, name: str, fused: int) -> str:
        # tflite.ActivationFunctionType: NONE 0, RELU 1, RELU_N1_TO_1 2, RELU6 3, TANH 4
        if fused == 0:
            return name
        if fused == 1:
            return self.emit("Relu", [name])
        if fused in (2, 3):
            lo, hi = (-1.0, 1.0) if fused == 2 else (0.0, 6.0)
            bounds = [self.add_init("lo", np.array(lo, np.float32)), self.add_init("hi", np.array(hi, np.float32))]
            return self.emit("Clip", [name, *bounds])
        if fused == 4:
            return self.emit("Tanh", [name])
        raise UnsupportedModel(f"fused activation {fused}")

    # -- ops -------------------------------------------------------------------------------
    def convert(self) -> onnx.ModelProto:
        g = self.graph
        if g.InputsLength() != 1 or g.OutputsLength() != 1:
            raise UnsupportedModel("expected one input and one output")
        in_idx, out_idx = g.Inputs(0), g.Outputs(0)
        in_shape, out_shape = self.shape(in_idx), self.shape(out_idx)
        self.names[in_idx] = self.emit("Transpose", [INPUT_NAME], perm=list(NCHW))
        for i in range(g.OperatorsLength()):
            self.convert_op(g.Operators(i))
        final = self.names[out_idx]
        self.emit("Transpose", [final], OUTPUT_NAME, perm=[0, 2, 3, 1])
        graph = helper.make_graph(
            self.nodes,
            "selfie_segmentation",
            [helper.make_tensor_value_info(INPUT_NAME, TensorProto.FLOAT, in_shape)],
            [helper.make_tensor_value_info(OUTPUT_NAME, TensorProto.FLOAT, out_shape)],
            initializer=list(self.initializers.values()),
        )
        model = helper.make_model(
            graph,
            opset_imports=[helper.make_opsetid("", OPSET)],
            producer_name=PRODUCER,
            producer_version=PRODUCER_VERSION,
            ir_version=IR_VERSION,
        )
        onnx.checker.check_model(model, full_check=True)
        return model

    def convert_op(self, op) -> None:
        code = self.model.OperatorCodes(op.OpcodeIndex())
        name = _OP_NAMES.get(max(code.BuiltinCode(), code.DeprecatedBuiltinCode()), "?")
        if name == "CUSTOM":
            name = code.CustomCode().decode()
            handler = CUSTOM_OPS.get(name)
        else:
            handler = OPS.get(name)
        if handler is None:
            raise UnsupportedModel(f"op {name} is not supported")
        out = int(op.OutputsAsNumpy()[0])
        result = handler(self, op, [int(i) for i in op.InputsAsNumpy()], out)
        if result is not None:
            self.names[out] = result


def convert(tflite_bytes: bytes) -> onnx.ModelProto:
    """Return the ONNX model for a TFLite flatbuffer (deterministic: same bytes in, same bytes out)."""
    return _Converter(tflite_bytes).convert()


def convert_file(src: Path, dst: Path) -> bytes:
    data = convert(Path(src).read_bytes()).SerializeToString(deterministic=True)
    Path(dst).write_bytes(data)
    return data


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python -m tools.tflite_to_onnx MODEL.tflite MODEL.onnx")
    convert_file(Path(sys.argv[1]), Path(sys.argv[2]))
