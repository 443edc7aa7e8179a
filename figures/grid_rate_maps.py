"""MEC grid-cell rate maps (one cell per module) over the grid world, and the code's similarity kernel."""
from __future__ import annotations

import numpy as np

from figures._style import plt, save
from protocols.results import load_results

NAME = "grid_rate_maps"
PROTOCOL = "hopfield-recall"
DESCRIPTION = ("grid-cell rate maps of the MEC code (one cell per module; model code + measured rates at the "
               "queried positions) and similarity to the centre node")


def _in_hz(text: str) -> float:
    """A rate saved in ``params.json`` (``"50.0*Hz"``, or SI ``"50.0*hertz"``) in Hz."""
    value, _, unit = text.partition("*")
    if unit.strip() not in ("Hz", "hertz"):
        raise ValueError(f"mec_max_rate = {text!r}: expected a value in Hz")
    return float(value)


def make(out_dir, results_dir):
    from hippocampus.codes import grid_keys, key_separation
    from hippocampus.grid import GridCode, world_positions

    summary, params, data = load_results(results_dir)
    c = params["config"]
    code = c["code"]
    grid = GridCode(n_modules=code["n_modules"], base_scale=code["base_scale"], scale_ratio=code["scale_ratio"],
                    cells_per_module=code["cells_per_module"])
    width = c["world_width"]
    xs = np.linspace(-0.5, width - 0.5, 111)
    xx, yy = np.meshgrid(xs, xs)
    fine = np.stack([xx.ravel(), yy.ravel()], axis=1)
    rates = grid.rates(fine, max_rate=1.0)
    m = grid.n_modules
    fig, axes = plt.subplots(1, m + 1, figsize=(2.3 * (m + 1), 2.6))
    peak = _in_hz(c["circuit"]["mec_max_rate"])
    measured = data.get("mec_cell_window_rates")
    sel = data["block"] == 0
    pos = data["positions"][data["target"][sel]] if measured is not None else None
    for k in range(m):
        cell = k * grid.cells_per_module
        im0 = axes[k].imshow(rates[:, cell].reshape(xx.shape) * peak, origin="lower",
                             extent=(xs[0], xs[-1], xs[0], xs[-1]), cmap="magma", vmin=0, vmax=peak)
        if measured is not None and measured.shape[1] > k:  # measured spikes of that cell, per queried node
            axes[k].scatter(pos[:, 0], pos[:, 1], c=measured[sel, k], cmap="magma", vmin=0, vmax=peak, s=40,
                            edgecolors="cyan", linewidths=0.8)
        axes[k].set_title(f"module {k}: λ = {grid.scales[k]:.2f}", fontsize=8)
    fig.colorbar(im0, ax=axes[m - 1], fraction=0.046, label="rate (Hz)")
    nodes = world_positions(width)
    keys = grid_keys(grid, nodes)
    centre = (width // 2) * width + width // 2
    sim = (keys @ keys[centre]).reshape(width, width)
    im = axes[m].imshow(sim, origin="lower", cmap="viridis")
    axes[m].set_title("k(x)·k(centre)", fontsize=8)
    fig.colorbar(im, ax=axes[m], fraction=0.046)
    for a in axes:
        a.set_xticks([])
        a.set_yticks([])
        a.grid(False)
    fig.suptitle(f"MEC grid cells: model code (map) and measured rate at queried nodes (circles); {width}×{width} "
                 f"world, min separation Δ = min(kᵢ·kᵢ − maxⱼ kᵢ·kⱼ) = {key_separation(keys):.3f}", fontsize=9)
    fig.tight_layout()
    return save(fig, out_dir, NAME)
