"""Parameters of the hippocampal-entorhinal memory (frozen dataclasses declared with :mod:`core.params`).

* :class:`CodeParams` — the MEC grid code (keys and queries) and the LEC sensory code (values),
  shared by every hippocampal protocol;
* :class:`MemoryCircuitParams` — the spiking memory circuit (MEC cells, memory neurons, shared
  inhibition, read-out).

Importing this module does not import Brian2: quantities are declared by unit name and built on
construction. Time scales of the circuit are ordered as in winner-take-all spiking circuits
(Nessler et al. 2013, PLoS Comput. Biol. 9:e1003037): inhibition and memory neurons (ms) settle
faster than the read-out (tens of ms), which is faster than one query or step (~100 ms).
"""
from __future__ import annotations

from dataclasses import dataclass
from math import comb, isqrt

from core.params import derived, param, validate

__all__ = ["CodeParams", "MemoryCircuitParams"]


@dataclass(frozen=True)
class CodeParams:
    """Grid code of position (MEC) and sparse sensory code of objects (LEC).

    Parameters
    ----------
    n_modules : int
        Grid modules ``M`` (code dimension ``6 M``, see :class:`hippocampus.grid.GridCode`).
    base_scale : float
        Grid period of module 0 (grid-node units).
    scale_ratio : float
        Ratio of successive module periods (1.42 measured by Stensola et al. 2012, Nature 492:72).
    cells_per_module : int
        Grid cells per module, phases on an ``n x n`` lattice (a perfect square).
    n_object_types : int
        Object types in the worlds (45 in TEM, Whittington et al. 2020, Cell 183:1249).
    sensory_dim : int
        LEC cells of the sensory code.
    sensory_active : int
        Active LEC cells per object; ``C(sensory_dim, sensory_active) >= n_object_types`` so that
        every object gets a distinct code.
    """

    n_modules: int = param(5, "grid modules of the MEC code", lo=1, hi=20)
    base_scale: float = param(2.0, "grid period of module 0 (grid-node units)", lo=0, lo_open=True, hi=1000)
    scale_ratio: float = param(1.42, "ratio of successive grid-module periods", lo=0, lo_open=True, hi=10)
    cells_per_module: int = param(9, "grid cells per module (a perfect square: phases on a lattice)", lo=1, hi=400)
    n_object_types: int = param(45, "object types in the worlds", lo=2, hi=10000)
    sensory_dim: int = param(40, "LEC cells of the sensory code", lo=2, hi=10000)
    sensory_active: int = param(4, "active LEC cells per object", lo=1, hi="sensory_dim")

    def __post_init__(self):
        validate(self)
        if isqrt(self.cells_per_module) ** 2 != self.cells_per_module:
            raise ValueError(f"cells_per_module = {self.cells_per_module} is not allowed: use a perfect square "
                             f"(1, 4, 9, 16, ...)")
        n_codes = comb(self.sensory_dim, self.sensory_active)
        if n_codes < self.n_object_types:
            raise ValueError(f"sensory_dim = {self.sensory_dim} with sensory_active = {self.sensory_active} gives "
                             f"only {n_codes} distinct codes: allowed C(sensory_dim, sensory_active) >= "
                             f"n_object_types = {self.n_object_types}")

    @derived("n_modules", "cells_per_module")
    def n_grid_cells(self) -> int:
        """grid cells of the rate code (feature neurons of a pattern), n_modules * cells_per_module"""
        return self.n_modules * self.cells_per_module

    def grid_code(self):
        """The :class:`hippocampus.grid.GridCode` these parameters describe."""
        from hippocampus.grid import GridCode

        return GridCode(n_modules=self.n_modules, base_scale=self.base_scale, scale_ratio=self.scale_ratio,
                        cells_per_module=self.cells_per_module)


@dataclass(frozen=True)
class MemoryCircuitParams:
    """Spiking memory circuit: MEC grid cells -> memory neurons (+ shared inhibition) -> read-out.

    Parameters
    ----------
    copies : int
        Memory neurons per memory slot; they share the slot's input and fire independently, so a
        slot's spike count is a sum of ``copies`` independent escape-noise neurons and per-neuron
        rates stay well below ``1/dt``.
    mec_copies : int
        Poisson grid cells per MEC coding unit (phase class or pattern bit). More cells average the
        Poisson noise of the query estimate ``h = k . q`` (variance ~ 1/(P tau_key r)).
    mec_max_rate : Quantity [Hz]
        Peak rate of a grid cell (code value 1 times ``code_scale``).
    tau_key : Quantity [ms]
        Time constant of the low-pass filter of MEC spikes through the key synapses (the slot's
        dendritic input ``h``); sets the settling time after a query change and the query noise.
    r0 : Quantity [Hz]
        Base escape rate: a memory neuron fires with rate ``r0 exp(u)``.
    kappa : float
        Score offset in the exponent, ``u = beta (h - kappa) + shift - I``: a common shift (softmax
        is invariant to it) that keeps ``exp(u)`` in range for unit-norm keys.
    tau_inh : Quantity [ms]
        Decay time of the shared inhibitory variable ``I`` (PV-like pool, mean field).
    w_inh : float
        Jump of ``I`` per memory spike; the loop gain ``w_inh tau_inh R`` (R = pool rate) sets how
        little the pool rate changes with ``sum exp(scores)`` (``d log R / d log Z = 1/(1 + gain)``).
    tau_out : Quantity [ms]
        Read-out synaptic time constant: each memory spike adds its slot's value ``v_mu,j`` to the
        trace ``n_j`` of read-out dimension ``j`` (decays with ``tau_out``).
    out_gain : Quantity [Hz]
        Read-out neuron rate per unit of trace: ``rate_j = out_gain * n_j`` (no division: the shared
        inhibition already normalises the pool rate; decoding uses the direction).
    readout_copies : int
        Poisson read-out neurons per value dimension (their spike counts are the decoded value).
    """

    copies: int = param(10, "memory neurons per memory slot", lo=1, hi=1000)
    mec_copies: int = param(40, "Poisson grid cells per MEC coding unit", lo=1, hi=1000)
    mec_max_rate: object = param(50.0, "peak rate of a grid cell", unit="Hz", lo=0, lo_open=True, hi=1000)
    tau_key: object = param(10.0, "low-pass time constant of the key synapses (slot input h)", unit="ms",
                            lo=0.5, hi=1000)
    r0: object = param(100.0, "base escape rate of a memory neuron, rate r0 exp(u)", unit="Hz", lo=0, lo_open=True,
                       hi=1000)
    kappa: float = param(0.5, "score offset in the exponent u = beta (h - kappa) + shift - I", lo=-10, hi=10)
    tau_inh: object = param(5.0, "decay time of the shared inhibition I", unit="ms", lo=0.5, hi=1000)
    w_inh: float = param(1.0, "jump of the shared inhibition I per memory spike", lo=0, lo_open=True, hi=100)
    tau_out: object = param(20.0, "read-out synaptic trace time constant", unit="ms", lo=0.5, hi=1000)
    out_gain: object = param(3.0, "read-out rate per unit of value trace", unit="Hz", lo=0, lo_open=True, hi=100)
    readout_copies: int = param(10, "Poisson read-out neurons per value dimension", lo=1, hi=1000)

    def __post_init__(self):
        validate(self)
