"""Parameters of the granular layer that turns a sustained CS into a time code (no Brian2 import).

Mossy fibres (MFs) carry the conditioned stimulus (CS) with diverse time courses; granule cells
(GrCs) sample a few MFs and are held sparse by Golgi-cell (GoC) feedback, so the active set of
GrCs moves with time since CS onset (Yamazaki & Tanaka 2007; Medina & Mauk 2000).

Size and scaling
----------------
In-degrees and weights that depend on the number of granule cells are declared at the reference
size ``n_grc_ref`` (names ending in ``_ref``); the values the circuit uses are derived from
``n_grc`` with ``f = n_grc / n_grc_ref``:

* ``grc_per_goc = max(1, min(n_grc, round(grc_per_goc_ref * min(1, f))))`` (0 if
  ``grc_per_goc_ref`` is 0): a Golgi cell samples fewer GrCs in a smaller layer, never more in a
  larger one;
* ``w_grc_goc = w_grc_goc_ref * grc_per_goc_ref / grc_per_goc``: the summed GrC conductance per
  Golgi cell stays that of the reference layer.

At ``n_grc = n_grc_ref`` the derived values equal the reference ones.
"""
from __future__ import annotations

from dataclasses import dataclass

from cerebellum.params.cells import CELL_TYPES, CellParams
from core.params import derived, nested, param, validate

__all__ = ["GranularLayerParams", "PROFILE_KINDS"]

#: Time courses of the CS mossy fibres, in the order of ``GranularLayerParams.profile_mix``.
PROFILE_KINDS = ("phasic", "tonic", "rising", "decaying")
#: Forms of the granule-cell eligibility (``cerebellum.eligibility.ELIGIBILITY_UPDATES``).
GRC_ELIGIBILITY = ("event", "chain")
#: Storage of the granule-cell state (``cerebellum.cells.STATE_DTYPES``).
GRC_STATE_DTYPES = ("float32", "float64")


@dataclass(frozen=True)
class GranularLayerParams:
    """Granular layer and its CS mossy-fibre input (units in brackets).

    Parameters
    ----------
    n_grc, n_goc, n_mf : int
        Granule cells, Golgi cells, mossy fibres.
    n_grc_ref : int
        Granule-cell count at which the ``*_ref`` in-degrees and weights are declared.
    cs_fraction : float in [0, 1]
        Fraction of MFs that respond to the CS.
    profile_mix : (phasic, tonic, rising, decaying) fractions of the CS fibres (sum 1).
    mf_rate_bg [Hz] : background rate of every MF.
    cs_rate [Hz] : peak extra rate of a tonic / rising / decaying CS fibre.
    phasic_rate [Hz], phasic_duration [ms] : phasic CS fibres (Mauk & Donegan 1997: 120-130 Hz, 40 ms).
    tau_min, tau_max [ms] : range (log-uniform) of the rise / adaptation time constants.
    mf_per_grc, goc_per_grc : in-degrees of a granule cell (MF rosettes, Golgi synapses).
    grc_per_goc_ref, mf_per_goc : in-degrees of a Golgi cell (GrC input at ``n_grc_ref``).
    w_mf_ampa, w_mf_nmda [nS] : MF→GrC fast / slow (NMDA-like) conductance jumps.
    tau_nmda [ms] : slow MF→GrC conductance decay.
    w_goc_fast, w_goc_slow [nS] : GoC→GrC fast / slow GABA jumps (the fast one decays with
        ``grc.tau_inh``, 7 ms; the slow one with ``tau_gaba_slow``, 59 ms: Yamazaki & Tanaka 2007).
    w_grc_goc_ref [nS] : GrC→GoC weight at ``n_grc_ref`` (slow, NMDA-like channel).
    w_mf_goc [nS] : MF→GoC weight.
    tau_grc_goc [ms] : slow GrC→GoC conductance decay.
    goc_delay [ms] : GoC→GrC delay.
    grc, goc : CellParams
        The two cell types (exponential synapses; the GrC inhibitory channel is the fast GABA).
    n_mf_timed : int
        Extra *timed* CS fibres (a bump of rate around a preferred time after CS onset;
        :mod:`cerebellum.eyeblink_cs`); their indices follow the ``n_mf`` untimed fibres.
    timed_grc_fraction : float in [0, 1]
        Fraction of the GrCs (drawn at random) that sample timed fibres of one preferred time.
    timed_rate [Hz] : peak extra rate of a timed fibre.
    timed_width : width of a timed bump in log time (0.3: full width at half maximum ~0.7 of
        the preferred time).
    timed_first, timed_last [ms] : range (log-uniform) of the preferred times.
    timed_pool : int
        A timed GrC draws its ``mf_per_grc`` fibres among this many timed fibres adjacent in
        preferred time.
    grc_eligibility : {"event", "chain"}
        How the granule cells compute the PF eligibility (:mod:`cerebellum.eligibility`): advanced
        in closed form at spikes and reads (``event``, the exact kernel, no work per step) or a
        filter chain integrated at every step (``chain``, forward Euler).
    grc_state_dtype : {"float32", "float64"}
        Storage of the granule cells' membrane potential and conductances. Single precision halves
        the memory streamed per cell and step (the state of 100,000 GrCs no longer fits a 2-MB
        cache in double); spike counts per cell agree with double precision to within 2 spikes
        in ten 0.67-s trials at 100,000 GrCs (``docs/performance.md``).

    The defaults give 1-10 % of the GrCs active per 10-ms bin during the CS: mostly fast MF→GrC
    transmission (AMPA 0.35 nS, NMDA-like 0.028 nS per spike) lets a GrC fire within ~10 ms of CS
    onset, and the NMDA-like part keeps the bin after the CS-onset burst, where Golgi feedback is
    strongest, above 1 %.
    """

    n_grc: int = param(30000, "granule cells", lo=100, hi=10_000_000)
    n_grc_ref: int = param(30000, "granule-cell count at which the *_ref in-degrees and weights are declared",
                           lo=100, hi=10_000_000)
    n_goc: int = param(300, "Golgi cells", lo=1, hi=1_000_000)
    n_mf: int = param(800, "mossy fibres", lo=4, hi=1_000_000)
    cs_fraction: float = param(0.7, "fraction of mossy fibres that respond to the CS", lo=0, hi=1)
    profile_mix: tuple = param((0.2, 0.0, 0.4, 0.4), "fractions of the CS fibres that are phasic, tonic, "
                               "rising, decaying (sum 1)", lo=0, hi=1)
    mf_rate_bg: object = param(5.0, "background rate of every mossy fibre", unit="Hz", lo=0, hi=1000)
    cs_rate: object = param(60.0, "peak extra rate of a tonic, rising or decaying CS fibre", unit="Hz", lo=0,
                            hi=1000)
    phasic_rate: object = param(120.0, "extra rate of a phasic CS fibre", unit="Hz", lo=0, hi=1000)
    phasic_duration: object = param(40.0, "how long a phasic CS fibre fires after CS onset", unit="ms", lo=0,
                                    lo_open=True, hi=10_000)
    tau_min: object = param(30.0, "shortest rise / adaptation time constant of a CS fibre", unit="ms", lo=0,
                            lo_open=True, hi=10_000)
    tau_max: object = param(600.0, "longest rise / adaptation time constant of a CS fibre", unit="ms",
                            lo="tau_min", hi=10_000)
    mf_per_grc: int = param(4, "mossy fibres per granule cell", lo=1, hi="n_mf")
    goc_per_grc: int = param(4, "Golgi cells per granule cell", lo=0, hi="n_goc")
    grc_per_goc_ref: int = param(400, "granule cells per Golgi cell at n_grc_ref", lo=0, hi="n_grc_ref")
    mf_per_goc: int = param(20, "mossy fibres per Golgi cell", lo=0, hi="n_mf")
    w_mf_ampa: object = param(0.35, "MF->GrC fast (AMPA) conductance jump", unit="nS", lo=0, hi=1000)
    w_mf_nmda: object = param(0.028, "MF->GrC slow (NMDA-like) conductance jump", unit="nS", lo=0, hi=1000)
    tau_nmda: object = param(50.0, "decay of the slow MF->GrC conductance", unit="ms", lo=0, lo_open=True,
                             hi=10_000)
    w_goc_fast: object = param(0.05, "GoC->GrC fast GABA conductance jump", unit="nS", lo=0, hi=1000)
    w_goc_slow: object = param(0.02, "GoC->GrC slow GABA conductance jump", unit="nS", lo=0, hi=1000)
    tau_gaba_slow: object = param(59.0, "decay of the slow GoC->GrC GABA conductance", unit="ms", lo=0,
                                  lo_open=True, hi=10_000)
    w_grc_goc_ref: object = param(0.05, "GrC->GoC conductance jump at n_grc_ref", unit="nS", lo=0, hi=1000)
    w_mf_goc: object = param(0.5, "MF->GoC conductance jump", unit="nS", lo=0, hi=1000)
    tau_grc_goc: object = param(50.0, "decay of the slow GrC->GoC conductance", unit="ms", lo=0, lo_open=True,
                                hi=10_000)
    goc_delay: object = param(2.0, "GoC->GrC delay", unit="ms", lo=0, hi=100)
    grc: CellParams = nested(CellParams, "granule cells (inh channel: fast GABA from Golgi cells, 7 ms)",
                             **{**CELL_TYPES["grc"], "synapse": "exp", "tau_inh": 7.0})
    goc: CellParams = nested(CellParams, "Golgi cells", **CELL_TYPES["goc"], synapse="exp")
    n_mf_timed: int = param(300, "extra timed CS mossy fibres (rate bump at a preferred time)", lo=0,
                            hi=1_000_000)
    timed_grc_fraction: float = param(0.6, "fraction of granule cells sampling timed fibres of one preferred time",
                                      lo=0, hi=1)
    timed_rate: object = param(80.0, "peak extra rate of a timed CS fibre", unit="Hz", lo=0, hi=1000)
    timed_width: float = param(0.3, "width of a timed-fibre bump in log time", lo=0.01, hi=5)
    timed_first: object = param(20.0, "earliest preferred time of a timed fibre", unit="ms", lo=1, hi=10_000)
    timed_last: object = param(1000.0, "latest preferred time of a timed fibre", unit="ms", lo="timed_first",
                               hi=10_000)
    timed_pool: int = param(8, "timed fibres adjacent in preferred time that a timed GrC samples from", lo=1,
                            hi=1_000_000)
    grc_eligibility: str = param("event", "granule-cell PF eligibility: closed form at events (event) or a "
                                 "chain integrated every step (chain)", choices=GRC_ELIGIBILITY)
    grc_state_dtype: str = param("float32", "storage of the granule cells' v and conductances",
                                 choices=GRC_STATE_DTYPES)

    def __post_init__(self):
        validate(self)
        if len(self.profile_mix) != len(PROFILE_KINDS):
            raise ValueError(f"profile_mix = {self.profile_mix!r} must have {len(PROFILE_KINDS)} fractions "
                             f"({', '.join(PROFILE_KINDS)})")
        if self.n_mf_timed and self.timed_grc_fraction > 0 and not (
                self.mf_per_grc <= self.timed_pool <= self.n_mf_timed):
            raise ValueError(f"timed_pool = {self.timed_pool} is out of range: allowed mf_per_grc = "
                             f"{self.mf_per_grc} <= timed_pool <= n_mf_timed = {self.n_mf_timed}")
        if abs(sum(self.profile_mix) - 1) > 1e-6:
            raise ValueError(f"profile_mix = {self.profile_mix!r} is out of range: the fractions must sum to 1")

    @derived("n_mf", "n_mf_timed")
    def n_mf_total(self) -> int:
        """all mossy fibres, n_mf + n_mf_timed"""
        return self.n_mf + self.n_mf_timed

    @derived("n_grc", "n_grc_ref", "grc_per_goc_ref")
    def grc_per_goc(self) -> int:
        """granule cells per Golgi cell, max(1, min(n_grc, round(grc_per_goc_ref * min(1, n_grc / n_grc_ref))))"""
        if self.grc_per_goc_ref == 0:
            return 0
        f = self.n_grc / self.n_grc_ref
        return max(1, min(self.n_grc, round(self.grc_per_goc_ref * min(1.0, f))))

    @derived("w_grc_goc_ref", "grc_per_goc_ref", "n_grc", "n_grc_ref")
    def w_grc_goc(self):
        """GrC->GoC conductance jump, w_grc_goc_ref * grc_per_goc_ref / grc_per_goc"""
        k = self.grc_per_goc
        return self.w_grc_goc_ref * (self.grc_per_goc_ref / k) if k else self.w_grc_goc_ref

    @derived("grc.tau_inh")
    def tau_gaba_fast(self):
        """decay of the fast GoC->GrC GABA conductance, the granule cell's tau_inh"""
        return self.grc.tau_inh
