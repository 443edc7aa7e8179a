"""TEM-t navigation: predict the next observation by noisy path integration (MEC), sensory correction and attention.

The walks are drawn with numpy before the simulation (:mod:`hippocampus.environment`), so the
whole protocol is one compiled program with a fixed pool of memory slots (``pool_size`` slots
whatever the walk length, so every seed runs the same compiled program):

* **Noisy path integration.** The agent's position estimate is the phase of every grid module;
  each step moves it by the action plus a phase error of SD ``pi_noise`` module periods per
  dimension, drawn from the run's seed (:mod:`hippocampus.pathint`). The errors are data of the
  program (a time table), so every noise level runs the same compiled program.
* **What is numpy, what is spiking.** The walk, the action and noise increments and the slot
  values (sensory code of observation ``t`` in slot ``t``) are numpy. The circuit closes the loop
  itself: phase cells hold the estimate and rotate by each increment; MEC grid cells fire at the
  rates of the estimate; a slot's key synapses and phase synapses take the estimate when the slot
  is written (its gate opens; no other plasticity); the attention -- MEC grid-cell spikes ->
  memory-neuron escape spikes under PV-interneuron inhibition -> read-out neuron spikes -- is
  spiking, the prediction is decoded from read-out **spike counts**, and the phase is re-anchored
  to the stored phases of the memory neurons that spiked for the observed object
  (:mod:`hippocampus.network`).
* Window ``t`` (``settle + read`` long) belongs to step ``t``: MEC shows the grid code of the
  moved estimate (the **next** position); the object decoded from the read-out spike counts is the
  prediction for step ``t + 1``. Memory ``t + 1``'s gate is still closed, so the prediction is
  causal. Observation ``t + 1`` then corrects the estimate before memory ``t + 1`` is written.
* **Second environment** (new object layout, same geometry, hence the same grid codes): at the
  switch every slot of environment 1 is gated off, so old memories cannot intrude, and the
  estimate restarts at the new start node. The counterfactual without clearing is computed for
  the abstract model only (numpy).

Predictors on the same noisy walk: spiking network with correction, abstract TEM-t attention with
the same noise and correction, abstract TEM-t without correction, edge memoriser, node memoriser
told the true node, node memoriser told the node decoded from the uncorrected estimate
(Whittington, Warren & Behrens 2022, ICLR, arXiv:2112.04035; Whittington et al. 2020, Cell
183:1249).

Modules: :mod:`.config` (parameters), :mod:`.design` (worlds, walks, noise, abstract models, gates),
:mod:`.simulation` (circuit and simulation), :mod:`.analysis` (predictions, accuracies, rate maps),
:mod:`.targets` (thresholds).
"""
from __future__ import annotations

from protocols.navigation.config import NavigationConfig

NAME = "navigation"
DESCRIPTION = "TEM-t in spikes: zero-shot link inference by noisy path integration + sensory correction + attention, 6 predictors"
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
