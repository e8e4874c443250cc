"""Background-removal quality benchmark: how well each bg_remove mode cuts out the subject, on a
generated set with exact alpha (bench/quality_set.py) and on real photos with references checked
by eye (bench/data/real/), then how fast and how big it is at 12 and 24 MP.

Run from the repository root:

    .venv/bin/python bench/quality.py [--size 800x600] [--methods portrait,product,auto]
        [--models-dir DIR] [--timing-size 4000x3000] [--no-timing] [--only NAME_SUBSTR]
        [--seed N] [--json PATH]

Per image and mode: IoU at 0.5, edge error (mean |alpha - truth| in the edge band), composite
error (0..255, the cut-out over a new checkerboard against the truth over it, in the edge band),
see-through inside and stray outside (what a viewer sees on a contrasting background) and the
seconds of mask + refine. Then the default mode at every strength: the subject's area, and
see-through and stray at the high strength. See bench/quality_metrics.py for the definitions. Real photos
have no true foreground colour: the photo itself stands in for it, so at the subject's edge the
"truth" keeps whatever old backdrop the photo's edge pixels mix in, and a mode that removes it
(decontamination) is not credited for that there. A call refused with a domain error (e.g.
NoForeground) is shown as FAIL and scored as an empty cut-out. OpenCV's random state is reset
before every call so the figures repeat from run to run (see `repeatable`).
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import NamedTuple

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run as a script: make `bench.*` importable

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from bench import quality_metrics as metrics  # noqa: E402
from bench import quality_real as real  # noqa: E402
from bench import quality_set as generated  # noqa: E402
from bench import quality_timing as timing  # noqa: E402
from bench.quality_report import print_scores, print_strengths, targets  # noqa: E402
from imagegraphics.errors import ImageGraphicsError  # noqa: E402
from imagegraphics.segmentation import MODES, get_segmenter  # noqa: E402


@dataclass
class Score:
    iou: float
    edge: float
    composite: float
    seconds: float  # mask + refine, from the matte's own timings (NaN when the call failed)
    call: float  # the whole call
    choice: str  # the method that ran ("-" when it failed)
    error: str | None = None  # the domain error's message when the call failed
    see: float = 0.0  # see-through inside: share of the deep inside called subject with alpha < 250
    stray: float = 0.0  # stray outside: share of the far background with alpha > 5
    area: float = 0.0  # share of the frame the cut-out calls subject (alpha >= 0.5)


@dataclass
class Truth:
    """What an image is scored against, prepared once for every mode."""

    name: str
    category: str
    image: Image.Image
    alpha: np.ndarray
    foreground: np.ndarray
    band: np.ndarray
    new_background: np.ndarray
    regions: tuple[np.ndarray, np.ndarray]  # deep inside, far outside (see_through and stray)

    @classmethod
    def of(cls, name: str, category: str, image: Image.Image, alpha: np.ndarray, foreground: np.ndarray):
        rgb = np.asarray(image, np.float32)
        backdrop = metrics.new_background(alpha.shape, metrics.border_colour(rgb))
        return cls(name, category, image, alpha, foreground, metrics.edge_band(alpha), backdrop,
                   metrics.far_inside_outside(alpha))


def cut_out(matte, image: Image.Image) -> tuple[np.ndarray, np.ndarray]:
    """(alpha, straight colour) of what a user gets: the decontaminated cut-out when the matte can
    make one, else the photo's own colours under the matte's alpha."""
    if hasattr(matte, "cutout"):
        rgba = np.asarray(matte.cutout(image.copy()).convert("RGBA"), np.float32)
        return rgba[..., 3] / 255, rgba[..., :3]
    return matte.alpha, np.asarray(image, np.float32)


def repeatable() -> None:
    """Reset OpenCV's global random state before each call: the segmenter's backdrop step runs
    k-means++ on it, so without this the same image scores differently from call to call."""
    try:
        import cv2
    except ImportError:
        return
    cv2.setRNGSeed(0)


def score(seg, mode: str, truth: Truth, strength: str = "medium") -> Score:
    repeatable()
    start = time.perf_counter()
    try:
        matte = seg.matte(truth.image, mode=mode, strength=strength)
    except ImageGraphicsError as exc:  # e.g. NoForeground: the user gets nothing, an empty cut-out
        empty = np.zeros_like(truth.alpha)
        return measure(truth, empty, empty, np.asarray(truth.image, np.float32), math.nan, math.nan, "-",
                       f"{type(exc).__name__}: {exc.message}")
    call = time.perf_counter() - start
    alpha, colour = cut_out(matte, truth.image)
    seconds = matte.timings["mask"] + matte.timings["refine"]
    return measure(truth, matte.alpha, alpha, colour, seconds, call, matte.choice)


def measure(truth: Truth, matte: np.ndarray, alpha: np.ndarray, colour: np.ndarray, seconds: float,
            call: float, choice: str, error: str | None = None) -> Score:
    """IoU and edge error of the matte; composite error, see-through and stray of the cut-out."""
    composite = metrics.composite_error(alpha, colour, truth.alpha, truth.foreground, truth.new_background,
                                        truth.band)
    return Score(metrics.iou(matte, truth.alpha), metrics.edge_error(matte, truth.alpha, truth.band), composite,
                 seconds, call, choice, error, metrics.see_through(alpha, truth.alpha, truth.regions),
                 metrics.stray(alpha, truth.alpha, truth.regions), float(np.mean(alpha >= 0.5)))


class Row(NamedTuple):
    name: str
    category: str
    scores: dict[str, Score]  # by mode, at the default strength
    strengths: dict[str, Score]  # the default mode at each strength


STRENGTHS = ("low", "medium", "high")


def score_all(seg, modes: list[str], truths) -> list[Row]:
    """Each image scored by every mode, and the default mode (auto, or the first) at every
    strength; only the scores are kept, not the image's arrays."""
    rows = []
    default = "auto" if "auto" in modes else modes[0]
    for t in truths:
        scores = {mode: score(seg, mode, t) for mode in modes}
        by_strength = {s: scores[default] if s == "medium" else score(seg, default, t, s) for s in STRENGTHS}
        rows.append(Row(t.name, t.category, scores, by_strength))
    return rows


def generated_truths(size: tuple[int, int], seed: int, only: str):
    """One at a time: the whole set at full size would hold every float array at once."""
    for name in generated.names():
        if only in name:
            s = generated.sample(name, size, seed)
            yield Truth.of(s.name, s.category, s.image, s.alpha, s.foreground)


def real_truths(samples):
    for s in samples:
        yield Truth.of(s.name, "photo", s.image, s.alpha, np.asarray(s.image, np.float32))


def size_arg(text: str) -> tuple[int, int]:
    width, height = (int(v) for v in text.lower().split("x"))
    return width, height


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=size_arg, default=(800, 600), help="frame of the generated set")
    parser.add_argument("--methods", default="portrait,product,auto", help="bg_remove modes, comma-separated")
    parser.add_argument("--models-dir", type=Path, default=None, help="models folder (default: the repo's)")
    parser.add_argument("--timing-size", type=size_arg, default=(4000, 3000))
    parser.add_argument("--no-timing", action="store_true", help="skip the timing and memory part")
    parser.add_argument("--only", default="", help="only images whose name contains this")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="write every figure to this file")
    args = parser.parse_args(argv)
    args.methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    unknown = [m for m in args.methods if m not in MODES]
    if unknown:
        parser.error(f"unknown methods {unknown}; choose from {MODES}")
    return args


def warm_up(seg, modes: list[str]) -> None:
    """Open every model session first, so the first image's time does not include loading it."""
    grey = Image.new("RGB", (320, 240), (200, 200, 200))
    grey.paste((40, 90, 160), (100, 60, 220, 180))
    for mode in modes:
        try:
            seg.matte(grey, mode=mode)
        except ImageGraphicsError:
            pass


def describe(seg) -> str:
    portrait = [e.name for e in seg.registry.installed("portrait")]
    general = [e.name for e in seg.registry.installed("general")]
    return (f"models in {seg.registry.directory}: portrait {', '.join(portrait) or 'none'}; general "
            f"{', '.join(general) or 'none (product uses the backdrop colour distance)'}")


def main(argv: list[str]) -> dict:
    args = parse_args(argv)
    seg = get_segmenter(args.models_dir)
    print(describe(seg))
    warm_up(seg, args.methods)
    started = time.perf_counter()
    report: dict = {"config": {"size": args.size, "methods": args.methods, "seed": args.seed,
                               "models": describe(seg), "only": args.only}}

    rows = score_all(seg, args.methods, generated_truths(args.size, args.seed, args.only))
    if rows:  # --only may pick real photos alone
        title = (f"Generated set: {len(rows)} images at {args.size[0]}x{args.size[1]} (portrait ones turned, "
                 f"square ones cut to the shorter side), seed {args.seed}")
        report["generated"] = print_scores(title, rows, args.methods, categories=True)
        all_rows = list(rows)
    else:
        all_rows = []

    photos, skipped = real.load(args.only)
    for note in skipped:
        print(f"\n{note}")
    if photos:
        rows = score_all(seg, args.methods, real_truths(photos))
        title = "Real photos (references: bench/data/real; the photo stands in for the true foreground colour)"
        report["real"] = print_scores(title, rows, args.methods, categories=False)
        all_rows += rows
    report["real_skipped"] = skipped
    if all_rows:
        report["strengths"] = print_strengths(all_rows, "auto" if "auto" in args.methods else args.methods[0])
    print(f"\nscoring took {time.perf_counter() - started:.1f} s")

    if not args.no_timing:
        report["timing"] = timing.run(seg, args.methods, args.timing_size, args.seed, args.models_dir)
    report["targets"] = targets(report, seg)
    if args.json:
        args.json.write_text(json.dumps(plain(report), indent=1, allow_nan=False))
        print(f"\nfigures written to {args.json}")
    return report


def plain(value):
    """The report as JSON values: dataclasses as objects, NaN (a failed call's time) as null."""
    if isinstance(value, Score):
        value = asdict(value)
    if isinstance(value, Row):
        value = value._asdict()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (np.floating, np.integer, np.bool_)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return str(value) if isinstance(value, Path) else value


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--rss-child":
        timing.rss_child(sys.argv[2:])
    else:
        main(sys.argv[1:])
