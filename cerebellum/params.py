"""Cell and PF→PC plasticity parameters of the cerebellar circuit (frozen, validated, with units).

API for reuse
-------------
``CellParams``
    One conductance-based LIF cell type (``C dv/dt = g_L(E_L - v) + g_exc(E_exc - v) +
    g_inh(E_inh - v) + I_e``). Ready-made sets from ``reference/cerebellum.md`` §3 (Casali 2019 /
    dystonia_ebcc healthy config, ``iaf_cond_alpha``): :data:`GRC`, :data:`GOC`, :data:`PC`,
    :data:`MLI` (stellate/basket), :data:`DCN` (projection, DCNp), :data:`DCNI`
    (nucleo-olivary), :data:`IO`. Derive variants with ``dataclasses.replace(PC, I_e=0*pA)``
    (re-validated).
``PlasticityParams``
    PF→PC rule of ``reference/cerebellum.md`` §4 (Brian2 recipe): eligibility = gamma kernel of an
    ``n_stages`` filter chain on the granule cell, peaking ``(n_stages - 1) * tau_e`` after a PF
    spike (default 8 stages × 14.29 ms ≈ 100 ms, close to the Pavia sinexp kernel); each PF spike
    adds ``A_plus`` (LTP); a climbing-fibre event subtracts ``A_minus * eligibility`` (LTD, the
    eligibility is normalised to peak 1 per PF spike); weights are clipped to ``[w_min, w_max]``.
    :func:`eligibility_kernel` evaluates that kernel with numpy.

Every field is checked in ``__post_init__`` with :mod:`cerebellum.validation`, so a bad value
raises ``ValueError`` / ``TypeError`` naming the parameter, the value and the allowed range.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from brian2 import Quantity, ms, mV, nS, pA, pF, second

from cerebellum.validation import check_choice, check_int, check_quantity, param

SYNAPSE_KINDS = ("alpha", "exp")

__all__ = ["CellParams", "PlasticityParams", "GRC", "GOC", "PC", "MLI", "DCN", "DCNI", "IO",
           "CELL_TYPES", "eligibility_kernel", "SYNAPSE_KINDS"]


@dataclass(frozen=True)
class CellParams:
    """Conductance-based leaky integrate-and-fire cell (units in brackets).

    Parameters
    ----------
    name : str
        Label used in group names (``"grc"``, ``"pc"``, ...).
    C_m : capacitance [pF]
    g_L : leak conductance [nS]
    E_L : leak reversal [mV]
    V_th : spike threshold [mV], must exceed ``V_reset``
    V_reset : reset potential [mV]
    t_ref : refractory period [ms]
    I_e : constant bias current [pA] (the source of tonic firing in GoC, PC, DCN)
    tau_exc, tau_inh : synaptic time constants [ms]
    E_exc, E_inh : synaptic reversal potentials [mV]
    synapse : {"alpha", "exp"}
        ``alpha`` (NEST ``iaf_cond_alpha`` normalisation: a weight ``w`` gives peak conductance ``w``
        at ``t = tau``) or ``exp`` (jump by ``w``, exponential decay).
    """

    name: str
    C_m: Quantity
    g_L: Quantity
    E_L: Quantity
    V_th: Quantity
    V_reset: Quantity
    t_ref: Quantity
    I_e: Quantity
    tau_exc: Quantity
    tau_inh: Quantity
    E_exc: Quantity = param(0 * mV)
    E_inh: Quantity = param(-80 * mV)
    synapse: str = "alpha"

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name.isidentifier():
            raise ValueError(f"name = {self.name!r} must be a Python identifier (e.g. 'grc')")
        check_quantity("C_m", self.C_m, pF, lo=0 * pF, lo_open=True)
        check_quantity("g_L", self.g_L, nS, lo=0 * nS, lo_open=True)
        for name in ("E_L", "V_th", "V_reset", "E_exc", "E_inh"):
            check_quantity(name, getattr(self, name), mV, lo=-200 * mV, hi=100 * mV)
        check_quantity("t_ref", self.t_ref, ms, lo=0 * ms)
        check_quantity("I_e", self.I_e, pA, lo=-1e6 * pA, hi=1e6 * pA)
        check_quantity("tau_exc", self.tau_exc, ms, lo=0 * ms, lo_open=True)
        check_quantity("tau_inh", self.tau_inh, ms, lo=0 * ms, lo_open=True)
        check_choice("synapse", self.synapse, SYNAPSE_KINDS)
        if not self.V_th > self.V_reset:
            raise ValueError(f"V_th = {self.V_th!r} is out of range: allowed V_th > V_reset = {self.V_reset!r}")
        if not self.E_inh < self.V_reset:
            raise ValueError(f"E_inh = {self.E_inh!r} is out of range: allowed E_inh < V_reset = {self.V_reset!r}")
        if not self.E_exc > self.V_th:
            raise ValueError(f"E_exc = {self.E_exc!r} is out of range: allowed E_exc > V_th = {self.V_th!r}")

    @property
    def tau_m(self) -> Quantity:
        """Membrane time constant ``C_m / g_L``."""
        return self.C_m / self.g_L

    @property
    def v_inf(self) -> Quantity:
        """Steady-state potential without synaptic input (``E_L + I_e / g_L``); ``> V_th`` = tonic."""
        return self.E_L + self.I_e / self.g_L


# reference/cerebellum.md §3 (dystonia_ebcc healthy config, Casali 2019)
GRC = CellParams("grc", 7 * pF, 0.29 * nS, -62 * mV, -41 * mV, -70 * mV, 1.5 * ms, 0 * pA, 1.9 * ms, 4.5 * ms)
GOC = CellParams("goc", 145 * pF, 3.3 * nS, -62 * mV, -55 * mV, -75 * mV, 2 * ms, 36.75 * pA, 0.23 * ms, 3.3 * ms)
PC = CellParams("pc", 334 * pF, 7.1 * nS, -59 * mV, -43 * mV, -69 * mV, 0.5 * ms, 800 * pA, 1.1 * ms, 2.8 * ms)
MLI = CellParams("mli", 14.6 * pF, 1.6 * nS, -68 * mV, -53 * mV, -78 * mV, 1.59 * ms, 24.05 * pA, 0.64 * ms, 2.0 * ms)
DCN = CellParams("dcn", 142 * pF, 4.3 * nS, -45 * mV, -36 * mV, -55 * mV, 1.5 * ms, 180 * pA, 1.0 * ms, 0.7 * ms)
DCNI = CellParams("dcni", 56 * pF, 1.0 * nS, -40 * mV, -39 * mV, -55 * mV, 3 * ms, 7 * pA, 3.64 * ms, 1.14 * ms)
IO = CellParams("io", 189 * pF, 17.18 * nS, -45 * mV, -35 * mV, -45 * mV, 1 * ms, 0 * pA, 1 * ms, 60 * ms)

CELL_TYPES = {p.name: p for p in (GRC, GOC, PC, MLI, DCN, DCNI, IO)}


@dataclass(frozen=True)
class PlasticityParams:
    """PF→PC plasticity: CF-timed LTD through a granule-cell eligibility trace, LTP per PF spike.

    Parameters
    ----------
    n_stages : int
        Length of the eligibility filter chain (1–20); kernel ``∝ t^(n-1) exp(-t/tau_e)``.
    tau_e : time [ms]
        Time constant of each stage; the kernel peaks at ``eligibility_delay + (n_stages - 1) * tau_e``.
    eligibility_delay : time [ms]
        A spike enters the chain this long after it is fired (a delayed self-synapse, see
        :func:`cerebellum.cells.eligibility_delay_line`): the kernel is shifted right, so a short
        chain gives a narrow window far from the spike at the cost of 3 state variables per cell.
    A_plus : conductance [nS], >= 0
        LTP step per PF spike (while plasticity is on).
    A_minus : conductance [nS], >= 0
        LTD per CF event for a PF whose eligibility is at its single-spike peak.
    w_min, w_max : conductance [nS]
        Weight bounds, ``0 <= w_min < w_max``.
    w0 : conductance [nS]
        Initial weight, inside the bounds.
    pf_delay : time [ms]
        PF→PC conduction delay.
    cf_delay : time [ms]
        IO→PC (climbing-fibre) delay; explicit so the LTD timing is visible.

    Defaults: DBBS EBCC weights (w0 0.4 nS, bounds [0, 2] nS, LTD:LTP 40:1, §4a) with the 8-stage,
    100-ms-peak chain of §4 "Brian2 recipe" (FWHM ≈ 62–151 ms before the CF).
    """

    n_stages: int = 8
    tau_e: Quantity = param((100.0 / 7.0) * ms)
    eligibility_delay: Quantity = param(0 * ms)
    A_plus: Quantity = param(2.25e-4 * nS)
    A_minus: Quantity = param(9e-3 * nS)
    w_min: Quantity = param(0 * nS)
    w_max: Quantity = param(2 * nS)
    w0: Quantity = param(0.4 * nS)
    pf_delay: Quantity = param(5 * ms)
    cf_delay: Quantity = param(4 * ms)

    def __post_init__(self):
        check_int("n_stages", self.n_stages, lo=1, hi=20)
        check_quantity("tau_e", self.tau_e, ms, lo=0 * ms, lo_open=True)
        check_quantity("eligibility_delay", self.eligibility_delay, ms, lo=0 * ms, hi=1 * second)
        check_quantity("A_plus", self.A_plus, nS, lo=0 * nS)
        check_quantity("A_minus", self.A_minus, nS, lo=0 * nS)
        check_quantity("w_min", self.w_min, nS, lo=0 * nS)
        check_quantity("w_max", self.w_max, nS, lo=0 * nS, lo_open=True)
        if not self.w_max > self.w_min:
            raise ValueError(f"w_max = {self.w_max!r} is out of range: allowed w_max > w_min = {self.w_min!r}")
        check_quantity("w0", self.w0, nS, lo=self.w_min, hi=self.w_max)
        check_quantity("pf_delay", self.pf_delay, ms, lo=0 * ms, hi=1 * second)
        check_quantity("cf_delay", self.cf_delay, ms, lo=0 * ms, hi=1 * second)

    @property
    def eligibility_peak(self) -> Quantity:
        """Delay from a PF spike to the maximum of its eligibility,
        ``eligibility_delay + (n_stages - 1) * tau_e``."""
        return self.eligibility_delay + (self.n_stages - 1) * self.tau_e

    @property
    def kernel_peak_value(self) -> float:
        """Peak of the raw chain output ``x_n`` after one unit kick: ``k^k e^-k / k!``, ``k = n-1``."""
        k = self.n_stages - 1
        return math.exp(k * math.log(k) - k - math.lgamma(k + 1)) if k > 0 else 1.0

    @classmethod
    def with_peak(cls, peak: Quantity, n_stages: int = 8, **kwargs) -> "PlasticityParams":
        """Parameters whose eligibility peaks ``peak`` after a PF spike (``tau_e = peak / (n-1)``)."""
        check_int("n_stages", n_stages, lo=2, hi=20)
        check_quantity("peak", peak, ms, lo=0 * ms, lo_open=True)
        return cls(n_stages=n_stages, tau_e=peak / (n_stages - 1), **kwargs)


def eligibility_kernel(t, params: PlasticityParams) -> np.ndarray:
    """Eligibility (peak-normalised) a time ``t`` after one PF spike.

    Parameters
    ----------
    t : time array [ms] (Brian2 quantity)
    params : PlasticityParams

    Returns
    -------
    numpy.ndarray
        ``(s/tau_e)^(n-1) exp(-s/tau_e) / (n-1)! / kernel_peak_value`` with
        ``s = t - eligibility_delay`` for ``s >= 0``, else 0.
    """
    if not isinstance(params, PlasticityParams):
        raise TypeError(f"params = {params!r} must be a PlasticityParams")
    if not isinstance(t, Quantity) or t.dim != ms.dim:
        raise TypeError(f"t = {t!r} must have units of time (e.g. 100 * ms)")
    x = np.asarray((t - params.eligibility_delay) / params.tau_e, dtype=float)
    k = params.n_stages - 1
    with np.errstate(divide="ignore"):
        logv = k * np.log(np.where(x > 0, x, 1.0)) - x - math.lgamma(k + 1)
    out = np.where(x >= 0, np.exp(logv), 0.0) / params.kernel_peak_value
    if k > 0:
        out = np.where(x > 0, out, 0.0)
    return out
