"""Builds the memory circuit for the designed queries, runs it on ``sim`` and collects the results (Brian2)."""
from __future__ import annotations

import time

import numpy as np

from core.targets import targets_summary

__all__ = ["run"]


def run(config, sim, seed: int):
    """Run the protocol: one compiled program, three blocks of query windows.

    Parameters
    ----------
    config : HopfieldRecallConfig
    sim : protocols.engine.Simulation
        Its time step is ``config.dt``.
    seed : int
        Design (``numpy`` generator ``seed``) and metrics (generator ``seed + 1``).

    Returns
    -------
    protocols.engine.RunOutput
    """
    from brian2 import Network, second

    from core.jsonio import rounded
    from hippocampus.codes import grid_keys, key_separation
    from hippocampus.grid import world_positions
    from hippocampus.network import WindowSchedule, build_memory_circuit
    from protocols.engine import RunOutput, synaptic_events
    from protocols.hopfield_recall.analysis import compute_metrics, interneuron_summary
    from protocols.hopfield_recall.design import BLOCKS, design_queries, scores
    from protocols.hopfield_recall.targets import targets

    rng = np.random.default_rng(seed)
    design = design_queries(config, rng)
    period = config.period
    schedule = WindowSchedule(period=period, query=design["query"], beta=design["beta"], write=design["write"],
                              clear=design["clear"], shift=design["shift"], settle=config.settle, dt=config.dt)
    grid = design["grid"]
    circuit = build_memory_circuit(config.circuit, design["keys"], design["values"], design["code_scale"],
                                   schedule, record_mec_cells=np.arange(grid.n_modules) * grid.cells_per_module
                                   * config.circuit.mec_copies, record_all=sim.record_all,
                                   rng=np.random.default_rng([seed, 2]))
    net = Network(*circuit.objects)
    for b, label in BLOCKS.items():
        n_w = int(np.sum(design["block"] == b))
        if n_w:
            sim.run(net, n_w * period, label)
    t0 = time.perf_counter()
    sim.execute()
    # The engine's simulation_wall_time_s is the program's last run() segment only; the whole
    # compiled program (all segments, set-up, result writing) is execute minus build.
    program_wall = time.perf_counter() - t0 - float(getattr(sim, "build_time_s", 0.0) or 0.0)

    slot_counts = circuit.window_slot_counts()                         # (q, 2 n_slots)
    counts = np.take_along_axis(slot_counts, design["mem_slots"], axis=1)
    readout_counts = circuit.window_readout_counts()
    intensity = circuit.window_readout_intensity()
    pathways = circuit.pathways()
    events = sum(synaptic_events(c, src) for c, src in pathways)
    read_s = float(config.read / second)
    summary, measures, extra = compute_metrics(config, design, counts, readout_counts, intensity, read_s,
                                               np.random.default_rng(seed + 1))
    summary["unused_slot_spikes"] = int(slot_counts[~design["active"]].sum())
    inh_counts = circuit.window_interneuron_counts()                   # (q, n_interneurons)
    summary["interneurons"] = interneuron_summary(inh_counts, counts, design["block"], read_s)
    world_keys = grid_keys(grid, world_positions(config.world_width))
    sep = key_separation(world_keys)
    n_nodes = config.world_width ** 2
    summary["key_separation"] = {
        "definition": "min_i (k_i.k_i - max_{j!=i} k_i.k_j) over all nodes of the world",
        "min_delta": rounded(sep), "beta": config.beta, "beta_times_delta": rounded(config.beta * sep, 3),
        "log_n_plus_3": rounded(np.log(n_nodes) + 3, 3),
        "rule_satisfied": bool(config.beta * sep >= np.log(n_nodes) + 3)}
    summary["events_breakdown"] = {
        **{name: synaptic_events(*pw) for name, pw in zip(circuit.PATHWAYS, pathways)},
        "key_onto_open_slots_expected": int(circuit.expected_active_key_events())}
    if sim.device == "standalone":
        summary["program_timing"] = {"program_wall_s": round(program_wall, 2),
                                     "synaptic_events_per_program_wall_s": round(events / max(program_wall, 1e-9))}
    code, circ = config.code, config.circuit
    summary["settings"] = {"n_memories": config.n_memories, "n_slots": config.n_slots,
                           "copies": circ.copies, "beta": config.beta, "queries": int(len(counts)),
                           "read_ms": float(config.read / second * 1000),
                           "settle_ms": float(config.settle / second * 1000),
                           "memory_neurons": int(2 * config.n_slots * circ.copies),
                           "readout_neurons": int(code.sensory_dim * circ.readout_copies),
                           "mec_cells": int(grid.n_cells * circ.mec_copies),
                           "key_synapses": int(len(circuit.key_sources)),
                           "interneurons": int(circ.pv.n_interneurons),
                           "memory_to_pv_synapses": int(len(circuit.mem_pv_sources)),
                           "pv_to_memory_synapses": int(len(circuit.pv_mem_sources)),
                           "memory_storage": "gated pre-wired slot pool (keys/values wired at build time, "
                                             "gates open at write time); no plasticity"}
    summary.update(targets_summary(targets(measures)))
    m = config.n_memories
    pool_a = np.arange(m)
    pool_b = config.n_slots + pool_a
    data = {
        "scores": scores(design), "spike_counts": counts, "values": design["values"][pool_a],
        "values_recall": design["values"][pool_b], "pool": design["pool"],
        "readout": readout_counts / (read_s * circ.readout_copies), "readout_counts": readout_counts,
        "readout_intensity": intensity, "target": design["target"],
        "memory_total_rate": counts.sum(axis=1) / read_s, "slot_spike_counts": slot_counts,
        "inh_spike_counts": inh_counts, "n_interneurons": np.array(circ.pv.n_interneurons),
        "block": design["block"], "beta": design["beta"], "shift": design["shift"],
        "noise": design["noise"], "partial_fraction": design["partial_fraction"], "partial_cue": design["partial"],
        "keys": design["keys"][pool_a], "keys_recall": design["keys"][pool_b],
        "queries": design["query"], "positions": design["positions"],
        "objects": design["objects"][pool_a], "objects_recall": design["objects"][pool_b],
        "objects_code": design["objects_code"], "mec_cell_window_rates": circuit.window_mec_rates(),
        **extra,
    }
    return RunOutput(summary=summary, data=data, synaptic_events=events, spikes=circuit.raw_spikes(),
                     epochs=circuit.window_epochs())
