"""Real photos with reference mattes checked by eye (bench/data/real/, see its README.md).

The photos ship inside PyPI packages, so nothing is downloaded: the astronaut is the repository's
own events/samples/astronaut.jpg, the others are read from scikit-image's data folder. The
package is only a carrier of the files and a bench-only dependency: without it those photos are
skipped (its module is located, never imported, so a broken install cannot stop the bench).
"""
from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
REFERENCES = REPO / "bench" / "data" / "real"
INSTALL_HINT = ".venv/bin/pip install scikit-image==0.26.0"


@dataclass(frozen=True)
class Photo:
    name: str  # also the reference's file name: bench/data/real/<name>.png
    source: str  # "repo" (path from the repository root) or "skimage" (file in skimage/data)
    file: str
    subject: str


PHOTOS = (
    Photo("astronaut", "repo", "events/samples/astronaut.jpg", "a person in a spacesuit holding a helmet"),
    Photo("chelsea", "skimage", "chelsea.png", "a cat, head and shoulders"),
    Photo("coffee", "skimage", "coffee.png", "a cup of coffee on a saucer with a spoon"),
    Photo("motorcycle", "skimage", "motorcycle_left.png", "a motorcycle in a garage"),
)


@dataclass
class RealSample:
    name: str
    subject: str
    image: Image.Image
    alpha: np.ndarray  # the reference, float32 0..1 at the photo's size


def skimage_data() -> Path | None:
    """scikit-image's data folder, or None when the package is not installed."""
    spec = importlib.util.find_spec("skimage")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "data"
    return folder if folder.is_dir() else None


def photo_path(photo: Photo) -> Path | None:
    if photo.source == "repo":
        return REPO / photo.file
    data = skimage_data()
    return None if data is None else data / photo.file


def load(only: str = "") -> tuple[list[RealSample], list[str]]:
    """The photos whose name contains `only`, and notes on those that could not be loaded."""
    samples, missing, without_skimage = [], [], []
    for photo in PHOTOS:
        if only not in photo.name:
            continue
        path = photo_path(photo)
        if path is None or not path.exists():
            (without_skimage if path is None else missing).append(photo.name if path is None else str(path))
            continue
        image = Image.open(path).convert("RGB")
        reference = np.asarray(Image.open(REFERENCES / f"{photo.name}.png").convert("L"), np.float32) / 255
        if reference.shape != (image.height, image.width):
            raise ValueError(f"reference {photo.name}.png is {reference.shape[::-1]}, the photo {image.size}")
        samples.append(RealSample(photo.name, photo.subject, image, reference))
    notes = [f"{path} is missing" for path in missing]
    if without_skimage:
        notes.append(f"scikit-image is not installed, so the real-photo part skips {', '.join(without_skimage)} "
                     f"(install it: {INSTALL_HINT})")
    return samples, notes
