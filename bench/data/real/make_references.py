"""Rebuild the reference mattes of the real photos (bench/data/real/<name>.png).

    .venv/bin/python bench/data/real/make_references.py [--preview DIR] [NAME ...]

Each reference is OpenCV GrabCut run at the photo's full resolution, steered by hand-placed
hints (hints/<name>.py, one file a photo, evaluated with Hints, ellipse, ring and circle in its
namespace): a rectangle (outside it is sure background), sure-foreground and
sure-background strokes and polygons, and "probably foreground" polygons that seed the colour
models. The hints were placed by looking at the photo on a coordinate grid, then corrected until
the overlays (--preview) looked right; the project's own segmenter is never used, so the
references do not favour it. Output: 8-bit grey PNG, 255 = subject, 0 = background (binary:
GrabCut has no soft edge; see README.md for what that means for hair and fur).

Needs opencv-python-headless (cv2), scikit-image and the photo archives (make bench-photos).
"""
from __future__ import annotations

import argparse
import runpy
import sys
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))
from bench.quality_real import PHOTOS, REFERENCES, open_photo, skimage_data  # noqa: E402

Points = list[tuple[int, int]]
ITERATIONS = 10


@dataclass
class Hints:
    rect: tuple[int, int, int, int] | None = None  # x0, y0, x1, y1: outside is sure background
    keep: list[Points] = field(default_factory=list)  # or: outside all of these is sure background
    fg_strokes: list[tuple[Points, int]] = field(default_factory=list)  # (polyline, width)
    bg_strokes: list[tuple[Points, int]] = field(default_factory=list)
    fg_polygons: list[Points] = field(default_factory=list)  # sure foreground
    bg_polygons: list[Points] = field(default_factory=list)  # sure background
    likely_polygons: list[Points] = field(default_factory=list)  # probably foreground


def ellipse(centre: tuple[int, int], rx: float, ry: float, n: int = 72) -> Points:
    return [(round(centre[0] + rx * np.cos(a)), round(centre[1] + ry * np.sin(a)))
            for a in np.linspace(0, 2 * np.pi, n, endpoint=False)]


def ring(centre: tuple[int, int], rx: float, ry: float) -> Points:
    """A closed polyline along an ellipse (for strokes)."""
    points = ellipse(centre, rx, ry, 40)
    return points + points[:1]


def circle(centre: tuple[int, int], radius: float) -> Points:
    return ellipse(centre, radius, radius, 48)




def hints(name: str) -> Hints:
    """The photo's hints, from hints/<name>.py."""
    kit = {"Hints": Hints, "ellipse": ellipse, "ring": ring, "circle": circle}
    return runpy.run_path(str(HERE / "hints" / f"{name}.py"), init_globals=kit)["HINTS"]


def source(name: str) -> Image.Image:
    """The photo as it was hinted: for the astronaut, skimage's lossless PNG (the repo's JPEG is
    made from it); the others as the benchmark reads them."""
    photo = next(p for p in PHOTOS if p.name == name)
    if name == "astronaut":
        data = skimage_data()
        if data is None:
            sys.exit("scikit-image is needed for the astronaut: .venv/bin/pip install scikit-image==0.26.0")
        return Image.open(data / "astronaut.png")
    image = open_photo(photo)
    if image is None:
        sys.exit(f"{name}'s photo is missing: install scikit-image, and run make bench-photos")
    return image


def seeds(hints: Hints, size: tuple[int, int]) -> np.ndarray:
    """The GrabCut label image: the hints drawn over 'probably background' inside the rectangle."""
    labels = Image.new("L", size, cv2.GC_BGD)
    draw = ImageDraw.Draw(labels)
    if hints.rect is not None:
        draw.rectangle(hints.rect, fill=cv2.GC_PR_BGD)
    for polygon in hints.keep:
        draw.polygon(polygon, fill=cv2.GC_PR_BGD)
    for polygon in hints.likely_polygons:
        draw.polygon(polygon, fill=cv2.GC_PR_FGD)
    for polygon in hints.bg_polygons:
        draw.polygon(polygon, fill=cv2.GC_BGD)
    for polygon in hints.fg_polygons:
        draw.polygon(polygon, fill=cv2.GC_FGD)
    for line, width in hints.bg_strokes:
        draw.line(line, fill=cv2.GC_BGD, width=width, joint="curve")
    for line, width in hints.fg_strokes:
        draw.line(line, fill=cv2.GC_FGD, width=width, joint="curve")
    return np.asarray(labels, np.uint8).copy()


def reference(image: Image.Image, hints: Hints) -> np.ndarray:
    labels = seeds(hints, image.size)
    cv2.setRNGSeed(0)  # GrabCut seeds its colour models with k-means on OpenCV's global random state
    bgr = cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2BGR)
    background, foreground = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    cv2.grabCut(bgr, labels, None, background, foreground, ITERATIONS, cv2.GC_INIT_WITH_MASK)
    subject = (labels == cv2.GC_FGD) | (labels == cv2.GC_PR_FGD)
    return np.where(subject, 255, 0).astype(np.uint8)


def overlay(image: Image.Image, mask: np.ndarray, hints: Hints, scale: int = 2) -> Image.Image:
    """The photo with the background tinted blue, the outline in yellow and the hints drawn."""
    rgb = np.asarray(image, np.float32)
    tinted = np.where(mask[..., None] > 0, rgb, 0.35 * rgb + 0.65 * np.array([40, 80, 255], np.float32))
    out = Image.fromarray(tinted.astype(np.uint8)).resize((image.width * scale, image.height * scale), Image.NEAREST)
    edge = cv2.morphologyEx(mask, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8)) > 0
    edge = np.asarray(Image.fromarray(edge).resize(out.size, Image.NEAREST))
    pixels = np.asarray(out).copy()
    pixels[edge] = (255, 230, 0)
    out = Image.fromarray(pixels)
    draw = ImageDraw.Draw(out)
    for line, _ in hints.fg_strokes:
        draw.line([(x * scale, y * scale) for x, y in line], fill=(0, 255, 0), width=1)
    for line, _ in hints.bg_strokes:
        draw.line([(x * scale, y * scale) for x, y in line], fill=(255, 0, 0), width=1)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="photos to rebuild (default: all)")
    parser.add_argument("--preview", type=Path, help="also write overlays <name>-overlay.png here")
    args = parser.parse_args()
    for name in args.names or [photo.name for photo in PHOTOS]:
        image = source(name).convert("RGB")
        found = hints(name)
        mask = reference(image, found)
        Image.fromarray(mask, "L").save(REFERENCES / f"{name}.png", optimize=True)
        print(f"{name}: {image.size[0]}x{image.size[1]}, subject {np.mean(mask > 0):.1%} of the frame")
        if args.preview:
            args.preview.mkdir(parents=True, exist_ok=True)
            overlay(image, mask, found).save(args.preview / f"{name}-overlay.png")


if __name__ == "__main__":
    main()
