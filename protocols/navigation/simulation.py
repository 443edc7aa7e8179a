"""Builds the memory circuit for the designed walk, runs it on ``sim`` and collects the results (Brian2)."""
from __future__ import annotations

import dataclasses
import time

import numpy as np

from core.targets import targets_summary

__all__ = ["run"]


def run(config, sim, seed: int):
    """Run the protocol: one compiled program, one window per step of both environments.

    Parameters
    ----------
    config : NavigationConfig
    sim : protocols.engine.Simulation
        Its time step is ``config.dt``.
    seed : int
        Seed of the numpy generator of the design (worlds, walks, codes).

    Returns
    -------
    protocols.engine.RunOutput
    """
    from brian2 import Network, second

    from hippocampus.codes import decode_objects, grid_keys, key_separation
    from hippocampus.grid import world_positions
    from hippocampus.network import PathIntegrationInput, WindowSchedule, build_memory_circuit
    from hippocampus.pathint import decode_nodes, phase_code
    from protocols.engine import RunOutput, synaptic_events
    from protocols.navigation.analysis import (abstract_predictions, accuracy, environment_switch,
                                               navigation_metrics, next_step_predictions, node_memorizer_from_nodes,
                                               rate_maps, rounded)
    from protocols.navigation.design import design_navigation
    from protocols.navigation.targets import targets

    timing = {}
    t_start = time.perf_counter()
    rng = np.random.default_rng(seed)
    des = design_navigation(config, rng)
    n = des["n_steps"]
    period = config.period
    schedule = WindowSchedule(period=period, query=des["queries"], beta=np.full(n, config.beta), write=des["write"],
                              clear=des["clear"], shift=np.zeros(n), settle=config.settle, dt=config.dt)
    grid = des["grid"]
    circ = config.circuit
    # rate maps: one MEC cell per module is recorded (all others only counted)
    mec_cells = np.arange(grid.n_modules) * grid.cells_per_module * circ.mec_copies
    # closed loop: the circuit path-integrates (action + noise), writes its own keys and re-anchors its
    # grid phase from its memory spikes; des["keys"] / des["queries"] (abstract model) only fix shapes
    env_id = des["env_id"]
    obs = des["observations"]
    obs_next = np.full(n, -1)
    same_env = env_id[1:] == env_id[:-1]
    obs_next[:-1][same_env] = obs[1:][same_env]
    restart = np.zeros(n, bool)
    restart_phase = np.zeros_like(des["pi_steps"])
    for t, ph in des["restarts"].items():
        restart[t], restart_phase[t] = True, ph
    slot_object = np.full(des["n_pool"], -2)
    slot_object[:n] = obs
    rule = des["rule"]
    loop = PathIntegrationInput(grid=grid, steps=des["pi_steps"], restart=restart, restart_phase=restart_phase,
                                observation_next=obs_next, slot_object=slot_object, match_min=rule.match_min,
                                min_share=rule.min_share, gain=rule.gain)
    circuit = build_memory_circuit(circ, des["keys"], des["values"], des["code_scale"], schedule,
                                   record_mec_cells=mec_cells, pad_windows=des["n_pool"],
                                   record_all=sim.record_all, rng=np.random.default_rng([seed, 2]),
                                   path_integration=loop)
    # an explicit name keeps the generated code the same when several runs share one process
    net = Network(*circuit.objects, name="navigation_network")
    for e, env in enumerate(des["envs"]):
        sim.run(net, len(env["walk"]) * period, f"environment {e + 1}")
    timing["design_and_build_objects_s"] = time.perf_counter() - t_start
    t0 = time.perf_counter()
    sim.execute()
    timing["execute_s"] = time.perf_counter() - t0
    # The engine's simulation_wall_time_s is the program's last run() segment only; the whole
    # compiled program (all segments, set-up, result writing) is execute minus build.
    timing["program_wall_s"] = timing["execute_s"] - float(getattr(sim, "build_time_s", 0.0) or 0.0)
    t0 = time.perf_counter()

    # the keys and queries the circuit made (for the expected key events)
    est_phase, corrected_spk = circuit.window_phase_estimates()
    measured_keys = np.zeros_like(des["keys"])
    measured_keys[:n] = grid_keys(grid, phase_code(grid, est_phase))
    circuit._keys = measured_keys
    measured_queries = grid_keys(grid, phase_code(grid, est_phase + des["pi_steps"]))
    circuit.schedule = dataclasses.replace(schedule, query=measured_queries)
    counts = circuit.window_slot_counts()
    ro_counts = circuit.window_readout_counts()
    intensity = circuit.window_readout_intensity()
    pathways = circuit.pathways()
    events = sum(synaptic_events(c, src) for c, src in pathways)
    timing["read_monitors_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    # window t predicts step t + 1 of the same environment, from read-out SPIKE COUNTS
    pred_spk = next_step_predictions(decode_objects(ro_counts.astype(float), des["codes"]), env_id)
    dec_int = decode_objects(intensity, des["codes"])
    dec_int[counts.sum(axis=1) == 0] = -1
    pred_int = next_step_predictions(dec_int, env_id)
    read_s = float(config.read / second)

    envs = des["envs"]
    walks = [env["walk"] for env in envs]
    nodes = np.concatenate([w.nodes for w in walks])
    width = config.width
    next_nodes = np.concatenate([np.append(w.nodes[1:], env["world"].step(int(w.nodes[-1]), int(env["actions"][-1])))
                                 for w, env in zip(walks, envs)])
    n_nodes = width * width
    node_xy = world_positions(width)
    est_nodes = decode_nodes(grid, est_phase, node_xy)
    unc_nodes = decode_nodes(grid, des["uncorrected"]["estimate"], node_xy)
    abs_nodes = decode_nodes(grid, des["corrected"]["estimate"], node_xy)
    place_maps, slot_sel, grid_maps = rate_maps(counts, circuit.window_mec_rates(), next_nodes, env_id,
                                                len(walks[0]), n_nodes, read_s)
    data = {
        "position": np.stack([nodes % width, nodes // width], axis=1),
        "node": nodes,
        "action": np.concatenate([env["actions"][:-1].tolist() + [-1] for env in envs]).astype(int),
        "observation": des["observations"],
        "predicted_spiking": pred_spk,
        "predicted_spiking_intensity": pred_int,
        "predicted_abstract": abstract_predictions(des, clear_between_envs=True),
        "predicted_abstract_no_clear": abstract_predictions(des, clear_between_envs=False),
        "predicted_abstract_uncorrected": abstract_predictions(des, corrected=False),
        "predicted_edge": np.concatenate([env["edge"] for env in envs]),
        "predicted_node": np.concatenate([env["node"] for env in envs]),
        "predicted_node_noisy": node_memorizer_from_nodes(unc_nodes, obs, env_id),
        "pi_noise": np.array(config.pi_noise),
        "position_estimate": node_xy[est_nodes],
        "position_estimate_abstract": node_xy[abs_nodes],
        "position_estimate_uncorrected": node_xy[unc_nodes],
        "corrected_spiking": corrected_spk,
        "corrected_abstract": des["corrected"]["corrected"],
        "revisit": np.concatenate([env["flags"].node_visited for env in envs]),
        "link_inference": np.concatenate([env["flags"].link_inference for env in envs]),
        "frac_nodes_visited": np.concatenate([env["flags"].node_fraction for env in envs]),
        "frac_edges_visited": np.concatenate([env["flags"].edge_fraction for env in envs]),
        "env": env_id,
        "memory_total_rate": counts.sum(axis=1) / read_s,
        "readout_counts": ro_counts,
        "place_maps": place_maps, "place_map_slots": slot_sel, "grid_maps": grid_maps,
        "objects_env1": envs[0]["world"].objects,
    }
    if len(envs) > 1:
        data["objects_env2"] = envs[1]["world"].objects
    summary = navigation_metrics(data, config.code.n_object_types)
    obs = data["observation"]
    li1 = data["link_inference"] & (env_id == 0)
    summary.update(targets_summary(targets(
        abstract=accuracy(data["predicted_abstract"], obs, li1), spiking=accuracy(pred_spk, obs, li1),
        abstract_uncorrected=accuracy(data["predicted_abstract_uncorrected"], obs, li1),
        edge_memorizer=accuracy(data["predicted_edge"], obs, li1), spiking_intensity=accuracy(pred_int, obs, li1))))
    if len(envs) > 1:
        summary["environment_switch"] = environment_switch(data, nodes, walks[0].nodes, envs[0]["world"].objects,
                                                           envs[1]["world"].objects, counts, len(walks[0]))
    summary["path_integration"] = {
        "method": "spiking: phase cells rotated by action + noise each step, re-anchored from memory spikes; "
                  "abstract: the same rule in numpy (hippocampus.pathint)",
        "pi_noise": config.pi_noise,
        "pi_noise_unit": "SD of the phase error per step and dimension, in periods of each module",
        "rule": {"match_min": rule.match_min, "min_share": rule.min_share, "gain": rule.gain},
        "exact_max_error": max(env["pi_error"] for env in envs),
        "estimate_on_true_node": {k: rounded(np.mean(v == nodes)) for k, v in
                                  (("spiking", est_nodes), ("abstract", abs_nodes), ("uncorrected", unc_nodes))},
        "corrected_fraction": {"spiking": rounded(corrected_spk.mean()),
                               "abstract": rounded(des["corrected"]["corrected"].mean())}}
    sep = key_separation(grid_keys(grid, world_positions(width)))
    summary["key_separation"] = {
        "definition": "min_i (k_i.k_i - max_{j!=i} k_i.k_j) over all nodes of the world",
        "min_delta": rounded(sep), "beta": config.beta, "beta_times_delta": rounded(config.beta * sep),
        "log_n_plus_3": rounded(np.log(n_nodes) + 3),
        "rule_satisfied": bool(config.beta * sep >= np.log(n_nodes) + 3)}
    summary["events_breakdown"] = {
        **{name: synaptic_events(*pw) for name, pw in zip(circuit.pathway_names, pathways)},
        "key_onto_open_slots_expected": int(circuit.expected_active_key_events()),
        "note": "key events onto closed (not yet written / cleared) slots are wasted work of the fixed pool"}
    summary["settings"] = {"steps_env1": len(walks[0]), "steps_env2": len(walks[1]) if len(walks) > 1 else 0,
                           "memory_slots": des["n_pool"], "memory_slots_used": n,
                           "memory_neurons": des["n_pool"] * circ.copies,
                           "readout_neurons": config.code.sensory_dim * circ.readout_copies,
                           "mec_cells": grid.n_cells * circ.mec_copies, "beta": config.beta,
                           "period_ms": float(period / second * 1000), "key_synapses": int(len(circuit.key_sources)),
                           "mean_memory_spikes_per_read_window": round(float(counts.sum(axis=1).mean()), 1),
                           "mean_readout_spikes_per_read_window": round(float(ro_counts.sum(axis=1).mean()), 1),
                           "memory_storage": "gated slot pool; a slot's key and phase synapses are set from the circuit's "
                                             "phase estimate when it is written (one-shot)"}
    timing["metrics_s"] = time.perf_counter() - t0
    summary["protocol_timing_s"] = {k: round(v, 2) for k, v in timing.items()}
    if sim.device == "standalone" and timing["program_wall_s"] > 0:
        summary["protocol_timing_s"]["synaptic_events_per_program_wall_s"] = round(events / timing["program_wall_s"])
    return RunOutput(summary=summary, data=data, synaptic_events=events, spikes=circuit.raw_spikes(),
                     epochs=circuit.window_epochs())
