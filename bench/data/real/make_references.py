"""Rebuild the reference mattes of the real photos (bench/data/real/<name>.png).

    .venv/bin/python bench/data/real/make_references.py [--preview DIR] [NAME ...]

Each reference is OpenCV GrabCut run at the photo's full resolution, steered by hand-placed
hints written below: a rectangle (outside it is sure background), sure-foreground and
sure-background strokes and polygons, and "probably foreground" polygons that seed the colour
models. The hints were placed by looking at the photo on a coordinate grid, then corrected until
the overlays (--preview) looked right; the project's own segmenter is never used, so the
references do not favour it. Output: 8-bit grey PNG, 255 = subject, 0 = background (binary:
GrabCut has no soft edge; see README.md for what that means for hair and fur).

Needs opencv-python-headless (cv2) and scikit-image (for the photos); both only for this script.
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))
from bench.quality_real import PHOTOS, REFERENCES, skimage_data  # noqa: E402

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


HINTS: dict[str, Hints] = {
    # A person in a spacesuit holding her helmet; flag (left), wall, shuttle model and a black stand
    # (right) are background. Hard parts: orange suit against the red flag, black helmet against
    # the black stand (its white rim is the edge).
    "astronaut": Hints(
        rect=(10, 8, 512, 512),
        fg_strokes=[([(180, 60), (230, 40), (280, 55)], 8), ([(225, 70), (228, 140)], 20), ([(200, 102), (258, 102)], 6),
                    ([(130, 250), (250, 300), (330, 300)], 16), ([(100, 300), (200, 450), (300, 340)], 16),
                    ([(60, 400), (60, 505)], 16), ([(32, 330), (32, 390)], 10),
                    ([(242, 300), (250, 400), (256, 510)], 6),  # white strap
                    ([(350, 358), (400, 352), (440, 358), (468, 378), (485, 405), (492, 440), (496, 470)], 5),
                    ([(497, 470), (505, 510)], 6)],  # helmet rim and its clasp
        fg_polygons=[circle((387, 458), 95),  # the helmet, inside its white rim
                     [(135, 200), (160, 165), (200, 150), (250, 160), (285, 185), (298, 225), (290, 262),
                      (240, 285), (180, 280), (140, 240)],  # neck ring (grey and white like the wall)
                     circle((170, 385), 33), [(280, 340), (330, 340), (330, 375), (280, 375)],  # patches
                     [(225, 400), (275, 400), (280, 512), (220, 512)], [(150, 470), (195, 470), (200, 512),
                                                                     (150, 512)]],  # straps, glove
        bg_strokes=[([(40, 20), (80, 150), (30, 260), (8, 500)], 10), ([(120, 20), (140, 150)], 10),
                    ([(330, 20), (340, 200)], 10)],
        bg_polygons=[[(355, 0), (475, 0), (475, 270), (375, 270), (360, 240)],
                     [(372, 272), (512, 272), (512, 420), (497, 400), (470, 360), (430, 343), (380, 340),
                      (368, 300)], [(512, 418), (500, 418), (503, 450), (512, 450)]],
    ),
    # A tabby cat's face filling the frame, its shoulder out of focus at the left; background is a
    # blurred pale room (top left, right). Hard part: the white chin and chest against the pale
    # blur at the bottom right, and whiskers (left out: thinner than a pixel, see README).
    "chelsea": Hints(
        rect=(0, 0, 451, 300),
        fg_polygons=[[(45, 5), (330, 5), (352, 80), (348, 150), (328, 210), (295, 300), (0, 300), (0, 160),
                      (40, 120)],
                     [(340, 0), (393, 0), (381, 22), (372, 40), (364, 58), (350, 60)]],  # right ear
        bg_polygons=[[(0, 0), (22, 0), (20, 60), (18, 100), (0, 112)],
                     [(405, 0), (451, 0), (451, 300), (345, 300), (350, 260), (365, 215), (378, 170),
                      (385, 120), (385, 70), (392, 40)]],
    ),
    # An espresso cup on a saucer with a spoon, on a wooden table. Hard part: the red-brown saucer
    # against the brown wood; the saucer's outline is close to an ellipse, which bounds the search.
    "coffee": Hints(
        keep=[ellipse((278, 229), 216, 175), [(160, 130), (160, 60), (200, 15), (290, 3), (370, 15), (415, 60),
                                              (415, 130)], [(390, 110), (395, 60), (420, 50), (440, 70), (440, 110)]],
        fg_polygons=[ellipse((278, 229), 190, 150)],
        fg_strokes=[([(290, 30), (290, 90)], 12), ([(412, 75), (410, 110)], 4)],
        bg_polygons=[[(190, 400), (190, 378), (250, 386), (300, 389), (350, 386), (410, 375), (410, 400)]],
    ),
    # A red motorcycle in a cluttered garage. Hard parts: black handlebar, gauges and mirrors
    # against dark shelving, the floor seen between spokes and under the engine.
    "motorcycle": Hints(
        keep=[[(85, 195), (140, 165), (185, 150), (330, 150), (325, 105), (380, 105), (420, 110), (495, 10),
               (525, 10), (530, 88), (560, 95), (598, 108), (602, 145), (580, 200), (585, 258), (645, 283),
               (695, 330), (702, 400), (690, 455), (600, 465), (520, 445), (500, 390), (470, 392), (445, 400),
               (350, 445), (318, 445), (300, 405), (210, 412), (130, 392), (108, 320), (112, 262), (85, 250)]],
        fg_strokes=[([(170, 180), (340, 200)], 12), ([(360, 190), (470, 175)], 14),
                    (ring((200, 320), 72, 78), 8), (ring((598, 372), 80, 72), 8),  # tyres
                    ([(350, 280), (450, 320)], 10), ([(380, 330), (470, 340)], 10),  # engine
                    ([(112, 238), (150, 216), (200, 215)], 5), ([(145, 165), (152, 200)], 4),  # fender, rail
                    ([(330, 385), (333, 435)], 5),  # kickstand
                    ([(507, 25), (508, 100)], 4), ([(505, 92), (540, 100)], 3), ([(385, 160), (386, 188)], 3),
                    ([(358, 172), (399, 141)], 6), ([(475, 125), (525, 118)], 8)],  # mirror, levers, grip, gauges
        fg_polygons=[circle((532, 155), 18), circle((106, 209), 7), circle((156, 230), 6), circle((572, 130), 7),
                     circle((474, 188), 8), [(336, 114), (370, 113), (372, 131), (338, 135)]],
        bg_strokes=[([(527, 205), (537, 245)], 10), ([(290, 398), (318, 392)], 6),
                    ([(621, 338), (630, 378)], 6), ([(163, 292), (172, 318)], 4), ([(196, 350), (204, 362)], 3),
                    ([(365, 134), (392, 137)], 3), ([(405, 116), (434, 116)], 4), ([(445, 126), (458, 136)], 3)],
        bg_polygons=[[(575, 195), (625, 195), (625, 255), (585, 258)],  # red crate behind the fork
                     [(428, 392), (472, 340), (490, 305), (500, 300), (508, 330), (515, 380), (530, 430),
                      (530, 445), (428, 445)],  # floor under the engine
                     [(585, 140), (600, 140), (600, 170), (585, 170)], [(445, 55), (495, 55), (495, 92), (445, 92)],
                     [(338, 165), (350, 178), (360, 186), (345, 196), (338, 196)],  # shelf items, a box
                     [(262, 376), (300, 379), (325, 381), (326, 410), (262, 410)],  # floor under the exhaust
                     [(470, 232), (496, 232), (505, 262), (472, 262)]],  # a box behind the fork
    ),
}


def source(name: str) -> Path:
    """The lossless original: for the astronaut, skimage's PNG (the repo's JPEG is made from it)."""
    photo = next(p for p in PHOTOS if p.name == name)
    data = skimage_data()
    if data is None:
        sys.exit("scikit-image is needed for the photos: .venv/bin/pip install scikit-image==0.26.0")
    return data / ("astronaut.png" if name == "astronaut" else photo.file)


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
    for name in args.names or list(HINTS):
        image = Image.open(source(name)).convert("RGB")
        mask = reference(image, HINTS[name])
        Image.fromarray(mask, "L").save(REFERENCES / f"{name}.png", optimize=True)
        print(f"{name}: {image.size[0]}x{image.size[1]}, subject {np.mean(mask > 0):.1%} of the frame")
        if args.preview:
            args.preview.mkdir(parents=True, exist_ok=True)
            overlay(image, mask, HINTS[name]).save(args.preview / f"{name}-overlay.png")


if __name__ == "__main__":
    main()
