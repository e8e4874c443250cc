"""The files a command works on: each file named, and the images inside each folder named, recursively.

Folders yield files whose extension is one the API accepts (`--glob` narrows them further), in a
stable order: folders as given, the files inside each sorted by their path. Files that cannot be
read, broken links and symbolic-link loops are reported and left out, never a crash.
"""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath

from imagegraphics_client.errors import UsageError
from imagegraphics_client.files import content_type

# The extensions of the types POST /api/v1/assets accepts (files.ACCEPTED).
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".jpe", ".png", ".gif", ".tif", ".tiff", ".bmp", ".webp"})


@dataclass(frozen=True)
class Input:
    path: Path  # the file, as the folder given leads to it
    rel: PurePosixPath  # where its outputs go under --out, without an extension: "shoes/red" for photos/shoes/red.jpg
    size: int
    mtime_ns: int
    content_type: str

    @property
    def key(self) -> str:
        """The file's name in the manifest: its absolute path (the same from any working directory)."""
        return os.path.abspath(self.path)


@dataclass
class Found:
    inputs: list[Input] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)  # files the user wanted that cannot be sent
    notes: list[str] = field(default_factory=list)  # what was left out on purpose (loops)


def find_inputs(names: list[str], globs: tuple[str, ...] = (), exclude: Path | None = None) -> Found:
    """Each name a file (taken as it is) or a folder (walked). A name that does not exist, or a file named
    that is not an image the API accepts, is a UsageError: nothing has been sent."""
    found = Found()
    skip = _identity(exclude) if exclude is not None else None
    for name in names:
        path = Path(name)
        try:
            info = path.stat()
        except OSError as exc:
            raise UsageError(f"{name}: cannot read it ({exc.strerror or exc})") from None
        if stat.S_ISDIR(info.st_mode):
            if skip is not None and (info.st_dev, info.st_ino) == skip:
                raise UsageError(f"{name} is the --out folder: its outputs would mix with (and could replace) "
                                 "its images; choose another --out")
            found.inputs.extend(sorted(_walk(path, globs, skip, found), key=lambda i: i.rel.parts))
        else:
            found.inputs.append(_named_file(path, info))
    return found


def _named_file(path: Path, info: os.stat_result) -> Input:
    try:
        with open(path, "rb") as handle:
            head = handle.read(16)
    except OSError as exc:
        raise UsageError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    return Input(path, PurePosixPath(path.stem), info.st_size, info.st_mtime_ns, content_type(path, head))


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_dev, info.st_ino


def _wanted(rel: PurePosixPath, globs: tuple[str, ...]) -> bool:
    """A pattern with a / is matched against the path inside the folder given, else against the name."""
    if rel.suffix.lower() not in IMAGE_SUFFIXES:
        return False
    return not globs or any(fnmatchcase(str(rel) if "/" in g else rel.name, g) for g in globs)


def _walk(top: Path, globs: tuple[str, ...], skip: tuple[int, int] | None, found: Found):
    """Depth first; a folder reached again through a link to one of its own ancestors is a loop."""
    stack: list[tuple[Path, PurePosixPath, tuple[tuple[int, int], ...]]] = [(top, PurePosixPath(), ())]
    while stack:
        folder, rel, ancestors = stack.pop()
        me = _identity(folder)
        if me is None or me == skip:
            continue
        if me in ancestors:
            found.notes.append(f"left out {folder}: a symbolic link loop (it leads back to a folder above it)")
            continue
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            found.unreadable.append(f"{folder}: cannot list it ({exc.strerror or exc})")
            continue
        for entry in entries:
            if entry.name.startswith("."):  # hidden files, and the run's own manifest and .part files
                continue
            path, inner = Path(entry.path), rel / entry.name
            try:
                info = entry.stat()  # follows links
            except OSError as exc:
                if entry.is_symlink():
                    found.unreadable.append(f"{path}: a broken link ({exc.strerror or exc})")
                elif _wanted(inner, globs):
                    found.unreadable.append(f"{path}: cannot read it ({exc.strerror or exc})")
                continue
            if stat.S_ISDIR(info.st_mode):
                stack.append((path, inner, (*ancestors, me)))
            elif stat.S_ISREG(info.st_mode) and _wanted(inner, globs):
                item = _folder_file(path, inner, info, found)
                if item is not None:
                    yield item


def _folder_file(path: Path, rel: PurePosixPath, info: os.stat_result, found: Found) -> Input | None:
    try:
        with open(path, "rb") as handle:
            head = handle.read(16)
    except OSError as exc:
        found.unreadable.append(f"{path}: cannot read it ({exc.strerror or exc})")
        return None
    try:
        kind = content_type(path, head)
    except UsageError as exc:  # not reached for an image extension, kept for safety
        found.unreadable.append(str(exc))
        return None
    return Input(path, rel.with_suffix(""), info.st_size, info.st_mtime_ns, kind)
