"""ONNX model sessions: one base class owns the onnxruntime session, each model family says
how to feed it (size, layout, normalisation) and how to read its output."""
from __future__ import annotations

import logging
import os
from abc import ABC, abstractmethod
from pathlib import Path

import numpy as np
from PIL import Image

from imagegraphics.segmentation.registry import ModelEntry

logger = logging.getLogger(__name__)

MINMAX_MIN_PEAK = 0.5  # below this the model found nothing: its output is kept as it is


def optimized_path(path: Path, runtime_version: str) -> Path:
    """Where the build leaves `path`'s graph already optimized by this onnxruntime version
    (tools/build_model.py). The version is in the name: another runtime never reads it."""
    return path.with_name(f"{path.stem}.ort-{runtime_version}{path.suffix}")


def _threads() -> int:
    """Lambda gives 1 vCPU per ~1.8 GB; os.cpu_count() reports what the function really has."""
    override = os.environ.get("IMAGEGRAPHICS_ORT_THREADS")
    return int(override) if override else max(1, min(4, os.cpu_count() or 1))


class BaseSession(ABC):
    """Owns one onnxruntime InferenceSession on the CPU provider."""

    def __init__(self, entry: ModelEntry, path: Path):
        import onnxruntime as ort  # heavy import, only when a model is really used

        options = ort.SessionOptions()
        options.intra_op_num_threads = _threads()
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # no busy-waiting between runs: the rest of the render needs the same cores
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        # Planning buffers by the first run's pattern keeps ~190 MB for u2netp for good, for no
        # measurable speed (onnxruntime 1.32, 2 cores): a 24 MP render must stay under 1 GB.
        options.enable_mem_pattern = False
        self.entry = entry
        self.session = _load(ort, path, options)
        self.input_name = self.session.get_inputs()[0].name

    def predict(self, image: Image.Image) -> np.ndarray:
        """Foreground probability (float32, model resolution HxW, 0..1) for an RGB image."""
        (output, *_) = self.session.run(None, {self.input_name: self.preprocess(image)})
        return self.postprocess(np.asarray(output, np.float32))

    @abstractmethod
    def preprocess(self, image: Image.Image) -> np.ndarray:
        """The model's input tensor for an RGB image (size, layout and normalisation of the family)."""

    def postprocess(self, output: np.ndarray) -> np.ndarray:
        e = self.entry
        mask = output.reshape(-1, e.height, e.width)[0]  # [1,H,W,1] or [1,C,H,W]: first map
        if e.output == "logits":
            mask = 1.0 / (1.0 + np.exp(-mask))
        low, high = float(mask.min()), float(mask.max())
        # Stretching an output that is nowhere confident would turn noise into a subject: on a
        # flat image or pure noise u2netp peaks below 0.01, on a photo with a subject near 1.
        if e.postprocess == "minmax" and high >= MINMAX_MIN_PEAK:
            mask = (mask - low) / (high - low)
        return np.clip(mask, 0.0, 1.0).astype(np.float32)

    def resized(self, image: Image.Image) -> np.ndarray:
        """The image stretched to the model's input size (aspect not kept), float32 0..255 HxWx3."""
        size = (self.entry.width, self.entry.height)
        return np.asarray(image.resize(size, Image.BILINEAR, reducing_gap=2.0), np.float32)


def _load(ort, path: Path, options):
    """The session, from the build's pre-optimized copy when there is one: onnxruntime then skips
    the portable graph rewrites it would otherwise redo at every start (u2netp loads 2-2.5x
    faster, same outputs bit for bit). The hardware-specific layout rewrites still run here."""
    providers = ["CPUExecutionProvider"]
    optimized = optimized_path(path, ort.__version__)
    if optimized.is_file():
        try:
            return ort.InferenceSession(str(optimized), sess_options=options, providers=providers)
        except Exception:  # any reason the copy cannot be read: the model itself still works
            logger.warning("pre-optimized %s not loadable; using %s", optimized.name, path.name)
    return ort.InferenceSession(str(path), sess_options=options, providers=providers)


class SelfieSession(BaseSession):
    """MediaPipe selfie segmentation, fed as MediaPipe feeds it: stretched to the model size,
    RGB scaled to 0..1 with no mean/std, NHWC; out comes [1,H,W,1] probabilities."""

    def preprocess(self, image: Image.Image) -> np.ndarray:
        return (self.resized(image) * np.float32(1 / 255))[None]


class GeneralSession(BaseSession):
    """U2-Net / IS-Net / BiRefNet style: mean/std, scale and layout (NCHW for these) from the registry."""

    def preprocess(self, image: Image.Image) -> np.ndarray:
        e = self.entry
        x = self.resized(image) * np.float32(e.scale)
        x = (x - np.asarray(e.mean, np.float32)) / np.asarray(e.std, np.float32)
        x = x if e.layout == "NHWC" else x.transpose(2, 0, 1)
        return np.ascontiguousarray(x[None], np.float32)


SESSION_CLASSES: dict[str, type[BaseSession]] = {"portrait": SelfieSession, "general": GeneralSession}


def open_session(entry: ModelEntry, path: Path) -> BaseSession:
    """A session for a registry entry: its kind picks the class, general layout when unknown."""
    return SESSION_CLASSES.get(entry.kind, GeneralSession)(entry, path)
