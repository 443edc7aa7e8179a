"""fly-hash: the spiking mushroom body computes FlyHash (random expansion + winner-take-most by APL).

Odour families (a base odour and morphs towards fresh random odours) give pairs across the whole
range of input correlation; every odour is presented at unit concentration and every base also at
further concentrations. PN Poisson spikes drive ~2,000 conductance-based KCs through a sparse
random projection (6-7 PNs per KC); one graded APL neuron, driven by all KC spikes, inhibits all
KCs. The KC code of a presentation is the set of KCs with at least ``min_spikes`` spikes in the
read window. Compared, on the same projection, with the abstract FlyHash (top-k) and with a dense
random projection: pairwise overlaps (Spearman) and nearest-neighbour search (mAP). Theory:
Dasgupta, Stevens & Navlakha 2017 (Science 358:793).

Modules: :mod:`.config`, :mod:`.design`, :mod:`.simulation`, :mod:`.analysis`, :mod:`.targets`.
"""
from __future__ import annotations

from protocols.fly_hash.config import FlyHashConfig

NAME = "fly-hash"
DESCRIPTION = "spiking PN -> KC expansion with APL feedback vs abstract FlyHash (overlaps, nearest-neighbour mAP)"
CONFIG = FlyHashConfig
OPTIONS = {
    "families": "n_families",
    "variants": "variants",
    "n-kc": "circuit.kc.n_kc",
    "concentrations": "concentrations",
    "min-spikes": "min_spikes",
    "neighbours": "n_neighbours",
    "read-ms": "read",
    "settle-ms": "settle",
}

__all__ = ["NAME", "DESCRIPTION", "CONFIG", "OPTIONS", "FlyHashConfig", "run"]


def run(config, sim, seed):
    """Run the protocol (imports Brian2); see :func:`protocols.fly_hash.simulation.run`."""
    from protocols.fly_hash.simulation import run as _run

    return _run(config, sim, seed)
