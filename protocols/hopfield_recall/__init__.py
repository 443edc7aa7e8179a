"""Hopfield recall: spiking memory neurons normalised by spiking PV interneurons compute softmax attention.

One compiled program, three blocks of query windows (``settle`` + ``read`` each):

1. **beta sweep** (block 0): ``n_memories`` grid-code keys (random distinct positions of a
   ``world_width``^2 world) with LEC sensory values; every memory is queried with its exact key at
   every ``beta`` of the sweep.
2. **normalisation** (block 1): queries at the default ``beta`` with a tonic drive ``shift`` added
   to every memory neuron's exponent: ``sum exp(scores)`` grows by ``exp(max shift - min shift)``
   while the population of PV interneurons holds the pool rate (spike counts of every interneuron
   in every read window are saved as ``inh_spike_counts``).
3. **recall vs cue noise** (block 2): ``n_memories`` random +-1 patterns (MEC shows their active
   bits), cued with a fraction ``noise`` of bits flipped or partially (a fraction
   ``partial_levels`` of the active cells silenced), at ``recall_beta``; compared with the abstract
   modern Hopfield network (same keys, same cues) and a classical Hopfield network of ``d``
   neurons on the same patterns and cues. An abstract capacity sweep contrasts the two at equal
   feature-neuron count (:func:`hippocampus.recall.capacity_sweep`).

``scores[q, mu] = beta_q k_mu . q_q + shift_q`` is exactly the exponent the circuit is built to
compute for the scheduled MEC code (its spiking estimate of ``k . q`` is the low-passed, Poisson
MEC input). Keys, values, cues and the slot gates are chosen in numpy and wired into a gated,
pre-wired slot pool (no plasticity); the scores, softmax shares, normalisation and read-out are
computed by the spiking network (memory-neuron and read-out spike counts); the abstract models
and every metric are numpy. Theory: Ramsauer et al. 2021 (ICLR, arXiv:2008.02217), Nessler et
al. 2013 (PLoS Comput. Biol. 9:e1003037).

Modules: :mod:`.config` (parameters), :mod:`.design` (keys, cues, schedule), :mod:`.simulation`
(circuit and simulation), :mod:`.analysis` (metrics), :mod:`.targets` (thresholds).
"""
from __future__ import annotations

from protocols.hopfield_recall.config import HopfieldRecallConfig

NAME = "hopfield-recall"
DESCRIPTION = "spiking memory neurons + PV interneuron population vs softmax attention / modern Hopfield"
CONFIG = HopfieldRecallConfig
OPTIONS = {
    "memories": "n_memories",
    "slots": "n_slots",
    "copies": "circuit.copies",
    "beta": "beta",
    "betas": "betas",
    "noise": "noise_levels",
    "partial": "partial_levels",
    "read-ms": "read",
    "settle-ms": "settle",
}

__all__ = ["NAME", "DESCRIPTION", "CONFIG", "OPTIONS", "HopfieldRecallConfig", "run"]


def run(config, sim, seed):
    """Run the protocol (imports Brian2); see :func:`protocols.hopfield_recall.simulation.run`."""
    from protocols.hopfield_recall.simulation import run as _run

    return _run(config, sim, seed)
