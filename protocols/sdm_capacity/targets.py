"""The claims ``sdm-capacity`` checks on a run, one named threshold each."""
from __future__ import annotations

from core.targets import Target

__all__ = ["RECALL_LEVEL", "CAPACITY_RATIO", "targets"]

#: Fraction of pointer bits that must be correct at query distance 0 for ``m`` pairs to count as stored.
RECALL_LEVEL = 0.95
#: Spiking capacity over the abstract SDM's capacity on the theory's hard locations (within 20 %).
CAPACITY_RATIO = (0.8, 1.2)


def targets(*, capacity_spiking: int, capacity_abstract: int, capacity_theory: int, censored: dict) -> dict:
    """Every claim of a run as a :class:`~core.targets.Target`.

    Parameters
    ----------
    capacity_spiking, capacity_abstract : int
        Largest checkpoint ``m`` with at least :data:`RECALL_LEVEL` of the bits correct at distance 0
        (:func:`protocols.sdm_capacity.design.capacity_from_curve`): deep-nuclear read, and the
        abstract SDM on the theory's hard locations with the same pairs and queries.
    capacity_theory : int
        Kanerva's signal/noise prediction (:func:`cerebellum.sdm.capacity_from_intersection`).
    censored : dict
        ``{"spiking": bool, "abstract": bool}``: no checkpoint missed the level (the capacity is a
        lower bound).
    """
    lo, hi = CAPACITY_RATIO
    ratio = capacity_spiking / capacity_abstract if capacity_abstract > 0 else float("nan")
    return {
        "capacity_spiking_vs_abstract": Target(
            ratio, lo, hi,
            description=f"spiking capacity / abstract SDM capacity on the theory's hard locations (capacity: "
                        f"largest checkpoint m with >= {RECALL_LEVEL:.0%} of the bits correct at distance 0)",
            details={"capacity_spiking": capacity_spiking, "capacity_abstract": capacity_abstract,
                     "capacity_theory": capacity_theory, "censored": censored}),
    }
