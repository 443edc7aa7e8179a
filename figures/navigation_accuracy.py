"""TEM-style learning curves: next-observation accuracy vs fraction of nodes / edges visited."""
from __future__ import annotations

import numpy as np

from figures._style import plt, save
from protocols.results import load_results

NAME = "navigation_accuracy"
PROTOCOL = "navigation"
DESCRIPTION = "accuracy on revisits and link-inference steps vs fraction of nodes / edges visited, 4 predictors"

_PRED = (("predicted_spiking", "spiking network", "o-"), ("predicted_abstract", "abstract TEM-t attention", "s--"),
         ("predicted_node", "node memoriser", "d:"), ("predicted_edge", "edge memoriser", "^-"))


def _curve(x, correct, bins):
    mids, acc = [], []
    for lo, hi in zip(bins[:-1], bins[1:]):
        s = (x > lo) & (x <= hi)
        if s.sum() >= 3:
            mids.append(0.5 * (lo + hi))
            acc.append(correct[s].mean())
    return mids, acc


def make(out_dir, results_dir):
    summary, params, data = load_results(results_dir)
    env1 = data["env"] == 0
    obs = data["observation"]
    bins = np.linspace(0, 1, 11)
    fig, axes = plt.subplots(2, 2, figsize=(9.5, 7), sharey=True)
    for r, (mask_key, title) in enumerate((("link_inference", "link inference (visited node, new edge)"),
                                           ("revisit", "all revisits"))):
        mask = data[mask_key].astype(bool) & env1
        for c, frac in enumerate(("frac_nodes_visited", "frac_edges_visited")):
            ax = axes[r, c]
            for key, label, style in _PRED:
                if key in data:
                    m, a = _curve(data[frac][mask], (data[key] == obs)[mask], bins)
                    ax.plot(m, a, style, label=label, ms=4)
            ax.set(xlabel=frac.replace("frac_", "fraction of ").replace("_visited", " visited"),
                   ylim=(-0.03, 1.05), xlim=(0, 1), title=f"{title}: n = {int(mask.sum())}")
            ax.title.set_fontsize(9)
    axes[0, 0].set_ylabel("accuracy")
    axes[1, 0].set_ylabel("accuracy")
    axes[0, 0].legend(fontsize=8, loc="center right")
    t = summary["targets"]
    fig.suptitle(f"link-inference accuracy: spiking {t['spiking_link_inference']:.3f}, "
                 f"abstract {t['abstract_link_inference']:.3f}, edge memoriser {t['edge_memorizer_link_inference']:.3f}",
                 fontsize=10)
    fig.tight_layout()
    return save(fig, out_dir, NAME)
