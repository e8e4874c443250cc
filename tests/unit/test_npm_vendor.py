"""tools/npm_vendor.py: the pinned release only, checked against its sha512, only the listed files, fetched once.

A stand-in `npm` on PATH hands out a tarball made here and counts its calls: no registry is asked.
"""
from __future__ import annotations

import base64
import hashlib
import io
import json
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from tools import npm_vendor

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = {"LICENSE": "Apache License 2.0", "NOTICE": "a notice", "dist/ui.js": "console.log(1);",
           "ui.css": "body {}", "index.html": "<p>not wanted</p>", "package.json": '{"name": "ui"}'}


def tarball(path: Path, files: dict[str, str], links: dict[str, str] | None = None) -> str:
    """A gzipped tarball of `package/<name>` entries, as npm packs them; its SRI sha512."""
    with tarfile.open(path, "w:gz") as archive:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(f"package/{name}")
            info.type, info.linkname = tarfile.SYMTYPE, target
            archive.addfile(info)
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


class FakeNpm:
    """`npm pack <spec> --pack-destination DIR` copies the prepared tarball into DIR and says its name."""

    def __init__(self, tmp_path: Path, monkeypatch):
        self.bin, self.calls = tmp_path / "bin", tmp_path / "calls"
        self.bin.mkdir()
        self.tarball = tmp_path / "ui-1.2.3.tgz"
        script = self.bin / "npm"
        script.write_text(f"""#!{sys.executable}
import json, shutil, sys
args = sys.argv[1:]
with open({str(self.calls)!r}, "a") as fh:
    fh.write(json.dumps(args) + "\\n")
shutil.copy({str(self.tarball)!r}, args[args.index("--pack-destination") + 1])
print(json.dumps([{{"id": args[1], "filename": "ui-1.2.3.tgz"}}]))
""")
        script.chmod(0o755)
        monkeypatch.setenv("PATH", f"{self.bin}:/usr/bin:/bin")

    @property
    def count(self) -> int:
        return len(self.calls.read_text().splitlines()) if self.calls.exists() else 0


@pytest.fixture
def npm(tmp_path, monkeypatch) -> FakeNpm:
    return FakeNpm(tmp_path, monkeypatch)


def manifest(tmp_path: Path, integrity: str, files=("dist/ui.js", "ui.css", "LICENSE", "NOTICE"),
             version: str = "1.2.3") -> Path:
    path = tmp_path / "fn" / "vendor.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps({"package": "ui", "version": version, "integrity": integrity,
                                "files": list(files), "into": "vendor/ui"}))
    return path


def test_the_pinned_release_is_fetched_checked_and_only_the_listed_files_kept(tmp_path, npm):
    path = manifest(tmp_path, tarball(npm.tarball, PACKAGE))
    message = npm_vendor.vendor(path)
    target = tmp_path / "fn" / "vendor" / "ui"
    assert sorted(str(p.relative_to(target)) for p in target.rglob("*") if p.is_file()) == [
        ".vendored", "LICENSE", "NOTICE", "dist/ui.js", "ui.css"]
    assert (target / "dist" / "ui.js").read_text() == PACKAGE["dist/ui.js"]
    call = json.loads(npm.calls.read_text())
    assert call[:2] == ["pack", "ui@1.2.3"] and "--ignore-scripts" in call  # the exact version, no script
    assert message.startswith("vendored ui@1.2.3: 4 files")
    assert not list((tmp_path / "fn" / "vendor").glob(".vendor-*"))  # the download went with its folder


def test_a_vendored_release_is_not_fetched_again(tmp_path, npm):
    path = manifest(tmp_path, tarball(npm.tarball, PACKAGE))
    npm_vendor.vendor(path)
    assert "already vendored" in npm_vendor.vendor(path)
    assert npm.count == 1


def test_a_new_pin_or_a_missing_file_fetches_again(tmp_path, npm):
    integrity = tarball(npm.tarball, PACKAGE)
    path = manifest(tmp_path, integrity)
    npm_vendor.vendor(path)
    (tmp_path / "fn" / "vendor" / "ui" / "ui.css").unlink()
    npm_vendor.vendor(path)
    assert npm.count == 2 and (tmp_path / "fn" / "vendor" / "ui" / "ui.css").is_file()
    manifest(tmp_path, integrity, files=("dist/ui.js", "LICENSE"))
    npm_vendor.vendor(path)
    assert npm.count == 3
    assert not (tmp_path / "fn" / "vendor" / "ui" / "ui.css").exists()  # files no longer listed go


def test_a_tarball_that_is_not_the_pinned_one_is_refused_and_changes_nothing(tmp_path, npm):
    good = manifest(tmp_path, tarball(npm.tarball, PACKAGE))
    npm_vendor.vendor(good)
    tampered = {**PACKAGE, "dist/ui.js": "fetch('https://elsewhere.example')"}
    tarball(npm.tarball, tampered)
    pinned = json.loads(good.read_text())["integrity"]
    bumped = manifest(tmp_path, pinned, version="1.2.4")  # a new version whose pin was not updated
    with pytest.raises(npm_vendor.VendorError, match="does not match the pinned integrity"):
        npm_vendor.vendor(bumped)
    assert (tmp_path / "fn" / "vendor" / "ui" / "dist" / "ui.js").read_text() == PACKAGE["dist/ui.js"]


def test_a_listed_file_the_package_lacks_or_holds_as_a_link_is_an_error(tmp_path, npm):
    integrity = tarball(npm.tarball, PACKAGE, links={"secret.js": "/etc/passwd"})
    with pytest.raises(npm_vendor.VendorError, match="no file package/missing.js"):
        npm_vendor.vendor(manifest(tmp_path, integrity, files=("LICENSE", "missing.js")))
    with pytest.raises(npm_vendor.VendorError, match="no file package/secret.js"):
        npm_vendor.vendor(manifest(tmp_path, integrity, files=("LICENSE", "secret.js")))
    assert not (tmp_path / "fn" / "vendor" / "ui").exists()


@pytest.mark.parametrize("name", ["../app.py", "/etc/passwd", "dist/../../x", "dist\\ui.js", ""])
def test_listed_files_must_be_plain_paths_inside_the_package(tmp_path, name):
    with pytest.raises(npm_vendor.VendorError):
        npm_vendor.load_manifest(manifest(tmp_path, "sha512-x", files=("LICENSE", name)))


def test_only_a_sha512_pin_is_accepted(tmp_path):
    with pytest.raises(npm_vendor.VendorError, match="sha512"):
        npm_vendor.load_manifest(manifest(tmp_path, "sha1-abc"))


def test_without_npm_the_error_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(npm_vendor.shutil, "which", lambda name: None)
    with pytest.raises(npm_vendor.VendorError, match="install Node.js with npm"):
        npm_vendor.vendor(manifest(tmp_path, "sha512-x"))


def test_the_committed_pin_is_a_sha512_of_an_exact_version_and_ships_the_licence():
    pinned = npm_vendor.load_manifest(ROOT / "functions" / "openapi" / "vendor.json")
    assert pinned["package"] == "swagger-ui-dist"
    assert pinned["version"].count(".") == 2 and pinned["version"].replace(".", "").isdigit()
    assert len(base64.b64decode(pinned["integrity"].removeprefix("sha512-"))) == 64
    assert {"LICENSE", "NOTICE", "swagger-ui-bundle.js", "swagger-ui.css"} <= set(pinned["files"])
    ignored = subprocess.run(["git", "check-ignore", "-q", "functions/openapi/vendor/swagger-ui-dist/LICENSE"],
                             cwd=ROOT, check=False)
    assert ignored.returncode == 0  # the vendored files are never committed


@pytest.mark.parametrize("target", ["install", "test", "build", "test-browser"])
def test_the_make_targets_a_fresh_clone_runs_vendor_the_page(target):
    # -W: as if the pin had just changed, so make shows the step it would run (-n: without running it).
    dry = subprocess.run(["make", "-n", "-W", "functions/openapi/vendor.json", target], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    assert "-m tools.npm_vendor functions/openapi/vendor.json" in dry
