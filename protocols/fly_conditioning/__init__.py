"""fly-conditioning: dopamine-gated associative learning at the KC -> MBON synapses.

One compartment of the spiking mushroom body (PNs -> ~2,000 KCs with APL feedback -> MBONs; DANs
onto the KC -> MBON synapses) runs a differential conditioning experiment in one program: a probe
block (CS+, morphs of CS+ at graded input similarity, CS-) before training; paired CS+ trials with
DAN activity alternating with unpaired CS- trials; the probe block again; CS+ trials without DAN
(extinction); the probe block a third time. A DAN spike depresses the KC -> MBON synapses of KCs
by their eligibility (a trace of their recent spikes: odour before dopamine, Hige et al. 2015,
Neuron 88:985; Handler et al. 2019, Cell 178:60); a KC spike without recent dopamine moves its
synapse back towards rest (extinction by odour alone, a simple rule). The generalisation of the
MBON drop over probes is compared with the abstract SDM read on the measured KC code and on FlyHash.

Modules: :mod:`.config`, :mod:`.design`, :mod:`.simulation`, :mod:`.analysis`, :mod:`.targets`.
"""
from __future__ import annotations

from protocols.fly_conditioning.config import FlyConditioningConfig

NAME = "fly-conditioning"
DESCRIPTION = ("dopamine-gated KC -> MBON depression: CS+/CS- conditioning, extinction by odour alone, "
               "generalisation over odour similarity vs the abstract SDM read")
CONFIG = FlyConditioningConfig
OPTIONS = {
    "morphs": "n_morphs",
    "training": "n_training",
    "extinction": "n_extinction",
    "n-kc": "circuit.kc.n_kc",
    "read-ms": "read",
    "gap-ms": "gap",
    "dan-delay-ms": "dan_delay",
    "eta": "circuit.output.eta",
    "recovery": "circuit.output.recovery",
}

__all__ = ["NAME", "DESCRIPTION", "CONFIG", "OPTIONS", "FlyConditioningConfig", "run"]


def run(config, sim, seed):
    """Run the protocol (imports Brian2); see :func:`protocols.fly_conditioning.simulation.run`."""
    from protocols.fly_conditioning.simulation import run as _run

    return _run(config, sim, seed)
