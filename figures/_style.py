"""Shared figure helpers: one look for every figure and atomic saving.

Every figure module calls :func:`save`, which writes PNG (for the README and quick viewing) and SVG
(for papers) to a temporary name first and then renames, so an interrupted regeneration never
leaves a truncated image behind.
"""
from __future__ import annotations

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # figures are files; never open a window
import matplotlib.pyplot as plt  # noqa: E402

FORMATS = ("png", "svg")

plt.rcParams.update(
    {
        "figure.dpi": 110,
        "savefig.dpi": 150,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "font.size": 10,
        "legend.frameon": False,
        "svg.hashsalt": "spiking-memory",  # deterministic SVG ids: same data, same file
    }
)


def save(fig, out_dir: Path, name: str) -> list[Path]:
    """Write ``fig`` as ``out_dir/name.{png,svg}`` atomically and close it.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The finished figure.
    out_dir : Path
        Destination directory (created when missing).
    name : str
        File stem, normally the figure's registry name.

    Returns
    -------
    list of Path
        The files written.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in FORMATS:
        final = out_dir / f"{name}.{fmt}"
        tmp = out_dir / f".{name}.{fmt}.partial-{os.getpid()}"
        fig.savefig(tmp, format=fmt, bbox_inches="tight", metadata={"Date": None} if fmt == "svg" else None)
        os.replace(tmp, final)
        written.append(final)
    plt.close(fig)
    return written
