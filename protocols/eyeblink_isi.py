"""Eyeblink acquisition at several CS–US intervals: does the Purkinje pause follow the US?

One compiled program runs an independent acquisition per ISI (default 150, 250, 400 ms): at the
start of each series the plastic PF→PC and MF→DCN weights return to their initial values (a
``run_regularly`` once per trial, gated by the schedule), so the three series share one build.
The pause time (minimum of the mean PC rate over the last 10 trials of a series) is regressed on
the ISI; the target slope is 0.8–1.2 (``reference/cerebellum.md`` §6).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from protocols.eyeblink import EyeblinkConfig, _circuit_default, analyse, scaled_circuit, simulate

NAME = "eyeblink-isi"
DESCRIPTION = "eyeblink acquisition at ISI 150/250/400 ms: Purkinje pause time vs ISI (slope target 0.8-1.2)"


@dataclass(frozen=True)
class EyeblinkIsiConfig(EyeblinkConfig):
    """:class:`protocols.eyeblink.EyeblinkConfig` plus the ISI series.

    ``acquisition`` is the number of paired trials per ISI; ``isi`` is unused (each series uses
    its own value from ``isis``, in ms); ``extinction`` / ``reacquisition`` must be 0.
    """

    isis: tuple = (150.0, 250.0, 400.0)
    extinction: int = 0
    reacquisition: int = 0

    def __post_init__(self):
        super().__post_init__()
        from cerebellum.validation import check_real

        isis = tuple(self.isis) if isinstance(self.isis, (tuple, list)) else (self.isis,)
        if len(isis) < 2:
            raise ValueError(f"isis = {self.isis!r} is out of range: give at least 2 ISIs (ms) for a slope")
        for v in isis:
            check_real("isis", v, lo=20, hi=1000)
        if len(set(isis)) < 2:
            raise ValueError(f"isis = {self.isis!r} must contain at least 2 distinct values")
        if self.extinction or self.reacquisition:
            raise ValueError("extinction and reacquisition must be 0 for eyeblink-isi")
        if self.acquisition < 10:
            raise ValueError(f"acquisition = {self.acquisition} is out of range: allowed acquisition >= 10 "
                             "(the pause is read from the last 10 trials)")

    @property
    def period(self) -> float:
        from brian2 import second

        return float((self.cs_onset + self.us_duration + self.post_cs) / second) + max(self.isis) / 1000.0


def add_arguments(parser) -> None:
    parser.add_argument("--isis", type=float, nargs="+", default=[150.0, 250.0, 400.0],
                        help="CS-US intervals in ms (default 150 250 400)")
    parser.add_argument("--acquisition", type=int, default=100, help="paired trials per ISI (default 100)")
    parser.add_argument("--n-grc", type=int, default=None, help="granule cells (default 30000)")


def make_config(args) -> EyeblinkIsiConfig:
    circuit = _circuit_default()
    if getattr(args, "n_grc", None) is not None:
        circuit = scaled_circuit(circuit, args.n_grc)
    return EyeblinkIsiConfig(circuit=circuit, acquisition=args.acquisition, isis=tuple(args.isis),
                             n_grc_record=min(3000, circuit.timecode.n_grc))


def run(config: EyeblinkIsiConfig, sim, seed: int):
    from brian2 import second

    from cerebellum.eyeblink_schedule import make_schedule
    from cerebellum.eyeblink_scoring import fit_slope, pause_time
    from protocols.engine import RunOutput

    phases = [(f"isi {v:g} ms", config.acquisition, True, v / 1000.0, True) for v in config.isis]
    schedule = make_schedule(phases, period=config.period, cs_onset=float(config.cs_onset / second),
                             us_duration=float(config.us_duration / second), probe_every=config.probe_every)
    raw = simulate(config, sim, seed, schedule, reset=True)
    summary, data = analyse(config, schedule, raw)
    phase = data["trial_phase"]
    pauses, mins, bases, crs = [], [], [], []
    for v in config.isis:
        idx = np.nonzero(phase == f"isi {v:g} ms")[0][-10:]
        t_min, r_min, base = pause_time(data["time"], data["pc_rate"][idx], t_stop=v / 1000.0 + schedule.us_duration)
        pauses.append(t_min)
        mins.append(r_min)
        bases.append(base)
        crs.append(float(100 * data["cr"][idx].mean()))
    isis_s = np.asarray(config.isis) / 1000.0
    slope, intercept = fit_slope(isis_s, pauses)
    data["isis"] = isis_s
    data["pause_time"] = np.asarray(pauses)
    summary.update({
        "isis_s": isis_s.tolist(),
        "pause_time_s": pauses,
        "pause_rate_min_hz": mins,
        "pc_baseline_hz": bases,
        "last_block_percent_cr": crs,
        "slope": slope,
        "intercept_s": intercept,
    })
    targets = {"isi_slope": {"value": slope, "target": "pause-minimum time vs ISI slope within 0.8-1.2",
                             "pass": bool(0.8 <= slope <= 1.2)}}
    for v, p in zip(config.isis, pauses):
        targets[f"pause_within_50ms_isi_{v:g}"] = {"value": p, "target": f"|pause - {v / 1000:g} s| <= 0.05 s",
                                                   "pass": bool(abs(p - v / 1000.0) <= 0.05)}
    summary["targets"] = targets
    summary["execute_breakdown_s"] = {"execute": round(raw["execute_s"], 3),
                                      "build": round(getattr(sim, "build_time_s", 0.0), 3),
                                      "program": round(raw["execute_s"] - getattr(sim, "build_time_s", 0.0), 3)}
    summary["all_targets_pass"] = bool(all(t["pass"] for t in targets.values()))
    return RunOutput(summary=summary, data=data, synaptic_events=raw["events"])
