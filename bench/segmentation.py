"""Segmentation benchmark: edge quality of the refinement vs bilinear, and time per stage.

Run from the repository root: .venv/bin/python bench/segmentation.py
Targets: mask + refinement <= 0.35 s at 12 MP with u2netp (0.7 s with u2net); 24 MP peak RSS <= 1 GB.
"""
from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from imagegraphics.segmentation import evaluate, get_segmenter, refine
from imagegraphics.segmentation.segmenter import (GUIDE_EPS, GUIDE_RADIUS, RAMP_WIDTH, STRENGTH_THRESHOLD,
                                                  working_image)

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "events" / "samples" / "astronaut.jpg"
SIZES = {"1 MP": (1200, 900), "12 MP": (4000, 3000)}
REPEAT = 7


def best_of(fn, repeat: int = REPEAT) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def edge_table() -> None:
    print("Edge error (mean |alpha - truth| within one model pixel of an edge; synthetic photo)")
    print(f"{'size':>6} {'bilinear':>9} {'refined':>9} {'ratio':>6} {'refined+medium':>15} {'ratio':>6}")
    for label, size in SIZES.items():
        image, truth = evaluate.synthetic(*size)
        mask = evaluate.low_res_mask(truth)
        plain = evaluate.edge_error(evaluate.bilinear(mask, size), truth)
        sharp = evaluate.edge_error(evaluate.refined(image, mask), truth)
        small = working_image(image)
        coef = refine.solve(np.asarray(small, np.float32), evaluate.bilinear(mask, small.size),
                            GUIDE_RADIUS, GUIDE_EPS).ramp(STRENGTH_THRESHOLD["medium"], RAMP_WIDTH)
        medium = evaluate.edge_error(refine.from_levels(refine.apply(coef, image)), truth)
        print(f"{label:>6} {plain:9.4f} {sharp:9.4f} {sharp / plain:6.2f} "
              f"{medium:15.4f} {medium / plain:6.2f}")


def timing_table() -> None:
    seg = get_segmenter()
    photo = Image.open(SAMPLE).convert("RGB")
    print(f"\nTime per call, best of {REPEAT} (ms); models from {seg.registry.directory}")
    print(f"{'size':>6} {'mode':>9} {'choice':>9} {'inference':>10} {'mask':>7} {'refine':>7} {'total':>7}")
    for label, size in SIZES.items():
        image = photo.resize(size, Image.BICUBIC)
        product_shot = Image.new("RGB", size, (242, 242, 240))
        product_shot.paste((30, 60, 150), (size[0] // 3, size[1] // 5, 2 * size[0] // 3, 4 * size[1] // 5))
        for mode, picture in (("auto", image), ("portrait", image), ("product", product_shot)):
            rows = []
            for _ in range(REPEAT):
                start = time.perf_counter()
                matte = seg.matte(picture, mode=mode)
                rows.append((time.perf_counter() - start, matte.timings, matte.choice))
            total, timings, choice = min(rows, key=lambda row: row[0])
            print(f"{label:>6} {mode:>9} {choice:>9} {timings.get('inference', 0) * 1000:10.1f} "
                  f"{timings['mask'] * 1000:7.1f} {timings['refine'] * 1000:7.1f} {total * 1000:7.1f}")
    print("target: mask + refine <= 350 ms at 12 MP with u2netp (<= 700 ms with u2net); bench/quality.py measures all methods")


def load_table() -> None:
    """Opening each model's session from the model as published and from the build's copy with the
    portable graph rewrites already done (what the service opens when the build made one)."""
    import onnxruntime as ort

    from imagegraphics.segmentation.sessions import open_session, optimized_path

    seg = get_segmenter()
    print(f"\nSession open, median of {REPEAT} (ms): the model as published, then the build's pre-optimized copy")
    print(f"{'model':>30} {'plain':>7} {'copy':>7} {'ratio':>6}")
    with tempfile.TemporaryDirectory() as folder:
        for entry in seg.registry.entries.values():
            path = seg.registry.path(entry)
            if not path.is_file() or not optimized_path(path, ort.__version__).is_file():
                continue
            alone = Path(folder) / entry.file  # no copy beside it: the plain model is opened
            alone.symlink_to(path)
            times = {}
            for label, source in (("plain", alone), ("copy", path)):
                runs = []
                for _ in range(REPEAT):
                    start = time.perf_counter()
                    open_session(entry, source)
                    runs.append(time.perf_counter() - start)
                times[label] = statistics.median(runs)
            print(f"{entry.name:>30} {times['plain'] * 1000:7.1f} {times['copy'] * 1000:7.1f} "
                  f"{times['copy'] / times['plain']:6.2f}")


def peak_rss_mb() -> float:
    """High-water RSS of this process (VmHWM: unlike ru_maxrss it does not carry over from a parent)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_rss_child() -> None:
    """Run in a fresh process: 24 MP alpha, report the peak RSS and what the image itself costs."""
    seg = get_segmenter()
    seg.alpha(Image.open(SAMPLE).convert("RGB"))  # sessions and imports loaded first
    base = peak_rss_mb()
    image = Image.open(SAMPLE).convert("RGB").resize((6000, 4000))
    with_image = peak_rss_mb()
    seg.matte(image)  # the alpha in 8-bit levels, as the render takes it (seg.alpha adds a float copy)
    print(f"{base:.0f} {with_image:.0f} {peak_rss_mb():.0f}")


def memory_table() -> None:
    out = subprocess.run([sys.executable, __file__, "--rss-child"], check=True, capture_output=True,
                         text=True).stdout.split()
    base, with_image, peak = map(float, out)
    print(f"\n24 MP peak RSS: {peak:.0f} MB (process with model loaded {base:.0f} MB, after the 24 MP "
          f"image {with_image:.0f} MB; the alpha itself is {6000 * 4000 / 2**20:.0f} MB in 8-bit levels)")


if __name__ == "__main__":
    if "--rss-child" in sys.argv:
        peak_rss_child()
    else:
        edge_table()
        timing_table()
        load_table()
        memory_table()
