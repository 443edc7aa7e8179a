"""TEM-t navigation: predict the next observation by path integration (MEC) and attention (memory).

The walks are drawn with numpy before the simulation (:mod:`hippocampus.environment`), so the
whole protocol is one compiled program with a fixed pool of memory slots (``pool_size`` slots
whatever the walk length, so every seed runs the same compiled program):

* **What is numpy, what is spiking.** Path integration is done in numpy with the exact action
  matrices ``W_a`` of the grid code (``e_{t+1} = W_{a_t} e_t``), not by spiking neurons; the
  memory is a gated, pre-wired slot pool: slot ``t``'s key (grid rate code of the position at
  step ``t``) and value (sensory code of observation ``t``) are wired at build time, and writing
  memory ``t`` at the start of window ``t`` means opening its gate (no plasticity). The attention
  -- MEC grid-cell spikes -> memory-neuron escape spikes under PV-interneuron inhibition -> read-out
  neuron spikes -- is spiking, and the prediction is decoded from read-out **spike counts**.
* Window ``t`` (``settle + read`` long) belongs to step ``t``: MEC shows the path-integrated grid
  code of the **next** position (``W_{a_t} e_t``); the object decoded from the read-out spike
  counts is the prediction for step ``t + 1``. Memory ``t + 1``'s gate is still closed, so the
  prediction is causal (as :func:`hippocampus.attention.causal_tem_attention`).
* **Second environment** (new object layout, same geometry, hence the same grid codes): at the
  switch every slot of environment 1 is gated off, so old memories cannot intrude. The
  counterfactual without clearing is computed for the abstract model only (numpy).

Predictors on the same walk: spiking network, abstract TEM-t attention (same keys, values and
beta), edge memoriser, node memoriser (Whittington, Warren & Behrens 2022, ICLR,
arXiv:2112.04035; Whittington et al. 2020, Cell 183:1249).

Modules: :mod:`.config` (parameters), :mod:`.design` (worlds, walks, keys, gates), :mod:`.simulation`
(circuit and simulation), :mod:`.analysis` (predictions, accuracies, rate maps), :mod:`.targets`
(thresholds).
"""
from __future__ import annotations

from protocols.navigation.config import NavigationConfig

NAME = "navigation"
DESCRIPTION = "TEM-t in spikes: zero-shot link inference by path integration + attention, 4 predictors"
CONFIG = NavigationConfig
OPTIONS = {
    "width": "width",
    "steps": "n_steps",
    "steps-env2": "n_steps_env2",
    "beta": "beta",
    "copies": "circuit.copies",
    "pi-noise": "pi_noise",
}

__all__ = ["NAME", "DESCRIPTION", "CONFIG", "OPTIONS", "NavigationConfig", "run"]


def run(config, sim, seed):
    """Run the protocol (imports Brian2); see :func:`protocols.navigation.simulation.run`."""
    from protocols.navigation.simulation import run as _run

    return _run(config, sim, seed)
