"""The documentation's code is real: every ```python block in docs/ is either an
example file verbatim or runs as it stands (in a subprocess, with a fresh
HEADWATER_HOME). A block may opt out with `<!-- no-test -->` on the line before
it, only where it needs infrastructure a test cannot provide.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"
EXAMPLES = REPO / "examples"
NO_TEST = "<!-- no-test -->"


@dataclass(frozen=True)
class Block:
    page: str
    line: int  # 1-based line of the opening fence
    lang: str
    code: str
    opted_out: bool

    @property
    def id(self) -> str:
        return f"{self.page}:{self.line}"


def code_blocks(path: Path) -> list[Block]:
    blocks: list[Block] = []
    lines = path.read_text().splitlines()
    i = 0
    while i < len(lines):
        stripped = lines[i].strip()
        if stripped.startswith("```") and len(stripped) > 3:
            lang = stripped[3:].strip()
            start = i
            body: list[str] = []
            i += 1
            while i < len(lines) and lines[i].strip() != "```":
                body.append(lines[i])
                i += 1
            assert i < len(lines), f"{path.name}:{start + 1}: unclosed code block"
            previous = next((ln.strip() for ln in reversed(lines[:start]) if ln.strip()), "")
            code = "\n".join(body) + "\n"
            blocks.append(
                Block(path.relative_to(DOCS).as_posix(), start + 1, lang, code, previous == NO_TEST)
            )
        i += 1
    return blocks


ALL_BLOCKS = [b for page in sorted(DOCS.rglob("*.md")) for b in code_blocks(page)]
PYTHON_BLOCKS = [b for b in ALL_BLOCKS if b.lang == "python"]
EXAMPLE_TEXTS = {p.read_text(): p.name for p in sorted(EXAMPLES.glob("*.py"))}


def test_docs_have_python_blocks():
    assert len(PYTHON_BLOCKS) >= 4


@pytest.mark.parametrize(
    "name", ["numbers_simple.py", "numbers_concurrent.py", "timeouts.py", "retries.py"]
)
def test_getting_started_shows_the_examples_verbatim(name):
    shown = [b.code for b in code_blocks(DOCS / "getting-started.md") if b.lang == "python"]
    assert (EXAMPLES / name).read_text() in shown, (
        f"docs/getting-started.md must show examples/{name} exactly as it is"
    )


@pytest.mark.parametrize("block", PYTHON_BLOCKS, ids=[b.id for b in PYTHON_BLOCKS])
def test_python_block_is_an_example_or_runs(block: Block, tmp_path: Path):
    if block.code in EXAMPLE_TEXTS:
        return  # shown verbatim; tests/e2e runs the example itself
    if block.opted_out:
        pytest.skip("marked <!-- no-test --> (needs infrastructure)")
    script = tmp_path / "snippet.py"
    script.write_text(block.code)
    proc = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=os.environ.copy(),  # HEADWATER_HOME is this test's own (tests/conftest.py)
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, (
        f"docs/{block.id} failed (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    )
