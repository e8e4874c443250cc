"""How `auto` decides between the people model and the general model, from evidence.

Portrait is chosen only when the selfie model finds a person it is sure of, that person covers
most of what the general model calls the subject, and a face is seen on the person (OpenCV's
Haar cascades, frontal or profile). A person holding a large object, a cup or a ring the selfie
model mistakes for skin, or a scene with no person all go to the general model.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

PERSON_MIN_AREA, PERSON_MAX_AREA = 0.02, 0.95  # share of the frame a person plausibly covers
PERSON_MIN_CERTAINTY = 0.85  # mean probability inside the person
COVERS_SUBJECT = 0.8  # share of the general model's subject that the person must cover
WITHIN_SUBJECT = 0.6  # share of the person that the general model must also call subject
FACE_REGION = 0.6  # a face is looked for in this upper share of the person's box
FACE_SIDE_MIN, FACE_SIDE_MAX = 256, 320  # the region is searched at this size (small people enlarged)
FACE_MIN = 0.06  # smallest face looked for, as a share of the region's longest side
FACE_SCALE_STEP = 1.15
CASCADES = (("haarcascade_frontalface_alt2.xml", False), ("haarcascade_profileface.xml", True))


@dataclass(frozen=True)
class Evidence:
    person_area: float
    certainty: float
    covers: float  # |person ∩ subject| / |subject|
    within: float  # |person ∩ subject| / |person|

    @property
    def person(self) -> bool:
        return (PERSON_MIN_AREA <= self.person_area <= PERSON_MAX_AREA
                and self.certainty >= PERSON_MIN_CERTAINTY)

    @property
    def portrait(self) -> bool:
        return self.person and self.covers >= COVERS_SUBJECT and self.within >= WITHIN_SUBJECT

    def summary(self) -> str:
        return (f"person area {self.person_area:.2f}, certainty {self.certainty:.2f}, "
                f"covers {self.covers:.2f} of the subject, {self.within:.2f} of it inside the subject")


def evidence(person: np.ndarray, subject: np.ndarray | None) -> Evidence:
    """What the two masks (same size, 0..1) say; without a general mask the person is the subject."""
    p = person > 0.5
    area = float(p.mean())
    certainty = float(person[p].mean()) if p.any() else 0.0
    if subject is None:
        return Evidence(area, certainty, 1.0, 1.0)
    s = subject > 0.5
    both = float((p & s).sum())
    covers = both / s.sum() if s.any() else 0.0
    within = both / p.sum() if p.any() else 0.0
    return Evidence(area, certainty, covers, within)


@lru_cache(maxsize=1)
def _cascades() -> tuple[tuple[cv2.CascadeClassifier, bool], ...]:
    """(cascade, also look at the mirror image): the profile cascade knows one side only."""
    return tuple((cv2.CascadeClassifier(cv2.data.haarcascades + name), mirror) for name, mirror in CASCADES)


def has_face(rgb: np.ndarray, person: np.ndarray) -> bool:
    """A face in the upper part of the person's bounding box (frontal, or profile facing either way)."""
    ys, xs = np.nonzero(person > 0.5)
    if not len(ys):
        return False
    top, bottom = ys.min(), ys.min() + max(1, round(FACE_REGION * (ys.max() + 1 - ys.min())))
    box = rgb[top:bottom, xs.min():xs.max() + 1]
    grey = cv2.cvtColor(np.ascontiguousarray(box, np.uint8), cv2.COLOR_RGB2GRAY)
    scale = min(FACE_SIDE_MAX / max(grey.shape), max(1.0, FACE_SIDE_MIN / max(grey.shape)))
    if scale != 1:
        grey = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA if scale < 1
                          else cv2.INTER_LINEAR)
    grey = cv2.equalizeHist(grey)
    side = max(20, round(FACE_MIN * max(grey.shape)))
    for cascade, mirror in _cascades():
        for view in (grey, grey[:, ::-1].copy()) if mirror else (grey,):
            if len(cascade.detectMultiScale(view, FACE_SCALE_STEP, 4, minSize=(side, side))):
                return True
    return False
