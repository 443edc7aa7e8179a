"""``sdm-noise``: how the spiking cerebellar SDM degrades with mossy-fibre noise, against the abstract
SDM under the same noise.

For each granule decoder (``dense``, ``biological``) and each combination of mossy-fibre Poisson
background (``backgrounds_hz``) and volley jitter (``jitters_ms``), one ``sdm-recall`` run
(:mod:`protocols.sdm_recall`, same seed for every condition: same patterns, queries and connectivity)
gives the Jaccard index of spiking vs theory granule active sets, the fraction of granule cells
active in a read, and the deep-nuclear read's agreement with the noise-free abstract SDM on the
theory's hard locations (queries within the critical distance). The reference is the abstract SDM
whose addresses are the noisy mossy-fibre input actually delivered around each volley, decoded and
read by the same rules (:mod:`protocols.sdm_noise.analysis`).

The noise is data, not code: every run of a mode pads its mossy-fibre spike arrays to the length the
largest background needs, so all conditions of a mode share one compiled program (two programs for
both modes).

Modules: :mod:`~protocols.sdm_noise.config` (parameters and the per-condition ``sdm-recall``
configuration), :mod:`~protocols.sdm_noise.simulation` (the runs), :mod:`~protocols.sdm_noise.analysis`
(metrics and the noisy abstract SDM), :mod:`~protocols.sdm_noise.targets` (sanity checks).
"""
from __future__ import annotations

from protocols.sdm_noise.config import SDMNoiseConfig

NAME = "sdm-noise"
DESCRIPTION = ("cerebellar SDM under mossy-fibre background and jitter (dense and biological): Jaccard, "
               "coding level and nuclear read vs the abstract SDM under the same noise")
CONFIG = SDMNoiseConfig

#: Command-line options -> parameter paths (help text, defaults and units come from the declarations).
OPTIONS = {
    "modes": "modes",
    "backgrounds": "backgrounds_hz",
    "jitters": "jitters_ms",
    "address-window": "address_window",
    "n": "circuit.n",
    "n-out": "circuit.n_out",
    "d": "circuit.d",
    "K": "circuit.K",
    "r": "circuit.r",
    "m": "m",
    "queries": "queries",
}

__all__ = ["NAME", "DESCRIPTION", "CONFIG", "OPTIONS", "SDMNoiseConfig", "run"]


def run(config: SDMNoiseConfig, sim, seed: int):
    """Run every condition and gather the curves (see :func:`protocols.sdm_noise.simulation.run`)."""
    from protocols.sdm_noise.simulation import run as _run

    return _run(config, sim, seed)
