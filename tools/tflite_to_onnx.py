"""Convert a float TFLite model (MediaPipe's selfie segmentation family) to ONNX.

The flatbuffer is read with the `tflite` package and the graph is written with `onnx.helper`.
Activations are NHWC in TFLite; the ONNX graph transposes the input to NCHW once, keeps every
4-D tensor in NCHW, and transposes the output back, so the public interface stays the upstream
one (NHWC in, NHWC out). Only the ops these models use are supported; anything else is refused
by name rather than converted wrongly.

    python -m tools.tflite_to_onnx model.tflite model.onnx
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

import numpy as np
import onnx
import tflite
from onnx import TensorProto, helper, numpy_helper
from tflite.BuiltinOperator import BuiltinOperator
from tflite.BuiltinOptions import BuiltinOptions

OPSET = 18
IR_VERSION = 8  # the lowest IR that carries opset 18: loads in any onnxruntime >= 1.14
PRODUCER = "imagegraphics.tools.tflite_to_onnx"
PRODUCER_VERSION = "1"
INPUT_NAME = "input"
OUTPUT_NAME = "output"

_OP_NAMES = {v: k for k, v in vars(BuiltinOperator).items() if not k.startswith("_")}
_NP_TYPES = {0: np.float32, 1: np.float16, 2: np.int32, 4: np.int64}
_PADDING_SAME, _PADDING_VALID = 0, 1  # tflite.Padding in builtin options
_TFLITE_C_PADDING_SAME = 1  # TfLitePadding enum, used by the custom op's raw options
_NCHW, _NHWC_TO_NCHW = (0, 3, 1, 2), (0, 3, 1, 2)


class UnsupportedModel(ValueError):
    """The model uses an op or a form this converter does not handle."""


def same_pads(size: int, kernel: int, stride: int, dilation: int = 1) -> tuple[int, int]:
    """TFLite SAME padding: output = ceil(size / stride); the odd pixel goes after (bottom/right)."""
    out = -(-size // stride)
    total = max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0)
    return total // 2, total - total // 2


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
            value = value.transpose(_NHWC_TO_NCHW)
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
        self.names[in_idx] = self.emit("Transpose", [INPUT_NAME], perm=list(_NCHW))
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
        ins = [int(i) for i in op.InputsAsNumpy()]
        out = int(op.OutputsAsNumpy()[0])
        if name == "CUSTOM":
            custom = code.CustomCode().decode()
            if custom != "Convolution2DTransposeBias":
                raise UnsupportedModel(f"custom op {custom!r}")
            self.names[out] = self.transpose_conv_bias(op, ins, out)
            return
        handler = getattr(self, f"op_{name.lower()}", None)
        if handler is None:
            raise UnsupportedModel(f"op {name}")
        result = handler(op, ins, out)
        if result is not None:
            self.names[out] = result

    def op_dequantize(self, op, ins, out):
        value = self.const(ins[0])
        if value is None:
            raise UnsupportedModel("DEQUANTIZE of a non-constant tensor")
        if value.dtype != np.float16:
            raise UnsupportedModel("only float16 -> float32 DEQUANTIZE is supported")
        self.consts[out] = value.astype(np.float32)  # exact: every float16 is a float32

    def _options(self, op, cls):
        table = op.BuiltinOptions()
        opts = cls()
        opts.Init(table.Bytes, table.Pos)
        return opts

    def _conv_pads(self, in_shape, kernel, strides, dilations, padding) -> list[int]:
        if padding == _PADDING_VALID:
            return [0, 0, 0, 0]
        (top, bottom), (left, right) = (
            same_pads(in_shape[1], kernel[0], strides[0], dilations[0]),
            same_pads(in_shape[2], kernel[1], strides[1], dilations[1]),
        )
        return [top, left, bottom, right]

    def op_conv_2d(self, op, ins, out, depthwise=False):
        cls = tflite.DepthwiseConv2DOptions if depthwise else tflite.Conv2DOptions
        o = self._options(op, cls)
        weights = self.const(ins[1])
        if weights is None:
            raise UnsupportedModel("convolution weights must be constant")
        in_shape = self.shape(ins[0])
        kernel = list(weights.shape[1:3])
        strides = [o.StrideH(), o.StrideW()]
        dilations = [o.DilationHFactor(), o.DilationWFactor()]
        group = 1
        if depthwise:  # [1, KH, KW, C*M] -> [C*M, 1, KH, KW], one group per input channel
            w = weights.transpose(3, 0, 1, 2)
            group = in_shape[3]
        else:  # [O, KH, KW, I] -> [O, I, KH, KW]
            w = weights.transpose(0, 3, 1, 2)
        inputs = [self.value(ins[0]), self.add_init("weight", w.astype(np.float32))]
        if len(ins) > 2 and ins[2] >= 0:
            inputs.append(self.add_init("bias", self.const(ins[2]).astype(np.float32)))
        y = self.emit(
            "Conv", inputs, kernel_shape=kernel, strides=strides, dilations=dilations, group=group,
            pads=self._conv_pads(in_shape, kernel, strides, dilations, o.Padding()),
        )
        return self.activation(y, o.FusedActivationFunction())

    def op_depthwise_conv_2d(self, op, ins, out):
        return self.op_conv_2d(op, ins, out, depthwise=True)

    def transpose_conv_bias(self, op, ins, out):
        raw = bytes(op.CustomOptionsAsNumpy())
        if len(raw) != 12:
            raise UnsupportedModel("Convolution2DTransposeBias options must be 12 bytes")
        padding, stride_w, stride_h = struct.unpack("<3i", raw)
        weights, bias = self.const(ins[1]), self.const(ins[2])
        in_h, in_w = self.shape(ins[0])[1:3]
        out_h, out_w = self.shape(out)[1:3]
        kh, kw = weights.shape[1:3]
        pads = [0, 0, 0, 0]
        for axis, (size, k, s, o_size) in enumerate(((in_h, kh, stride_h, out_h), (in_w, kw, stride_w, out_w))):
            total = (size - 1) * s + k - o_size
            if total < 0 or (padding != _TFLITE_C_PADDING_SAME and total != 0):
                raise UnsupportedModel("transposed conv output shape does not match its options")
            pads[axis], pads[axis + 2] = total // 2, total - total // 2
        # [O, KH, KW, I] -> ONNX ConvTranspose weight [I, O, KH, KW]
        w = weights.transpose(3, 0, 1, 2).astype(np.float32)
        inputs = [self.value(ins[0]), self.add_init("weight", w), self.add_init("bias", bias.astype(np.float32))]
        return self.emit("ConvTranspose", inputs, kernel_shape=[kh, kw], strides=[stride_h, stride_w], pads=pads)

    def _binary(self, op_type, op, ins, cls):
        y = self.emit(op_type, [self.value(ins[0]), self.value(ins[1])])
        return self.activation(y, self._options(op, cls).FusedActivationFunction())

    def op_add(self, op, ins, out):
        return self._binary("Add", op, ins, tflite.AddOptions)

    def op_mul(self, op, ins, out):
        return self._binary("Mul", op, ins, tflite.MulOptions)

    def op_relu(self, op, ins, out):
        return self.emit("Relu", [self.value(ins[0])])

    def op_logistic(self, op, ins, out):
        return self.emit("Sigmoid", [self.value(ins[0])])

    def op_hard_swish(self, op, ins, out):
        return self.emit("HardSwish", [self.value(ins[0])])  # x * relu6(x + 3) / 6, as TFLite

    def op_average_pool_2d(self, op, ins, out):
        o = self._options(op, tflite.Pool2DOptions)
        kernel, strides = [o.FilterHeight(), o.FilterWidth()], [o.StrideH(), o.StrideW()]
        pads = self._conv_pads(self.shape(ins[0]), kernel, strides, [1, 1], o.Padding())
        # TFLite averages over the valid pixels only, which is ONNX's count_include_pad=0
        y = self.emit("AveragePool", [self.value(ins[0])], kernel_shape=kernel, strides=strides, pads=pads)
        return self.activation(y, o.FusedActivationFunction())

    def op_mean(self, op, ins, out):
        axes = self.const(ins[1])
        if axes is None or len(self.shape(ins[0])) != 4:
            raise UnsupportedModel("MEAN needs constant axes on a 4-D tensor")
        keep = self._options(op, tflite.ReducerOptions).KeepDims()
        if not keep:
            raise UnsupportedModel("MEAN without keep_dims")
        nchw_axes = sorted(_NCHW.index(int(a) % 4) for a in axes.reshape(-1))
        axes_name = self.add_init("axes", np.array(nchw_axes, np.int64))
        return self.emit("ReduceMean", [self.value(ins[0]), axes_name], keepdims=1)

    def op_resize_bilinear(self, op, ins, out):
        o = self._options(op, tflite.ResizeBilinearOptions)
        if o.AlignCorners():
            mode = "align_corners"
        elif o.HalfPixelCenters():
            mode = "half_pixel"
        else:
            mode = "asymmetric"
        n, _, _, c = self.shape(ins[0])
        h, w = (int(v) for v in self.const(ins[1]).reshape(-1))
        sizes = self.add_init("sizes", np.array([n, c, h, w], np.int64))
        return self.emit("Resize", [self.value(ins[0]), "", "", sizes], mode="linear",
                         coordinate_transformation_mode=mode)

    def op_reshape(self, op, ins, out):
        in_shape, out_shape = self.shape(ins[0]), self.shape(out)
        if len(in_shape) == 4 and len(out_shape) == 4 and in_shape[1:3] == out_shape[1:3] == [1, 1]:
            shape = [out_shape[0], out_shape[3], 1, 1]
        elif len(in_shape) != 4 and len(out_shape) != 4:
            shape = out_shape
        else:
            raise UnsupportedModel(f"RESHAPE {in_shape} -> {out_shape} changes the layout")
        return self.emit("Reshape", [self.value(ins[0]), self.add_init("shape", np.array(shape, np.int64))])


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
