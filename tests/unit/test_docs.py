"""README.md and docs/: short README, every page linked, every link and anchor real, every shell block
marked, and the commands of blocks that cannot run here naming what exists."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.docblocks import KINDS, ROOT, blocks, pages

LINK = re.compile(r"\[[^\]]*\]\((?!https?://|mailto:)([^)\s]+)\)")


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    text = re.sub(r"^```.*?^```$", "", page.read_text(), flags=re.M | re.S)
    return {_slug(h) for h in re.findall(r"^#{1,6} (.+)$", text, re.M)}


def _make_targets() -> set[str]:
    return set(re.findall(r"^([\w-]+):", (ROOT / "Makefile").read_text(), re.M))


def test_the_readme_fits_a_newcomer_and_opens_with_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) <= 300
    first = next(b for b in blocks() if b.page == "README.md")
    assert first.kind == "entry" and [c.split("#")[0].strip() for c in first.commands()] == ["make demo", "make test"]


def test_every_docs_page_is_linked_from_the_readme():
    linked = {target.split("#")[0] for target in LINK.findall((ROOT / "README.md").read_text())}
    assert {f"docs/{p.name}" for p in (ROOT / "docs").glob("*.md")} <= linked


@pytest.mark.parametrize("page", pages(), ids=lambda p: p.name)
def test_every_relative_link_names_a_file_and_heading_that_exist(page):
    for target in LINK.findall(page.read_text()):
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        assert file.exists(), f"{page.name}: {target}"
        if anchor and file.suffix == ".md":
            assert anchor in _anchors(file), f"{page.name}: {target}"


def test_every_shell_block_says_how_it_is_checked():
    unmarked = [str(b) for b in blocks() if b.kind not in KINDS]
    assert not unmarked, f"shell blocks without a <!-- sh: {'|'.join(sorted(KINDS))} --> marker: {unmarked}"
    assert {b.kind for b in blocks()} == KINDS


def test_every_make_target_a_block_names_exists():
    targets = _make_targets()
    for block in blocks():
        for command in block.commands():
            for target in re.findall(r"(?:^|&& |; )make ([\w-]+)", command):
                assert target in targets, f"{block}: make {target}"


def test_every_python_module_a_block_runs_takes_the_options_it_is_given():
    for block in blocks():
        for command in block.commands():
            found = re.match(r"\.venv/bin/python -m ([\w.]+)(.*)", command)
            if not found:
                continue
            module, rest = found.groups()
            words = rest.split("#")[0].split()
            subcommands = words[:next((i for i, w in enumerate(words) if w.startswith("-")), len(words))]
            done = subprocess.run([sys.executable, "-m", module, *subcommands, "--help"], cwd=ROOT, capture_output=True,
                                  text=True, timeout=120)
            assert done.returncode == 0, f"{block}: {module}: {done.stderr[-500:]}"
            for option in re.findall(r"(?<!\S)(--[\w-]+)", rest.split("#")[0]):
                assert option in done.stdout, f"{block}: {module} has no {option}"
