"""The inputs a command works on: each file named, the images inside each folder named, recursively,
and each http(s) URL named (an image the service fetches itself).

Folders yield files whose extension is one the API accepts (`--glob` narrows them further), in a
stable order: arguments as given, the files inside each folder sorted by their path. Files that
cannot be read, broken links and symbolic-link loops are reported and left out, never a crash.
"""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from imagegraphics_client.errors import UsageError
from imagegraphics_client.files import content_type, safe_name

# The extensions of the types POST /api/v1/assets accepts (files.ACCEPTED).
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".jpe", ".png", ".gif", ".tif", ".tiff", ".bmp", ".webp"})


URL_SCHEMES = ("http://", "https://")


@dataclass(frozen=True)
class Input:
    path: Path | None  # the file, as the folder given leads to it (None for a URL)
    rel: PurePosixPath  # where its outputs go under --out, without an extension: "shoes/red" for photos/shoes/red.jpg
    size: int | None  # None for a URL: the service reads it
    mtime_ns: int | None
    content_type: str | None
    url: str | None = None  # an image the service fetches itself (POST /api/v1/assets with url)

    @property
    def key(self) -> str:
        """The input's name in the manifest: a file's absolute path (the same from any working directory),
        or the URL as given."""
        return self.url if self.url is not None else os.path.abspath(self.path)

    @property
    def name(self) -> str:
        """How messages name it."""
        return self.url if self.url is not None else str(self.path)


@dataclass
class Found:
    inputs: list[Input] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)  # files the user wanted that cannot be sent
    notes: list[str] = field(default_factory=list)  # what was left out on purpose (loops)


def find_inputs(names: list[str], globs: tuple[str, ...] = (), exclude: Path | None = None) -> Found:
    """Each name a URL (http:// or https://), a file (taken as it is) or a folder (walked). A name that does
    not exist, a file named that is not an image the API accepts, or a URL without a host is a
    UsageError: nothing has been sent."""
    found = Found()
    skip = _identity(exclude) if exclude is not None else None
    for name in names:
        if is_url(name):
            found.inputs.append(url_input(name))
            continue
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


def is_url(name: str) -> bool:
    return name[:8].lower().startswith(URL_SCHEMES)


def url_input(url: str) -> Input:
    """A URL argument: nothing is read here; the service fetches it (and judges whether it may)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError as exc:
        raise UsageError(f"{url}: not a usable URL ({exc})") from None
    if not host or any(c.isspace() for c in url):
        raise UsageError(f"{url}: not a usable URL (it needs a host, and no spaces: http(s)://host/path)")
    return Input(None, PurePosixPath(url_stem(url)), None, None, None, url=url)


def url_stem(url: str) -> str:
    """What an output of the image at `url` is named after: the stem of the last segment of its path,
    percent-decoded and made safe as a file name (`.../shoes/red%20shoe.jpg?w=800` -> `red shoe`);
    the host when the path has no usable last segment."""
    parts = urlsplit(url)
    segment = safe_name(unquote(parts.path.rstrip("/").rsplit("/", 1)[-1]))
    stem = safe_name(PurePosixPath(segment).stem) if segment else ""
    return stem or safe_name(parts.hostname or "") or "image"


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
