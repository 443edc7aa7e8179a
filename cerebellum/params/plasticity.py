"""The PF→PC learning rule: climbing-fibre-timed LTD through a granule-cell eligibility trace.

Eligibility is the gamma kernel of an ``n_stages`` filter chain on the granule cell, entered
``eligibility_delay`` after each parallel-fibre (PF) spike and peaking
``eligibility_delay + (n_stages - 1) tau_e`` after it, normalised to peak 1 per spike. Each PF spike
adds ``A_plus`` to its synapse (LTP); each climbing-fibre (CF) event subtracts
``A_minus * eligibility`` (LTD), so PFs active about one eligibility peak before the CF are
depressed most; weights stay in ``[w_min, w_max]``. The window of a narrow kernel (peak 50 ms,
half maximum 38–72 ms with the defaults) follows the LTD timing measured in slices and used in
cerebellar learning models (Wang et al. 2000; Safo & Regehr 2008; Luque et al. 2016).
:mod:`cerebellum.eligibility` computes the trace either by integrating the chain at every step or
in closed form at spikes and reads (exact kernel, no work per step).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core.params import derived, param, validate

__all__ = ["PlasticityTiming", "PlasticityParams", "eligibility_kernel"]


@dataclass(frozen=True)
class PlasticityTiming:
    """When the PF→PC rule acts: eligibility kernel and conduction delays (units in brackets).

    Parameters
    ----------
    n_stages : int
        Stages of the eligibility filter chain (1–20); kernel ``∝ s^(n-1) exp(-s / tau_e)``.
    tau_e : time constant of each stage [ms]
    eligibility_delay : delay before a PF spike enters the chain [ms] (a delayed self-synapse: a
        short chain then gives a narrow window far from the spike, with few state variables)
    pf_delay : PF→PC conduction delay [ms]
    cf_delay : IO→PC (climbing-fibre) delay [ms]
    """

    n_stages: int = param(3, "stages of the eligibility filter chain", lo=1, hi=20)
    tau_e: object = param(10.0, "time constant of each eligibility stage", unit="ms", lo=0, lo_open=True, hi=1e4)
    eligibility_delay: object = param(30.0, "delay before a PF spike enters the eligibility chain", unit="ms",
                                      lo=0, hi=1000)
    pf_delay: object = param(2.0, "parallel-fibre -> Purkinje conduction delay", unit="ms", lo=0, hi=1000)
    cf_delay: object = param(4.0, "climbing-fibre -> Purkinje delay", unit="ms", lo=0, hi=1000)

    def __post_init__(self):
        validate(self)

    @derived("eligibility_delay", "n_stages", "tau_e")
    def eligibility_peak(self):
        """time from a PF spike to its eligibility maximum, eligibility_delay + (n_stages - 1) tau_e"""
        return self.eligibility_delay + (self.n_stages - 1) * self.tau_e

    @derived("n_stages")
    def kernel_peak_value(self) -> float:
        """peak of the raw chain output after one unit kick, k^k e^-k / k! with k = n_stages - 1"""
        k = self.n_stages - 1
        return math.exp(k * math.log(k) - k - math.lgamma(k + 1)) if k > 0 else 1.0


@dataclass(frozen=True)
class PlasticityParams(PlasticityTiming):
    """The whole PF→PC rule: :class:`PlasticityTiming` plus step sizes and bounds [nS].

    Parameters
    ----------
    A_plus : LTP step per PF spike [nS], >= 0
    A_minus : LTD per CF event for a PF at its single-spike eligibility peak [nS], >= 0
    w_min, w_max : weight bounds [nS], 0 <= w_min < w_max
    w0 : initial weight [nS], inside the bounds

    The defaults are the rule of the eyeblink circuit (~15,000 PFs per Purkinje cell).

    Climbing fibres arriving at random (spontaneous complex spikes, rate ``f``) depress a PF by
    ``f * A_minus * integral(eligibility)`` per PF spike on average, while each PF spike
    potentiates by ``A_plus``: the two balance at ``f* = A_plus / (A_minus * integral)``
    (:attr:`balance_rate`). CF activity below ``f*`` drives net LTP of the active PFs, above it
    net LTD (the olivary balance of Kenyon, Medina & Mauk 1998; Medina et al. 2002).
    """

    A_plus: object = param(2e-4, "LTP step per parallel-fibre spike", unit="nS", lo=0, hi=1e3)
    A_minus: object = param(1.9e-3, "LTD per climbing-fibre event at the eligibility peak", unit="nS", lo=0, hi=1e3)
    w_min: object = param(0.0, "lower weight bound", unit="nS", lo=0, hi=1e3)
    w_max: object = param(0.12, "upper weight bound", unit="nS", lo="w_min", lo_open=True, hi=1e6)
    w0: object = param(0.06, "initial weight", unit="nS", lo="w_min", hi="w_max")

    @derived("tau_e", "n_stages")
    def eligibility_integral(self):
        """time integral of the peak-normalised eligibility kernel, tau_e / kernel_peak_value"""
        return self.tau_e / self.kernel_peak_value

    @derived("A_plus", "A_minus", "tau_e", "n_stages")
    def balance_rate(self):
        """CF rate at which LTP per PF spike and random-CF LTD balance, A_plus / (A_minus * eligibility_integral)"""
        return self.A_plus / (self.A_minus * self.eligibility_integral)


def eligibility_kernel(t, params: PlasticityTiming) -> np.ndarray:
    """Eligibility (peak-normalised) a time ``t`` after one PF spike.

    Parameters
    ----------
    t : time array [ms] (Brian2 quantity)
    params : PlasticityTiming

    Returns
    -------
    numpy.ndarray
        ``(s/tau_e)^(n-1) exp(-s/tau_e) / (n-1)! / kernel_peak_value`` with
        ``s = t - eligibility_delay`` for ``s >= 0``, else 0.
    """
    if not isinstance(params, PlasticityTiming):
        raise TypeError(f"params = {params!r} must be a PlasticityTiming")
    if getattr(t, "dim", None) is None or repr(t.dim) != "second":
        raise TypeError(f"t = {t!r} must have units of time (e.g. 100 * ms)")
    x = np.asarray((t - params.eligibility_delay) / params.tau_e, dtype=float)
    k = params.n_stages - 1
    with np.errstate(divide="ignore"):
        logv = k * np.log(np.where(x > 0, x, 1.0)) - x - math.lgamma(k + 1)
    out = np.where(x >= 0, np.exp(logv), 0.0) / params.kernel_peak_value
    if k > 0:
        out = np.where(x > 0, out, 0.0)
    return out
