"""Where models live and what the registry file says about them (models/registry.json)."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

REGISTRY_FILE = "registry.json"
LAMBDA_MODELS_DIR = Path("/opt/models")  # where the container image puts them
ENV_VARS = ("IMAGEGRAPHICS_MODELS_DIR", "MODELS_DIR")


def models_dir(explicit: Path | str | None = None) -> Path:
    """The argument, else the environment, else the repository's models/, else the Lambda image's."""
    if explicit:
        return Path(explicit)
    for name in ENV_VARS:
        if os.environ.get(name):
            return Path(os.environ[name])
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "models"
        if (candidate / REGISTRY_FILE).is_file():
            return candidate
    return LAMBDA_MODELS_DIR


@dataclass(frozen=True)
class ModelEntry:
    """One registry entry: the model file and how to feed it."""

    name: str
    file: str
    kind: str  # "portrait" | "general"
    width: int
    height: int
    layout: str = "NHWC"
    mean: tuple[float, ...] = (0.0, 0.0, 0.0)
    std: tuple[float, ...] = (1.0, 1.0, 1.0)
    scale: float = 1 / 255
    output: str = "probabilities"  # or "logits"
    postprocess: str | None = None  # "minmax": stretch the output to 0..1
    default: bool = False

    @classmethod
    def from_json(cls, item: dict) -> ModelEntry:
        shape, norm = item["input"], item.get("normalize", {})
        return cls(
            name=item["name"], file=item["file"], kind=item.get("kind", "general"),
            width=int(shape["width"]), height=int(shape["height"]), layout=shape.get("layout", "NHWC"),
            mean=tuple(norm.get("mean", (0.0, 0.0, 0.0))), std=tuple(norm.get("std", (1.0, 1.0, 1.0))),
            scale=float(norm.get("scale", 1 / 255)), output=item.get("output", "probabilities"),
            postprocess=item.get("postprocess"), default=bool(item.get("default", False)),
        )


class Registry:
    """Registry entries of one models directory; `installed` says which files are really there."""

    def __init__(self, directory: Path):
        self.directory = directory
        path = directory / REGISTRY_FILE
        items = json.loads(path.read_text()) if path.is_file() else []
        if isinstance(items, dict):
            items = items.get("models", [])
        self.entries = {entry.name: entry for entry in map(ModelEntry.from_json, items)}

    def path(self, entry: ModelEntry) -> Path:
        return self.directory / entry.file

    def installed(self, kind: str) -> list[ModelEntry]:
        """Installed entries of a kind, the registry's default first, then in file order."""
        found = [e for e in self.entries.values() if e.kind == kind and self.path(e).is_file()]
        return sorted(found, key=lambda e: not e.default)
