"""The theory figures (SDM maths only) render, and the ``python -m figures`` CLI lists and rejects names."""
from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
THEORY_FIGURES = ["circle_vs_softmax", "beta_vs_radius", "critical_distance"]


@pytest.mark.parametrize("name", THEORY_FIGURES)
def test_theory_figure_renders_png_and_svg(name, tmp_path):
    module = importlib.import_module(f"figures.{name}")
    assert module.NAME == name and module.PROTOCOL is None and module.DESCRIPTION
    written = module.make(tmp_path)
    assert sorted(p.suffix for p in written) == [".png", ".svg"]
    for path in written:
        assert path.parent == tmp_path and path.stem == name
        assert path.stat().st_size > 1000
    assert not list(tmp_path.glob(".*partial*"))  # atomic save left nothing behind


def test_every_protocol_figure_refuses_to_draw_without_results(tmp_path):
    from figures.registry import all_figures

    protocol_figures = [spec for spec in all_figures().values() if spec.protocol is not None]
    assert len(protocol_figures) >= 10
    for spec in protocol_figures:
        with pytest.raises(ValueError, match=f"{spec.name} needs a results directory of the {spec.protocol}"):
            spec.make(tmp_path)
    assert not list(tmp_path.iterdir())


def _run_figures(*args):
    return subprocess.run([sys.executable, "-m", "figures", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def test_figures_cli_lists_theory_figures():
    result = _run_figures("--list")
    assert result.returncode == 0, result.stderr
    for name in THEORY_FIGURES:
        line = next((ln for ln in result.stdout.splitlines() if ln.startswith(name + " ")), None)
        assert line is not None and "theory" in line


def test_figures_cli_unknown_name_exits_2():
    result = _run_figures("no_such_figure", "--out", "/tmp/unused-figures-dir")
    assert result.returncode == 2
    assert "unknown figure 'no_such_figure'" in result.stderr
    assert "Traceback" not in result.stderr
