"""The README's commands work as written, its generated tables are current, its links resolve."""
from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from figures.results_table import PROTOCOLS_BEGIN, PROTOCOLS_END
from protocols.catalog import protocol_table, protocols_doc
from protocols.registry import all_protocols

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def _bash_lines(text: str) -> list[str]:
    blocks = re.findall(r"```bash\n(.*?)```", text, flags=re.S)
    return [line.split("#", 1)[0].strip() for block in blocks for line in block.splitlines()]


def _protocol_commands() -> list[list[str]]:
    commands = []
    for line in _bash_lines(README.read_text()):
        if line.startswith("python -m protocols "):
            commands.append(shlex.split(line)[3:])
    return commands


def test_readme_names_only_existing_protocols():
    names = set(all_protocols())
    used = {args[0] for args in _protocol_commands() if args and not args[0].startswith("-")}
    assert used, "the README shows no protocol command"
    assert used <= names | {"sweep", "export-nwb", "clean"}, used - names
    for args in _protocol_commands():
        if args and args[0] == "sweep":
            assert args[1] in names


@pytest.mark.parametrize("args", [a for a in _protocol_commands() if a and a[0] in all_protocols()],
                         ids=lambda a: " ".join(a))
def test_readme_protocol_command_passes_check(args, tmp_path):
    """Each protocol command of the README is accepted as written (checked with --check, nothing runs)."""
    extra = [] if {"--check", "--list-params", "--help"} & set(args) else ["--check"]
    proc = subprocess.run([sys.executable, "-m", "protocols", *args, *extra], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr


def test_generated_protocol_table_is_current():
    text = README.read_text()
    block = text.split(PROTOCOLS_BEGIN, 1)[1].split(PROTOCOLS_END, 1)[0].strip()
    assert block == protocol_table().strip(), "run `make results-table` after adding or renaming a protocol"
    assert (ROOT / "docs" / "protocols.md").read_text() == protocols_doc(), "run `make results-table`"


@pytest.mark.parametrize("doc", [README, *sorted((ROOT / "docs").glob("*.md"))], ids=lambda p: p.name)
def test_relative_links_resolve(doc):
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", doc.read_text()):
        if re.match(r"[a-z]+://", target) or target.startswith("mailto:"):
            continue
        assert (doc.parent / target).exists(), f"{doc.name} links to missing {target}"
