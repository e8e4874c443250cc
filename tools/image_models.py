"""Write a copy of template.yaml whose processor image bakes in another set of models.

    python -m tools.image_models "selfie_segmentation selfie_segmentation_landscape u2net"

`make build MODELS="..."` runs this and builds from the copy (.build-template.yaml, beside
template.yaml so DockerContext resolves the same). Every named model must be built already.
"""
from __future__ import annotations

import sys
from pathlib import Path

from tools.build_model import MODELS_DIR, BuildError, find_entry, load_registry

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE, OUTPUT = ROOT / "template.yaml", ROOT / ".build-template.yaml"
LINE = "        MODELS: "


def write(names: list[str]) -> Path:
    registry = load_registry()
    for name in names:
        entry = find_entry(name, registry)
        if not (MODELS_DIR / entry["file"]).is_file():
            raise BuildError(f"model {name} is not built: run make model MODEL={name}")
    lines = TEMPLATE.read_text().splitlines(keepends=True)
    found = [i for i, line in enumerate(lines) if line.startswith(LINE)]
    if len(found) != 1:
        raise BuildError(f"template.yaml must have exactly one '{LINE.strip()}' line")
    lines[found[0]] = LINE + " ".join(names) + "\n"
    OUTPUT.write_text("".join(lines))
    return OUTPUT


def main(argv: list[str]) -> int:
    names = " ".join(argv).split()
    if not names:
        print('usage: python -m tools.image_models "MODEL [MODEL ...]"', file=sys.stderr)
        return 2
    try:
        print(write(names).name)
    except BuildError as exc:
        print(f"cannot build with these models: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
