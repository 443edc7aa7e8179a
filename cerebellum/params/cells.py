"""The conductance-based leaky integrate-and-fire cell and the reference values of each cell type.

``C dv/dt = g_L (E_L - v) + g_exc (E_exc - v) + g_inh (E_inh - v) + I_e``, spike at ``V_th``,
reset to ``V_reset`` for ``t_ref``. The values of each type are those of the healthy cerebellar
network of Casali et al. (2019, NEST ``iaf_cond_alpha``), also used by Geminiani et al. (2018):
granule (GrC), Golgi (GoC), Purkinje (PC), molecular-layer interneuron (MLI: stellate/basket),
deep-nuclear projection (DCN) and nucleo-olivary (DCNi) cells, inferior olive (IO).
"""
from __future__ import annotations

from dataclasses import MISSING, dataclass

from core.params import declared_values, derived, param, validate

__all__ = ["CellParams", "cell_params", "CELL_TYPES", "SYNAPSE_KINDS"]

SYNAPSE_KINDS = ("alpha", "exp")


@dataclass(frozen=True)
class CellParams:
    """One cell type (units in brackets; the values of each type are in :data:`CELL_TYPES`).

    Parameters
    ----------
    name : str
        Label used in group names (``"grc"``, ``"pc"``, ...); not a model parameter.
    C_m : membrane capacitance [pF]
    g_L : leak conductance [nS]
    E_L : leak reversal potential [mV]
    V_th : spike threshold [mV], above ``V_reset``
    V_reset : reset potential [mV]
    t_ref : refractory period [ms]
    I_e : constant bias current [pA] (the source of tonic firing in GoC, PC, DCN)
    tau_exc, tau_inh : synaptic time constants [ms]
    E_exc, E_inh : synaptic reversal potentials [mV]
    synapse : {"alpha", "exp"}
        ``alpha`` (NEST ``iaf_cond_alpha`` normalisation: a weight ``w`` gives peak conductance ``w``
        at ``t = tau``) or ``exp`` (jump by ``w``, exponential decay).
    """

    name: str = param(MISSING, "label of the cell type in Brian2 object names", kind="label")
    C_m: object = param(MISSING, "membrane capacitance", unit="pF", lo=0, lo_open=True, hi=1e5)
    g_L: object = param(MISSING, "leak conductance", unit="nS", lo=0, lo_open=True, hi=1e4)
    E_L: object = param(MISSING, "leak reversal potential", unit="mV", lo=-200, hi=100)
    V_th: object = param(MISSING, "spike threshold", unit="mV", lo=-200, hi=100)
    V_reset: object = param(MISSING, "reset potential after a spike", unit="mV", lo=-200, hi=100)
    t_ref: object = param(MISSING, "refractory period", unit="ms", lo=0, hi=1000)
    I_e: object = param(MISSING, "constant bias current (tonic firing)", unit="pA", lo=-1e5, hi=1e5)
    tau_exc: object = param(MISSING, "excitatory synaptic time constant", unit="ms", lo=0, lo_open=True, hi=1e4)
    tau_inh: object = param(MISSING, "inhibitory synaptic time constant", unit="ms", lo=0, lo_open=True, hi=1e4)
    E_exc: object = param(0.0, "excitatory reversal potential", unit="mV", lo=-200, hi=100)
    E_inh: object = param(-80.0, "inhibitory reversal potential", unit="mV", lo=-200, hi=100)
    synapse: str = param("alpha", "synaptic conductance shape", choices=SYNAPSE_KINDS)

    def __post_init__(self):
        validate(self)
        if not self.V_th > self.V_reset:
            raise ValueError(f"V_th = {self.V_th!r} is out of range: allowed V_th > V_reset = {self.V_reset!r}")
        if not self.E_inh < self.V_reset:
            raise ValueError(f"E_inh = {self.E_inh!r} is out of range: allowed E_inh < V_reset = {self.V_reset!r}")
        if not self.E_exc > self.V_th:
            raise ValueError(f"E_exc = {self.E_exc!r} is out of range: allowed E_exc > V_th = {self.V_th!r}")

    @derived("C_m", "g_L")
    def tau_m(self):
        """membrane time constant C_m / g_L"""
        return self.C_m / self.g_L

    @derived("E_L", "I_e", "g_L")
    def v_inf(self):
        """resting potential without input, E_L + I_e / g_L (above V_th: the cell fires tonically)"""
        return self.E_L + self.I_e / self.g_L


def _cell(name, C_m, g_L, E_L, V_th, V_reset, t_ref, I_e, tau_exc, tau_inh) -> dict:
    return dict(name=name, C_m=C_m, g_L=g_L, E_L=E_L, V_th=V_th, V_reset=V_reset, t_ref=t_ref, I_e=I_e,
                tau_exc=tau_exc, tau_inh=tau_inh)


#: Reference values per cell type, in the declared units of :class:`CellParams`
#: (pF, nS, mV, mV, mV, ms, pA, ms, ms), Casali et al. 2019.
CELL_TYPES = {
    "grc": _cell("grc", 7.0, 0.29, -62.0, -41.0, -70.0, 1.5, 0.0, 1.9, 4.5),
    "goc": _cell("goc", 145.0, 3.3, -62.0, -55.0, -75.0, 2.0, 36.75, 0.23, 3.3),
    "pc": _cell("pc", 334.0, 7.1, -59.0, -43.0, -69.0, 0.5, 800.0, 1.1, 2.8),
    "mli": _cell("mli", 14.6, 1.6, -68.0, -53.0, -78.0, 1.59, 24.05, 0.64, 2.0),
    "dcn": _cell("dcn", 142.0, 4.3, -45.0, -36.0, -55.0, 1.5, 180.0, 1.0, 0.7),
    "dcni": _cell("dcni", 56.0, 1.0, -40.0, -39.0, -55.0, 3.0, 7.0, 3.64, 1.14),
    "io": _cell("io", 189.0, 17.18, -45.0, -35.0, -45.0, 1.0, 0.0, 1.0, 60.0),
}


def cell_params(kind: str, **changes) -> CellParams:
    """The reference :class:`CellParams` of cell type ``kind`` (a key of :data:`CELL_TYPES`), with
    ``changes`` (quantities, or numbers in the declared units) applied."""
    if kind not in CELL_TYPES:
        raise ValueError(f"kind = {kind!r} is not allowed: choose one of {', '.join(CELL_TYPES)}")
    return CellParams(**declared_values(CellParams, {**CELL_TYPES[kind], **changes}))
