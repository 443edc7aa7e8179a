"""The sanity checks ``sdm-noise`` makes on its curves (it adds no performance target of its own:
the curves show how ``sdm-recall``'s end-to-end targets fare under noise)."""
from __future__ import annotations

import numpy as np

from core.targets import Target
from protocols.sdm_recall import targets as recall_targets

__all__ = ["RECALL_THRESHOLDS", "targets"]

#: The ``sdm-recall`` thresholds the curves are drawn against (reported, not checked here).
RECALL_THRESHOLDS = {"jaccard": recall_targets.JACCARD_THEORY_MIN,
                     "bit_agreement": recall_targets.BIT_AGREEMENT_DCN_END_TO_END_MIN}


def _at(rows, mode, background, jitter, key):
    for r in rows:
        if r["mode"] == mode and r["background_hz"] == background and r["jitter_ms"] == jitter:
            return r[key]
    return None


def targets(rows: list[dict], modes, backgrounds, jitters) -> dict[str, Target]:
    """Per mode, two checks that fail if the noise or the reference is not what it claims.

    ``jaccard_falls_with_background_<mode>``: at the smallest jitter, the spiking Jaccard at the
    smallest background is higher than at the largest (only with two or more backgrounds).
    ``abstract_noisy_exact_without_noise_<mode>``: with no background and no jitter the noisy
    abstract SDM reads the stored addresses themselves, so its sets are the theory sets (Jaccard 1;
    only when the grid holds that condition).
    """
    out = {}
    b_lo, b_hi, j_lo = min(backgrounds), max(backgrounds), min(jitters)
    for mode in modes:
        if b_hi > b_lo:
            clean = _at(rows, mode, b_lo, j_lo, "jaccard")
            noisy = _at(rows, mode, b_hi, j_lo, "jaccard")
            out[f"jaccard_falls_with_background_{mode}"] = Target(
                clean - noisy, passed=bool(np.isfinite(clean - noisy) and clean > noisy),
                description=f"{mode}: spiking Jaccard at {b_lo:g} Hz higher than at {b_hi:g} Hz "
                            f"(jitter {j_lo:g} ms); value = difference",
                details={"jaccard_low_background": clean, "jaccard_high_background": noisy})
        if b_lo == 0 and j_lo == 0:
            out[f"abstract_noisy_exact_without_noise_{mode}"] = Target(
                _at(rows, mode, 0.0, 0.0, "jaccard_abstract_noisy"), lo=1.0, hi=1.0,
                description=f"{mode}: without noise the noisy abstract SDM's sets are the theory sets (Jaccard 1)",
                details={"bit_agreement_abstract_noisy": _at(rows, mode, 0.0, 0.0, "bit_agreement_abstract_noisy")})
    return out
