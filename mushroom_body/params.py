"""Parameters of the spiking mushroom body (frozen dataclasses declared with :mod:`core.params`).

* :class:`KCParams` -- the PN -> KC expansion and the Kenyon cells (conductance-based LIF);
* :class:`APLParams` -- the graded APL feedback loop (all KCs -> APL -> all KCs);
* :class:`OutputParams` -- MBONs, DANs and the dopamine-gated KC -> MBON plasticity.

Importing this module does not import Brian2: quantities are declared by unit name and built on
construction. Anatomy: ~50 glomeruli, ~2,000 KCs, each KC with ~6-7 PN inputs (Caron et al. 2013,
"Random convergence of olfactory inputs in the Drosophila mushroom body"); one APL neuron that
receives from and inhibits all KCs (Lin et al. 2014, "Sparse, decorrelated odor coding in the
mushroom body enhances learned odor discrimination").
"""
from __future__ import annotations

from dataclasses import dataclass

from core.params import derived, nested, param, validate

__all__ = ["KCParams", "APLParams", "OutputParams", "MushroomBodyParams"]


@dataclass(frozen=True)
class KCParams:
    """Projection neurons, the random PN -> KC projection and the Kenyon cells.

    Parameters
    ----------
    n_pn : int
        Projection neurons (one Poisson unit per glomerulus).
    n_kc : int
        Kenyon cells.
    pn_per_kc_min, pn_per_kc_max : int
        Range of PN inputs (claws) per KC; each KC draws its count uniformly from it.
    pn_rate : Quantity [Hz]
        Mean PN rate of an odour at unit concentration (every odour's PN vector has this mean).
        PN odour responses reach tens to a hundred and more Hz (Bhandawat et al. 2007, "Sensory
        processing in the Drosophila antennal lobe increases reliability and separability of ensemble
        odor representations"); with Poisson spikes, the PN spikes per read window bound how well
        any read-out can rank KC inputs.
    pn_baseline : Quantity [Hz]
        Spontaneous PN rate between odours.
    C_m, g_L, E_L, V_th, V_reset, t_ref : KC membrane (capacitance, leak, rest, threshold, reset, refractory)
    E_exc, E_inh : Quantity [mV]
        Reversal potentials of the PN (cholinergic) and APL (GABAergic) synapses.
    tau_exc : Quantity [ms]
        Decay time of the PN -> KC conductance. Slow (25 ms, with a small ``w_pn``) so that a KC
        integrates many PN spikes: its spike count then follows its mean input, the quantity FlyHash
        ranks, more than the Poisson fluctuations of its few claws.
    w_pn : Quantity [nS]
        Conductance jump per PN spike at one claw.
    """

    n_pn: int = param(50, "projection neurons (glomeruli)", lo=2, hi=1000)
    n_kc: int = param(2000, "Kenyon cells", lo=10, hi=100000)
    pn_per_kc_min: int = param(6, "fewest PN inputs per KC", lo=1, hi="n_pn")
    pn_per_kc_max: int = param(7, "most PN inputs per KC", lo="pn_per_kc_min", hi="n_pn")
    pn_rate: object = param(80.0, "mean PN rate of an odour at unit concentration", unit="Hz", lo=0, lo_open=True,
                            hi=500)
    pn_baseline: object = param(2.0, "spontaneous PN rate between odours", unit="Hz", lo=0, hi=100)
    C_m: object = param(5.0, "KC membrane capacitance", unit="pF", lo=0, lo_open=True, hi=1e4)
    g_L: object = param(0.5, "KC leak conductance", unit="nS", lo=0, lo_open=True, hi=1e3)
    E_L: object = param(-60.0, "KC leak reversal potential", unit="mV", lo=-120, hi=0)
    V_th: object = param(-45.0, "KC spike threshold", unit="mV", lo=-120, hi=0)
    V_reset: object = param(-60.0, "KC reset potential", unit="mV", lo=-120, hi="V_th")
    t_ref: object = param(2.0, "KC refractory period", unit="ms", lo=0, hi=100)
    E_exc: object = param(0.0, "reversal potential of PN synapses", unit="mV", lo=-50, hi=50)
    E_inh: object = param(-75.0, "reversal potential of APL synapses", unit="mV", lo=-120, hi="V_reset")
    tau_exc: object = param(25.0, "decay time of the PN -> KC conductance", unit="ms", lo=0.1, hi=1000)
    w_pn: object = param(0.07, "conductance jump per PN spike at one claw", unit="nS", lo=0, lo_open=True, hi=100)

    def __post_init__(self):
        validate(self)

    @derived("C_m", "g_L")
    def tau_m(self):
        """KC membrane time constant C_m / g_L"""
        return self.C_m / self.g_L


@dataclass(frozen=True)
class APLParams:
    """The APL neuron: graded (non-spiking) feedback inhibition onto every KC.

    The APL activity ``a`` counts recent KC input (decay ``tau``); every KC receives the inhibitory
    conductance ``g_inh = w (a - a_0)^+``, so the inhibition grows with the KC population activity
    while the odour is on (Lin et al. 2014; Papadopoulou et al. 2011, "Normalization for sparse
    encoding of odors by a wide-field interneuron"). Each KC -> APL synapse depresses: a KC spike
    adds the synapse's resource ``x`` (1 when rested) to ``a`` and then removes the fraction ``u``
    of it, which recovers with ``tau_rec``. A strongly driven KC then adds about as much as a weakly
    driven one, so ``a`` follows the *number* of active KCs rather than their total spike count,
    and the loop holds the active fraction (not the spike total) across odours whose KC inputs
    differ in spread. ``u = 0`` gives a plain spike count.

    Parameters
    ----------
    tau : Quantity [ms]
        Decay time of the APL activity.
    w : Quantity [nS]
        Inhibitory conductance on every KC per unit of APL activity above ``a_0``.
    a_0 : float
        APL activity threshold of the graded release (in spikes through rested KC -> APL synapses).
    u : float
        Fraction of a KC -> APL synapse's resource used by one spike (0: no depression).
    tau_rec : Quantity [ms]
        Recovery time of the KC -> APL synaptic resource.
    """

    tau: object = param(50.0, "decay time of the APL activity", unit="ms", lo=0.1, hi=1000)
    w: object = param(0.4, "inhibitory conductance on every KC per unit APL activity", unit="nS", lo=0, hi=100)
    a_0: float = param(32.0, "APL activity threshold of the graded release (spikes through rested synapses)", lo=0, hi=1e6)
    u: float = param(0.5, "fraction of a KC -> APL synapse's resource used per spike (0: no depression)", lo=0,
                     hi=1)
    tau_rec: object = param(300.0, "recovery time of the KC -> APL synaptic resource", unit="ms", lo=0.1,
                            hi=100000)

    def __post_init__(self):
        validate(self)


@dataclass(frozen=True)
class OutputParams:
    """MBONs, DANs and the dopamine-gated KC -> MBON plasticity of one compartment.

    Every KC synapses onto every MBON of the compartment with the weight ``w_kc_mbon * w_i``; the
    plastic factor ``w_i`` (initially 1) is shared by KC ``i``'s synapses in the compartment, as
    they see the same presynaptic activity and the same dopamine. A KC spike adds 1 to its
    eligibility ``e_i`` (decay ``tau_elig``); each DAN spike multiplies ``w_i`` by
    ``1 - min(eta e_i, 1)`` (depression of recently active KCs: Hige et al. 2015, "Heterosynaptic
    plasticity underlies aversive olfactory learning in Drosophila", Neuron 88:985; odour activity has to
    precede dopamine, Handler et al. 2019, "Distinct dopamine receptor pathways underlie the temporal
    sensitivity of associative learning", Cell 178:60). Each DAN spike also adds 1 to the KC's
    dopamine trace ``d_i`` (decay ``tau_da``); a KC spike while ``d_i < da_gate`` (no recent
    dopamine) moves ``w_i`` a fraction ``recovery`` back towards 1: a slow potentiation of synapses
    active without dopamine, which extinguishes a memory by odour alone (a simple rule in the spirit of
    Berry et al. 2018, "Dopamine neurons mediate learning and forgetting through bidirectional
    modulation of a memory trace", Cell Reports; not the parallel opposing memory of Felsenberg et
    al. 2018).

    Parameters
    ----------
    n_mbon : int
        MBONs of the compartment (their spike counts are averaged).
    C_m, g_L, E_L, V_th, V_reset, t_ref : MBON membrane
    tau_exc : Quantity [ms]
        Decay time of the KC -> MBON conductance.
    w_kc_mbon : Quantity [nS]
        Conductance jump per KC spike at full weight.
    n_dan : int
        DANs of the compartment.
    dan_rate, dan_baseline : Quantity [Hz]
        DAN rate during reinforcement and otherwise.
    tau_elig : Quantity [ms]
        Decay time of the KC eligibility.
    eta : float
        Depression per DAN spike and unit eligibility.
    recovery : float
        Fraction of the way back to full weight per KC spike without recent dopamine.
    tau_da : Quantity [ms]
        Decay time of the KC's dopamine trace.
    da_gate : float
        Dopamine trace below which a KC spike restores its weight.
    """

    n_mbon: int = param(4, "MBONs of the compartment", lo=1, hi=100)
    C_m: object = param(20.0, "MBON membrane capacitance", unit="pF", lo=0, lo_open=True, hi=1e4)
    g_L: object = param(1.0, "MBON leak conductance", unit="nS", lo=0, lo_open=True, hi=1e3)
    E_L: object = param(-60.0, "MBON leak reversal potential", unit="mV", lo=-120, hi=0)
    V_th: object = param(-45.0, "MBON spike threshold", unit="mV", lo=-120, hi=0)
    V_reset: object = param(-60.0, "MBON reset potential", unit="mV", lo=-120, hi="V_th")
    t_ref: object = param(2.0, "MBON refractory period", unit="ms", lo=0, hi=100)
    tau_exc: object = param(5.0, "decay time of the KC -> MBON conductance", unit="ms", lo=0.1, hi=1000)
    w_kc_mbon: object = param(0.05, "KC -> MBON conductance jump per KC spike at full weight", unit="nS", lo=0,
                              lo_open=True, hi=100)
    n_dan: int = param(5, "DANs of the compartment", lo=1, hi=100)
    dan_rate: object = param(30.0, "DAN rate during reinforcement", unit="Hz", lo=0, hi=500)
    dan_baseline: object = param(0.0, "DAN rate without reinforcement", unit="Hz", lo=0, hi=100)
    tau_elig: object = param(1000.0, "decay time of the KC eligibility", unit="ms", lo=1, hi=1e5)
    eta: float = param(0.00015, "depression per DAN spike and unit eligibility", lo=0, hi=1)
    recovery: float = param(0.001, "recovery towards full weight per KC spike without dopamine", lo=0, hi=1)
    tau_da: object = param(300.0, "decay time of the KC dopamine trace", unit="ms", lo=0.1, hi=1e5)
    da_gate: float = param(0.5, "dopamine trace below which a KC spike restores its weight", lo=0, lo_open=True,
                           hi=1e6)

    def __post_init__(self):
        validate(self)


@dataclass(frozen=True)
class MushroomBodyParams:
    """The whole circuit: PN -> KC expansion, APL feedback, MBON/DAN output compartment."""

    kc: KCParams = nested(KCParams, "projection neurons and Kenyon cells")
    apl: APLParams = nested(APLParams, "APL graded feedback inhibition")
    output: OutputParams = nested(OutputParams, "MBONs, DANs and KC -> MBON plasticity")

    def __post_init__(self):
        validate(self)
