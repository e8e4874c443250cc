"""The model build verifies every file against the registry and never leaves a bad one behind."""

import hashlib
import re

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
    assert [e["name"] for e in registry if e.get("default")] == ["selfie_segmentation"]


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
