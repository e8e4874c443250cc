"""Where `run` writes each output: named after its input, never over a file it did not write itself.

`<out>/<path inside the folder given>/<stem>.<ext>` (a file named directly: `<out>/<stem>.<ext>`);
when one input has several outputs, the output's name joins the stem: `<stem>.<name>.<ext>`.
"""
from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from typing import Callable, Iterable

from imagegraphics_client.errors import UsageError
from imagegraphics_client.files import safe_name
from imagegraphics_client.walk import Input

SHOWN = 5  # clashes listed in a refusal; the rest are counted


def target(out: Path, rel: PurePosixPath, ext: str, name: str | None = None) -> Path:
    """The file an output of the input at `rel` is written to; `name` (the output's) when it has several."""
    stem = rel.name if name is None else f"{rel.name}.{safe_name(name) or 'output'}"
    return out.joinpath(*rel.parent.parts, f"{stem}.{ext}")


def _listed(lines: list[str]) -> str:
    more = f"\n  ... and {len(lines) - SHOWN} more" if len(lines) > SHOWN else ""
    return "\n".join(f"  {line}" for line in lines[:SHOWN]) + more


def check_clashes(inputs: Iterable[Input], out: Path) -> None:
    """Two inputs whose outputs would have one name (photos/a.jpg and photos/a.png both make a.<ext>)."""
    first: dict[PurePosixPath, Input] = {}
    clashes = []
    for item in inputs:
        other = first.setdefault(item.rel, item)
        if other is not item:
            clashes.append(f"{other.path} and {item.path} would both be written to {out / item.rel}.<ext>")
    if clashes:
        raise UsageError(f"{len(clashes)} output name(s) would be taken twice; nothing was sent:\n{_listed(clashes)}\n"
                         "rename one of each pair, or run them into different --out folders")


def check_existing(pairs: Iterable[tuple[Input, Path]], owner: Callable[[Path], str | None], inputs: set[str],
                   overwrite: bool = False) -> None:
    """An output that would be one of the inputs (`inputs`: their keys) is refused, even with --overwrite.
    Without it, so is one that exists already and was not written for the same input by a run into the
    same --out (`owner`: the manifest's word on who wrote a file)."""
    pairs = list(pairs)
    replaced = [f"{path} (the output of {item.path})" for item, path in pairs if os.path.abspath(path) in inputs]
    if replaced:
        raise UsageError(f"{len(replaced)} output(s) would replace an input; nothing was sent:\n{_listed(replaced)}\n"
                         "choose another --out")
    taken = [] if overwrite else [f"{path} (for {item.path})" for item, path in pairs
                                  if path.exists() and owner(path) != item.key]
    if taken:
        raise UsageError(f"{len(taken)} output file(s) exist already and were not written by an earlier run of "
                         f"these files into this folder; nothing was sent:\n{_listed(taken)}\n"
                         "move them away, choose another --out, or give --overwrite to replace them")
