"""Build the conditioning circuit, schedule the whole protocol as one run, execute, read the monitors.

Shared by ``eyeblink`` and ``eyeblink-isi`` (which passes per-trial ISIs and weight resets). The
schedule lives in 1-ms ``TimedArray`` s, so plasticity state carries across phases and ``sim.run``
is called once: in standalone every ``run()`` call duplicates all code objects (three phases would
triple the compile time), and Brian2's program clock (the engine's ``simulation_wall_time_s``)
covers only the last ``run()`` call. The progress bar is labelled per trial.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

__all__ = ["Recordings", "simulate", "label_trials", "RATE_GROUPS"]

#: Groups whose every spike is recorded (per-trial rates, CF bursts).
RATE_GROUPS = ("pc", "dcn", "io", "dcni")


@dataclass
class Recordings:
    """What one run recorded (numpy arrays; times in s, weights in nS).

    Attributes
    ----------
    circuit : cerebellum.eyeblink_circuit.EyeblinkCircuit
    events : int
        Synaptic events of the whole run (spikes x out-degree over every pathway).
    spikes : dict name -> (t, i)
        Every spike of the groups in :data:`RATE_GROUPS` (of every group when the simulation records all).
    counts : dict name -> int array
        Spikes per cell of every group.
    grc : (t, i) or None
        Spikes of the recorded granule cells (the first ``n_grc_recorded``).
    mf_dcn_w : array (n_trials, n_synapses) or None
        MF→DCN weights at the start of each trial (nS).
    execute_s : float
        Wall time of ``sim.execute()`` (compile + program in standalone).
    """

    circuit: object
    events: int
    spikes: dict
    counts: dict
    grc: tuple | None
    mf_dcn_w: np.ndarray | None
    execute_s: float


def simulate(config, sim, seed: int, schedule, reset: bool = False) -> Recordings:
    """Build the circuit of ``config``, run ``schedule`` on ``sim`` and return the recordings.

    Parameters
    ----------
    config : protocols.eyeblink.config.ConditioningConfig
    sim : protocols.engine.Simulation
        Owns the device and the integration step (``config.dt``, set by the CLI).
    seed : int
        Seed of the numpy generator for connectivity, CS profiles and initial potentials.
    schedule : cerebellum.eyeblink_schedule.Schedule
    reset : bool
        Return plastic weights to their initial values at trials whose ``reset`` flag is set.
    """
    import brian2
    from brian2 import Network, SpikeMonitor, StateMonitor, second

    from cerebellum.eyeblink_circuit import assign_run_time_values, build_eyeblink_circuit
    from protocols.engine import synaptic_events

    rng = np.random.default_rng(seed)
    signals = schedule.timed_arrays()
    max_cs = float(np.max(schedule.cs_duration)) + 0.002
    circ = build_eyeblink_circuit(config.circuit, rng, signals, max_cs=max_cs * second,
                                  reset_period=schedule.period * second if reset else None)
    assign_run_time_values(circ, sim.set_at_run_time)
    groups = circ.groups
    # spike times of the rate-scored populations (every population with --record all); the rest counted
    recorded = set(groups) if sim.record_all else set(RATE_GROUPS)
    mon = {name: SpikeMonitor(groups[name], record=name in recorded, name=f"mon_{name}") for name in groups}
    n_rec = config.n_grc_recorded
    grc_rec = SpikeMonitor(circ.layer.grc[:n_rec], name="mon_grc_rec") if n_rec else None
    # MF->DCN weights once per trial, at its start (before any reset): the store that gives savings.
    # One sample per trial of ~8,000 synapses is cheap; PF->PC (300,000 synapses) is not recorded.
    weights = []
    if "mf_dcn" in circ.synapses:
        weights.append(StateMonitor(circ.synapses["mf_dcn"], "w", record=True, dt=schedule.period * second,
                                    when="start", order=-1, name="mon_mf_dcn_w"))
    net = Network(*circ.objects, *mon.values(), *([grc_rec] if grc_rec is not None else []), *weights)
    sim.run(net, schedule.duration * second, _trial_label(schedule, 0))
    label_trials(sim, schedule)
    start = time.perf_counter()
    sim.execute()
    execute_s = time.perf_counter() - start

    events = 0
    for name, (pre_i, src) in circ.all_pathways().items():
        events += synaptic_events(np.asarray(mon[src].count[:]), pre_i)
    spikes = {name: (np.asarray(mon[name].t[:] / second), np.asarray(mon[name].i[:])) for name in groups
              if name in recorded}
    counts = {name: np.asarray(mon[name].count[:]) for name in groups}
    grc = None
    if grc_rec is not None:
        grc = (np.asarray(grc_rec.t[:] / second), np.asarray(grc_rec.i[:]))
    mf_dcn_w = None
    if weights:
        # (samples, synapses) in nS; sample k = start of trial k
        mf_dcn_w = np.asarray(weights[0].w[:] / brian2.nS).T[:schedule.n_trials]
    return Recordings(circ, events, spikes, counts, grc, mf_dcn_w, execute_s)


def raw_spikes(rec, n_grc_recorded: int) -> dict:
    """Spikes of the rate-scored populations and of the recorded granule cells, as
    ``RunOutput.spikes`` wants them: ``{population: (indices, times s, n_cells)}``."""
    out = {name: (i, t, int(rec.circuit.groups[name].N)) for name, (t, i) in rec.spikes.items()}
    if rec.grc is not None:
        t, i = rec.grc
        out["grc_recorded"] = (i, t, int(n_grc_recorded))
    return out


def epoch_table(schedule) -> dict:
    """One row per trial: start and stop (s), phase, probe flag, CS and US onsets (s, absolute),
    CS duration and ISI (s) — the table that NWB export turns into trials."""
    start = np.arange(schedule.n_trials) * schedule.period
    cs_on = start + schedule.cs_onset
    return {"start_s": start, "stop_s": start + schedule.period, "phase": np.asarray(schedule.phase, str),
            "probe": np.asarray(schedule.probe, bool), "cs_start_s": np.where(schedule.cs, cs_on, np.nan),
            "us_start_s": np.where(schedule.us, cs_on + schedule.isi, np.nan),
            "cs_duration_s": np.asarray(schedule.cs_duration, float), "isi_s": np.asarray(schedule.isi, float)}


def _trial_label(schedule, k: int) -> str:
    return f"{schedule.phase[k]}: trial {k + 1} of {schedule.n_trials}"


def label_trials(sim, schedule) -> None:
    """Per-trial progress labels for the single scheduled run.

    ``sim.segments`` holds ``(t_end s, label)`` per scheduled run; the standalone progress wrapper
    maps the simulated time onto it, so splitting the one run into per-trial segments (same end
    time) makes the bar show phase and trial without extra ``run()`` calls.
    """
    segments = getattr(sim, "segments", None)
    if not segments:
        return
    t_end = segments[-1][0]
    t0 = t_end - schedule.duration
    per_trial = [(t0 + (k + 1) * schedule.period, _trial_label(schedule, k)) for k in range(schedule.n_trials)]
    per_trial[-1] = (t_end, per_trial[-1][1])  # keep the scheduled total exact (no float drift)
    segments[-1:] = per_trial
