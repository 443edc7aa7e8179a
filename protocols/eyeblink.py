"""Delay eyeblink conditioning: acquisition, extinction, reacquisition in one compiled program.

The CS is a mossy-fibre input driving the granular-layer time code; the US is a climbing-fibre
burst ``isi`` after CS onset, co-terminating with the CS (``reference/cerebellum.md`` §6). The
whole schedule (phases, probe trials) is encoded in 1-ms ``TimedArray`` s, so plasticity state
carries across phases inside one ``cpp_standalone`` run; ``sim.run`` is called once for the whole
protocol (one set of code objects to compile) and the progress bar is labelled per trial.

Scoring (:mod:`cerebellum.eyeblink_scoring`): CR per trial from the DCN rate, % CR per 10-trial
block, CR onset latency, Purkinje pause time; the granular time code is measured on a recorded
subset of granule cells (:mod:`cerebellum.timing_metrics`).
"""
from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field

import numpy as np

NAME = "eyeblink"
DESCRIPTION = "delay eyeblink conditioning: acquisition, extinction, reacquisition (CR %, pause timing, savings)"

PHASES = ("acquisition", "extinction", "reacquisition")


def _circuit_default():
    from cerebellum.eyeblink_circuit import EyeblinkParams

    return EyeblinkParams()


def _ms(x):
    from brian2 import ms

    return x * ms


@dataclass(frozen=True)
class EyeblinkConfig:
    """Every parameter of an eyeblink run (times as Brian2 quantities).

    Parameters
    ----------
    circuit : EyeblinkParams
    acquisition, extinction, reacquisition : int
        Trials per phase (paired, CS-alone, paired).
    isi : time
        CS→US interval (CS lasts ``isi + us_duration``).
    probe_every : int
        Every n-th paired trial is a CS-alone probe (0 = none).
    us_duration : time ; cs_onset : time (inside a trial) ; post_cs : time after the CS
    dt : time
        Simulation step.
    cr_threshold : float (Hz above DCN baseline) ; cr_exclusion : time ; bin_width : time
    n_grc_record : int
        Granule cells whose spikes are recorded for the time-code metrics.
    """

    circuit: object = field(default_factory=_circuit_default)
    acquisition: int = 100
    extinction: int = 100
    reacquisition: int = 50
    isi: object = field(default_factory=lambda: _ms(250))
    probe_every: int = 0
    us_duration: object = field(default_factory=lambda: _ms(20))
    cs_onset: object = field(default_factory=lambda: _ms(100))
    post_cs: object = field(default_factory=lambda: _ms(300))
    dt: object = field(default_factory=lambda: _ms(0.5))
    cr_threshold: float = 15.0
    cr_exclusion: object = field(default_factory=lambda: _ms(100))
    bin_width: object = field(default_factory=lambda: _ms(5))
    n_grc_record: int = 3000

    def __post_init__(self):
        from brian2 import ms, second

        from cerebellum.eyeblink_circuit import EyeblinkParams
        from cerebellum.validation import check_int, check_quantity, check_real

        if not isinstance(self.circuit, EyeblinkParams):
            raise TypeError(f"circuit = {self.circuit!r} must be an EyeblinkParams")
        for name in ("acquisition", "extinction", "reacquisition"):
            check_int(name, getattr(self, name), lo=0, hi=10_000)
        if self.acquisition + self.extinction + self.reacquisition < 1:
            raise ValueError("acquisition + extinction + reacquisition = 0: allowed at least 1 trial")
        check_quantity("isi", self.isi, ms, lo=20 * ms, hi=1 * second)
        check_int("probe_every", self.probe_every, lo=0, hi=10_000)
        check_quantity("us_duration", self.us_duration, ms, lo=1 * ms, hi=200 * ms)
        check_quantity("cs_onset", self.cs_onset, ms, lo=20 * ms, hi=2 * second)
        check_quantity("post_cs", self.post_cs, ms, lo=0 * ms, hi=5 * second)
        check_quantity("dt", self.dt, ms, lo=0.01 * ms, hi=1 * ms)
        check_real("cr_threshold", self.cr_threshold, lo=0, lo_open=True)
        check_quantity("cr_exclusion", self.cr_exclusion, ms, lo=0 * ms, hi=1 * second)
        check_quantity("bin_width", self.bin_width, ms, lo=self.dt, hi=50 * ms)
        check_int("n_grc_record", self.n_grc_record, lo=0,
                  hi=(self.circuit.timecode.n_grc, f"n_grc = {self.circuit.timecode.n_grc}"))

    @property
    def period(self) -> float:
        """Trial length (s)."""
        from brian2 import second

        return float((self.cs_onset + self.isi + self.us_duration + self.post_cs) / second)


def add_arguments(parser) -> None:
    parser.add_argument("--isi", type=float, default=250.0, help="CS-US interval in ms (default 250)")
    parser.add_argument("--acquisition", type=int, default=100, help="paired trials (default 100)")
    parser.add_argument("--extinction", type=int, default=100, help="CS-alone trials (default 100)")
    parser.add_argument("--reacquisition", type=int, default=50, help="paired trials after extinction (default 50)")
    parser.add_argument("--probe-every", type=int, default=0,
                        help="every N-th paired trial is a CS-alone probe (default 0 = none)")
    parser.add_argument("--n-grc", type=int, default=None, help="granule cells (default 30000)")


def make_config(args) -> EyeblinkConfig:
    circuit = _circuit_default()
    if getattr(args, "n_grc", None) is not None:
        circuit = scaled_circuit(circuit, args.n_grc)
    return EyeblinkConfig(circuit=circuit, acquisition=args.acquisition, extinction=args.extinction,
                          reacquisition=args.reacquisition, isi=_ms(args.isi), probe_every=args.probe_every,
                          n_grc_record=min(3000, circuit.timecode.n_grc))


def scaled_circuit(circuit, n_grc: int):
    """The circuit with ``n_grc`` granule cells; PF in-degrees and weights scaled to keep PC input."""

    from cerebellum.validation import check_int

    n_grc = check_int("n_grc", n_grc, lo=100, hi=10_000_000)
    f = n_grc / circuit.timecode.n_grc
    tc = dataclasses.replace(circuit.timecode, n_grc=n_grc,
                             grc_per_goc=max(1, min(n_grc, round(circuit.timecode.grc_per_goc * min(1.0, f)))))
    pf_per_pc = max(1, min(n_grc, round(circuit.pf_per_pc * f)))
    pf_per_mli = max(1, min(n_grc, round(circuit.pf_per_mli * f)))
    # keep the summed PF conductance per PC / MLI (weights scale with 1 / in-degree)
    gpc = circuit.pf_per_pc / pf_per_pc
    gmli = circuit.pf_per_mli / pf_per_mli
    pl = circuit.plasticity
    pl = dataclasses.replace(pl, w0=pl.w0 * gpc, w_max=pl.w_max * gpc, A_plus=pl.A_plus * gpc,
                             A_minus=pl.A_minus * gpc)
    gg = (circuit.timecode.grc_per_goc / tc.grc_per_goc) if tc.grc_per_goc else 1.0
    tc = dataclasses.replace(tc, w_grc_goc=tc.w_grc_goc * gg)
    return dataclasses.replace(circuit, timecode=tc, plasticity=pl, pf_per_pc=pf_per_pc, pf_per_mli=pf_per_mli,
                               w_pf_mli=circuit.w_pf_mli * gmli)


def schedule_for(config: EyeblinkConfig):
    from brian2 import second

    from cerebellum.eyeblink_schedule import make_schedule

    isi = float(config.isi / second)
    phases = [("acquisition", config.acquisition, True, isi, False),
              ("extinction", config.extinction, False, isi, False),
              ("reacquisition", config.reacquisition, True, isi, False)]
    return make_schedule([p for p in phases if p[1] > 0], period=config.period,
                         cs_onset=float(config.cs_onset / second), us_duration=float(config.us_duration / second),
                         probe_every=config.probe_every)


def simulate(config: EyeblinkConfig, sim, seed: int, schedule, reset: bool = False):
    """Build, schedule (one ``sim.run`` per phase) and execute; return raw recordings.

    Shared by ``eyeblink`` and ``eyeblink-isi`` (which passes per-trial ISIs and weight resets).
    """
    import brian2
    from brian2 import Network, SpikeMonitor, StateMonitor, second

    from cerebellum.eyeblink_circuit import build_eyeblink_circuit
    from protocols.engine import synaptic_events

    brian2.defaultclock.dt = config.dt
    if hasattr(sim, "dt_ms"):  # keep the engine's cost record (dt_ms) truthful
        sim.dt_ms = float(config.dt / brian2.ms)
    rng = np.random.default_rng(seed)
    signals = schedule.timed_arrays()
    max_cs = float(np.max(schedule.isi)) + schedule.us_duration + 0.002
    circ = build_eyeblink_circuit(config.circuit, rng, signals, max_cs=max_cs * second,
                                  reset_period=schedule.period * second if reset else None)
    groups = circ.groups
    mon = {name: SpikeMonitor(groups[name], record=name in ("pc", "dcn", "io", "dcni"), name=f"mon_{name}")
           for name in groups}
    n_rec = config.n_grc_record
    grc_rec = SpikeMonitor(circ.layer.grc[:n_rec], name="mon_grc_rec") if n_rec else None
    # MF->DCN weights once per trial, at its start (before any reset): the store that gives savings.
    # One sample per trial of ~8,000 synapses is cheap; PF->PC (300,000 synapses) is not recorded.
    weights = []
    if "mf_dcn" in circ.synapses:
        weights.append(StateMonitor(circ.synapses["mf_dcn"], "w", record=True, dt=schedule.period * second,
                                    when="start", order=-1, name="mon_mf_dcn_w"))
    net = Network(*circ.objects, *mon.values(), *([grc_rec] if grc_rec is not None else []), *weights)
    # ONE sim.run for the whole protocol (the schedule lives in TimedArrays): in standalone every
    # run() call duplicates all code objects (3 phases = 3x the compile time), and Brian2's
    # program clock (the engine's simulation_wall_time_s) only covers the last run() call.
    sim.run(net, schedule.duration * second, _trial_label(schedule, 0))
    _label_trials(sim, schedule)
    start = time.perf_counter()
    sim.execute()
    execute_s = time.perf_counter() - start

    events = 0
    for name, (pre_i, src) in circ.all_pathways().items():
        events += synaptic_events(np.asarray(mon[src].count[:]), pre_i)
    rec = {name: (np.asarray(mon[name].t[:] / second), np.asarray(mon[name].i[:]))
           for name in ("pc", "dcn", "io", "dcni")}
    counts = {name: np.asarray(mon[name].count[:]) for name in groups}
    grc = None
    if grc_rec is not None:
        grc = (np.asarray(grc_rec.t[:] / second), np.asarray(grc_rec.i[:]))
    mf_dcn_w = None
    if weights:
        # (samples, synapses) in nS; sample k = start of trial k
        mf_dcn_w = np.asarray(weights[0].w[:] / brian2.nS).T[:schedule.n_trials]
    return {"circuit": circ, "events": events, "rec": rec, "counts": counts, "grc": grc, "execute_s": execute_s,
            "mf_dcn_w": mf_dcn_w}


def _trial_label(schedule, k: int) -> str:
    return f"{schedule.phase[k]}: trial {k + 1} of {schedule.n_trials}"


def _label_trials(sim, schedule) -> None:
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


def analyse(config: EyeblinkConfig, schedule, raw) -> tuple[dict, dict]:
    """Per-trial rates, CR scoring, time-code metrics (shared with ``eyeblink-isi``)."""
    from brian2 import second

    from cerebellum.eyeblink_scoring import binned_rates, score_crs
    from cerebellum.timing_metrics import population_vectors, similarity_matrix, time_code_summary

    c = config.circuit
    bw = float(config.bin_width / second)
    onsets = schedule.cs_onsets
    t0 = -schedule.cs_onset
    t1 = schedule.period - schedule.cs_onset
    time, pc_rate = binned_rates(raw["rec"]["pc"][0], c.n_pc, onsets, t0, t1, bw)
    _, dcn_rate = binned_rates(raw["rec"]["dcn"][0], c.n_dcn, onsets, t0, t1, bw)
    _, dcni_rate = binned_rates(raw["rec"]["dcni"][0], c.n_dcni, onsets, t0, t1, bw)
    io_t = np.sort(raw["rec"]["io"][0])
    us_on = onsets + schedule.isi
    lo = np.searchsorted(io_t, us_on)
    hi = np.searchsorted(io_t, us_on + schedule.us_duration + 0.01)
    cf_per_trial = (hi - lo) / c.n_io  # complex spikes per IO cell in the US window
    score = score_crs(time, dcn_rate, schedule.isi, threshold=config.cr_threshold,
                      exclusion=float(config.cr_exclusion / second))
    data = {
        "trial_phase": schedule.phase.astype(str),
        "cr": score["cr"],
        "time": time,
        "pc_rate": pc_rate,
        "dcn_rate": dcn_rate,
        "isi": np.asarray(schedule.isi, float),
        "us": schedule.us,
        "cr_onset": score["onset"],
        "dcn_output": score["output"],
        "dcni_rate": dcni_rate,
        "cf_per_trial": cf_per_trial,
    }
    if raw.get("mf_dcn_w") is not None:
        data["mf_dcn_weight"] = raw["mf_dcn_w"].mean(axis=1)  # nS, mean at the start of each trial
    summary = {"time_code": None}
    if raw["grc"] is not None and config.n_grc_record > 0 and int(schedule.cs.sum()) < 2:
        # split-half similarity needs two CS trials; say so instead of failing after the run
        summary["time_code"] = {"skipped": "the time-code metrics need >= 2 CS trials", "targets": {}}
    elif raw["grc"] is not None and config.n_grc_record > 0:
        tcs, tci = raw["grc"]
        cs_len = float(np.min(schedule.isi[schedule.cs])) + schedule.us_duration
        window = np.floor(cs_len / 0.01) * 0.01
        pv = population_vectors(tci, tcs, config.n_grc_record, onsets[schedule.cs], window, 0.01)
        tc = time_code_summary(pv, 0.01, lag=min(0.2, window - 0.01))
        tc["n_cells"] = int(config.n_grc_record)
        tc["n_trials"] = int(pv.shape[0])
        pre = population_vectors(tci, tcs, config.n_grc_record, onsets - min(0.1, schedule.cs_onset),
                                 min(0.1, schedule.cs_onset), 0.01)
        tc["active_fraction_pre_cs"] = float((pre > 0).mean())
        # single-trial reproducibility: each trial against the mean of all others
        m = pv.mean(axis=0)
        st = []
        for k in range(pv.shape[0]):
            other = (m * pv.shape[0] - pv[k]) / (pv.shape[0] - 1)
            a, b = pv[k].astype(float), other
            na, nb = np.linalg.norm(a, axis=1), np.linalg.norm(b, axis=1)
            ok = (na > 0) & (nb > 0)
            st.append(np.mean((a * b).sum(1)[ok] / (na[ok] * nb[ok])) if ok.any() else np.nan)
        tc["single_trial_reproducibility"] = float(np.nanmean(st))
        data["grc_similarity"] = similarity_matrix(pv)
        data["grc_active_fraction"] = (pv > 0).mean(axis=2).mean(axis=0)
        summary["time_code"] = tc
    return summary, data


def _phase_targets(config, schedule, data, summary):
    from cerebellum.eyeblink_scoring import block_percent, pause_time, trials_to_criterion

    phase = data["trial_phase"]
    cr = data["cr"]
    blocks = block_percent(cr, phase, 10)
    summary["blocks"] = blocks
    isi = float(data["isi"][0])
    targets = {}
    acq = np.nonzero(phase == "acquisition")[0]
    ext = np.nonzero(phase == "extinction")[0]
    rea = np.nonzero(phase == "reacquisition")[0]
    if acq.size:
        last = acq[-10:]
        pct = float(100 * cr[last].mean())
        targets["acquisition_last_block_cr"] = {"value": pct, "target": ">= 70 % CR in the last 10-trial "
                                                "acquisition block, <= 150 paired trials",
                                                "pass": bool(pct >= 70 and acq.size <= 150)}
        onsets = data["cr_onset"][last][cr[last]]
        med = float(np.median(onsets)) if onsets.size else None
        targets["cr_onset_before_us"] = {"value": med, "target": f"median CR onset < ISI = {isi}",
                                         "pass": bool(med is not None and med < isi)}
        t_min, r_min, base = pause_time(data["time"], data["pc_rate"][last], t_stop=isi + schedule.us_duration)
        targets["pc_pause_at_us"] = {"value": t_min, "target": f"PC rate minimum within ±0.05 s of ISI = {isi} s",
                                     "pass": bool(abs(t_min - isi) <= 0.05), "rate_min_hz": r_min,
                                     "baseline_hz": base}
        summary["acquisition_trials_to_criterion"] = trials_to_criterion(cr[acq])
    if ext.size:
        ext_blocks = [b["percent_cr"] for b in blocks if b["phase"] == "extinction"]
        first_low = next((b["first_trial"] - ext[0] + b["n_trials"] for b in blocks
                          if b["phase"] == "extinction" and b["percent_cr"] <= 20), None)
        targets["extinction"] = {"value": float(min(ext_blocks)), "trials_to_20pct": first_low,
                                 "target": "<= 20 % CR in a block within <= 100 CS-alone trials",
                                 "pass": bool(first_low is not None and first_low <= 100)}
    if acq.size and rea.size:
        ta = trials_to_criterion(cr[acq])
        tr = trials_to_criterion(cr[rea])
        summary["reacquisition_trials_to_criterion"] = tr
        targets["savings"] = {"value": {"acquisition": ta, "reacquisition": tr},
                              "target": "reacquisition reaches 7/10 CRs in a sliding 10-trial window in fewer "
                                        "trials than acquisition",
                              "pass": bool(tr is not None and (ta is None or tr < ta))}
    return targets


def run(config: EyeblinkConfig, sim, seed: int):
    from protocols.engine import RunOutput

    schedule = schedule_for(config)
    raw = simulate(config, sim, seed, schedule)
    summary, data = analyse(config, schedule, raw)
    targets = _phase_targets(config, schedule, data, summary)
    tc = summary.get("time_code")
    if tc:
        for k, v in tc["targets"].items():
            targets[f"time_code_{k}"] = v
    summary["targets"] = targets
    summary["all_targets_pass"] = bool(all(t["pass"] for t in targets.values()))
    summary["isi_s"] = float(data["isi"][0])
    summary["n_trials"] = int(schedule.n_trials)
    summary["mean_rates_hz"] = {k: float(v.sum() / len(v) / schedule.duration) for k, v in raw["counts"].items()}
    # Wall-time breakdown of sim.execute(): compile + the compiled program (start-up, loop, writing
    # the monitors); Python-side set-up and analysis are the rest of cost.wall_time_s.
    summary["execute_breakdown_s"] = {"execute": round(raw["execute_s"], 3),
                                      "build": round(getattr(sim, "build_time_s", 0.0), 3),
                                      "program": round(raw["execute_s"] - getattr(sim, "build_time_s", 0.0), 3)}
    summary["cf_per_paired_trial"] = {
        "first_10": float(data["cf_per_trial"][schedule.us][:10].mean()) if schedule.us.any() else None,
        "last_10_acquisition": float(data["cf_per_trial"][(data["trial_phase"] == "acquisition") & schedule.us][-10:].mean())
        if ((data["trial_phase"] == "acquisition") & schedule.us).any() else None,
    }
    return RunOutput(summary=summary, data=data, synaptic_events=raw["events"])
