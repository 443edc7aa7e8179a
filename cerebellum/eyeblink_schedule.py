"""Trial schedule of a conditioning protocol, encoded as 1-ms ``TimedArray`` s for one standalone run.

A protocol is a list of equal-length trials. Trial ``k`` starts at ``k * period``; its CS (a
mossy-fibre input) starts ``cs_onset`` later and lasts ``isi + us_duration`` (delay conditioning:
CS and US co-terminate), except on *probe* trials (CS alone, interleaved in paired phases), where
it lasts ``isi + probe_extension`` so that the timing of the response can be read past the
moment the US would have come (Jirenhed, Bengtsson & Hesslow 2007 use such CS-alone probes); the US (a climbing-fibre burst drive) starts ``isi`` after CS onset and
lasts ``us_duration``. Everything the compiled program needs is a function of time, so the whole
protocol (phases, probe trials, per-trial ISIs, weight resets) is one ``cpp_standalone`` run:

``cs_gate(t)``     1 while a CS is on, else 0
``cs_time(t)``     time since the current trial's CS onset (s; 0 outside the CS)
``us_gate(t)``     1 while the US is on
``reset_gate(t)``  1 during the first millisecond of a trial whose plastic weights restart at w0

Delay conditioning with a CS that co-terminates with the US (Medina et al. 2000: ISI 250 ms by default).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Schedule", "make_schedule"]

RESOLUTION = 1e-3  # s; TimedArray step (the schedule is piecewise constant on 1-ms steps)


@dataclass(frozen=True)
class Schedule:
    """Per-trial description of a protocol (numpy arrays; times in seconds).

    Attributes
    ----------
    period : float
        Trial length (s).
    cs_onset : float
        CS onset inside each trial (s).
    us_duration : float
        US length (s); CS length = isi + us_duration.
    cs, us, reset : bool arrays (n_trials,)
        CS presented; US presented (paired trial); plastic weights reset at trial start.
    probe : bool array (n_trials,)
        CS-alone probe inside a paired phase.
    cs_duration : float array (n_trials,)
        CS length (s): ``isi + us_duration``, or ``isi + probe_extension`` on probe trials.
    isi : float array (n_trials,)
        CS→US interval (s) of each trial (also sets the CS length of CS-alone trials).
    phase : str array (n_trials,)
        Phase label of each trial.
    """

    period: float
    cs_onset: float
    us_duration: float
    cs: np.ndarray
    us: np.ndarray
    isi: np.ndarray
    reset: np.ndarray
    phase: np.ndarray
    probe: np.ndarray
    cs_duration: np.ndarray

    @property
    def n_trials(self) -> int:
        return int(self.cs.size)

    @property
    def duration(self) -> float:
        """Total simulated time (s)."""
        return self.n_trials * self.period

    @property
    def trial_starts(self) -> np.ndarray:
        return np.arange(self.n_trials) * self.period

    @property
    def cs_onsets(self) -> np.ndarray:
        """Absolute CS-onset time of every trial (s), also for trials without a CS."""
        return self.trial_starts + self.cs_onset

    def gates(self) -> dict[str, np.ndarray]:
        """The four schedule signals sampled every ``RESOLUTION`` over the whole protocol."""
        steps = int(round(self.period / RESOLUTION))
        on = int(round(self.cs_onset / RESOLUTION))
        dur_us = int(round(self.us_duration / RESOLUTION))
        n = steps * self.n_trials
        cs_gate = np.zeros(n)
        cs_time = np.zeros(n)
        us_gate = np.zeros(n)
        reset = np.zeros(n)
        for k in range(self.n_trials):
            base = k * steps
            isi = int(round(self.isi[k] / RESOLUTION))
            if self.cs[k]:
                dur = int(round(self.cs_duration[k] / RESOLUTION))
                sl = slice(base + on, base + on + dur)
                cs_gate[sl] = 1.0
                cs_time[sl] = np.arange(dur) * RESOLUTION
            if self.us[k]:
                us_gate[base + on + isi: base + on + isi + dur_us] = 1.0
            if self.reset[k]:
                reset[base] = 1.0
        return {"cs_gate": cs_gate, "cs_time": cs_time, "us_gate": us_gate, "reset_gate": reset}

    def timed_arrays(self) -> dict:
        """Brian2 ``TimedArray`` s named like the keys of :meth:`gates` (``cs_time`` in seconds)."""
        from brian2 import TimedArray, ms, second

        g = self.gates()
        return {
            "cs_gate": TimedArray(g["cs_gate"], dt=RESOLUTION * 1000 * ms, name="cs_gate"),
            "cs_time": TimedArray(g["cs_time"] * second, dt=RESOLUTION * 1000 * ms, name="cs_time"),
            "us_gate": TimedArray(g["us_gate"], dt=RESOLUTION * 1000 * ms, name="us_gate"),
            "reset_gate": TimedArray(g["reset_gate"], dt=RESOLUTION * 1000 * ms, name="reset_gate"),
        }


def make_schedule(phases, period: float, cs_onset: float, us_duration: float, probe_every: int = 0,
                  probe_extension: float = 0.3) -> Schedule:
    """Build a :class:`Schedule` from phases.

    Parameters
    ----------
    phases : list of (label, n_trials, paired, isi, reset_first)
        ``paired`` — US on every trial (except probes); ``isi`` in s; ``reset_first`` — plastic
        weights return to their initial values at the start of the phase (independent
        acquisitions in one program, e.g. the ISI series).
    period, cs_onset, us_duration : float (s)
    probe_every : int
        In paired phases every ``probe_every``-th trial is a CS-alone probe (0 = none).
    probe_extension : float
        A probe's CS lasts ``isi + probe_extension`` (s).

    Raises
    ------
    ValueError
        When a CS would not fit in the trial or a value is out of range (message names it).
    """
    for name, v in (("period", period), ("cs_onset", cs_onset), ("us_duration", us_duration)):
        if not np.isfinite(v) or v < 0:
            raise ValueError(f"{name} = {v} is out of range: allowed {name} >= 0 s")
    if int(probe_every) != probe_every or probe_every < 0:
        raise ValueError(f"probe_every = {probe_every} is out of range: allowed integer >= 0")
    if not np.isfinite(probe_extension) or probe_extension < 0:
        raise ValueError(f"probe_extension = {probe_extension} is out of range: allowed probe_extension >= 0 s")
    cs, us, isi, reset, phase, probes, dur = [], [], [], [], [], [], []
    for label, n, paired, isi_s, reset_first in phases:
        if int(n) != n or n < 0:
            raise ValueError(f"{label} trials = {n} is out of range: allowed integer >= 0")
        if not (isi_s > 0 and cs_onset + isi_s + us_duration <= period + 1e-12):
            raise ValueError(f"isi = {isi_s} s is out of range: allowed 0 < isi <= period - cs_onset - "
                             f"us_duration = {period - cs_onset - us_duration:.3f} s")
        for k in range(int(n)):
            probe = bool(paired and probe_every and (k + 1) % probe_every == 0)
            d = isi_s + (probe_extension if probe else us_duration)
            if cs_onset + d > period + 1e-12:
                raise ValueError(f"a probe CS of {d:.3f} s does not fit: allowed cs_onset + isi + probe_extension "
                                 f"<= period = {period:.3f} s")
            probes.append(probe)
            dur.append(float(d))
            cs.append(True)
            us.append(bool(paired and not probe))
            isi.append(float(isi_s))
            reset.append(bool(reset_first and k == 0))
            phase.append(label)
    if not cs:
        raise ValueError("the schedule has no trials: give at least one phase with trials > 0")
    return Schedule(float(period), float(cs_onset), float(us_duration), np.array(cs), np.array(us),
                    np.array(isi), np.array(reset), np.array(phase), np.array(probes), np.array(dur))
