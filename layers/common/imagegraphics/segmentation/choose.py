"""How `auto` decides between the people model and the general model, from evidence in both masks.

Portrait is chosen only when the selfie model finds a person it is sure of and that person covers
most of what the general model calls the subject: a person holding a large object, a small product
that the selfie model mistakes for skin, or a scene with no person all go to the general model.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PERSON_MIN_AREA, PERSON_MAX_AREA = 0.02, 0.95  # share of the frame a person plausibly covers
PERSON_MIN_CERTAINTY = 0.85  # mean probability inside the person
COVERS_SUBJECT = 0.8  # share of the general model's subject that the person must cover
WITHIN_SUBJECT = 0.6  # share of the person that the general model must also call subject


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
