"""The TFLite -> ONNX converter on tiny hand-built flatbuffers, checked against numpy references."""

import struct

import flatbuffers
import numpy as np
import onnxruntime as ort
import pytest
import tflite
from tflite.BuiltinOperator import BuiltinOperator
from tflite.BuiltinOptions import BuiltinOptions

from tools.tflite_to_onnx import UnsupportedModel, convert, same_pads

FLOAT32 = 0
RELU6 = 3
SAME = 0
RNG = np.random.default_rng(7)


def build_tflite(tensors, op_code, inputs, outputs, builtin=None, custom=None, custom_options=b""):
    """One-op TFLite model. tensors: list of (shape, constant array or None); tensor 0 is the input."""
    b = flatbuffers.Builder(1024)

    def int_vector(start, values):
        start(b, len(values))
        for v in reversed(values):
            b.PrependInt32(v)
        return b.EndVector()

    buffers = []
    for _, data in [((), None)] + tensors:  # buffer 0 is the conventional empty buffer
        payload = None
        if data is not None:
            payload = b.CreateNumpyVector(np.frombuffer(np.ascontiguousarray(data).tobytes(), np.uint8))
        tflite.BufferStart(b)
        if payload is not None:
            tflite.BufferAddData(b, payload)
        buffers.append(tflite.BufferEnd(b))
    tensor_offsets = []
    for i, (shape, _) in enumerate(tensors):
        shape_vec = int_vector(tflite.TensorStartShapeVector, list(shape))
        name = b.CreateString(f"t{i}")
        tflite.TensorStart(b)
        tflite.TensorAddShape(b, shape_vec)
        tflite.TensorAddType(b, FLOAT32)
        tflite.TensorAddBuffer(b, i + 1)
        tflite.TensorAddName(b, name)
        tensor_offsets.append(tflite.TensorEnd(b))

    options = builtin(b) if builtin else None
    custom_vec = b.CreateByteVector(custom_options) if custom else None
    in_vec = int_vector(tflite.OperatorStartInputsVector, inputs)
    out_vec = int_vector(tflite.OperatorStartOutputsVector, outputs)
    tflite.OperatorStart(b)
    tflite.OperatorAddOpcodeIndex(b, 0)
    tflite.OperatorAddInputs(b, in_vec)
    tflite.OperatorAddOutputs(b, out_vec)
    if options is not None:
        tflite.OperatorAddBuiltinOptionsType(b, options[0])
        tflite.OperatorAddBuiltinOptions(b, options[1])
    if custom_vec is not None:
        tflite.OperatorAddCustomOptions(b, custom_vec)
    operator = tflite.OperatorEnd(b)

    custom_name = b.CreateString(custom) if custom else None
    tflite.OperatorCodeStart(b)
    tflite.OperatorCodeAddDeprecatedBuiltinCode(b, op_code)
    tflite.OperatorCodeAddBuiltinCode(b, op_code)
    if custom_name is not None:
        tflite.OperatorCodeAddCustomCode(b, custom_name)
    opcode = tflite.OperatorCodeEnd(b)

    def table_vector(start, items):
        start(b, len(items))
        for item in reversed(items):
            b.PrependUOffsetTRelative(item)
        return b.EndVector()

    tensors_vec = table_vector(tflite.SubGraphStartTensorsVector, tensor_offsets)
    ops_vec = table_vector(tflite.SubGraphStartOperatorsVector, [operator])
    sg_in, sg_out = int_vector(tflite.SubGraphStartInputsVector, [0]), int_vector(tflite.SubGraphStartOutputsVector, outputs)
    tflite.SubGraphStart(b)
    tflite.SubGraphAddTensors(b, tensors_vec)
    tflite.SubGraphAddInputs(b, sg_in)
    tflite.SubGraphAddOutputs(b, sg_out)
    tflite.SubGraphAddOperators(b, ops_vec)
    subgraph = tflite.SubGraphEnd(b)

    codes_vec = table_vector(tflite.ModelStartOperatorCodesVector, [opcode])
    subgraphs_vec = table_vector(tflite.ModelStartSubgraphsVector, [subgraph])
    buffers_vec = table_vector(tflite.ModelStartBuffersVector, buffers)
    tflite.ModelStart(b)
    tflite.ModelAddVersion(b, 3)
    tflite.ModelAddOperatorCodes(b, codes_vec)
    tflite.ModelAddSubgraphs(b, subgraphs_vec)
    tflite.ModelAddBuffers(b, buffers_vec)
    b.Finish(tflite.ModelEnd(b), file_identifier=b"TFL3")
    return bytes(b.Output())


def run_onnx(tflite_bytes, x):
    model = convert(tflite_bytes).SerializeToString(deterministic=True)
    session = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
    return session.run(None, {"input": x})[0]


def test_transpose_conv_bias_matches_numpy_reference():
    x = RNG.standard_normal((1, 3, 4, 2)).astype(np.float32)
    w = RNG.standard_normal((3, 2, 2, 2)).astype(np.float32)  # [out, kh, kw, in]
    bias = np.array([0.5, -1.0, 2.0], np.float32)
    options = struct.pack("<3i", 1, 2, 2)  # {padding SAME, stride_w 2, stride_h 2}
    model = build_tflite(
        [((1, 3, 4, 2), None), ((3, 2, 2, 2), w), ((3,), bias), ((1, 6, 8, 3), None)],
        BuiltinOperator.CUSTOM, [0, 1, 2], [3], custom="Convolution2DTransposeBias", custom_options=options,
    )
    # each input pixel spreads over its own 2x2 block of the output
    expected = np.zeros((1, 6, 8, 3), np.float32)
    for a in range(2):
        for b in range(2):
            expected[:, a::2, b::2, :] = np.einsum("nijc,oc->nijo", x, w[:, a, b, :])
    expected += bias
    np.testing.assert_allclose(run_onnx(model, x), expected, atol=1e-5)


def conv_options(stride, activation):
    def build(b):
        tflite.Conv2DOptionsStart(b)
        tflite.Conv2DOptionsAddPadding(b, SAME)
        tflite.Conv2DOptionsAddStrideW(b, stride)
        tflite.Conv2DOptionsAddStrideH(b, stride)
        tflite.Conv2DOptionsAddFusedActivationFunction(b, activation)
        return BuiltinOptions.Conv2DOptions, tflite.Conv2DOptionsEnd(b)
    return build


def test_conv_same_padding_is_asymmetric_and_fused_relu6_applies():
    # height 5 pads (1, 1); width 6 pads (0, 1): TFLite puts the odd pixel after
    x = (RNG.standard_normal((1, 5, 6, 2)) * 4).astype(np.float32)
    w = RNG.standard_normal((4, 3, 3, 2)).astype(np.float32)  # [out, kh, kw, in]
    bias = np.linspace(-1, 1, 4, dtype=np.float32)
    model = build_tflite(
        [((1, 5, 6, 2), None), ((4, 3, 3, 2), w), ((4,), bias), ((1, 3, 3, 4), None)],
        BuiltinOperator.CONV_2D, [0, 1, 2], [3], builtin=conv_options(2, RELU6),
    )
    padded = np.pad(x, ((0, 0), (1, 1), (0, 1), (0, 0)))
    expected = np.zeros((1, 3, 3, 4), np.float32)
    for i in range(3):
        for j in range(3):
            patch = padded[0, 2 * i:2 * i + 3, 2 * j:2 * j + 3, :]
            expected[0, i, j] = np.einsum("hwc,ohwc->o", patch, w) + bias
    expected = np.clip(expected, 0, 6)
    assert 0 < (expected == 6).sum() and 0 < (expected == 0).sum()  # both clip ends exercised
    np.testing.assert_allclose(run_onnx(model, x), expected, atol=1e-5)


@pytest.mark.parametrize(("size", "kernel", "stride", "pads"), [(256, 3, 2, (0, 1)), (5, 3, 2, (1, 1)), (144, 5, 1, (2, 2)), (9, 1, 1, (0, 0))])
def test_same_pads(size, kernel, stride, pads):
    assert same_pads(size, kernel, stride) == pads


def test_unknown_custom_op_is_refused_by_name():
    model = build_tflite(
        [((1, 2, 2, 1), None), ((1, 2, 2, 1), None)], BuiltinOperator.CUSTOM, [0], [1], custom="MaxPoolingWithArgmax2D",
    )
    with pytest.raises(UnsupportedModel, match="MaxPoolingWithArgmax2D"):
        convert(model)


def test_conversion_is_byte_for_byte_repeatable():
    w = np.ones((1, 2, 2, 1), np.float32)
    model = build_tflite(
        [((1, 2, 2, 1), None), ((1, 2, 2, 1), w), ((1,), np.zeros(1, np.float32)), ((1, 4, 4, 1), None)],
        BuiltinOperator.CUSTOM, [0, 1, 2], [3], custom="Convolution2DTransposeBias", custom_options=struct.pack("<3i", 1, 2, 2),
    )
    first = convert(model).SerializeToString(deterministic=True)
    assert first == convert(model).SerializeToString(deterministic=True)
