"""Second environment: gating the old memories off prevents intrusions."""
from __future__ import annotations

from figures._style import plt, save
from protocols.results import load_results

NAME = "navigation_switch"
PROTOCOL = "navigation"
DESCRIPTION = "environment switch: intrusions of environment-1 objects with and without clearing memory"


def make(out_dir, results_dir):
    summary, params, data = load_results(results_dir)
    sw = summary.get("environment_switch")
    fig, ax = plt.subplots(figsize=(5.6, 3.8))
    if sw is None:
        ax.text(0.5, 0.5, "no second environment in this run", ha="center", va="center")
    else:
        labels = ["spiking,\nenv-1 slots gated off", "abstract,\ncleared", "abstract, not cleared\n(numpy counterfactual)"]
        vals = [sw["intrusion_rate_spiking_gated"], sw["intrusion_rate_abstract_cleared"],
                sw["intrusion_rate_abstract_not_cleared"]]
        vals = [0.0 if v is None else v for v in vals]
        ax.bar(labels, vals, color=["C0", "C1", "0.6"])
        for k, v in enumerate(vals):
            ax.text(k, v + 0.02, f"{v:.2f}", ha="center")
        ax.set(ylim=(0, 1.05), ylabel="predicted the environment-1 object",
               title=f"{sw['env2_revisits_of_env1_nodes_with_changed_object']} env-2 revisits of nodes whose object changed")
        ax.title.set_fontsize(9)
    fig.tight_layout()
    return save(fig, out_dir, NAME)
