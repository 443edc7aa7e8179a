"""Claims of the fly-conditioning protocol: dopamine-gated depression writes an odour memory into the
KC -> MBON synapses, odour alone extinguishes it, and the memory generalises as the abstract SDM read
of the KC code predicts.

Each threshold is one named constant; :func:`targets` judges the unrounded measures of
:func:`protocols.fly_conditioning.analysis.compute_metrics` against them. A "drop" is the relative
fall of the mean MBON rate of an odour's test trial below its pre-test trial, ``1 - test / pretest``.
"""
from __future__ import annotations

from core.targets import Target

__all__ = ["targets", "CS_PLUS_DROP_MIN", "CS_MINUS_DROP_MAX", "EXTINCTION_RECOVERY_MIN",
           "GENERALISATION_SPEARMAN_MIN", "SDM_CORRELATION_MIN"]

#: Relative drop of the CS+ MBON response after training.
CS_PLUS_DROP_MIN = 0.30
#: Relative drop of the CS- MBON response after training (unpaired odour).
CS_MINUS_DROP_MAX = 0.10
#: Fraction of the CS+ drop restored by the extinction trials, (retest - test) / (pretest - test).
EXTINCTION_RECOVERY_MIN = 0.50
#: Spearman rank correlation of probe similarity to CS+ (input correlation) with the probe's drop.
GENERALISATION_SPEARMAN_MIN = 0.8
#: Pearson correlation of the probes' spiking MBON drops with the abstract SDM prediction.
SDM_CORRELATION_MIN = 0.9


def targets(measures: dict) -> dict[str, Target]:
    """The protocol's claims judged on ``measures`` (keys as produced by ``compute_metrics``)."""
    return {
        "cs_plus_drop": Target(
            measures["cs_plus_drop"], lo=CS_PLUS_DROP_MIN,
            description="relative drop of the CS+ MBON rate, first test vs pre-test (1 - test / pretest)"),
        "cs_minus_drop": Target(
            measures["cs_minus_drop"], hi=CS_MINUS_DROP_MAX,
            description="relative drop of the CS- (unpaired odour) MBON rate, first test vs pre-test"),
        "extinction_recovery": Target(
            measures["extinction_recovery"], lo=EXTINCTION_RECOVERY_MIN,
            description="fraction of the CS+ drop restored by CS+ trials without DAN, "
                        "(retest - test) / (pretest - test)"),
        "generalisation_spearman": Target(
            measures["generalisation_spearman"], lo=GENERALISATION_SPEARMAN_MIN,
            description="Spearman correlation of each probe's input similarity to CS+ with its MBON drop "
                        "(CS+, morphs, CS-)"),
        "sdm_correlation_measured_code": Target(
            measures["sdm_pearson_measured"], lo=SDM_CORRELATION_MIN,
            description="Pearson correlation over probes of the spiking MBON drop with the abstract SDM read "
                        "(sdm_write_depress / sdm_read) on the pre-test spiking KC codes"),
        "sdm_correlation_flyhash": Target(
            measures["sdm_pearson_flyhash"], lo=SDM_CORRELATION_MIN,
            description="Pearson correlation over probes of the spiking MBON drop with the abstract SDM read on "
                        "FlyHash codes (top-k of the same projection, k = mean measured code size)"),
    }
