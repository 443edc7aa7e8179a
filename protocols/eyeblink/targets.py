"""What an ``eyeblink`` run must show: learning, extinction and savings of a timed CR, and a granular
time code (thresholds after Medina et al. 2000, Medina, Garcia & Mauk 2001, Yamazaki & Tanaka 2007).

Timing is read on CS-alone probe trials whose CS outlasts the ISI by ``probe_extension``, so a
response that merely ramps up until CS offset fails: the Purkinje minimum and the DCN peak must
lie near the ISI and the Purkinje rate must recover before CS offset (Jirenhed, Bengtsson &
Hesslow 2007). Learning speed follows the rabbit nictitating-membrane and mouse eyelid
literature: CRs reach criterion after one to a few hundred paired trials (Gormezano, Kehoe &
Marshall 1983; Heiney et al. 2014).

Every threshold is one named constant; :func:`targets` and :func:`time_code_targets` turn the
measures of :mod:`protocols.eyeblink.analysis` into :class:`core.targets.Target` s.
"""
from __future__ import annotations

import numpy as np

from core.targets import Target

__all__ = ["targets", "time_code_targets", "probe_targets"]

#: Trials per block of the % CR curve.
BLOCK_TRIALS = 10
#: Acquisition: % CR in the last block at least this ...
ACQUISITION_MIN_PERCENT_CR = 70.0
#: ... within at most this many paired trials.
ACQUISITION_MAX_PAIRED_TRIALS = 300
#: Acquisition reaches the CR criterion no sooner than this trial ...
CRITERION_EARLIEST_TRIAL = 50
#: ... and no later than this one.
CRITERION_LATEST_TRIAL = 300
#: Once at criterion, no later acquisition block falls below this % CR.
STABLE_MIN_PERCENT_CR = 60.0
#: Timing is read on the probe trials among the last this-many acquisition trials (5 probes at
#: one probe per 10 trials).
TIMING_TRIALS = 50
#: The Purkinje rate minimum and the DCN peak lie within this of the ISI (s).
PAUSE_TOLERANCE_S = 0.05
#: After its minimum the PC rate recovers at least this fraction of the pause depth before CS offset.
MIN_RECOVERY_FRACTION = 0.5
#: Extinction: some block at most this % CR ...
EXTINCTION_MAX_PERCENT_CR = 20.0
#: ... within this many CS-alone trials.
EXTINCTION_MAX_TRIALS = 100
#: Learning criterion for savings: this fraction of CRs in a sliding window of CRITERION_WINDOW trials.
CRITERION_FRACTION = 0.7
CRITERION_WINDOW = 10
#: Time code: the similarity of population vectors this far apart (s) ...
TIME_CODE_LAG_S = 0.2
#: ... is below this,
MAX_SIMILARITY_AT_LAG = 0.5
#: split halves of the trials agree at least this much (reproducibility index),
MIN_REPRODUCIBILITY = 0.8
#: and every 10-ms bin has this fraction of granule cells active (inclusive).
ACTIVE_FRACTION_RANGE = (0.01, 0.10)


def time_code_targets(tc: dict) -> dict[str, Target]:
    """The three time-code claims from :func:`protocols.eyeblink.analysis.time_code` measures."""
    s_lag = tc["similarity_at_lag"]
    ri = tc["reproducibility_index"]
    lo, hi = ACTIVE_FRACTION_RANGE
    f_min, f_max = tc["active_fraction_min"], tc["active_fraction_max"]
    return {
        "similarity_below_0.5_at_200ms": Target(
            s_lag, hi=MAX_SIMILARITY_AT_LAG, description=f"population-vector similarity at lag {tc['lag_s']:g} s "
            f"< {MAX_SIMILARITY_AT_LAG}", passed=s_lag < MAX_SIMILARITY_AT_LAG),
        "reproducibility_at_least_0.8": Target(
            ri, lo=MIN_REPRODUCIBILITY, description=f"split-half reproducibility >= {MIN_REPRODUCIBILITY}"),
        "active_fraction_1_to_10_percent": Target(
            [f_min, f_max], lo=lo, hi=hi, description=f"every 10-ms bin has a fraction in [{lo}, {hi}] of the "
            "granule cells active", passed=f_min >= lo and f_max <= hi),
    }


def targets(measures: dict) -> dict[str, Target]:
    """Conditioning claims from :func:`protocols.eyeblink.analysis.phase_measures` (phases that ran)."""
    out = {}
    isi = measures["isi_s"]
    acq = measures.get("acquisition")
    reached = False
    if acq is not None:
        ttc = acq["trials_to_criterion"]
        reached = ttc is not None
        out["criterion_trial_50_to_300"] = Target(
            ttc, lo=CRITERION_EARLIEST_TRIAL, hi=CRITERION_LATEST_TRIAL,
            description=f"acquisition reaches {round(CRITERION_FRACTION * CRITERION_WINDOW)}/{CRITERION_WINDOW} CRs "
                        f"in a sliding window between trial {CRITERION_EARLIEST_TRIAL} and {CRITERION_LATEST_TRIAL}",
            passed=reached and CRITERION_EARLIEST_TRIAL <= ttc <= CRITERION_LATEST_TRIAL)
        low = acq["min_block_percent_cr_after_criterion"]
        out["stable_after_criterion"] = Target(
            low, lo=STABLE_MIN_PERCENT_CR, unit="%",
            description=f"no {BLOCK_TRIALS}-trial acquisition block after criterion below {STABLE_MIN_PERCENT_CR:g} % CR",
            passed=reached and (low is None or low >= STABLE_MIN_PERCENT_CR))
        pct = acq["last_block_percent_cr"]
        out["acquisition_last_block_cr"] = Target(
            pct, lo=ACQUISITION_MIN_PERCENT_CR, unit="%",
            description=f">= {ACQUISITION_MIN_PERCENT_CR:g} % CR in the last {BLOCK_TRIALS}-trial acquisition block, "
                        f"<= {ACQUISITION_MAX_PAIRED_TRIALS} paired trials",
            passed=pct >= ACQUISITION_MIN_PERCENT_CR and acq["paired_trials"] <= ACQUISITION_MAX_PAIRED_TRIALS,
            details={"paired_trials": acq["paired_trials"]})
        med = acq["median_cr_onset_s"]
        out["cr_onset_before_us"] = Target(med, hi=isi, unit="s", description=f"median CR onset < ISI = {isi} s",
                                           passed=med is not None and med < isi)
        out.update(probe_targets(acq["probe_timing"], isi))
    ext = measures.get("extinction")
    if ext is not None:
        first_low = next((b["first_trial"] - ext["first_trial"] + b["n_trials"] for b in ext["blocks"]
                          if b["percent_cr"] <= EXTINCTION_MAX_PERCENT_CR), None)
        out["extinction"] = Target(
            float(min(b["percent_cr"] for b in ext["blocks"])), hi=EXTINCTION_MAX_PERCENT_CR, unit="%",
            description=f"<= {EXTINCTION_MAX_PERCENT_CR:g} % CR in a block within <= {EXTINCTION_MAX_TRIALS} "
                        "CS-alone trials",
            passed=first_low is not None and first_low <= EXTINCTION_MAX_TRIALS,
            details={"trials_to_20pct": first_low})
    rea = measures.get("reacquisition")
    if acq is not None and rea is not None:
        ta, tr = acq["trials_to_criterion"], rea["trials_to_criterion"]
        out["savings"] = Target(
            {"acquisition": ta, "reacquisition": tr},
            description=f"reacquisition reaches {round(CRITERION_FRACTION * CRITERION_WINDOW)}/{CRITERION_WINDOW} "
                        f"CRs in a sliding {CRITERION_WINDOW}-trial window in fewer trials than acquisition",
            passed=reached and tr is not None and tr < ta, details={"acquisition_reached_criterion": reached})
    return out


def probe_targets(p: dict | None, isi: float, suffix: str = "") -> dict[str, Target]:
    """Timing claims on the probe trials (:func:`protocols.eyeblink.analysis.probe_timing`), all
    failing when there is no probe trial."""
    lo, hi = isi - PAUSE_TOLERANCE_S, isi + PAUSE_TOLERANCE_S
    none = p is None
    t_pc = None if none else p["pc_min_time"]
    t_dcn = None if none else p["dcn_peak_time"]
    rec = None if none else p["pc_recovery_fraction"]
    details = {} if none else {k: p[k] for k in ("pc_min_hz", "pc_baseline_hz", "pc_depth_hz", "dcn_peak_hz",
                                                 "dcn_baseline_hz", "n_probes", "cs_duration_s")}
    return {
        f"probe_pc_min_at_isi{suffix}": Target(
            t_pc, lo=lo, hi=hi, unit="s", description=f"probe trials: PC rate minimum within ±{PAUSE_TOLERANCE_S} s "
            f"of ISI = {isi:g} s", passed=not none and lo <= t_pc <= hi, details=details),
        f"probe_dcn_peak_at_isi{suffix}": Target(
            t_dcn, lo=lo, hi=hi, unit="s", description=f"probe trials: DCN (CR) peak within ±{PAUSE_TOLERANCE_S} s "
            f"of ISI = {isi:g} s", passed=not none and lo <= t_dcn <= hi),
        f"probe_pc_recovers{suffix}": Target(
            rec, lo=MIN_RECOVERY_FRACTION, description=f"probe trials: after its minimum the PC rate recovers "
            f">= {MIN_RECOVERY_FRACTION:g} of the pause depth before CS offset",
            passed=not none and bool(np.isfinite(rec)) and rec >= MIN_RECOVERY_FRACTION),
    }
