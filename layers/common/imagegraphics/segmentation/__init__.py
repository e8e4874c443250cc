"""Background-removal masks: model registry and sessions, the product matte, clean-up, and
edge-aware refinement to full resolution. Knows nothing of AWS."""
from imagegraphics.segmentation.segmenter import MODES, STRENGTH_THRESHOLD, Segmenter, get_segmenter

__all__ = ["MODES", "STRENGTH_THRESHOLD", "Segmenter", "get_segmenter"]
