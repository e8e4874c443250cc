"""Backdrop-aware correction of a general model's mask (product mode): holes are carved, then clear
objects get their transparency (seethrough.py).

The model knows what an object is but not always where a plain backdrop shows through it (a ring's
centre, the gap under a handle, between legs). Where pixels of the backdrop's colours (or those
colours in shadow) are enclosed by the object, GrabCut (Rother et al. 2004, OpenCV) seeded from
the mask, at a reduced resolution, decides which of them are backdrop, and those enclosed holes are
carved. The rest of the outline is
left to the model and the guided filter: measured on bench/quality.py's set, GrabCut's changes
along the rim cost white-on-white and grey-on-grey objects more than they gave (shadows on the
backdrop are already left out by u2netp).
"""
from __future__ import annotations

import cv2
import numpy as np

from imagegraphics.segmentation import seethrough

GRABCUT_SIDE = 320  # longest side GrabCut runs at: about half the time of 512
ITERATIONS = 2
SURE_FG = 0.9  # model probability above which a pixel seeds the object (after erosion)
SURE_BG = 0.1  # below which it seeds the backdrop (after the object is grown)
BAND = 0.02  # width of the unsure band on each side of the model's outline, share of the side
PALETTE, PALETTE_SAMPLES = 4, 4000  # backdrop colours and the pixels they are learnt from
MIN_OUTSIDE = 0.05  # share of pixels surely outside needed to know the backdrop at all
MIN_SAMPLES = 64  # and their number: k-means needs more pixels than colours, a tiny image has few
NOISE_FACTOR, MIN_TOLERANCE = 3.0, 6.0  # RGB distance to the palette that still counts as backdrop
# Above this the "backdrop" is a scene (measured: plain, sweep and vignette backdrops 3-34; a
# garage, a café table, a room 46-90): no hole of it can be told from the object by colour.
MAX_TOLERANCE = 40.0
SHADE_MIN = 0.5  # a shadow on the backdrop keeps at least half its light
MAX_CARVED = 0.8  # GrabCut taking more than this share of the model's object is a failure: keep the model
MIN_HOLE = 4  # pixels at GrabCut's resolution: a smaller enclosed gap is noise


def _disc(radius: int) -> np.ndarray:
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))


def backdrop_like(rgb: np.ndarray, outside: np.ndarray) -> np.ndarray:
    """Pixels whose colour is one of the backdrop's main colours (k-means of the pixels surely
    outside) within the backdrop's own spread: the colours a hole or a gap would show. None when
    the backdrop is a busy scene rather than a studio backdrop."""
    samples = rgb[outside].reshape(-1, 3).astype(np.float32)
    if len(samples) < max(MIN_SAMPLES, MIN_OUTSIDE * outside.size):
        return np.zeros(outside.shape, bool)
    samples = samples[::max(1, len(samples) // PALETTE_SAMPLES)]
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 10, 1.0)
    _, _, palette = cv2.kmeans(samples, PALETTE, None, criteria, 1, cv2.KMEANS_PP_CENTERS)

    def nearest(x: np.ndarray) -> np.ndarray:
        return np.min(np.linalg.norm(x[..., None, :] - palette, axis=-1), axis=-1)

    tolerance = max(MIN_TOLERANCE, NOISE_FACTOR * float(np.median(nearest(samples))))
    if tolerance > MAX_TOLERANCE:
        return np.zeros(outside.shape, bool)  # a scene, not a backdrop: its colours are everywhere
    image = rgb.astype(np.float32)
    return (nearest(image) <= tolerance) | shaded(image, palette, tolerance)


def shaded(image: np.ndarray, palette: np.ndarray, tolerance: float) -> np.ndarray:
    """Pixels that are a backdrop colour in shadow: the same colour scaled down (a shadow dims the
    light, it does not change the backdrop's hue), by at most SHADE_MIN."""
    best = np.zeros(image.shape[:2], bool)
    for colour in palette:
        norm = float(colour @ colour)
        if norm < 1.0:
            continue
        k = np.clip((image @ colour) / norm, 0.0, None)  # the scale that best explains the pixel
        off = np.linalg.norm(image - k[..., None] * colour, axis=-1)
        best |= (k >= SHADE_MIN) & (k < 1.0) & (off <= tolerance)
    return best


def seeds(rgb: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GrabCut labels from a 0..1 mask: sure object deep inside (where the colour is not the
    backdrop's), sure backdrop well outside, probable object / backdrop in between as the model leans;
    and which pixels have the backdrop's colour."""
    band = max(1, round(BAND * max(mask.shape)))
    labels = np.where(mask > 0.5, cv2.GC_PR_FGD, cv2.GC_PR_BGD).astype(np.uint8)
    outside = cv2.dilate((mask > SURE_BG).astype(np.uint8), _disc(band)) == 0
    core = cv2.erode((mask > SURE_FG).astype(np.uint8), _disc(band)) > 0
    like = backdrop_like(rgb, outside)
    # The backdrop's colour inside the outline starts on the backdrop's side: GrabCut then learns
    # the object's colours without it and keeps such pixels only where edges tie them to the object.
    labels[like & (mask > 0.5)] = cv2.GC_PR_BGD
    labels[outside] = cv2.GC_BGD
    labels[core & ~like] = cv2.GC_FGD
    return labels, like


def enclosed(region: np.ndarray, inside: np.ndarray) -> np.ndarray:
    """The parts of `region` (4-connected) that touch nothing outside the object: holes and gaps,
    not the object's rim. The frame's edge does not count as outside (legs cut by the frame)."""
    count, labels = cv2.connectedComponents(region.astype(np.uint8), connectivity=4)
    if count <= 1:
        return np.zeros(region.shape, bool)
    rim = cv2.dilate((~inside).astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    open_to_outside = np.zeros(count, bool)
    open_to_outside[labels[rim & region]] = True
    sizes = np.bincount(labels.ravel(), minlength=count)
    keep = ~open_to_outside & (sizes >= MIN_HOLE)
    keep[0] = False
    return keep[labels]


def correct(rgb: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The mask (HxW 0..1, working resolution) with the holes GrabCut finds carved out, then the
    see-through parts of a clear object given the alpha their colour shows (seethrough.py)."""
    return estimate(rgb, mask)[0]


def estimate(rgb: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """(the mask as `correct` gives it, weights where it holds per-pixel see-through estimates
    that the refinement must keep: seethrough.estimate)."""
    return seethrough.estimate(rgb, carve(rgb, mask))


def carve(rgb: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The mask (HxW 0..1, working resolution) with the holes GrabCut finds carved out.

    Only holes are carved (backdrop enclosed by the object): GrabCut's other changes, along the
    object's rim, nibble at white-on-white and grey-on-grey edges more often than they help. When
    no backdrop-coloured pixel is enclosed, GrabCut is not run at all."""
    # k-means and GrabCut's GMMs draw from OpenCV's RNG (one per thread): seeded, the same image
    # always gets the same answer, so strengths stay ordered pixel by pixel
    cv2.setRNGSeed(0)
    h, w = mask.shape
    scale = min(1.0, GRABCUT_SIDE / max(h, w))
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    small = cv2.resize(np.ascontiguousarray(rgb, np.uint8), size, interpolation=cv2.INTER_AREA)
    low = cv2.resize(mask, size, interpolation=cv2.INTER_AREA)
    inside = low > SURE_BG  # faint parts (a handle, a strap) enclose holes too
    labels, like = seeds(small, low)
    kinds = set(np.flatnonzero(np.bincount(labels.ravel(), minlength=4)).tolist())
    if not ({cv2.GC_BGD, cv2.GC_PR_BGD} & kinds and {cv2.GC_FGD, cv2.GC_PR_FGD} & kinds):
        return mask  # GrabCut needs both sides to learn from
    if not enclosed(like & inside, inside).any():
        return mask
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    cv2.grabCut(small[..., ::-1].copy(), labels, None, bgd, fgd, ITERATIONS, cv2.GC_INIT_WITH_MASK)
    found = np.isin(labels, (cv2.GC_FGD, cv2.GC_PR_FGD))
    holes = enclosed(inside & ~found, inside)
    if holes.sum() > MAX_CARVED * inside.sum():
        return mask  # GrabCut took the object for backdrop: keep the model's answer
    soft = cv2.resize(holes.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
    return np.minimum(mask, 1.0 - soft).astype(np.float32)
