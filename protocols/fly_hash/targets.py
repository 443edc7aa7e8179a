"""Claims of the fly-hash protocol: the spiking KC code is FlyHash, with its sparseness set online.

Each threshold is one named constant; :func:`targets` judges the unrounded measures of
:func:`protocols.fly_hash.analysis.compute_metrics` against them.
"""
from __future__ import annotations

from core.targets import Target

__all__ = ["targets", "SPEARMAN_MIN", "MAP_DIFFERENCE_MAX", "ACTIVE_FRACTION_LO", "ACTIVE_FRACTION_HI"]

#: Spearman rank correlation of spiking vs abstract FlyHash pairwise overlaps (all odour pairs).
SPEARMAN_MIN = 0.9
#: |mAP(spiking) - mAP(abstract FlyHash)| of nearest-neighbour search against input-space neighbours.
MAP_DIFFERENCE_MAX = 0.05
#: Bounds of the KC active fraction of every presentation (all odours and concentrations).
ACTIVE_FRACTION_LO = 0.05
ACTIVE_FRACTION_HI = 0.15


def targets(measures: dict) -> dict[str, Target]:
    """The protocol's claims judged on ``measures`` (keys as produced by ``compute_metrics``)."""
    diff = measures["map_difference"]
    return {
        "overlap_spearman": Target(
            measures["spearman"], lo=SPEARMAN_MIN,
            description="Spearman rank correlation of spiking vs abstract FlyHash KC-code overlaps over all pairs "
                        "of odours (same projection)"),
        "map_difference": Target(
            abs(diff), hi=MAP_DIFFERENCE_MAX,
            description="|mAP(spiking KC code) - mAP(abstract FlyHash, same mean hash length)| of nearest-neighbour "
                        "search against input-space neighbours",
            details={"signed": diff, "map_spiking": measures["map_spiking"],
                     "map_abstract": measures["map_abstract"]}),
        "active_fraction_min": Target(
            measures["active_fraction_min"], lo=ACTIVE_FRACTION_LO, unit="",
            description="smallest KC active fraction over all presentations (odours and concentrations)"),
        "active_fraction_max": Target(
            measures["active_fraction_max"], hi=ACTIVE_FRACTION_HI, unit="",
            description="largest KC active fraction over all presentations (odours and concentrations)"),
    }
