"""Measures of an eyeblink run from its recordings (numpy): per-trial rates and CRs, the granular
time code, and the per-phase numbers the targets are read from.

:func:`trial_data` and :func:`time_code` are shared with ``eyeblink-isi``.
"""
from __future__ import annotations

import numpy as np

from cerebellum.eyeblink_scoring import (block_percent, score_crs, stable_after_criterion, timed_response,
                                         trials_to_criterion)
from cerebellum.time_code_metrics import (population_vectors, similarity_matrix, single_trial_reproducibility,
                                          time_code_summary)
from core.spikes import binned_population_rate
from core.units import in_unit
from protocols.eyeblink.targets import (BLOCK_TRIALS, CRITERION_FRACTION, CRITERION_WINDOW, TIME_CODE_LAG_S,
                                        TIMING_TRIALS, time_code_targets)

__all__ = ["TIME_CODE_BIN_S", "US_WINDOW_EXTRA_S", "trial_data", "time_code", "phase_measures", "mean_rates",
           "cf_per_paired_trial", "time_code_section", "execute_breakdown", "probe_timing", "circuit_rates"]

#: Bin of the granule-cell population vectors (s).
TIME_CODE_BIN_S = 0.01
#: Complex spikes are counted from US onset to US end plus this (s).
US_WINDOW_EXTRA_S = 0.01
#: Longest pre-CS window of the granule-cell baseline activity (s).
PRE_CS_WINDOW_S = 0.1
#: Smoothing of the rates whose minimum / peak times are read on probe trials (s).
PROBE_SIGMA_S = 0.02
#: Olive spikes this long after the end of a CS (or US) are still counted as evoked, not spontaneous (s).
IO_EVOKED_TAIL_S = 0.05


def trial_data(config, schedule, rec) -> dict:
    """Per-trial arrays of ``data.npz``: rates around CS onset, CR scoring, CF bursts, MF→DCN store.

    Returns
    -------
    dict of arrays
        ``trial_phase``, ``cr`` (bool), ``time`` (bin centres, s from CS onset), ``pc_rate``,
        ``dcn_rate``, ``dcni_rate``, ``io_rate`` (trials x bins, Hz per cell), ``isi`` (s), ``us`` (bool),
        ``probe`` (bool: CS-alone probe in a paired phase), ``cs_duration`` (s),
        ``pc_min_time_probe`` / ``dcn_peak_time_probe`` (s from CS onset of the single-trial PC
        minimum / DCN peak within the probe CS, smoothed with ``PROBE_SIGMA_S``; nan off probes),
        ``cr_onset`` (s, nan without CR), ``dcn_output`` (smoothed DCN rate minus baseline, Hz),
        ``cf_per_trial`` (complex spikes per IO cell in the US window) and, when the circuit has
        MF→DCN synapses, ``mf_dcn_weight`` (mean weight at the start of each trial, nS).
    """
    c = config.circuit
    t = config.trial
    bw = in_unit(t.bin_width, "second")
    onsets = schedule.cs_onsets
    t0 = -schedule.cs_onset
    t1 = schedule.period - schedule.cs_onset
    time, pc_rate = binned_population_rate(rec.spikes["pc"][0], c.n_pc, onsets, t0, t1, bw)
    _, dcn_rate = binned_population_rate(rec.spikes["dcn"][0], c.n_dcn, onsets, t0, t1, bw)
    _, dcni_rate = binned_population_rate(rec.spikes["dcni"][0], c.n_dcni, onsets, t0, t1, bw)
    _, io_rate = binned_population_rate(rec.spikes["io"][0], c.n_io, onsets, t0, t1, bw)
    io_t = np.sort(rec.spikes["io"][0])
    us_on = onsets + schedule.isi
    lo = np.searchsorted(io_t, us_on)
    hi = np.searchsorted(io_t, us_on + schedule.us_duration + US_WINDOW_EXTRA_S)
    cf_per_trial = (hi - lo) / c.n_io
    score = score_crs(time, dcn_rate, schedule.isi, threshold=in_unit(t.cr_threshold, "Hz"),
                      exclusion=in_unit(t.cr_exclusion, "second"))
    probe = np.asarray(schedule.probe, bool)
    pc_min = np.full(probe.size, np.nan)
    dcn_peak = np.full(probe.size, np.nan)
    for k in np.nonzero(probe)[0]:
        r = timed_response(time, pc_rate[k], dcn_rate[k], float(schedule.cs_duration[k]), PROBE_SIGMA_S)
        pc_min[k], dcn_peak[k] = r["pc_min_time"], r["dcn_peak_time"]
    data = {
        "trial_phase": schedule.phase.astype(str),
        "probe": probe,
        "cs_duration": np.asarray(schedule.cs_duration, float),
        "cr": score["cr"],
        "time": time,
        "pc_rate": pc_rate,
        "dcn_rate": dcn_rate,
        "isi": np.asarray(schedule.isi, float),
        "us": schedule.us,
        "cr_onset": score["onset"],
        "dcn_output": score["output"],
        "dcni_rate": dcni_rate,
        "io_rate": io_rate,
        "cf_per_trial": cf_per_trial,
        "pc_min_time_probe": pc_min,
        "dcn_peak_time_probe": dcn_peak,
    }
    if rec.mf_dcn_w is not None:
        data["mf_dcn_weight"] = rec.mf_dcn_w.mean(axis=1)
    return data


def time_code(config, schedule, rec) -> tuple[dict | None, dict]:
    """Granule-cell time-code measures during the CS and the arrays behind them.

    The window is the shortest CS of the schedule, cut to whole 10-ms bins; the similarity is read
    at :data:`~protocols.eyeblink.targets.TIME_CODE_LAG_S` (or the longest lag the window allows).

    Returns
    -------
    summary : dict or None
        :func:`cerebellum.time_code_metrics.time_code_summary` plus ``n_cells``, ``n_trials``,
        ``active_fraction_pre_cs`` and ``single_trial_reproducibility``; ``{"skipped": reason}``
        with fewer than 2 CS trials; None when no granule cell is recorded.
    data : dict of arrays
        ``grc_similarity`` (bins x bins) and ``grc_active_fraction`` (per bin), when measured.
    """
    n_cells = config.n_grc_recorded
    if rec.grc is None or n_cells == 0:
        return None, {}
    if int(schedule.cs.sum()) < 2:  # split-half similarity needs two CS trials
        return {"skipped": "the time-code metrics need >= 2 CS trials"}, {}
    spike_t, spike_i = rec.grc
    onsets = schedule.cs_onsets
    cs_len = float(np.min(schedule.isi[schedule.cs])) + schedule.us_duration
    window = np.floor(cs_len / TIME_CODE_BIN_S) * TIME_CODE_BIN_S
    pv = population_vectors(spike_i, spike_t, n_cells, onsets[schedule.cs], window, TIME_CODE_BIN_S)
    tc = time_code_summary(pv, TIME_CODE_BIN_S, lag=min(TIME_CODE_LAG_S, window - TIME_CODE_BIN_S))
    tc["n_cells"] = int(n_cells)
    tc["n_trials"] = int(pv.shape[0])
    pre_len = min(PRE_CS_WINDOW_S, schedule.cs_onset)
    pre = population_vectors(spike_i, spike_t, n_cells, onsets - pre_len, pre_len, TIME_CODE_BIN_S)
    tc["active_fraction_pre_cs"] = float((pre > 0).mean())
    tc["single_trial_reproducibility"] = single_trial_reproducibility(pv)
    data = {"grc_similarity": similarity_matrix(pv), "grc_active_fraction": (pv > 0).mean(axis=2).mean(axis=0)}
    return tc, data


def phase_measures(data: dict, us_duration: float) -> dict:
    """CR learning per phase, from the arrays of :func:`trial_data`.

    Returns
    -------
    dict
        ``blocks`` (% CR per 10-trial block of each phase); for acquisition ``paired_trials``,
        ``last_block_percent_cr`` (last 10 trials), ``median_cr_onset_s`` (of their CRs; None
        without CR), ``pause`` (``t_min`` s, ``rate_min_hz``, ``baseline_hz`` of their mean PC
        rate, searched up to the end of the US) and ``trials_to_criterion``; for extinction the
        block list; for reacquisition ``trials_to_criterion``. Phases without trials are absent.
    """
    phase = data["trial_phase"]
    cr = data["cr"]
    isi = float(data["isi"][0])
    out = {"isi_s": isi, "blocks": block_percent(cr, phase, BLOCK_TRIALS)}
    acq = np.nonzero(phase == "acquisition")[0]
    rea = np.nonzero(phase == "reacquisition")[0]
    ext = np.nonzero(phase == "extinction")[0]
    if acq.size:
        last = acq[-BLOCK_TRIALS:]
        onsets = data["cr_onset"][last][cr[last]]
        ttc = trials_to_criterion(cr[acq], CRITERION_FRACTION, CRITERION_WINDOW)
        out["acquisition"] = {
            "paired_trials": int(acq.size),
            "last_block_percent_cr": float(100 * cr[last].mean()),
            "median_cr_onset_s": float(np.median(onsets)) if onsets.size else None,
            "probe_timing": probe_timing(data, acq[-TIMING_TRIALS:]),
            "trials_to_criterion": ttc,
            "min_block_percent_cr_after_criterion": stable_after_criterion(cr[acq], ttc, BLOCK_TRIALS),
        }
    if ext.size:
        out["extinction"] = {"first_trial": int(ext[0]),
                             "blocks": [b for b in out["blocks"] if b["phase"] == "extinction"]}
    if rea.size:
        out["reacquisition"] = {"trials_to_criterion": trials_to_criterion(cr[rea], CRITERION_FRACTION,
                                                                           CRITERION_WINDOW)}
    return out


def probe_timing(data: dict, trials) -> dict | None:
    """:func:`cerebellum.eyeblink_scoring.timed_response` of the mean rates of the probe trials among
    ``trials`` (indices), plus ``n_probes``, ``cs_duration_s`` and the single-probe times
    ``pc_min_times_s`` / ``dcn_peak_times_s``; None without a probe."""
    trials = np.asarray(trials)
    idx = trials[data["probe"][trials]]
    if idx.size == 0:
        return None
    dur = float(data["cs_duration"][idx].min())
    r = timed_response(data["time"], data["pc_rate"][idx], data["dcn_rate"][idx], dur, PROBE_SIGMA_S)
    r.update(n_probes=int(idx.size), cs_duration_s=dur,
             pc_min_times_s=data["pc_min_time_probe"][idx].tolist(),
             dcn_peak_times_s=data["dcn_peak_time_probe"][idx].tolist())
    return r


def circuit_rates(data: dict, us_duration: float) -> dict:
    """Baseline rates of the PC, DCN and IO cells and the olive's rate during the CS (Hz).

    ``pc_baseline_hz`` / ``dcn_baseline_hz``: pre-CS bins of all trials. ``io_spontaneous_hz``:
    IO rate outside the CS, the US and ``IO_EVOKED_TAIL_S`` after them. On CS-alone trials of
    extinction with and without a CR (None without such trials): ``io_us_window_*`` is the IO rate
    where the US-evoked climbing-fibre burst falls on paired trials (ISI to ISI + ``us_duration`` +
    ``IO_EVOKED_TAIL_S``), the window whose climbing-fibre activity teaches the synapses that drive
    the CR; ``io_cs_*`` is the IO rate from CS onset to the ISI.
    """
    t = data["time"]
    bw = float(t[1] - t[0])
    io = data["io_rate"]
    out = {"pc_baseline_hz": float(data["pc_rate"][:, t < 0].mean()),
           "dcn_baseline_hz": float(data["dcn_rate"][:, t < 0].mean())}
    end = np.maximum(data["cs_duration"], data["isi"] + us_duration) + IO_EVOKED_TAIL_S
    quiet = (t[None, :] < 0) | (t[None, :] - bw / 2 >= end[:, None])
    out["io_spontaneous_hz"] = float(io[quiet].mean())
    ext = data["trial_phase"] == "extinction"
    for key, sel in (("extinction_cr", ext & data["cr"]), ("extinction_no_cr", ext & ~data["cr"])):
        if sel.any():
            isi = float(data["isi"][sel][0])
            during_cs = (t >= 0) & (t < isi)
            us_window = (t >= isi) & (t < isi + us_duration + IO_EVOKED_TAIL_S)
            out[f"io_cs_{key}_hz"] = float(io[sel][:, during_cs].mean())
            out[f"io_us_window_{key}_hz"] = float(io[sel][:, us_window].mean())
            out[f"io_{key}_trials"] = int(sel.sum())
        else:
            out[f"io_cs_{key}_hz"] = out[f"io_us_window_{key}_hz"] = None
    return out


def mean_rates(rec, duration: float) -> dict:
    """Mean rate per cell (Hz) of every group over the whole run of ``duration`` s."""
    return {k: float(v.sum() / len(v) / duration) for k, v in rec.counts.items()}


def cf_per_paired_trial(data: dict) -> dict:
    """Complex spikes per IO cell in the US window: first 10 paired trials, last 10 of acquisition."""
    us = data["us"]
    acq = (data["trial_phase"] == "acquisition") & us
    return {"first_10": float(data["cf_per_trial"][us][:10].mean()) if us.any() else None,
            "last_10_acquisition": float(data["cf_per_trial"][acq][-10:].mean()) if acq.any() else None}


def execute_breakdown(sim, execute_s: float) -> dict:
    """Wall time of ``sim.execute()``: compile (build) and the compiled program (s).

    Python-side set-up and analysis are the rest of the run's ``cost.wall_time_s``.
    """
    build = getattr(sim, "build_time_s", 0.0)
    return {"execute": round(execute_s, 3), "build": round(build, 3), "program": round(execute_s - build, 3)}


def time_code_section(tc: dict | None) -> tuple[dict | None, dict]:
    """The summary's ``time_code`` section (measures and their targets) and the targets themselves."""
    if tc is None or "skipped" in tc:
        return tc, {}
    checks = time_code_targets(tc)
    return {**tc, "targets": {k: t.to_json() for k, t in checks.items()}}, checks
