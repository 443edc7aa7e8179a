"""Claims of the hopfield-recall protocol: spiking memory = softmax attention, within the spike noise.

Each threshold is one named constant; :func:`targets` judges the unrounded measures of
:func:`protocols.hopfield_recall.analysis.compute_metrics` against them. The recall-vs-noise block
and the capacity sweep are reported, not judged (weak cues are limited by their spike count).
"""
from __future__ import annotations

from core.targets import Target

__all__ = ["targets", "TV_OVER_MULTINOMIAL_MAX", "TV_AT_DEFAULT_BETA_MAX", "POOL_RATE_RATIO_MAX",
           "SUM_EXP_GROWTH_MIN", "READOUT_COSINE_MIN", "READOUT_ARGMAX_AGREEMENT_MIN", "TOP_WEIGHT_DIFFERENCE_MAX",
           "TRANSITION_BETA_DIFFERENCE_MAX"]

#: Mean TV(spike shares, softmax) over the beta sweep, relative to the expected multinomial TV of
#: the same spike counts (1 = as close as an ideal sampler).
TV_OVER_MULTINOMIAL_MAX = 1.5
#: Mean TV(spike shares, softmax) at the default beta.
TV_AT_DEFAULT_BETA_MAX = 0.05
#: Largest / smallest memory-pool rate over the tonic shifts (strictly below): the interneuron
#: population holds the pool rate within a factor 2.
POOL_RATE_RATIO_MAX = 2.0
#: Growth of sum exp(scores) over the tonic shifts that makes the normalisation test meaningful
#: (without normalisation the pool rate would grow as much).
SUM_EXP_GROWTH_MIN = 100.0
#: Mean cosine of the read-out spike counts with the abstract attention output.
READOUT_COSINE_MIN = 0.95
#: Fraction of queries whose decoded read-out object is the abstract argmax memory's object.
READOUT_ARGMAX_AGREEMENT_MIN = 0.95
#: Largest difference of the mean top weight (spiking share vs softmax) over the beta sweep.
TOP_WEIGHT_DIFFERENCE_MAX = 0.05
#: Relative difference of the transition beta (mean top weight 0.5), spiking vs abstract.
TRANSITION_BETA_DIFFERENCE_MAX = 0.15


def targets(measures: dict) -> dict[str, Target]:
    """The protocol's claims judged on ``measures`` (keys as produced by ``compute_metrics``).

    The normalisation targets are present only when the run has a normalisation block.
    """
    out = {
        "tv_over_multinomial": Target(
            measures["tv_over_multinomial"], hi=TV_OVER_MULTINOMIAL_MAX,
            description="beta sweep: mean TV(spike shares, softmax) / expected multinomial TV of the same spike "
                        "counts"),
        "tv_at_default_beta": Target(
            measures["tv_at_default_beta"], hi=TV_AT_DEFAULT_BETA_MAX,
            description="mean TV(spike shares, softmax) at the default beta (fails when the sweep lacks it)"),
    }
    if "total_rate_ratio" in measures:
        ratio = measures["total_rate_ratio"]
        out["pool_rate_ratio"] = Target(
            ratio, hi=POOL_RATE_RATIO_MAX, passed=bool(ratio < POOL_RATE_RATIO_MAX),
            description="normalisation: max/min memory-pool rate over all tonic shifts (down and up), below "
                        f"{POOL_RATE_RATIO_MAX:g}")
        out["sum_exp_growth"] = Target(
            measures["sum_exp_scores_ratio"], lo=SUM_EXP_GROWTH_MIN,
            description="normalisation: sum exp(scores) grows this much over the tonic shifts")
    out["readout_cosine"] = Target(
        measures["readout_cosine"], lo=READOUT_COSINE_MIN,
        description="mean cosine of read-out spike counts with the abstract attention output (beta sweep and "
                    "normalisation queries)")
    out["readout_argmax_agreement"] = Target(
        measures["readout_argmax_agreement"], lo=READOUT_ARGMAX_AGREEMENT_MIN,
        description="fraction of queries whose read-out decodes the abstract argmax memory's object")
    out["top_weight_difference"] = Target(
        measures["top_weight_difference"], hi=TOP_WEIGHT_DIFFERENCE_MAX,
        description="beta sweep: largest |mean top spike share - mean top softmax weight|")
    out["transition_beta_difference"] = Target(
        measures["transition_beta_difference"], hi=TRANSITION_BETA_DIFFERENCE_MAX,
        description="beta sweep: relative difference of the beta where the mean top weight reaches 0.5, "
                    "spiking vs abstract")
    return out
