"""Where the cut lies and where the cut-out may be soft: a trimap at working resolution.

A model's probability is its confidence, not an opacity. The cut is where the refined probability
crosses the strength's threshold; inside it the cut-out is opaque, outside it transparent, and only
a band along the cut's outline is left to the refinement, which finds the soft edge (hair, fur, a
blurred outline) in the full-resolution image. Before the band is drawn, the cut is mended by
its structure:

- pieces of subject that hold no pixel the evidence is fairly sure of (a strip of grass, a tuft,
  a flag's stripe) go when a surer piece exists; with remove_artifacts, pieces smaller than
  ISLAND_FRACTION of the frame go too, unless faint matte ties them to a kept piece (a spectacle
  arm, a cable that the cut breaks at working resolution);
- regions cut out of the subject where the model is nowhere sure of background are the model's
  doubt, not a hole (a badge, a strap, a glove): they are filled. Such a region open to the frame's
  edge (the lower body where the frame cuts it) is filled only when small beside the subject and
  its colours do not speak for the background (a flag's stripe beside the arm stays out). Holes
  where the backdrop shows, which the model (or the backdrop correction) is sure of, stay carved.
  With remove_artifacts, enclosed pinholes under HOLE_FRACTION are filled too.

Strengths are nested: a higher strength's cut is taken inside every lower one's, so its opaque
part is never larger and its transparent part never smaller, pixel by pixel.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

STRENGTH_THRESHOLD = {"low": 0.3, "medium": 0.5, "high": 0.7}
SURE_BACKGROUND = 0.1  # model probability at or below which a pixel is surely background
CORE = 0.75  # a piece of subject needs a pixel of at least this evidence to be one
WEAK = 0.15  # refined probability that still ties a thin piece to the subject
ISLAND_FRACTION = 0.002  # with remove_artifacts, smaller untied pieces are dust
HOLE_FRACTION = 0.001  # with remove_artifacts, smaller enclosed holes are pinholes
SURE_PIXELS = 4  # a region with fewer surely-background pixels than this is doubt (pinholes are
# remove_artifacts' business: a hole the model is sure of stays, however small)
DOUBT_AT_EDGE = 0.25  # doubt open to the frame's edge is filled up to this share of the subject
DOUBT_ODDS = -0.5  # and when its colours' mean log-odds (evidence.colour_odds) are at least this
# width in working pixels of the soft band inside and outside the outline: outside, where hair and
# fur run out; inside only one pixel, so a cut through a part the model missed leaves no see-through rim
BAND_INSIDE, BAND_OUTSIDE = 1.0, 2.0
SOLID_ESTIMATE = 0.9  # a clear object's estimate this high is an opaque part of it (a cap, a label)


@dataclass(frozen=True)
class Trimap:
    """Working-resolution regions: surely subject (opaque) and surely background (transparent);
    the rest is the band whose alpha the refinement finds."""

    subject: np.ndarray  # bool HxW
    background: np.ndarray  # bool HxW

    @property
    def band(self) -> np.ndarray:
        return ~(self.subject | self.background)


@dataclass(frozen=True)
class Evidence:
    """What the cut is made from, all HxW at working resolution."""

    model: np.ndarray  # the probability as the model (and the backdrop correction) gave it
    weighed: np.ndarray  # the same after the colour evidence (evidence.lowered)
    refined: np.ndarray  # `weighed` after the guided filter: follows the image's edges
    odds: np.ndarray | None = None  # colour log-odds (evidence.colour_odds), None when unknown
    held: np.ndarray | None = None  # clear objects' estimates (weights): kept, not made opaque


def trimap(seen: Evidence, strength: str, remove_artifacts: bool = True) -> Trimap:
    """The trimap of `strength`: its cut, nested in the cuts of every lower strength, with a band
    of BAND_INSIDE and BAND_OUTSIDE working pixels along the outline left soft."""
    inside = None
    for name, threshold in STRENGTH_THRESHOLD.items():
        found = cut(seen, threshold, remove_artifacts)
        inside = found if inside is None else inside & found
        if name == strength:
            break
    else:
        raise ValueError(f"strength must be one of {tuple(STRENGTH_THRESHOLD)}, not {strength!r}")
    subject = _farther_than(inside, BAND_INSIDE)
    background = _farther_than(~inside, BAND_OUTSIDE)
    if seen.held is not None:  # a clear object keeps its estimated alpha, but for its opaque parts
        subject &= (seen.held <= 0) | (seen.model >= SOLID_ESTIMATE)
    return Trimap(subject, background)


def cut(seen: Evidence, threshold: float, remove_artifacts: bool = True) -> np.ndarray:
    """The subject (bool HxW) at one threshold of the refined probability, mended (module doc)."""
    inside = seen.refined > threshold
    if seen.held is not None:
        inside |= seen.held > 0  # a clear object is subject, whatever its alpha
    inside = drop_pieces(inside, seen.refined, seen.weighed, remove_artifacts)
    return fill_doubt(inside, seen.model, seen.odds, remove_artifacts)


def drop_pieces(inside: np.ndarray, refined: np.ndarray, evidence: np.ndarray,
                remove_artifacts: bool = True) -> np.ndarray:
    """`inside` without its uncertain pieces and, with remove_artifacts, its untied dust."""
    count, labels = cv2.connectedComponents(inside.astype(np.uint8), connectivity=8)
    if count <= 1:
        return inside
    flat = labels.ravel()
    sure = np.bincount(flat, weights=(evidence >= CORE).ravel(), minlength=count) > 0
    sure[0] = False  # label 0 is the outside
    keep = sure if sure.any() else np.arange(count) > 0
    if remove_artifacts:
        sizes = np.bincount(flat, minlength=count)
        big = keep & (sizes >= ISLAND_FRACTION * inside.size)
        if not big.any():  # a small subject is still the subject
            big = np.zeros(count, bool)
            big[np.argmax(np.where(keep, sizes, -1))] = True
        small = keep & ~big
        if small.any():
            keep = big | (small & tied(labels, count, refined > WEAK, big))
    return keep[labels]


def tied(labels: np.ndarray, count: int, weak: np.ndarray, kept: np.ndarray) -> np.ndarray:
    """Per piece: is it joined to a kept piece through weak pixels (grown by one pixel)?"""
    joined = cv2.dilate((weak | (labels > 0)).astype(np.uint8), np.ones((3, 3), np.uint8))
    _, groups = cv2.connectedComponents(joined, connectivity=8)
    piece, group = labels.ravel(), groups.ravel()
    anchored = np.zeros(group.max() + 1, bool)
    anchored[group[kept[piece]]] = True
    out = np.zeros(count, bool)
    on = piece > 0
    out[piece[on]] = anchored[group[on]]
    return out


def fill_doubt(inside: np.ndarray, model: np.ndarray, odds: np.ndarray | None = None,
               remove_artifacts: bool = True) -> np.ndarray:
    """`inside` with the regions outside it that are the model's doubt (module doc) filled."""
    count, labels = cv2.connectedComponents((~inside).astype(np.uint8), connectivity=4)
    if count <= 1:
        return inside
    flat = labels.ravel()
    sizes = np.bincount(flat, minlength=count)
    sure = np.bincount(flat, weights=(model <= SURE_BACKGROUND).ravel(), minlength=count)
    doubt = sure < SURE_PIXELS
    at_edge = np.zeros(count, bool)
    at_edge[np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]])] = True
    # open to the frame's edge: filled only when small beside the subject, of colours that do not
    # speak for the background, and when some region shows sure background (an image the model is
    # nowhere sure of keeps its outside)
    edge_ok = (sizes <= DOUBT_AT_EDGE * np.count_nonzero(inside)) & (~doubt[1:]).any()
    if odds is None:
        edge_ok[:] = False
    else:
        mean_odds = np.bincount(flat, weights=odds.ravel(), minlength=count) / np.maximum(sizes, 1)
        edge_ok &= mean_odds >= DOUBT_ODDS
    doubt &= ~at_edge | edge_ok
    if remove_artifacts:
        doubt |= (sizes < HOLE_FRACTION * inside.size) & ~at_edge
    doubt[0] = False  # label 0 is the subject itself
    return inside | doubt[labels]


def _farther_than(mask: np.ndarray, radius: float) -> np.ndarray:
    """Pixels of `mask` further than `radius` (Euclidean, working pixels) from any pixel outside
    it: an erosion by a disc. The frame's edge is not an outline (a subject cut by the frame stays
    opaque to it)."""
    r = int(radius)
    yy, xx = np.mgrid[-r:r + 1, -r:r + 1]
    disc = (yy * yy + xx * xx <= radius * radius).astype(np.uint8)
    return cv2.erode(mask.astype(np.uint8), disc, borderType=cv2.BORDER_CONSTANT, borderValue=1) > 0
