"""TEM-style learning curves: next-observation accuracy vs fraction of nodes / edges visited."""
from __future__ import annotations

import numpy as np

from figures._style import plt, save
from protocols.results import load_results

NAME = "navigation_accuracy"
PROTOCOL = "navigation"
DESCRIPTION = ("accuracy on all steps (no prediction = chance) and on link-inference steps vs fraction of "
               "nodes / edges visited, 6 predictors on the noisy walk")

# (data key, label, marker/line style, small x offset so overlapping curves stay visible)
_PRED = (("predicted_spiking", "spiking network, corrected (read-out spike counts)", "o-", -0.015),
         ("predicted_abstract", "abstract TEM-t, corrected", "s--", -0.009),
         ("predicted_abstract_uncorrected", "abstract TEM-t, uncorrected", "x-", -0.003),
         ("predicted_node", "node memoriser (true node)", "d:", 0.003),
         ("predicted_node_noisy", "node memoriser (uncorrected estimate)", "v:", 0.009),
         ("predicted_edge", "edge memoriser", "^-.", 0.015))


def _num(x) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def make(out_dir, results_dir):
    from hippocampus.environment import expected_correct
    from protocols.navigation.analysis import CURVE_BINS, learning_curve

    summary, params, data = load_results(results_dir)
    env1 = data["env"] == 0
    obs = data["observation"]
    n_types = int(params["config"]["code"]["n_object_types"])
    mids = 0.5 * (CURVE_BINS[:-1] + CURVE_BINS[1:])
    fig, axes = plt.subplots(2, 2, figsize=(10, 7), sharey=True)
    for r, (mask, title) in enumerate(((env1, "all steps (no prediction scored at chance)"),
                                       (data["link_inference"].astype(bool) & env1,
                                        "link inference (visited node, new edge)"))):
        for c, frac in enumerate(("frac_nodes_visited", "frac_edges_visited")):
            ax = axes[r, c]
            for key, label, style, dx in _PRED:
                if key in data:
                    acc = learning_curve(data[frac][mask], expected_correct(data[key], obs, n_types)[mask])
                    ok = np.isfinite(acc)
                    ax.plot(mids[ok] + dx, acc[ok], style, label=label, ms=5, mfc="none" if dx > 0 else None)
            ax.axhline(1 / n_types, color="0.6", lw=0.8, ls=":")
            ax.set(xlabel=frac.replace("frac_", "fraction of ").replace("_visited", " visited"),
                   ylim=(-0.03, 1.05), xlim=(0, 1), title=f"{title}: n = {int(mask.sum())}")
            ax.title.set_fontsize(9)
    axes[0, 0].set_ylabel("accuracy")
    axes[1, 0].set_ylabel("accuracy")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=3, fontsize=8, frameon=False)
    li = summary["env1"]["link_inference_accuracy"]
    noise = float(np.asarray(data["pi_noise"])) if "pi_noise" in data else 0.0
    fig.suptitle(f"environment 1, pi_noise {noise:g} periods/step, link-inference accuracy: spiking "
                 f"{_num(li.get('spiking'))}, abstract corrected {_num(li.get('abstract'))}, uncorrected "
                 f"{_num(li.get('abstract_uncorrected'))}, edge memoriser {_num(li.get('edge_memorizer'))} "
                 f"(points offset horizontally so overlapping curves stay visible)", fontsize=8)
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    return save(fig, out_dir, NAME)
