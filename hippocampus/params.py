"""Parameters of the spiking hippocampal-entorhinal memory (frozen, validated dataclasses).

Time scales follow ``reference/hippocampus.md`` §5: inhibition and memory neurons (ms) settle
much faster than the read-out (tens of ms), which is faster than one query / step (~100 ms).
"""
from __future__ import annotations

from dataclasses import dataclass

from brian2 import Hz, ms

from hippocampus.validation import check_int, check_quantity, check_real, param


@dataclass(frozen=True)
class MemoryCircuitParams:
    """Spiking memory circuit: MEC grid cells -> memory neurons (+ shared inhibition) -> read-out.

    Parameters
    ----------
    copies : int
        Memory neurons per memory slot (``c >= 1``); they share the slot's input and fire
        independently, so a slot's spike count is a sum of ``c`` independent escape-noise neurons
        and per-neuron rates stay well below ``1/dt``.
    mec_copies : int
        Poisson grid cells per MEC coding unit (phase class / pattern bit, ``>= 1``). More cells
        average the Poisson noise of the query estimate ``h = k . q`` (variance ~ 1/(P tau_key r)).
    mec_max_rate : Hz
        Peak rate of a grid cell (code value 1 times ``code_scale``).
    tau_key : ms
        Time constant of the low-pass filter of MEC spikes through the key synapses (the slot's
        dendritic input ``h``); sets the settling time after a query change and the query noise.
    r0 : Hz
        Base escape rate: a memory neuron fires with rate ``r0 exp(u)``.
    kappa : float
        Score offset in the exponent, ``u = beta (h - kappa) + shift - I``: a common shift (softmax
        is invariant to it) that keeps ``exp(u)`` in range for unit-norm keys (threshold-like).
    tau_inh : ms
        Decay time of the shared inhibitory variable ``I`` (PV-like pool, mean-field).
    w_inh : float
        Jump of ``I`` per memory spike; the loop gain ``w_inh tau_inh R`` (R = pool rate) sets how
        little the pool rate changes with ``sum exp(scores)`` (``d log R / d log Z = 1/(1 + gain)``).
    tau_out : ms
        Read-out synaptic time constant: each memory spike adds its slot's value ``v_mu,j`` to the
        trace ``n_j`` of read-out dimension ``j`` (decays with ``tau_out``).
    out_gain : Hz
        Read-out neuron rate per unit of trace: ``rate_j = out_gain * n_j`` (no division: the
        shared inhibition already normalises the pool rate; decoding uses the direction).
    readout_copies : int
        Poisson read-out neurons per value dimension (their spike counts are the decoded value).
    """

    copies: int = 10
    mec_copies: int = 40
    mec_max_rate: object = param(50 * Hz)
    tau_key: object = param(10 * ms)
    r0: object = param(100 * Hz)
    kappa: float = 0.5
    tau_inh: object = param(5 * ms)
    w_inh: float = 1.0
    tau_out: object = param(20 * ms)
    out_gain: object = param(3 * Hz)
    readout_copies: int = 10

    def __post_init__(self):
        check_int("copies", self.copies, lo=1, hi=1000)
        check_int("mec_copies", self.mec_copies, lo=1, hi=1000)
        check_quantity("mec_max_rate", self.mec_max_rate, Hz, lo=0 * Hz, hi=1000 * Hz, lo_open=True)
        check_quantity("tau_key", self.tau_key, ms, lo=0.5 * ms, hi=1000 * ms)
        check_quantity("r0", self.r0, Hz, lo=0 * Hz, hi=1000 * Hz, lo_open=True)
        check_real("kappa", self.kappa, lo=-10, hi=10)
        check_quantity("tau_inh", self.tau_inh, ms, lo=0.5 * ms, hi=1000 * ms)
        check_real("w_inh", self.w_inh, lo=0.0, hi=100.0, lo_open=True)
        check_quantity("tau_out", self.tau_out, ms, lo=0.5 * ms, hi=1000 * ms)
        check_quantity("out_gain", self.out_gain, Hz, lo=0 * Hz, hi=100 * Hz, lo_open=True)
        check_int("readout_copies", self.readout_copies, lo=1, hi=1000)
