"""ONNX equivalents of the TFLite ops in MediaPipe's selfie segmentation models.

Each handler gets the converter `c` (tensor lookup and node emission, see tools.tflite_to_onnx), the
TFLite operator, its input tensor indices and its output index, and returns the ONNX value name of
the result (or None when it only folded a constant). 4-D activations are NCHW on the ONNX side.
"""

from __future__ import annotations

import struct

import numpy as np
import tflite

_PADDING_VALID = 1  # tflite.Padding in builtin options (SAME is 0)
_TFLITE_C_PADDING_SAME = 1  # the TfLitePadding C enum, used by the custom op's raw options
NCHW = (0, 3, 1, 2)  # NHWC -> NCHW permutation


class UnsupportedModel(ValueError):
    """The model uses an op or a form this converter does not handle."""


def same_pads(size: int, kernel: int, stride: int, dilation: int = 1) -> tuple[int, int]:
    """TFLite SAME padding: output = ceil(size / stride); the odd pixel goes after (bottom/right)."""
    out = -(-size // stride)
    total = max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0)
    return total // 2, total - total // 2


def op_dequantize(c, op, ins, out):
    value = c.const(ins[0])
    if value is None:
        raise UnsupportedModel("DEQUANTIZE of a non-constant tensor")
    if value.dtype != np.float16:
        raise UnsupportedModel("only float16 -> float32 DEQUANTIZE is supported")
    c.consts[out] = value.astype(np.float32)  # exact: every float16 is a float32


def _options(op, cls):
    table = op.BuiltinOptions()
    opts = cls()
    opts.Init(table.Bytes, table.Pos)
    return opts


def _conv_pads(in_shape, kernel, strides, dilations, padding) -> list[int]:
    if padding == _PADDING_VALID:
        return [0, 0, 0, 0]
    (top, bottom), (left, right) = (
        same_pads(in_shape[1], kernel[0], strides[0], dilations[0]),
        same_pads(in_shape[2], kernel[1], strides[1], dilations[1]),
    )
    return [top, left, bottom, right]


def op_conv_2d(c, op, ins, out, depthwise=False):
    cls = tflite.DepthwiseConv2DOptions if depthwise else tflite.Conv2DOptions
    o = _options(op, cls)
    weights = c.const(ins[1])
    if weights is None:
        raise UnsupportedModel("convolution weights must be constant")
    in_shape = c.shape(ins[0])
    kernel = list(weights.shape[1:3])
    strides = [o.StrideH(), o.StrideW()]
    dilations = [o.DilationHFactor(), o.DilationWFactor()]
    group = 1
    if depthwise:  # [1, KH, KW, C*M] -> [C*M, 1, KH, KW], one group per input channel
        w = weights.transpose(3, 0, 1, 2)
        group = in_shape[3]
    else:  # [O, KH, KW, I] -> [O, I, KH, KW]
        w = weights.transpose(0, 3, 1, 2)
    inputs = [c.value(ins[0]), c.add_init("weight", w.astype(np.float32))]
    if len(ins) > 2 and ins[2] >= 0:
        inputs.append(c.add_init("bias", c.const(ins[2]).astype(np.float32)))
    y = c.emit(
        "Conv", inputs, kernel_shape=kernel, strides=strides, dilations=dilations, group=group,
        pads=_conv_pads(in_shape, kernel, strides, dilations, o.Padding()),
    )
    return c.activation(y, o.FusedActivationFunction())


def op_depthwise_conv_2d(c, op, ins, out):
    return op_conv_2d(c, op, ins, out, depthwise=True)


def transpose_conv_bias(c, op, ins, out):
    raw = bytes(op.CustomOptionsAsNumpy())
    if len(raw) != 12:
        raise UnsupportedModel("Convolution2DTransposeBias options must be 12 bytes")
    padding, stride_w, stride_h = struct.unpack("<3i", raw)
    weights, bias = c.const(ins[1]), c.const(ins[2])
    in_h, in_w = c.shape(ins[0])[1:3]
    out_h, out_w = c.shape(out)[1:3]
    kh, kw = weights.shape[1:3]
    pads = [0, 0, 0, 0]
    for axis, (size, k, s, o_size) in enumerate(((in_h, kh, stride_h, out_h), (in_w, kw, stride_w, out_w))):
        total = (size - 1) * s + k - o_size
        if total < 0 or (padding != _TFLITE_C_PADDING_SAME and total != 0):
            raise UnsupportedModel("transposed conv output shape does not match its options")
        pads[axis], pads[axis + 2] = total // 2, total - total // 2
    # [O, KH, KW, I] -> ONNX ConvTranspose weight [I, O, KH, KW]
    w = weights.transpose(3, 0, 1, 2).astype(np.float32)
    inputs = [c.value(ins[0]), c.add_init("weight", w), c.add_init("bias", bias.astype(np.float32))]
    return c.emit("ConvTranspose", inputs, kernel_shape=[kh, kw], strides=[stride_h, stride_w], pads=pads)


def _binary(c, op_type, op, ins, cls):
    y = c.emit(op_type, [c.value(ins[0]), c.value(ins[1])])
    return c.activation(y, _options(op, cls).FusedActivationFunction())


def op_add(c, op, ins, out):
    return _binary(c, "Add", op, ins, tflite.AddOptions)


def op_mul(c, op, ins, out):
    return _binary(c, "Mul", op, ins, tflite.MulOptions)


def op_relu(c, op, ins, out):
    return c.emit("Relu", [c.value(ins[0])])


def op_logistic(c, op, ins, out):
    return c.emit("Sigmoid", [c.value(ins[0])])


def op_hard_swish(c, op, ins, out):
    return c.emit("HardSwish", [c.value(ins[0])])  # x * relu6(x + 3) / 6, as TFLite


def op_average_pool_2d(c, op, ins, out):
    o = _options(op, tflite.Pool2DOptions)
    kernel, strides = [o.FilterHeight(), o.FilterWidth()], [o.StrideH(), o.StrideW()]
    pads = _conv_pads(c.shape(ins[0]), kernel, strides, [1, 1], o.Padding())
    # TFLite averages over the valid pixels only, which is ONNX's count_include_pad=0
    y = c.emit("AveragePool", [c.value(ins[0])], kernel_shape=kernel, strides=strides, pads=pads)
    return c.activation(y, o.FusedActivationFunction())


def op_mean(c, op, ins, out):
    axes = c.const(ins[1])
    if axes is None or len(c.shape(ins[0])) != 4:
        raise UnsupportedModel("MEAN needs constant axes on a 4-D tensor")
    keep = _options(op, tflite.ReducerOptions).KeepDims()
    if not keep:
        raise UnsupportedModel("MEAN without keep_dims")
    nchw_axes = sorted(NCHW.index(int(a) % 4) for a in axes.reshape(-1))
    axes_name = c.add_init("axes", np.array(nchw_axes, np.int64))
    return c.emit("ReduceMean", [c.value(ins[0]), axes_name], keepdims=1)


def op_resize_bilinear(c, op, ins, out):
    o = _options(op, tflite.ResizeBilinearOptions)
    if o.AlignCorners():
        mode = "align_corners"
    elif o.HalfPixelCenters():
        mode = "half_pixel"
    else:
        mode = "asymmetric"
    n, _, _, channels = c.shape(ins[0])
    h, w = (int(v) for v in c.const(ins[1]).reshape(-1))
    sizes = c.add_init("sizes", np.array([n, channels, h, w], np.int64))
    return c.emit("Resize", [c.value(ins[0]), "", "", sizes], mode="linear",
                     coordinate_transformation_mode=mode)


def op_reshape(c, op, ins, out):
    in_shape, out_shape = c.shape(ins[0]), c.shape(out)
    if len(in_shape) == 4 and len(out_shape) == 4 and in_shape[1:3] == out_shape[1:3] == [1, 1]:
        shape = [out_shape[0], out_shape[3], 1, 1]
    elif len(in_shape) != 4 and len(out_shape) != 4:
        shape = out_shape
    else:
        raise UnsupportedModel(f"RESHAPE {in_shape} -> {out_shape} changes the layout")
    return c.emit("Reshape", [c.value(ins[0]), c.add_init("shape", np.array(shape, np.int64))])


OPS = {
    "DEQUANTIZE": op_dequantize,
    "CONV_2D": op_conv_2d,
    "DEPTHWISE_CONV_2D": op_depthwise_conv_2d,
    "ADD": op_add,
    "MUL": op_mul,
    "RELU": op_relu,
    "LOGISTIC": op_logistic,
    "HARD_SWISH": op_hard_swish,
    "AVERAGE_POOL_2D": op_average_pool_2d,
    "MEAN": op_mean,
    "RESIZE_BILINEAR": op_resize_bilinear,
    "RESHAPE": op_reshape,
}
CUSTOM_OPS = {"Convolution2DTransposeBias": transpose_conv_bias}
