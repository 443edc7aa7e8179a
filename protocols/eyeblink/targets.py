"""What an ``eyeblink`` run must show: learning, extinction and savings of a timed CR, and a granular
time code (thresholds after Medina et al. 2000, Medina, Garcia & Mauk 2001, Yamazaki & Tanaka 2007).

Every threshold is one named constant; :func:`targets` and :func:`time_code_targets` turn the
measures of :mod:`protocols.eyeblink.analysis` into :class:`core.targets.Target` s.
"""
from __future__ import annotations

from core.targets import Target

__all__ = ["targets", "time_code_targets"]

#: Trials per block of the % CR curve.
BLOCK_TRIALS = 10
#: Acquisition: % CR in the last block at least this ...
ACQUISITION_MIN_PERCENT_CR = 70.0
#: ... within at most this many paired trials.
ACQUISITION_MAX_PAIRED_TRIALS = 150
#: The Purkinje rate minimum lies within this of the US onset (s).
PAUSE_TOLERANCE_S = 0.05
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
    if acq is not None:
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
        p = acq["pause"]
        out["pc_pause_at_us"] = Target(
            p["t_min"], lo=isi - PAUSE_TOLERANCE_S, hi=isi + PAUSE_TOLERANCE_S, unit="s",
            description=f"PC rate minimum within ±{PAUSE_TOLERANCE_S} s of ISI = {isi} s",
            passed=abs(p["t_min"] - isi) <= PAUSE_TOLERANCE_S,
            details={"rate_min_hz": p["rate_min_hz"], "baseline_hz": p["baseline_hz"]})
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
            passed=tr is not None and (ta is None or tr < ta))
    return out
