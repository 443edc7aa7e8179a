"""Builds the mushroom body with its output compartment for the trial schedule, runs it on ``sim``
and collects the results (Brian2)."""
from __future__ import annotations

import numpy as np

from core.targets import targets_summary

__all__ = ["run"]


def run(config, sim, seed: int):
    """Run the protocol: every trial (pre-test, training, test, extinction, retest) in one program.

    Parameters
    ----------
    config : FlyConditioningConfig
    sim : protocols.engine.Simulation
    seed : int
        Projection and odours (numpy generator ``seed``).

    Returns
    -------
    protocols.engine.RunOutput
    """
    from brian2 import Network, StateMonitor

    from core.spikes import window_counts
    from core.units import in_unit
    from mushroom_body.circuit import build_mushroom_body
    from mushroom_body.theory import sparse_projection
    from protocols.engine import RunOutput, synaptic_events
    from protocols.fly_conditioning.analysis import compute_metrics
    from protocols.fly_conditioning.design import PHASES, design_odours, design_trials, schedule
    from protocols.fly_conditioning.targets import targets

    rng = np.random.default_rng(seed)
    kc = config.circuit.kc
    projection = sparse_projection(kc.n_kc, kc.n_pn, kc.pn_per_kc_min, kc.pn_per_kc_max, rng)
    design = design_odours(config, rng)
    trials = design_trials(config, design)
    pn_rates, dan_rates, read_start = schedule(config, design, trials)
    circuit = build_mushroom_body(config.circuit, projection, pn_rates, config.step, dan_rates=dan_rates,
                                  record_all=sim.record_all)
    # the plastic factor of every KC at the start of each trial
    weights = StateMonitor(circuit.kc, "w_out", record=True, dt=config.period, name="w_out_monitor")
    net = Network(*circuit.objects, weights)
    n_trials = len(read_start)
    sim.run(net, n_trials * config.period, "trials")
    sim.execute()
    read_s = in_unit(config.read, "ms") / 1000.0
    spikes = circuit.raw_spikes()
    ki, kt, kn = spikes["kc"]
    mi, mt, mn = spikes["mbon"]
    di, dt_, dn = spikes["dan"]
    kc_counts = window_counts(ki, kt, read_start, read_s, kn)
    mbon_rate = window_counts(mi, mt, read_start, read_s, mn).mean(axis=1) / read_s
    dan_rate = window_counts(di, dt_, read_start, read_s, dn).mean(axis=1) / read_s
    w_out = np.asarray(weights.w_out[:], dtype=np.float32).T[:n_trials]
    events = sum(synaptic_events(m.count[:], src) for m, src in circuit.pathways)
    summary, measures, data = compute_metrics(config, design, trials, projection, mbon_rate, kc_counts)
    data.update(dan_rate=dan_rate, w_out=w_out)
    # the mean weight factor of each code at the start of the first trial of each phase
    starts = {name: int(np.flatnonzero(trials["trial_phase"] == p)[0]) for p, name in enumerate(PHASES)
              if (trials["trial_phase"] == p).any()}
    codes = data["kc_code_spiking"]
    summary["weights"] = {f"{role}_code_at_{name}_start": round(float(w_out[k, codes[o]].mean()), 4)
                          for role, o in (("cs_plus", design["cs_plus"]), ("cs_minus", design["cs_minus"]))
                          for name, k in starts.items() if codes[o].any()}
    summary["settings"] = {"trials": int(n_trials), "n_probes": config.n_probes, "n_training": config.n_training,
                           "n_extinction": config.n_extinction, "n_kc": kc.n_kc, "n_pn": kc.n_pn,
                           "read_ms": in_unit(config.read, "ms"), "period_ms": in_unit(config.period, "ms")}
    summary.update(targets_summary(targets(measures)))
    epochs = {"start_s": read_start - in_unit(config.settle, "ms") / 1000.0, "stop_s": read_start + read_s,
              "phase": np.array([PHASES[p] for p in trials["trial_phase"]]), "odour": trials["odour"],
              "dan": trials["dan"]}
    return RunOutput(summary=summary, data=data, synaptic_events=events,
                     spikes=spikes, epochs=epochs)
