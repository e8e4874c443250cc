"""Vendor a front-end package from the npm registry: one pinned release, checked, only the files needed.

    python -m tools.npm_vendor functions/openapi/vendor.json

The manifest pins the package, its version and the registry's published integrity of that release
(`npm view <package>@<version> dist.integrity`, a sha512). `npm pack`, the registry's own client,
fetches the tarball (nothing is installed, no package script runs); its sha512 must equal the pin;
then only the listed files (the package's licence among them) are extracted into `into`, a git-ignored
folder beside the manifest. A stamp there records what was extracted: while it matches the manifest
and the files are present, nothing is fetched again. Only the standard library is used, so the step
runs before any virtualenv exists.
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

STAMP = ".vendored"
PINNED = ("package", "version", "integrity", "files")


class VendorError(RuntimeError):
    """The manifest, the client or the tarball is not what the pin promises."""


def load_manifest(path: Path) -> dict:
    manifest = json.loads(path.read_text(encoding="utf-8"))
    missing = [key for key in (*PINNED, "into") if not manifest.get(key)]
    if missing:
        raise VendorError(f"{path}: missing {', '.join(missing)}")
    if not str(manifest["integrity"]).startswith("sha512-"):
        raise VendorError(f"{path}: integrity must be the registry's sha512 (\"sha512-...\")")
    for name in manifest["files"]:
        parts = PurePosixPath(name).parts
        if PurePosixPath(name).is_absolute() or not parts or ".." in parts or "\\" in name:
            raise VendorError(f"{path}: {name!r} is not a plain path inside the package")
    return manifest


def target_of(path: Path, manifest: dict) -> Path:
    return (path.parent / manifest["into"]).resolve()


def is_current(target: Path, manifest: dict) -> bool:
    """The stamp names this exact release and file list, and every file is there."""
    try:
        stamp = json.loads((target / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return {key: stamp.get(key) for key in PINNED} == {key: manifest[key] for key in PINNED} and all(
        (target / name).is_file() for name in manifest["files"])


def sri_sha512(path: Path) -> str:
    digest = hashlib.sha512()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return "sha512-" + base64.b64encode(digest.digest()).decode()


def npm_pack(spec: str, into: Path) -> Path:
    """The registry's tarball of `spec` (name@version), downloaded by npm into `into`."""
    npm = shutil.which("npm")
    if npm is None:
        raise VendorError(f"npm is needed to fetch {spec} from the npm registry: install Node.js with npm "
                          "(Debian: apt-get install -y npm)")
    done = subprocess.run([npm, "pack", spec, "--json", "--ignore-scripts", "--pack-destination", str(into)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise VendorError(f"npm pack {spec} failed:\n{done.stderr.strip()[-2000:]}")
    try:
        (packed,) = json.loads(done.stdout)
        return into / packed["filename"]
    except (ValueError, KeyError, TypeError) as exc:
        raise VendorError(f"npm pack {spec} printed no tarball name: {done.stdout[:500]!r}") from exc


def extract(tarball: Path, names: list[str], into: Path) -> int:
    """Copy `package/<name>` of each name out of the tarball (regular files only); the bytes written."""
    written = 0
    with tarfile.open(tarball, "r:gz") as archive:
        members = {member.name: member for member in archive.getmembers()}
        for name in names:
            member = members.get(f"package/{name}")
            if member is None or not member.isfile():
                raise VendorError(f"{tarball.name} has no file package/{name}")
            data = archive.extractfile(member).read()
            out = into / name
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(data)
            written += len(data)
    return written


def vendor(manifest_path: Path) -> str:
    manifest = load_manifest(manifest_path)
    target = target_of(manifest_path, manifest)
    spec = f"{manifest['package']}@{manifest['version']}"
    if is_current(target, manifest):
        (target / STAMP).touch()  # newer than the manifest again, so make sees the step done
        return f"{spec} is already vendored in {target}"
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".vendor-", dir=target.parent) as work:
        tarball = npm_pack(spec, Path(work))
        actual = sri_sha512(tarball)
        if actual != manifest["integrity"]:
            raise VendorError(f"{tarball.name} does not match the pinned integrity:\n"
                              f"  pinned  {manifest['integrity']}\n  fetched {actual}")
        staged = Path(work) / "files"
        size = extract(tarball, manifest["files"], staged)
        (staged / STAMP).write_text(json.dumps({key: manifest[key] for key in PINNED}, indent=2) + "\n",
                                    encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        os.replace(staged, target)
    return f"vendored {spec}: {len(manifest['files'])} files, {size:,} bytes, in {target}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.npm_vendor", description=__doc__.splitlines()[0])
    parser.add_argument("manifest", type=Path, help="a JSON manifest: package, version, integrity, files, into")
    args = parser.parse_args(argv)
    try:
        print(vendor(args.manifest))
    except VendorError as exc:
        print(f"npm_vendor: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
