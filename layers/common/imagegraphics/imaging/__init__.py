"""Pure imaging: decode with limits, crop, resize, canvas, background, graphics, border, encode.

Knows nothing of AWS: image bytes come in through an ImageLoader passed by the caller.
"""
from imagegraphics.imaging.types import ImageLoader, RenderLimits, RenderResult


def __getattr__(name: str):
    # render_asset pulls in the request package; keep `decode`-only users (ingest) light.
    if name == "render_asset":
        from imagegraphics.imaging.blas import one_blas_thread
        from imagegraphics.imaging.heap import reuse_freed_memory
        from imagegraphics.imaging.pipeline import render_asset

        reuse_freed_memory()  # the process renders: full-frame buffers are reused, not refaulted
        one_blas_thread()  # and its BLAS calls are too small for idle workers spinning beside it

        return render_asset
    raise AttributeError(name)


__all__ = ["ImageLoader", "RenderLimits", "RenderResult", "render_asset"]
