"""``sdm-recall``: write address→pointer pairs into the spiking cerebellar SDM, read noisy queries,
and check every read against the abstract SDM (Kanerva 1988; Jaeckel 1989 for the biological decoder).

Schedule (one program; every window lasts ``period``, one mossy-fibre volley 5 ms into each window,
each volley spike jittered by ``mf_jitter`` and Poisson background of ``mf_background`` on every fibre
throughout):

1. ``baseline``: one window without a volley — Purkinje tonic rate (``pc_rate_baseline``);
2. ``warm-up``: ``warmup`` volleys of random addresses, so Golgi cells reach their periodic regime;
3. ``write``: one window per pair, plasticity on; teacher spikes make IO ``j`` fire so that the
   climbing fibre reaches PC ``j`` at the eligibility peak of the volley's PF spikes when
   pointer bit ``j`` is 1;
4. ``read``: ``read_volleys`` consecutive windows per query (the same address each time), plasticity
   off; each pointer bit is read from deep-nuclear spikes over those windows: the bit's nuclear group
   (inhibited by its Purkinje cells) against its reference group (inhibited by the unwritten
   reference PCs), 1 where the bit group fires more (``bits_spiking_dcn``). The numpy comparison of
   the mean Purkinje rates (``bits_spiking``) stays as the diagnostic of the PF→PC stage.

Modules: :mod:`~protocols.sdm_recall.config` (parameters), :mod:`~protocols.sdm_recall.design`
(patterns, queries, window schedule), :mod:`~protocols.sdm_recall.simulation` (Brian2 circuit and run),
:mod:`~protocols.sdm_recall.analysis` (metrics against the abstract SDM: end to end on the theory's
hard locations, and the PF→PC stage on the recorded ones),
:mod:`~protocols.sdm_recall.targets` (thresholds).
"""
from __future__ import annotations

from protocols.sdm_recall.config import SDMRecallConfig

NAME = "sdm-recall"
DESCRIPTION = "cerebellar SDM: write pairs through CF plasticity, read queries, compare with abstract SDM"
CONFIG = SDMRecallConfig

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
    "m": "m",
    "queries": "queries",
    "mf-background": "mf_background",
    "mf-jitter": "mf_jitter",
}

__all__ = ["NAME", "DESCRIPTION", "CONFIG", "OPTIONS", "SDMRecallConfig", "run"]


def run(config: SDMRecallConfig, sim, seed: int):
    """Build, simulate and analyse one run (see :func:`protocols.sdm_recall.simulation.run`)."""
    from protocols.sdm_recall.simulation import run as _run

    return _run(config, sim, seed)
