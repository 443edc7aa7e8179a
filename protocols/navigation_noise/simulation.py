"""Runs the navigation protocol once per noise level and gathers link inference per predictor (Brian2)."""
from __future__ import annotations

import dataclasses
import time

import numpy as np

__all__ = ["run"]


def run(config, sim, seed: int):
    """Run every level of ``config.noise_levels`` on ``seed``.

    Every level runs in a fresh :class:`protocols.engine.Simulation` with the device settings of
    ``sim``, so all levels generate the same code and every level after the first takes the
    compiled program from the build cache (the noise is data of the program, not code). The
    levels' simulated time, program times and build times are added to ``sim`` for the run's cost.

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
    from protocols.engine import RunOutput, Simulation
    from protocols.navigation.analysis import PREDICTORS
    from protocols.navigation.simulation import run as navigation_run

    import brian2
    from brian2.devices import reinit_devices

    # leave the device of ``sim`` as each level's Simulation leaves its own, so the first level
    # generates the same code as the others
    reinit_devices()
    brian2.set_device("runtime")
    levels = [float(x) for x in config.noise_levels]
    rows, events, target_level = [], 0, None
    for k, noise in enumerate(levels):
        cfg = dataclasses.replace(config, pi_noise=noise)
        t0 = time.perf_counter()
        with Simulation(device=sim.device, name=sim.name, seed=sim.seed, threads=sim.threads,
                        progress=sim.progress, dt_ms=sim.dt_ms, runtime_target=sim.runtime_target,
                        cache_dir=sim.cache_dir) as level_sim:
            out, program = navigation_run(cfg, level_sim, seed), dict(level_sim.program)
        _add_cost(sim, level_sim, f"pi_noise {noise:g}")
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


def _add_cost(sim, level_sim, label: str) -> None:
    """Add one level's simulated time, run and build times and program phase times to ``sim``."""
    t_end = sim.simulated_time_s + level_sim.simulated_time_s
    sim.segments.append((t_end, label))
    sim.run_time_s += level_sim.run_time_s
    sim.build_time_s += float(getattr(level_sim, "build_time_s", 0.0) or 0.0)
    if sim.launched_at is None:
        sim.launched_at = level_sim.launched_at
    prog = level_sim.program
    if prog:
        total = sim.program
        total.setdefault("key", prog.get("key"))
        total.setdefault("cached_per_level", []).append(prog.get("cached"))
        total["cached"] = all(total["cached_per_level"])
        for k in ("codegen_s", "compile_s", "load_s", "loop_s", "write_s", "total_s"):
            if k in prog:
                total[k] = round(total.get(k, 0.0) + prog[k], 4)
        if "peak_memory_mib" in prog:
            total["peak_memory_mib"] = max(total.get("peak_memory_mib", 0.0), prog["peak_memory_mib"])
