"""Parameters of the hippocampal-entorhinal memory (frozen dataclasses declared with :mod:`core.params`).

* :class:`CodeParams` — the MEC grid code (keys and queries) and the LEC sensory code (values),
  shared by every hippocampal protocol;
* :class:`InterneuronParams` — the population of PV basket-like interneurons that normalises the
  memory neurons divisively;
* :class:`MemoryCircuitParams` — the spiking memory circuit (MEC cells, memory neurons, the
  interneurons, read-out).

Importing this module does not import Brian2: quantities are declared by unit name and built on
construction. Time scales of the circuit are ordered as in winner-take-all spiking circuits
(Nessler et al. 2013, PLoS Comput. Biol. 9:e1003037): interneurons, inhibitory synapses and memory
neurons (ms) settle faster than the read-out (tens of ms), which is faster than one query or step
(~100 ms).
"""
from __future__ import annotations

from dataclasses import dataclass
from math import comb, isqrt

from core.params import derived, nested, param, validate

__all__ = ["CodeParams", "InterneuronParams", "MemoryCircuitParams"]


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
class InterneuronParams:
    """PV basket-like interneurons: conductance-based LIF cells driven by the memory neurons and
    inhibiting every memory neuron they contact.

    ``C_m dv/dt = g_L (E_L - v) + g_e (E_e - v) + noise`` (the noise gives ``v`` a standard
    deviation ``sigma_v`` without input), spike when ``v > V_th``, reset to ``V_reset`` for ``t_ref``; ``g_e`` jumps by ``w_e`` per spike of a presynaptic memory neuron and decays
    with ``tau_e``. Each interneuron spike raises the inhibitory conductance ``g_i`` of every
    memory neuron it contacts by ``w_i`` (decay ``tau_i``); ``g_i`` enters the memory neuron's
    exponent as ``- g_i / g_scale``. Cell values are those of fast-spiking hippocampal basket
    cells (Bartos, Vida & Jonas 2007, Nat. Rev. Neurosci. 8:45; Geiger et al. 1997, Neuron
    18:1009 for the fast excitatory input; Bartos et al. 2002, PNAS 99:13222 for the fast
    perisomatic inhibition).

    Parameters
    ----------
    n_interneurons : int
        Interneurons in the population.
    C_m : Quantity [pF]
        Membrane capacitance.
    g_L : Quantity [nS]
        Leak conductance (``C_m / g_L`` = 10 ms by default: fast-spiking basket cells have
        membrane time constants of 5-15 ms).
    E_L : Quantity [mV]
        Leak reversal (resting) potential.
    V_th : Quantity [mV]
        Spike threshold, above ``E_L`` and ``V_reset``.
    V_reset : Quantity [mV]
        Reset potential after a spike (a shallow after-hyperpolarisation, as in fast-spiking cells).
    t_ref : Quantity [ms]
        Absolute refractory period (fast-spiking cells follow drive up to several hundred Hz).
    sigma_v : Quantity [mV]
        Standard deviation of the membrane-potential fluctuations caused by background synaptic
        input from outside the circuit (white noise filtered by the membrane, independent across
        cells; a few mV in vivo). It keeps the interneurons from firing in lockstep when they share
        their input.
    E_e : Quantity [mV]
        Reversal potential of the excitatory (AMPA) conductance, above ``V_th``.
    tau_e : Quantity [ms]
        Decay time of the excitatory conductance (AMPA onto basket cells decays in 1-2 ms).
    w_e : Quantity [nS]
        Jump of ``g_e`` per spike of a presynaptic memory neuron (unitary peak conductance).
    p_mem_pv : float
        Probability that a memory neuron contacts a given interneuron.
    w_i : Quantity [nS]
        Jump of a memory neuron's inhibitory conductance ``g_i`` per spike of a presynaptic
        interneuron (unitary peak conductance of a perisomatic GABA-A synapse).
    tau_i : Quantity [ms]
        Decay time of ``g_i`` (perisomatic GABA-A inhibition from basket cells decays in a few ms).
    p_pv_mem : float
        Probability that an interneuron contacts a given memory neuron. At 1 every memory neuron
        receives the same inhibition; below 1 the inhibition differs across memory neurons and the
        spike shares depart from the softmax.
    g_scale : Quantity [nS]
        Inhibitory conductance that lowers a memory neuron's exponent by one unit. For an
        escape-noise neuron ``rate ~ exp((V - theta) / Delta_V)`` a small shunting conductance
        ``g_i`` lowers the potential by ``g_i (V - E_inh) / g_L_mem``, so
        ``g_scale = g_L_mem Delta_V / (V - E_inh)``; with ``g_L_mem`` = 10 nS, ``Delta_V`` = 4 mV
        and ``V - E_inh`` = 15 mV, about 3 nS.
    """

    n_interneurons: int = param(40, "PV basket-like interneurons in the population", lo=1, hi=10000)
    C_m: object = param(100.0, "interneuron membrane capacitance", unit="pF", lo=0, lo_open=True, hi=1e4)
    g_L: object = param(10.0, "interneuron leak conductance", unit="nS", lo=0, lo_open=True, hi=1e3)
    E_L: object = param(-65.0, "interneuron leak reversal potential", unit="mV", lo=-100, hi=-30)
    V_th: object = param(-50.0, "interneuron spike threshold", unit="mV", lo="E_L", lo_open=True, hi=0)
    V_reset: object = param(-60.0, "interneuron reset potential", unit="mV", lo=-100, hi="V_th", hi_open=True)
    t_ref: object = param(1.0, "interneuron refractory period", unit="ms", lo=0, hi=20)
    sigma_v: object = param(2.0, "SD of the interneurons' background membrane-potential fluctuations", unit="mV",
                            lo=0, hi=20)
    E_e: object = param(0.0, "excitatory reversal potential of the interneurons", unit="mV", lo="V_th",
                        lo_open=True, hi=50)
    tau_e: object = param(2.0, "decay time of the interneurons' excitatory conductance", unit="ms", lo=0.1,
                          hi=50)
    w_e: object = param(5.0, "interneuron excitatory conductance jump per memory spike", unit="nS", lo=0,
                        lo_open=True, hi=100)
    p_mem_pv: float = param(0.3, "connection probability memory neuron -> interneuron", lo=0, lo_open=True, hi=1)
    w_i: object = param(3.0, "memory-neuron inhibitory conductance jump per interneuron spike", unit="nS", lo=0,
                        lo_open=True, hi=100)
    tau_i: object = param(5.0, "decay time of the memory neurons' inhibitory conductance g_i", unit="ms", lo=0.5,
                          hi=100)
    p_pv_mem: float = param(1.0, "connection probability interneuron -> memory neuron", lo=0, lo_open=True, hi=1)
    g_scale: object = param(3.0, "inhibitory conductance that lowers a memory neuron's exponent by 1", unit="nS",
                            lo=0, lo_open=True, hi=1000)

    def __post_init__(self):
        validate(self)

    @derived("C_m", "g_L")
    def tau_m(self):
        """interneuron membrane time constant C_m / g_L"""
        return self.C_m / self.g_L


@dataclass(frozen=True)
class MemoryCircuitParams:
    """Spiking memory circuit: MEC grid cells -> memory neurons (+ PV interneurons) -> read-out.

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
        Base escape rate: a memory neuron fires with rate ``r0 exp(u)``, so ``r0`` is its rate at the
        soft threshold ``u = 0`` (of the order of the inverse of a millisecond-long spike
        initiation). Its logarithm is how much the interneurons must lower the exponent to hold
        the pool rate; the loop gain of the normalisation grows with it.
    kappa : float
        Score offset in the exponent, ``u = beta (h - kappa) + shift - g_i / g_scale``: a common
        shift (softmax is invariant to it) that keeps ``exp(u)`` in range for unit-norm keys.
    pv : InterneuronParams
        The interneuron population and its synapses. The loop gain
        ``G = d(g_i / g_scale) / d log R`` (R = pool rate) sets how little the pool rate changes with
        ``sum exp(scores)``: ``d log R / d log Z = 1 / (1 + G)``.
    tau_out : Quantity [ms]
        Read-out synaptic time constant: each memory spike adds its slot's value ``v_mu,j`` to the
        trace ``n_j`` of read-out dimension ``j`` (decays with ``tau_out``).
    out_gain : Quantity [Hz]
        Read-out neuron rate per unit of trace: ``rate_j = out_gain * n_j`` (no division: the
        interneurons already normalise the pool rate; decoding uses the direction).
    readout_copies : int
        Poisson read-out neurons per value dimension (their spike counts are the decoded value).
    """

    copies: int = param(10, "memory neurons per memory slot", lo=1, hi=1000)
    mec_copies: int = param(40, "Poisson grid cells per MEC coding unit", lo=1, hi=1000)
    mec_max_rate: object = param(50.0, "peak rate of a grid cell", unit="Hz", lo=0, lo_open=True, hi=1000)
    tau_key: object = param(10.0, "low-pass time constant of the key synapses (slot input h)", unit="ms",
                            lo=0.5, hi=1000)
    r0: object = param(1000.0, "base escape rate of a memory neuron, rate r0 exp(u)", unit="Hz", lo=0, lo_open=True,
                       hi=10000)
    kappa: float = param(0.5, "score offset in the exponent u = beta (h - kappa) + shift - g_i/g_scale", lo=-10,
                         hi=10)
    pv: InterneuronParams = nested(InterneuronParams, "PV basket-like interneurons (divisive normalisation)")
    tau_out: object = param(20.0, "read-out synaptic trace time constant", unit="ms", lo=0.5, hi=1000)
    out_gain: object = param(3.0, "read-out rate per unit of value trace", unit="Hz", lo=0, lo_open=True, hi=100)
    readout_copies: int = param(10, "Poisson read-out neurons per value dimension", lo=1, hi=1000)

    def __post_init__(self):
        validate(self)
