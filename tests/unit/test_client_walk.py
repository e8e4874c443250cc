"""The client's folder walking: which files a folder yields, in what order, and what it reports instead
of crashing (unreadable files, broken links, symbolic-link loops)."""
from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

import pytest
from PIL import Image

from imagegraphics_client import walk
from imagegraphics_client.errors import UsageError
from imagegraphics_client.walk import find_inputs


def _image(path: Path, kind: str = "PNG") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (4, 4), (1, 2, 3)).save(path, kind)
    return path


@pytest.fixture
def photos(tmp_path) -> Path:
    root = tmp_path / "photos"
    for rel in ("b.png", "a.jpg", "shoes/red.png", "shoes/blue.JPG", "shoes/sale/x.webp", "bags/tote.tiff",
                "zz/deep/er/z.gif"):
        _image(root / rel, {"jpg": "JPEG", "JPG": "JPEG", "webp": "WEBP", "tiff": "TIFF", "gif": "GIF"}.get(
            rel.rsplit(".", 1)[1], "PNG"))
    (root / "notes.txt").write_text("not an image")
    (root / "shoes" / "thumbs.db").write_bytes(b"\0" * 10)
    _image(root / ".hidden.png")
    _image(root / ".cache" / "c.png")
    return root


def _rels(found) -> list[str]:
    return [str(i.rel) for i in found.inputs]


def test_a_folder_yields_its_images_recursively_sorted_by_path(photos):
    found = find_inputs([str(photos)])
    assert _rels(found) == ["a", "b", "bags/tote", "shoes/blue", "shoes/red", "shoes/sale/x", "zz/deep/er/z"]
    assert found.unreadable == [] and found.notes == []
    item = found.inputs[3]
    assert item.path == photos / "shoes" / "blue.JPG" and item.content_type == "image/jpeg"
    assert item.size == item.path.stat().st_size and item.mtime_ns == item.path.stat().st_mtime_ns
    assert item.key == os.path.abspath(item.path)
    assert find_inputs([str(photos)]).inputs == found.inputs  # the same order every time


def test_files_named_are_taken_as_given_in_their_order_with_their_stem(photos, tmp_path):
    other = _image(tmp_path / "elsewhere" / "single.shot.png")
    found = find_inputs([str(other), str(photos / "shoes" / "sale"), str(photos / "a.jpg")])
    assert [(str(i.rel), i.path) for i in found.inputs] == [
        ("single.shot", other), ("x", photos / "shoes" / "sale" / "x.webp"), ("a", photos / "a.jpg")]


def test_a_named_file_must_exist_and_be_an_image(photos):
    with pytest.raises(UsageError, match="missing.jpg: cannot read it"):
        find_inputs([str(photos / "missing.jpg")])
    with pytest.raises(UsageError, match="notes.txt: not an image the API accepts"):
        find_inputs([str(photos / "notes.txt")])


@pytest.mark.parametrize("globs, expected", [
    (("*.png",), ["b", "shoes/red"]),
    (("shoes/*",), ["shoes/blue", "shoes/red", "shoes/sale/x"]),  # * crosses folders, as fnmatch reads it
    (("shoes/*.png", "t*"), ["bags/tote", "shoes/red"]),
    (("*.txt",), []),  # narrows: never widens past the image extensions
])
def test_glob_narrows_what_folders_yield(photos, globs, expected):
    assert _rels(find_inputs([str(photos)], globs)) == expected


def test_the_out_folder_inside_the_input_folder_is_not_walked(photos):
    out = photos / "out"
    _image(out / "a.png")
    assert "out/a" in _rels(find_inputs([str(photos)]))
    assert "out/a" not in _rels(find_inputs([str(photos)], exclude=out))


def test_the_out_folder_itself_is_not_an_input_folder(photos):
    with pytest.raises(UsageError, match="is the --out folder"):
        find_inputs([str(photos)], exclude=photos)


def test_a_symlink_loop_is_reported_and_walked_once(photos):
    (photos / "shoes" / "back").symlink_to(photos, target_is_directory=True)
    (photos / "bags" / "shoes-again").symlink_to(photos / "shoes", target_is_directory=True)
    found = find_inputs([str(photos)])
    rels = _rels(found)
    assert rels.count("shoes/red") == 1 and "bags/shoes-again/red" in rels  # a link to elsewhere is followed
    assert any("shoes/back" in n and "symbolic link loop" in n for n in found.notes)
    assert all("back/" not in r for r in rels)


def test_broken_links_and_unreadable_files_are_reported_not_raised(photos, monkeypatch):
    (photos / "gone.png").symlink_to(photos / "nowhere.png")
    locked = photos / "shoes" / "red.png"
    real_open = open

    def refusing_open(path, *args, **kwargs):
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(walk, "open", refusing_open, raising=False)
    found = find_inputs([str(photos)])
    assert "shoes/red" not in _rels(found) and "shoes/blue" in _rels(found)
    assert found.unreadable == [f"{photos / 'gone.png'}: a broken link (No such file or directory)",
                                f"{locked}: cannot read it (Permission denied)"]


def test_an_unlistable_folder_is_reported(photos, monkeypatch):
    real_scandir = os.scandir

    def scandir(path):
        if Path(path) == photos / "bags":
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(walk.os, "scandir", scandir)
    found = find_inputs([str(photos)])
    assert "bags/tote" not in _rels(found)
    assert found.unreadable == [f"{photos / 'bags'}: cannot list it (Permission denied)"]


def test_rel_is_a_posix_path_without_the_extension(photos):
    assert find_inputs([str(photos / "shoes")]).inputs[-1].rel == PurePosixPath("sale/x")
