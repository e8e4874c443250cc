"""Static pages a function serves itself (the docs page, the app page): text files at URLs that name
their content.

Each file is served at `<digest>/<name>`, the digest being the start of its sha256, so a browser may
keep it for a year: new content is a new URL. The page itself refers to its files as `<prefix>/<name>`
(`docs/init.js`) and is answered with those references rewritten to the current URLs, and is
revalidated on every load. A site of JavaScript modules that import each other (`./api.js`) shares
one digest, of all its files: a module's relative imports then resolve beside it, and any change
moves every file to a new URL. Files are looked up by exact name in a table built once from a fixed
list, never by joining a request's path to a folder, so no path in a request can reach another file.

Only text is served: API Gateway (REST) passes a Lambda's body through as text unless the API lists
the answer's media type as binary, and this API lists none.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

TEXT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    "": "text/plain; charset=utf-8",  # LICENSE, NOTICE
}
DIGEST_LENGTH = 16  # hex characters of sha256: 64 bits, no collision between versions of a file

# Only this API's own scripts, styles and document; no inline script, no frames, no forms, no plugins.
# `img-src data:` is for the icons the renderer's stylesheet holds as data: URLs.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'",
    "connect-src 'self'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'"])
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate it
    "Referrer-Policy": "no-referrer",
}
PAGE_CACHE = "no-cache"  # revalidated each load, so it always names the current files
FILE_CACHE = "public, max-age=31536000, immutable"


class MissingFiles(RuntimeError):
    """A file the page needs is not in this deployment (the vendoring step did not run)."""


@dataclass(frozen=True)
class StaticFile:
    name: str
    body: str
    content_type: str
    digest: str

    @property
    def path(self) -> str:
        return f"{self.digest}/{self.name}"


def content_type(name: str) -> str:
    suffix = PurePosixPath(name).suffix
    if suffix not in TEXT_TYPES:
        raise ValueError(f"{name}: only text files are served ({', '.join(sorted(TEXT_TYPES))})")
    return TEXT_TYPES[suffix]


def load(path: Path) -> StaticFile:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise MissingFiles(f"{path} is missing: the build vendors it (make install, make build)") from None
    return StaticFile(name=path.name, body=data.decode("utf-8"), content_type=content_type(path.name),
                      digest=hashlib.sha256(data).hexdigest()[:DIGEST_LENGTH])


def shared_digest(files: list[StaticFile]) -> str:
    """One digest of every file, name and content: it changes when any of them does."""
    whole = hashlib.sha256()
    for found in sorted(files, key=lambda f: f.name):
        data = found.body.encode("utf-8")
        whole.update(f"{found.name}\0{len(data)}\0".encode() + data)
    return whole.hexdigest()[:DIGEST_LENGTH]


class StaticSite:
    """One page and the files it refers to as `<prefix>/<name>`; with `shared`, one digest for all of
    them (modules that import each other by relative URL)."""

    def __init__(self, page: Path, files: list[Path], prefix: str = "docs", shared: bool = False):
        self.prefix = prefix
        loaded_files = [load(path) for path in files]
        if shared:
            digest = shared_digest(loaded_files)
            loaded_files = [replace(found, digest=digest) for found in loaded_files]
        self.files: dict[str, StaticFile] = {}
        for loaded in loaded_files:
            if loaded.name in self.files:
                raise ValueError(f"two files are named {loaded.name}")
            self.files[loaded.name] = loaded
        self.page = self._link(load(page).body)

    def _link(self, html: str) -> str:
        reference = re.compile(rf'(?P<attr>\b(?:src|href))="{re.escape(self.prefix)}/(?P<name>[^"/]+)"')

        def current(match: re.Match) -> str:
            name = match["name"]
            if name not in self.files:
                raise ValueError(f"the page refers to {self.prefix}/{name}, which is not one of its files")
            return f'{match["attr"]}="{self.prefix}/{self.files[name].path}"'

        return reference.sub(current, html)

    def find(self, digest: str, name: str) -> StaticFile | None:
        """The file at `<digest>/<name>`; None for an unknown name or a digest that is not the current one."""
        found = self.files.get(name)
        return found if found is not None and found.digest == digest else None


def headers(cache_control: str, policy: str = CONTENT_SECURITY_POLICY) -> dict[str, str]:
    """The security headers, with the page's own Content-Security-Policy, and how long to cache."""
    return {**SECURITY_HEADERS, "Content-Security-Policy": policy, "Cache-Control": cache_control}
