"""Measured rate maps from the navigation run: MEC grid cells and memory neurons (place-cell-like)."""
from __future__ import annotations

import numpy as np

from figures._style import plt, save
from protocols.results import load_results

NAME = "place_rate_maps"
PROTOCOL = "navigation"
DESCRIPTION = "measured rate maps (rate vs queried position): one grid cell per module, 8 memory slots"


def make(out_dir, results_dir):
    summary, params, data = load_results(results_dir)
    width = int(params["config"]["width"])
    grid, place = data["grid_maps"], data["place_maps"]
    ncol = max(grid.shape[0], place.shape[0])
    fig, axes = plt.subplots(2, ncol, figsize=(1.7 * ncol, 4.0))
    for r, (maps, label) in enumerate(((grid, "grid cell, module"), (place, "memory slot"))):
        for k in range(ncol):
            ax = axes[r, k]
            ax.set_xticks([])
            ax.set_yticks([])
            ax.grid(False)
            if k >= maps.shape[0]:
                ax.axis("off")
                continue
            img = np.ma.masked_invalid(maps[k].reshape(width, width))
            # grey: node never queried (after the slot was written)
            cmap = plt.get_cmap("magma").with_extremes(bad="0.75")
            ax.imshow(img, origin="lower", cmap=cmap, vmin=0)
            tag = k if r == 0 else int(data["place_map_slots"][k])
            ax.set_title(f"{label} {tag}\npeak {np.nanmax(maps[k]):.0f} Hz", fontsize=7)
    fig.suptitle("measured rate while the path-integrated query points at each node (environment 1; grey: never "
                 "queried); memory slots written early in the walk",
                 fontsize=9)
    fig.tight_layout()
    return save(fig, out_dir, NAME)
