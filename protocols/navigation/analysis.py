"""Predictions, accuracies, learning curves and rate maps of the navigation run (numpy only).

Six predictors of the next observation on the same noisy walk (:data:`PREDICTORS`): the spiking
network with sensory correction (object decoded from the read-out spike counts), the abstract
TEM-t attention with the same noise and correction rule, the abstract model without correction
(dead reckoning), an edge memoriser, a node memoriser told the true node and a node memoriser
told the node decoded from the uncorrected (dead-reckoned) grid phase. A prediction of ``-1`` means
none.
"""
from __future__ import annotations

import numpy as np

from core.jsonio import rounded

__all__ = ["PREDICTORS", "CURVE_BINS", "CURVE_MIN_STEPS", "abstract_predictions", "node_memorizer_from_nodes",
           "next_step_predictions", "accuracy",
           "learning_curve", "navigation_metrics", "rate_maps", "environment_switch"]

#: Bins of the learning curves (fraction of nodes / edges visited) and the fewest steps a bin needs.
CURVE_BINS = np.linspace(0, 1, 11)
CURVE_MIN_STEPS = 3


#: Predictors scored on every run: name in the summary -> key of its predictions in data.npz.
PREDICTORS = {"spiking": "predicted_spiking", "abstract": "predicted_abstract",
              "abstract_uncorrected": "predicted_abstract_uncorrected", "edge_memorizer": "predicted_edge",
              "node_memorizer": "predicted_node", "node_memorizer_noisy": "predicted_node_noisy"}


def accuracy(pred, obs, mask) -> float:
    """Fraction of the steps in ``mask`` where ``pred == obs`` (NaN for an empty mask)."""
    return float(np.mean(pred[mask] == obs[mask])) if mask.any() else float("nan")


def abstract_predictions(design, clear_between_envs=True, corrected=True) -> np.ndarray:
    """Abstract TEM-t predictions on the noisy walk (object indices, -1 at each environment's first step).

    Parameters
    ----------
    design : dict
        From :func:`protocols.navigation.design.design_navigation`, whose closed-loop runs of
        :func:`hippocampus.pathint.closed_loop_walk` (same noise, same beta) hold the decodes.
    clear_between_envs : bool
        Each environment attends to its own memories only (as the gated spiking network); without,
        to every memory written before it in both (the counterfactual, with correction).
    corrected : bool
        With the sensory correction of the grid phase (:class:`hippocampus.pathint.CorrectionRule`),
        or dead reckoning.
    """
    if not clear_between_envs:
        run = design["corrected_no_clear"]
    else:
        run = design["corrected"] if corrected else design["uncorrected"]
    return next_step_predictions(run["decoded"], design["env_id"])


def node_memorizer_from_nodes(nodes, observations, env_id) -> np.ndarray:
    """Place memoriser on believed nodes: at step ``t`` it predicts the object last stored at
    ``nodes[t]`` in the same environment (-1 if none); memories restart with each environment."""
    pred = np.full(len(nodes), -1)
    memory, env = {}, None
    for t, (n, o, e) in enumerate(zip(np.asarray(nodes).tolist(), np.asarray(observations).tolist(),
                                      np.asarray(env_id).tolist())):
        if e != env:
            memory, env = {}, e
        if n in memory:
            pred[t] = memory[n]
        memory[n] = o
    return pred


def next_step_predictions(decoded, env_id) -> np.ndarray:
    """Predictions per step from per-window decodes: window ``t`` predicts step ``t + 1`` of the same
    environment; the first step of each environment has none (-1)."""
    n = len(decoded)
    starts = np.flatnonzero(np.diff(np.append(-1, env_id)) != 0)
    out = np.full(n, -1)
    out[1:] = decoded[:-1]
    out[starts] = -1
    return out


def learning_curve(x, score, bins=CURVE_BINS, min_steps=CURVE_MIN_STEPS) -> np.ndarray:
    """Mean ``score`` per bin of ``x`` (bins ``(lo, hi]``); NaN where a bin has fewer than ``min_steps``.

    Used by the summary and by ``figures/navigation_accuracy.py`` (one definition).
    """
    out = []
    for lo, hi in zip(bins[:-1], bins[1:]):
        s = (x > lo) & (x <= hi)
        out.append(float(np.mean(score[s])) if s.sum() >= min_steps else float("nan"))
    return np.array(out)


def navigation_metrics(data, n_object_types) -> dict:
    """Accuracies per predictor on link-inference steps, all revisits, first visits; learning curves.

    Learning curves (TEM style) cover **all** steps of the environment, scored with
    :func:`hippocampus.environment.expected_correct` (no prediction = chance ``1/n_object_types``),
    plus the curves restricted to link-inference steps.

    Returns
    -------
    dict
        ``{"env1": {...}, "env2": {...}}`` (``env2`` only with a second environment).
    """
    from hippocampus.environment import expected_correct

    obs = data["observation"]
    preds = {k: data[v] for k, v in PREDICTORS.items()}
    summary = {}
    for e in np.unique(data["env"]):
        s = data["env"] == e
        li, rv = data["link_inference"] & s, data["revisit"] & s
        first = s & ~data["revisit"] & (np.arange(len(obs)) > np.flatnonzero(s)[0])
        env_sum = {"steps": int(s.sum()), "link_inference_steps": int(li.sum()), "revisit_steps": int(rv.sum()),
                   "link_inference_accuracy": {k: rounded(accuracy(p, obs, li)) for k, p in preds.items()},
                   "revisit_accuracy": {k: rounded(accuracy(p, obs, rv)) for k, p in preds.items()},
                   "first_visit_accuracy": {k: rounded(accuracy(p, obs, first)) for k, p in preds.items()},
                   "chance": round(1.0 / n_object_types, 4)}
        curves = {"bins": [round(b, 2) for b in CURVE_BINS], "min_steps_per_bin": CURVE_MIN_STEPS,
                  "scoring": "expected_correct: right 1, wrong 0, no prediction 1/n_object_types"}
        for name, mask in (("all_steps", s), ("link_inference", li)):
            for frac in ("nodes", "edges"):
                x = data[f"frac_{frac}_visited"]
                curves[f"{name}_by_{frac}_fraction"] = {
                    k: [rounded(v) for v in learning_curve(x[mask], expected_correct(p, obs, n_object_types)[mask])]
                    for k, p in preds.items()}
        env_sum["curves"] = curves
        summary[f"env{int(e) + 1}"] = env_sum
    return summary


def rate_maps(slot_counts, mec_rates, next_nodes, env_id, n_steps_env1, n_nodes, read_s):
    """Measured rate maps over the queried position (environment 1).

    Parameters
    ----------
    slot_counts : int array (windows, slots)
        Memory spikes per read window.
    mec_rates : float array (windows, modules), Hz
        Rate of the recorded MEC cell of each module over each window.
    next_nodes : int array (windows,)
        Node window ``t`` queries (the next position).
    env_id : int array (windows,)
    n_steps_env1 : int
    n_nodes : int
    read_s : float
        Read window (s).

    Returns
    -------
    place_maps : float array (8, n_nodes), Hz
        Rate of 8 slots written early in the walk while the query points at each node, counted only
        after the slot was written (NaN: never queried).
    place_map_slots : int array (8,)
    grid_maps : float array (modules, n_nodes), Hz
    """
    slot_sel = np.linspace(0, max(n_steps_env1 // 4, 8), 8).astype(int).clip(0, n_steps_env1 - 1)
    place_maps = np.full((len(slot_sel), n_nodes), np.nan)
    grid_maps = np.full((mec_rates.shape[1], n_nodes), np.nan)
    env1 = env_id == 0
    steps = np.arange(len(env_id))
    for node in range(n_nodes):
        s = (next_nodes == node) & env1
        if s.any():
            grid_maps[:, node] = mec_rates[s].mean(axis=0)
            for r, k in enumerate(slot_sel):
                sk = s & (steps >= k)
                if sk.any():
                    place_maps[r, node] = slot_counts[sk, k].mean() / read_s
    return place_maps, slot_sel, grid_maps


def environment_switch(data, nodes, env1_nodes, objects_env1, objects_env2, slot_counts, n_steps_env1) -> dict:
    """Intrusions of environment-1 memories into environment-2 predictions.

    The steps judged are environment-2 revisits (the environment-2 memory of the node exists) of
    nodes also visited in environment 1 whose object differs between the environments: predicting
    the environment-1 object there is an intrusion.
    """
    s2 = data["env"] == 1
    differs = s2 & data["revisit"] & np.isin(nodes, env1_nodes) & (objects_env1[nodes] != objects_env2[nodes])

    def rate(pred, objs):
        return rounded(np.mean(pred[differs] == objs[nodes[differs]])) if differs.any() else None

    return {
        "memory_handling": "gate: every environment-1 slot's gate closes at the switch (memories cleared)",
        "counterfactual_note": "'not cleared' is computed for the abstract model only (numpy); the spiking "
                               "network always runs with gating",
        "env2_revisits_of_env1_nodes_with_changed_object": int(differs.sum()),
        "intrusion_rate_spiking_gated": rate(data["predicted_spiking"], objects_env1),
        "intrusion_rate_abstract_cleared": rate(data["predicted_abstract"], objects_env1),
        "intrusion_rate_abstract_not_cleared": rate(data["predicted_abstract_no_clear"], objects_env1),
        "accuracy_spiking_gated": rate(data["predicted_spiking"], objects_env2),
        "accuracy_abstract_not_cleared": rate(data["predicted_abstract_no_clear"], objects_env2),
        "env1_slot_spikes_after_switch": int(slot_counts[s2][:, :n_steps_env1].sum()),
    }
