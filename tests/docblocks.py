"""The shell blocks of README.md and docs/*.md, each marked with how it can be checked.

A marker comment on the line before each ```sh fence says where the block runs:
`entry` (the README's two commands, which CI runs itself), `local-stack` (against `make serve`),
`offline` (on this machine alone) or `aws` (needs an AWS account or Docker: checked by name only).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KINDS = {"entry", "local-stack", "offline", "aws"}
FENCE = re.compile(r"^(?:<!-- sh: (?P<kind>[\w-]+) -->\n)?```sh\n(?P<body>.*?)^```$", re.M | re.S)


@dataclass(frozen=True)
class Block:
    page: str
    line: int
    kind: str | None
    body: str

    def __str__(self) -> str:
        return f"{self.page}:{self.line}"

    def commands(self) -> list[str]:
        """Each command line, continuations joined, comments and blank lines dropped."""
        joined = re.sub(r"\\\n\s*", " ", self.body)
        return [line.strip() for line in joined.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def pages() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def blocks() -> list[Block]:
    found = []
    for page in pages():
        text = page.read_text()
        for match in FENCE.finditer(text):
            found.append(Block(str(page.relative_to(ROOT)), text.count("\n", 0, match.start("body")),
                               match.group("kind"), match.group("body")))
    return found
