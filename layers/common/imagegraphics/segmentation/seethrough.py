"""Transparency of clear objects on a plain coloured backdrop (product mode): difference matting.

A general model marks a glass, a clear bottle or a plastic box as solid, so the cut-out carries the
old backdrop's colour in it. Where the backdrop is plain, what lies behind the object is known: the
backdrop seen around it, filled in across it (`fill`). A clear material (glass, clear plastic) is
grey or white in what it adds itself (reflections of the studio) and passes the backdrop's light
on, so a pixel seen through it is

    I = alpha * F + (1 - alpha) * B        with F grey (one level for the three channels)

The backdrop's colour (its chroma: B less its own grey level) survives with weight 1 - alpha and a
grey F adds none, so the share of the backdrop's chroma a pixel keeps gives alpha, and then the level
F must be a plausible one (not below MIN_LEVEL, not much above white). That holds only where the
backdrop has a colour (a chroma of MIN_CHROMA or more): on white or grey paper a clear object and a
white or grey one send the same light, and the model's answer is kept. Pixels the clear-material
model does not explain are opaque: a label, a cap, a dark or saturated object, one of the
backdrop's hue but darker or more saturated than it (a neutral material can only mute a colour),
all keep the model's mask. Nearly opaque estimates are taken as opaque (`SOLID_FROM`): a white
object's faint colour cast from the backdrop is not see-through.
"""
from __future__ import annotations

import cv2
import numpy as np

SURE_BG = 0.1  # model probability under which a pixel (away from the object) is backdrop
REACH = 0.02  # how far from the model's object a pixel must be to count as backdrop, share of the side
MIN_OUTSIDE = 0.2  # share of the frame that must be seen backdrop to model it
MAX_ROUGHNESS = 4.0  # median RGB distance of backdrop pixels to their blurred neighbourhood: plain
MIN_CHROMA = 12.0  # RGB length of the backdrop's colour (less its grey) for its share to be measured
# the grey level F a clear material plausibly shows: white and a little over, as a faint tint of the
# material (greenish glass, bluish plastic) makes a white F read up to ~8% brighter on some backdrops
MIN_LEVEL, MAX_LEVEL = 60.0, 275.0
# levels allowed when judging F: camera noise, and the backdrop filled in behind the object being
# a few levels off (a contact shadow darkens it near the base; on a face of alpha 0.15 an error
# of 5 levels in it reads as F some 30 levels brighter, past white)
LEVEL_SLACK = 12.0
MAX_RESIDUAL = 6.0  # RGB distance left unexplained by the model that still fits it
OVER = 0.05  # the chroma share may exceed 1 by this much (noise) and still be clear material
SPECK = 5  # unexplained spots narrower than this (working pixels) are noise or glints, not opaque parts
SOLID_FROM, SOLID_AT = 0.7, 0.9  # estimated alpha from which the object turns opaque, fully at
MIN_EXPLAINED = 0.5  # share of an object clear material must explain for the object to be clear
MIN_CLEAR, MIN_CLEAR_PIXELS = 0.1, 64  # and the share (and pixels) of it that must be mostly see-through
PREVIEW = 4  # the first look at the object takes every 4th pixel each way


def correct(rgb: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The mask (HxW 0..1, working resolution) with each clear object given the alpha its colour
    shows; the mask itself when the backdrop is not plain and coloured or no object reads as
    clear material."""
    return estimate(rgb, mask)[0]


def estimate(rgb: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """(the corrected mask as `correct` gives it, where its levels are per-pixel estimates: HxW
    0..1 weights over each clear object and its soft rim, None when no object reads as clear).

    Edge-aware refinement fits alpha as a linear function of the image over a window; across a
    clear wall's levels (a rim where sheets overlap, thin beside the faces around it) one fit
    averages them, and a rim of alpha 0.56 beside faces of 0.3 falls under 0.5. Where these
    weights say, the refinement keeps to the pixel's neighbours (refine.solve)."""
    h, w = mask.shape
    reach = max(1, round(REACH * max(h, w)))
    near = cv2.dilate((mask > SURE_BG).astype(np.uint8), cv2.getStructuringElement(
        cv2.MORPH_ELLIPSE, (2 * reach + 1, 2 * reach + 1)))
    if not near.any() or 1 - near.mean() < MIN_OUTSIDE:
        return mask, None
    # only the object's surroundings matter: its box and a ring of backdrop around it
    x, y, bw, bh = cv2.boundingRect(near)
    box = (slice(max(0, y - 2 * reach), min(h, y + bh + 2 * reach)),
           slice(max(0, x - 2 * reach), min(w, x + bw + 2 * reach)))
    image, part, outside = rgb[box].astype(np.float32), mask[box], near[box] == 0
    inside = part > 0.5
    if outside.sum() < MIN_CLEAR_PIXELS or not inside.any() or not coloured(image, outside):
        return mask, None
    # a first look on every PREVIEW-th pixel: most objects are plainly opaque, and cheaply told so
    grid = (slice(None, None, PREVIEW), slice(None, None, PREVIEW))
    seen = inside[grid]
    _, fits, measurable = explain(image[grid][seen], fill(image[grid], outside[grid])[seen])
    if not seen.any() or measurable.mean() < MIN_EXPLAINED:
        return mask, None  # white, grey or black backdrop: a clear object cannot be told from a pale one
    if fits.mean() < MIN_EXPLAINED / 2 or not plain(image, outside):
        return mask, None  # mostly opaque, or a scene rather than a backdrop
    behind = fill(image, outside)
    alpha = solid(clear_alpha(image, behind))
    clear = clear_objects(inside, alpha)
    if not clear.any():
        return mask, None
    # each clear object's soft rim (the model's edge, just outside mask > 0.5) is cut where the
    # backdrop shows; inside, alpha is handed on as the value the medium strength's ramp maps
    # back to it, so medium keeps a glass's true alpha (low keeps more of it, high less)
    rim = (cv2.dilate(clear.astype(np.uint8), np.ones((3, 3), np.uint8), iterations=2) > 0) & ~clear
    out = mask.astype(np.float32, copy=True)
    out[box] = np.where(clear, np.minimum(part, ramped(alpha)), np.where(rim, np.minimum(part, alpha), part))
    held = np.zeros(mask.shape, np.float32)
    held[box] = kept(clear | rim)
    return out, held


def kept(region: np.ndarray) -> np.ndarray:
    """Weights (0..1) of the estimate against the refinement: the region, eased over a pixel at
    its outline so the two fits meet smoothly."""
    return np.where(region, cv2.blur(region.astype(np.float32), (3, 3)), 0).astype(np.float32)


def grey(rgb: np.ndarray) -> np.ndarray:
    """The grey level of each colour (channel mean; a plain sum is several times faster than mean)."""
    return (rgb[..., 0] + rgb[..., 1] + rgb[..., 2]) / 3


def dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per-pixel dot product of two ...x3 arrays (channel by channel: faster than einsum here)."""
    return a[..., 0] * b[..., 0] + a[..., 1] * b[..., 1] + a[..., 2] * b[..., 2]


def sample(chosen: np.ndarray) -> tuple[slice, slice]:
    """Every how-many-th pixel to look at so that about 20000 of the `chosen` ones are seen."""
    step = max(1, int(np.sqrt(chosen.sum() / 20000)))
    return slice(None, None, step), slice(None, None, step)


def coloured(rgb: np.ndarray, outside: np.ndarray) -> bool:
    """Has the backdrop around the object a colour (not white, grey or black) over a fair part?"""
    grid = sample(outside)
    seen = rgb[grid][outside[grid]]
    chroma = seen - grey(seen)[..., None]
    return float(np.mean(dot(chroma, chroma) >= MIN_CHROMA ** 2)) >= MIN_EXPLAINED / 2


def plain(rgb: np.ndarray, outside: np.ndarray) -> bool:
    """Is the backdrop seen outside the object plain (paper, a sweep, a vignette), not a scene?"""
    grid = sample(outside)
    off = (rgb - cv2.blur(rgb, (9, 9)))[grid][outside[grid]]
    return float(np.sqrt(np.median(dot(off, off)))) <= MAX_ROUGHNESS


def fill(rgb: np.ndarray, known: np.ndarray) -> np.ndarray:
    """HxWx3 colours with the unknown pixels filled smoothly from the known ones (pull-push:
    weighted means down an image pyramid, then back up wherever a level knew too little)."""
    weight = known.astype(np.float32)
    levels = [(rgb * weight[..., None], weight)]
    while min(levels[-1][1].shape) > 8:
        colour, weight = levels[-1]
        levels.append((cv2.pyrDown(colour), cv2.pyrDown(weight)))
    colour, weight = levels[-1]
    estimate = colour / np.maximum(weight, 1e-6)[..., None]
    if not (weight > 1e-6).all():  # a level with holes: their mean colour stands in
        mean = colour.reshape(-1, 3).sum(0) / max(float(weight.sum()), 1e-6)
        estimate[weight <= 1e-6] = mean
    for colour, weight in reversed(levels[:-1]):
        up = cv2.pyrUp(estimate, dstsize=(weight.shape[1], weight.shape[0]))
        sure = np.clip(weight, 0, 1)[..., None]  # how much of a pixel this level saw itself
        estimate = sure * (colour / np.maximum(weight, 1e-6)[..., None]) + (1 - sure) * up
    return estimate


def explain(rgb: np.ndarray, backdrop: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(alpha of a clear material over `backdrop` for each colour, whether the clear-material
    model explains it, whether the backdrop's colour is strong enough to tell): arrays of ...x3."""
    grey_i, grey_b = grey(rgb), grey(backdrop)
    chroma_i, chroma_b = rgb - grey_i[..., None], backdrop - grey_b[..., None]
    both = dot(chroma_i, chroma_b)
    power = dot(chroma_b, chroma_b)
    own = dot(chroma_i, chroma_i)
    measurable = power >= MIN_CHROMA ** 2
    share = both / np.maximum(power, 1e-6)  # of the backdrop's chroma kept: 1 - alpha
    residual = np.sqrt(np.maximum(own - both * share, 0))  # the pixel's chroma the backdrop's does not explain
    alpha = 1 - np.clip(share, 0, 1)
    added = grey_i - share * grey_b  # alpha * F
    fits = (measurable & (share >= 0) & (share <= 1 + OVER) & (residual <= MAX_RESIDUAL)
            & (added >= alpha * MIN_LEVEL - LEVEL_SLACK) & (added <= alpha * MAX_LEVEL + LEVEL_SLACK))
    return alpha, fits, measurable


def clear_alpha(rgb: np.ndarray, backdrop: np.ndarray) -> np.ndarray:
    """Alpha of a clear material over `backdrop` explaining each pixel (HxW); 1 where the model
    does not explain it or the backdrop's colour is too faint to measure it."""
    alpha, fits, measurable = explain(rgb, backdrop)
    # a few unexplained pixels among explained ones are noise, not an opaque part: they take the
    # mean alpha of the explained pixels around them
    opaque = cv2.morphologyEx((~fits).astype(np.uint8), cv2.MORPH_OPEN, np.ones((SPECK, SPECK), np.uint8)) > 0
    known = fits.astype(np.float32)
    window = (2 * SPECK + 1, 2 * SPECK + 1)
    support = cv2.blur(known, window)
    around = cv2.blur(alpha * known, window) / np.maximum(support, 1e-6)
    guess = np.where(fits, alpha, np.where(support > 0, around, 1.0))
    return np.where(opaque | ~measurable, 1.0, guess).astype(np.float32)


def solid(alpha: np.ndarray) -> np.ndarray:
    """Nearly opaque estimates made opaque, smoothly (a ramp, so alpha stays monotone in them)."""
    t = np.clip((alpha - SOLID_FROM) / (SOLID_AT - SOLID_FROM), 0, 1)
    return alpha + (1 - alpha) * t * t * (3 - 2 * t)


def ramped(alpha: np.ndarray) -> np.ndarray:
    """The matte value that the medium strength's ramp turns into `alpha`, up to SOLID_FROM; from
    there it climbs to 1 at alpha 1, so opaque parts (a label, a cap) stay opaque at every strength."""
    from imagegraphics.segmentation.segmenter import CLEAR_RAMP_WIDTH as width  # it imports this module
    from imagegraphics.segmentation.trimap import STRENGTH_THRESHOLD

    threshold = STRENGTH_THRESHOLD["medium"]
    knee = threshold + width * (SOLID_FROM - 0.5)
    return np.where(alpha <= SOLID_FROM, threshold + width * (alpha - 0.5),
                    knee + (1 - knee) * (alpha - SOLID_FROM) / (1 - SOLID_FROM))


def clear_objects(inside: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """The objects (8-connected parts of `inside`) that read as clear material: most of their
    pixels are explained by it (a label or a cap may not be) and a fair part of them is mostly
    see-through. A pale part of an opaque object that happens to look like the backdrop seen
    through glass (a cream label on a beige backdrop) is a minority of that object."""
    count, labels = cv2.connectedComponents(inside.astype(np.uint8), connectivity=8)
    if count <= 1:
        return np.zeros(inside.shape, bool)
    area = np.bincount(labels.ravel(), minlength=count).astype(np.float64)
    explained = np.bincount(labels[alpha < 1.0], minlength=count)
    see_through = np.bincount(labels[alpha < 0.5], minlength=count)
    chosen = ((explained >= MIN_EXPLAINED * area) & (see_through >= MIN_CLEAR * area)
              & (see_through >= MIN_CLEAR_PIXELS))
    chosen[0] = False  # the backdrop
    return chosen[labels]
