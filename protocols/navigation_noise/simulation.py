"""Runs the navigation protocol once per noise level and gathers link inference per predictor (Brian2)."""
from __future__ import annotations

import dataclasses
import time

import numpy as np

__all__ = ["run"]


def run(config, sim, seed: int):
    """Run every level of ``config.noise_levels`` on ``seed``.

    Every level is a part of ``sim`` (:meth:`protocols.engine.Simulation.part`): all levels generate
    the same code and every level after the first takes the compiled program from the build cache
    (the noise is data of the program, not code); the parts' times add up in the run's cost.

    Parameters
    ----------
    config : NavigationNoiseConfig
    sim : protocols.engine.Simulation
    seed : int

    Returns
    -------
    protocols.engine.RunOutput
        ``data``: ``noise_levels (L,)``, ``link_inference_<predictor> (L,)`` environment-1
        link-inference accuracy of each predictor of :data:`protocols.navigation.analysis.PREDICTORS`,
        ``estimate_on_true_node_<model> (L,)``, ``corrected_fraction_<model> (L,)``,
        ``link_inference_steps (L,)``.
    """
    from protocols.engine import RunOutput
    from protocols.navigation.analysis import PREDICTORS
    from protocols.navigation.simulation import run as navigation_run

    levels = [float(x) for x in config.noise_levels]
    rows, events, target_level = [], 0, None
    for noise in levels:
        cfg = dataclasses.replace(config, pi_noise=noise)
        t0 = time.perf_counter()
        with sim.part(f"pi_noise {noise:g}") as level_sim:
            out = navigation_run(cfg, level_sim, seed)
        program = level_sim.program or None
        s = out.summary
        events += out.synaptic_events
        rows.append({"pi_noise": noise, "link_inference_accuracy": s["env1"]["link_inference_accuracy"],
                     "link_inference_steps": s["env1"]["link_inference_steps"],
                     "estimate_on_true_node": s["path_integration"]["estimate_on_true_node"],
                     "corrected_fraction": s["path_integration"]["corrected_fraction"],
                     "synaptic_events": out.synaptic_events,
                     "program_cached": None if program is None else program.get("cached"),
                     "wall_s": round(time.perf_counter() - t0, 2)})
        if abs(noise - config.pi_noise) < 1e-12:
            target_level = s

    def column(get):
        return np.array([np.nan if get(r) is None else get(r) for r in rows], dtype=float)

    data = {"noise_levels": np.array(levels),
            "link_inference_steps": column(lambda r: r["link_inference_steps"])}
    for name in PREDICTORS:
        data[f"link_inference_{name}"] = column(lambda r, n=name: r["link_inference_accuracy"][n])
    for model in ("spiking", "abstract", "uncorrected"):
        data[f"estimate_on_true_node_{model}"] = column(lambda r, m=model: r["estimate_on_true_node"][m])
    for model in ("spiking", "abstract"):
        data[f"corrected_fraction_{model}"] = column(lambda r, m=model: r["corrected_fraction"][m])
    summary = {"noise_levels": levels, "pi_noise_unit": target_level["path_integration"]["pi_noise_unit"],
               "targets_level": config.pi_noise, "all_pass": target_level["all_pass"],
               "targets": target_level["targets"],
               "levels": rows, "settings": target_level["settings"]}
    return RunOutput(summary=summary, data=data, synaptic_events=events)

