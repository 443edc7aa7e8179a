"""Parameters of the delay eyeblink conditioning circuit (no Brian2 import).

The circuit: granular-layer time code → Purkinje cells (plastic PF→PC synapses) and
molecular-layer interneurons → deep-nuclear output (DCN) and nucleo-olivary (DCNi) cells →
inferior olive (IO) → climbing fibres back to the Purkinje cells; plastic MF→DCN synapses hold the
nuclear memory that gives savings (Medina & Mauk 2000; Medina, Garcia & Mauk 2001).

Size and scaling
----------------
Parallel-fibre (PF) in-degrees and weights are declared at the reference size of the granular
layer, ``granular.n_grc_ref`` granule cells (names ending in ``_ref``; the PF→PC rule
``plasticity`` too). With ``f = granular.n_grc / granular.n_grc_ref`` the circuit uses

* ``pf_per_pc = max(1, min(n_grc, round(pf_per_pc_ref * f)))`` and likewise ``pf_per_mli``;
* PF→PC weights, bounds and steps (``w0``, ``w_max``, ``A_plus``, ``A_minus`` of ``plasticity``)
  times ``pf_per_pc_ref / pf_per_pc`` (:attr:`EyeblinkParams.pf_pc_rule`), and
  ``w_pf_mli = w_pf_mli_ref * pf_per_mli_ref / pf_per_mli``,

so a Purkinje cell or interneuron receives the same summed PF conductance at any size. At
``n_grc = n_grc_ref`` the derived values equal the reference ones.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from cerebellum.params.cells import CELL_TYPES, CellParams
from cerebellum.params.granular_layer import GranularLayerParams
from cerebellum.params.plasticity import PlasticityParams
from core.params import derived, nested, param, validate

__all__ = ["EyeblinkParams"]


def _scaled_indegree(k_ref: int, n_grc: int, n_grc_ref: int) -> int:
    """``max(1, min(n_grc, round(k_ref * n_grc / n_grc_ref)))``: an in-degree from the granular layer."""
    f = n_grc / n_grc_ref
    return max(1, min(n_grc, round(k_ref * f)))


@dataclass(frozen=True)
class EyeblinkParams:
    """The conditioning circuit (units in brackets); nested granular layer, PF→PC rule and cells.

    Parameters
    ----------
    granular : GranularLayerParams
    plasticity : PlasticityParams
        PF→PC rule at the reference size (``granular.n_grc_ref`` granule cells, ``pf_per_pc_ref``
        PFs per PC); the circuit uses :attr:`pf_pc_rule`.
    pc, mli, dcn, dcni, io : CellParams
        Purkinje cells, molecular-layer interneurons, nuclear output cells, nucleo-olivary cells,
        inferior-olive cells (all with exponential synapses).
    n_pc, n_mli, n_dcn, n_dcni, n_io : int
        Cell counts (``n_pc`` must be a multiple of ``n_io``: one climbing fibre per PC).
    pf_per_pc_ref, pf_per_mli_ref : int
        PF in-degrees at the reference size (random GrCs).
    mli_per_pc : int
        MLI→PC in-degree.
    tau_pf [ms] : PF→PC conductance decay.
    w_pf_mli_ref [nS] : PF→MLI weight at the reference size.
    w_mli_pc [nS] : feed-forward inhibition of the PCs.
    w_pc_dcn, w_pc_dcni [nS] : PC inhibition of DCN / DCNi.
    w_dcni_io [nS], dcni_io_delay [ms] : nucleo-olivary inhibition (Kenyon, Medina & Mauk 1998).
    dcni_bias [pA] : extra bias current of the nucleo-olivary cells (stands in for their MF
        collateral drive), so that PC inhibition, not the bias, sets their rate.
    I_us [pA] : US current on each IO cell.
    mf_per_dcn : int ; w_mf_dcn_max [nS] ; a_ltp, a_ltd [nS] : MF→DCN plasticity (Medina & Mauk 1999).
    pc_low, pc_high [Hz] : PC population rate below which MF→DCN potentiates / above which it
        depresses; ``pc_high`` lies well above the ~82-Hz baseline and its noise, so only the
        PF→PC potentiation of extinction, not baseline fluctuations, erodes the store.
    tau_pc_trace [ms] : smoothing of the PC rate seen by a DCN cell.
    io_noise_sigma [pA], io_noise_tau [ms] : Ornstein-Uhlenbeck current on each IO cell; with the
        IO refractory period (``io.t_ref``, a stand-in for the long after-hyperpolarisation of
        olivary cells) it sets spontaneous complex spikes near 1 Hz (Armstrong & Rawson 1979) that
        the nucleo-olivary inhibition lowers during a CR.
    dcn_g_T [nS], dcn_E_T [mV], dcn_V_hT, dcn_k_hT [mV], dcn_tau_hT [ms], dcn_V_mT, dcn_k_mT [mV],
        dcn_tau_mT [ms] : T-type-like low-threshold current of the DCN cells,
        ``I_T = g_T m h (E_T - v)``, activation ``m`` and de-inactivation ``h`` relaxing to
        Boltzmann curves of ``v``: hyperpolarisation de-inactivates it (``h -> 1``) and release
        from inhibition gives a rebound burst (Llinas & Muhlethaler 1988; Aizenman & Linden 1999).
    heterogeneity : float in [0, 0.99]
        Each PC, MLI, DCN and DCNi cell gets an extra bias current uniform in
        ``±heterogeneity * I_e`` of its type, so identically wired cells do not fire in lock-step.

    The MF→DCN steps (``a_ltp`` 2e-3 nS, ``a_ltd`` 5e-5 nS) build the slow store that carries
    savings across extinction.
    """

    granular: GranularLayerParams = nested(GranularLayerParams, "granular layer: the CS time code")
    plasticity: PlasticityParams = nested(PlasticityParams, "PF->PC rule at the reference size "
                                          "(weights rescaled by pf_per_pc_ref / pf_per_pc); A_plus puts its "
                                          "balance rate near the spontaneous olivary rate",
                                          A_plus=8.2e-5, A_minus=0.8e-3, n_stages=2, tau_e=25.0,
                                          eligibility_delay=0.0)
    pc: CellParams = nested(CellParams, "Purkinje cells", **CELL_TYPES["pc"], synapse="exp")
    mli: CellParams = nested(CellParams, "molecular-layer interneurons", **CELL_TYPES["mli"], synapse="exp")
    dcn: CellParams = nested(CellParams, "deep-nuclear output cells (CR read-out)", **CELL_TYPES["dcn"],
                             synapse="exp")
    dcni: CellParams = nested(CellParams, "nucleo-olivary cells", **CELL_TYPES["dcni"], synapse="exp")
    io: CellParams = nested(CellParams, "inferior-olive cells (t_ref: the after-hyperpolarisation)",
                            **{**CELL_TYPES["io"], "t_ref": 100.0}, synapse="exp")
    n_pc: int = param(20, "Purkinje cells", lo=1, hi=10_000)
    n_mli: int = param(40, "molecular-layer interneurons", lo=1, hi=100_000)
    n_dcn: int = param(40, "deep-nuclear output cells", lo=1, hi=10_000)
    n_dcni: int = param(10, "nucleo-olivary cells", lo=1, hi=10_000)
    n_io: int = param(4, "inferior-olive cells (n_pc must be a multiple)", lo=1, hi="n_pc")
    pf_per_pc_ref: int = param(15000, "parallel fibres per Purkinje cell at granular.n_grc_ref", lo=1,
                               hi=10_000_000)
    pf_per_mli_ref: int = param(3000, "parallel fibres per interneuron at granular.n_grc_ref", lo=1,
                                hi=10_000_000)
    mli_per_pc: int = param(10, "interneurons per Purkinje cell", lo=0, hi="n_mli")
    tau_pf: object = param(5.0, "decay of the PF->PC conductance", unit="ms", lo=0, lo_open=True, hi=1000)
    w_pf_mli_ref: object = param(0.15, "PF->MLI conductance jump at granular.n_grc_ref", unit="nS", lo=0, hi=1000)
    w_mli_pc: object = param(4.0, "MLI->PC conductance jump", unit="nS", lo=0, hi=1000)
    w_pc_dcn: object = param(2.0, "PC->DCN conductance jump", unit="nS", lo=0, hi=1000)
    w_pc_dcni: object = param(1.0, "PC->DCNi conductance jump", unit="nS", lo=0, hi=1000)
    w_dcni_io: object = param(0.35, "DCNi->IO conductance jump", unit="nS", lo=0, hi=1000)
    dcni_io_delay: object = param(25.0, "DCNi->IO delay", unit="ms", lo=0, hi=1000)
    I_us: object = param(400.0, "US current on each IO cell", unit="pA", lo=0, hi=1e5)
    mf_per_dcn: int = param(200, "mossy fibres per DCN cell (plastic synapses)", lo=0, hi=1_000_000)
    w_mf_dcn_max: object = param(0.04, "upper bound of the MF->DCN weight", unit="nS", lo=0, hi=1000)
    a_ltp: object = param(2e-3, "MF->DCN potentiation per MF spike during a Purkinje pause", unit="nS", lo=0,
                          hi=1000)
    a_ltd: object = param(5e-5, "MF->DCN depression per MF spike at high Purkinje rate", unit="nS", lo=0,
                          hi=1000)
    dcni_bias: object = param(100.0, "extra bias current of the nucleo-olivary cells", unit="pA", lo=-1e4,
                              hi=1e4)
    pc_low: object = param(55.0, "PC population rate below which MF->DCN potentiates", unit="Hz", lo=0, hi=1000)
    pc_high: object = param(100.0, "PC population rate above which MF->DCN depresses", unit="Hz", lo="pc_low",
                            hi=1000)
    tau_pc_trace: object = param(50.0, "smoothing of the PC rate seen by a DCN cell", unit="ms", lo=0,
                                 lo_open=True, hi=1000)
    io_noise_sigma: object = param(280.0, "SD of the noise current on each IO cell", unit="pA", lo=0, hi=1e4)
    io_noise_tau: object = param(20.0, "correlation time of the IO noise current", unit="ms", lo=0, lo_open=True,
                                 hi=1e4)
    dcn_g_T: object = param(8.0, "peak conductance of the DCN low-threshold (T-type-like) current", unit="nS",
                            lo=0, hi=1e4)
    dcn_E_T: object = param(100.0, "reversal potential of the DCN T-type-like current", unit="mV", lo=-100,
                            hi=200)
    dcn_V_hT: object = param(-65.0, "half de-inactivation potential of the DCN T current", unit="mV", lo=-150,
                             hi=50)
    dcn_k_hT: object = param(4.0, "slope of the DCN T-current de-inactivation", unit="mV", lo=0, lo_open=True,
                             hi=100)
    dcn_tau_hT: object = param(50.0, "time constant of the DCN T-current (de-)inactivation", unit="ms", lo=0,
                               lo_open=True, hi=1e4)
    dcn_V_mT: object = param(-50.0, "half activation potential of the DCN T current", unit="mV", lo=-150,
                             hi=50)
    dcn_k_mT: object = param(4.0, "slope of the DCN T-current activation", unit="mV", lo=0, lo_open=True,
                             hi=100)
    dcn_tau_mT: object = param(1.0, "time constant of the DCN T-current activation", unit="ms", lo=0,
                               lo_open=True, hi=1e4)
    heterogeneity: float = param(0.1, "spread of the bias current, fraction of I_e of each type", lo=0, hi=0.99)

    def __post_init__(self):
        validate(self)
        if self.n_pc % self.n_io:
            raise ValueError(f"n_io = {self.n_io} is out of range: n_pc = {self.n_pc} must be a multiple of n_io")
        g = self.granular
        for name in ("pf_per_pc_ref", "pf_per_mli_ref"):
            if getattr(self, name) > g.n_grc_ref:
                raise ValueError(f"{name} = {getattr(self, name)} is out of range: allowed "
                                 f"1 <= {name} <= granular.n_grc_ref = {g.n_grc_ref}")
        if self.mf_per_dcn > g.n_mf:
            raise ValueError(f"mf_per_dcn = {self.mf_per_dcn} is out of range: allowed "
                             f"0 <= mf_per_dcn <= granular.n_mf = {g.n_mf}")

    @derived("pf_per_pc_ref", "granular.n_grc", "granular.n_grc_ref")
    def pf_per_pc(self) -> int:
        """parallel fibres per Purkinje cell, max(1, min(n_grc, round(pf_per_pc_ref * n_grc / n_grc_ref)))"""
        return _scaled_indegree(self.pf_per_pc_ref, self.granular.n_grc, self.granular.n_grc_ref)

    @derived("pf_per_mli_ref", "granular.n_grc", "granular.n_grc_ref")
    def pf_per_mli(self) -> int:
        """parallel fibres per interneuron, max(1, min(n_grc, round(pf_per_mli_ref * n_grc / n_grc_ref)))"""
        return _scaled_indegree(self.pf_per_mli_ref, self.granular.n_grc, self.granular.n_grc_ref)

    @derived("w_pf_mli_ref", "pf_per_mli_ref", "granular.n_grc", "granular.n_grc_ref")
    def w_pf_mli(self):
        """PF->MLI conductance jump, w_pf_mli_ref * pf_per_mli_ref / pf_per_mli"""
        return self.w_pf_mli_ref * (self.pf_per_mli_ref / self.pf_per_mli)

    @derived("plasticity", "pf_per_pc_ref", "granular.n_grc", "granular.n_grc_ref")
    def pf_pc_rule(self) -> PlasticityParams:
        """PF->PC rule of the circuit: plasticity with w0, w_max, A_plus, A_minus times pf_per_pc_ref / pf_per_pc"""
        g = self.pf_per_pc_ref / self.pf_per_pc
        pl = self.plasticity
        return dataclasses.replace(pl, w0=pl.w0 * g, w_max=pl.w_max * g, A_plus=pl.A_plus * g,
                                   A_minus=pl.A_minus * g)
