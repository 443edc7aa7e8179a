"""``sdm-capacity``: recall accuracy of the spiking cerebellar SDM against the number of stored pairs
and the query distance, beside the abstract SDM on the same hard locations and Kanerva's (1988)
signal/noise prediction.

Schedule (one program, one run; every window lasts ``period``, one mossy-fibre volley 5 ms into each
window, mossy-fibre jitter and background as in ``sdm-recall``):

1. ``baseline`` and ``warm-up`` windows as in ``sdm-recall``;
2. for every checkpoint ``m_k`` of ``m_values``: the writes of pairs ``m_{k-1} .. m_k - 1`` (one
   window each, plasticity on, climbing fibres at the eligibility peak where the pointer bit is 1),
   then the reads of that checkpoint's queries (``read_volleys`` windows each, plasticity off):
   ``queries`` per distance of ``distances``, each around a pair stored so far.

So the whole recall curve comes from one simulation of one compiled program; checkpoints, distances
and query counts are run-time inputs. Each read is the deep-nuclear read of ``sdm-recall`` (bit group
against reference group spike counts); capacity is the largest checkpoint up to which at least 95 % of
the pointer bits are correct at distance 0.

Modules: :mod:`~protocols.sdm_capacity.config`, :mod:`~protocols.sdm_capacity.design` (checkpoints,
queries, schedule, curve and capacity functions), :mod:`~protocols.sdm_capacity.simulation`,
:mod:`~protocols.sdm_capacity.analysis`, :mod:`~protocols.sdm_capacity.targets`.
"""
from __future__ import annotations

from protocols.sdm_capacity.config import SDMCapacityConfig

NAME = "sdm-capacity"
DESCRIPTION = ("cerebellar SDM capacity: recall vs stored pairs and query distance, spiking vs abstract SDM on the "
               "same hard locations, with Kanerva's signal/noise prediction")
CONFIG = SDMCapacityConfig

#: Command-line options -> parameter paths (help text, defaults and units come from the declarations).
OPTIONS = {
    "mode": "circuit.mode",
    "n": "circuit.n",
    "n-out": "circuit.n_out",
    "d": "circuit.d",
    "K": "circuit.K",
    "contacts-max": "circuit.contacts_max",
    "grc-theta": "circuit.grc_theta",
    "r": "circuit.r",
    "m-values": "m_values",
    "distances": "distances",
    "queries": "queries",
    "mf-background": "mf_background",
    "mf-jitter": "mf_jitter",
}

__all__ = ["NAME", "DESCRIPTION", "CONFIG", "OPTIONS", "SDMCapacityConfig", "run"]


def run(config: SDMCapacityConfig, sim, seed: int):
    """Build, simulate and analyse one run (see :func:`protocols.sdm_capacity.simulation.run`)."""
    from protocols.sdm_capacity.simulation import run as _run

    return _run(config, sim, seed)
