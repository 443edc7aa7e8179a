"""Builds the mushroom body for the odour schedule, runs it on ``sim`` and collects the results (Brian2)."""
from __future__ import annotations

import numpy as np

from core.targets import targets_summary

__all__ = ["run"]


def run(config, sim, seed: int):
    """Run the protocol: every presentation in one compiled program.

    Parameters
    ----------
    config : FlyHashConfig
    sim : protocols.engine.Simulation
    seed : int
        Odours and projection (numpy generator ``seed``), dense baseline (generator ``seed + 1``).

    Returns
    -------
    protocols.engine.RunOutput
    """
    from brian2 import Network

    from core.spikes import window_counts
    from core.units import in_unit
    from mushroom_body.circuit import build_mushroom_body
    from mushroom_body.theory import sparse_projection
    from protocols.engine import RunOutput, synaptic_events
    from protocols.fly_hash.analysis import compute_metrics
    from protocols.fly_hash.design import design_odours, schedule
    from protocols.fly_hash.targets import targets

    rng = np.random.default_rng(seed)
    kc = config.circuit.kc
    projection = sparse_projection(kc.n_kc, kc.n_pn, kc.pn_per_kc_min, kc.pn_per_kc_max, rng)
    design = design_odours(config, rng)
    rates, read_start = schedule(config, design)
    circuit = build_mushroom_body(config.circuit, projection, rates, config.step, record_all=sim.record_all)
    net = Network(*circuit.objects)
    sim.run(net, len(read_start) * config.period, "odours")
    sim.execute()
    spikes = circuit.raw_spikes()
    i, t, n = spikes["kc"]
    read_s = in_unit(config.read, "ms") / 1000.0
    counts = window_counts(i, t, read_start, read_s, n)
    events = sum(synaptic_events(m.count[:], src) for m, src in circuit.pathways)
    summary, measures, data = compute_metrics(config, design, projection, counts, np.random.default_rng(seed + 1))
    summary["settings"] = {"n_odours": config.n_odours, "presentations": int(len(read_start)),
                           "n_kc": kc.n_kc, "n_pn": kc.n_pn, "read_ms": in_unit(config.read, "ms"),
                           "settle_ms": in_unit(config.settle, "ms")}
    summary.update(targets_summary(targets(measures)))
    epochs = {"start_s": read_start - in_unit(config.settle, "ms") / 1000.0, "stop_s": read_start + read_s,
              "odour": design["present_odour"], "concentration": design["present_conc"]}
    return RunOutput(summary=summary, data=data, synaptic_events=events, spikes=spikes, epochs=epochs)
