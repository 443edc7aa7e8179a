"""Parameters of the cerebellar circuit read as Kanerva's Sparse Distributed Memory (no Brian2 import).

:class:`SDMCircuitParams` declares the shape, cells, weights, delays and PF→PC rule timing of the
circuit built by :func:`cerebellum.sdm_circuit.build_sdm_circuit`. The step sizes and bounds of the
PF→PC rule are not parameters of their own: they follow from the size of the memory
(``A_plus = pf_signal / expected active granule cells``), see :attr:`SDMCircuitParams.plasticity_rule`.
"""
from __future__ import annotations

from dataclasses import dataclass, fields

from cerebellum import sdm
from cerebellum.params.cells import CELL_TYPES, CellParams
from cerebellum.params.plasticity import PlasticityParams, PlasticityTiming
from core.params import derived, nested, param, validate

__all__ = ["SDMCircuitParams", "MODES", "ELIGIBILITY", "GRC_METHODS", "GRC_PER_GOC_RATIO", "DCN_DECISION"]

MODES = ("dense", "biological")
ELIGIBILITY = ("last_spike", "chain")
GRC_METHODS = ("euler", "exponential_euler")

#: Granule cells per Golgi cell when ``n_goc = 0`` (about 430 : 1 in the cerebellar cortex).
GRC_PER_GOC_RATIO = 430

#: Nuclear cells of the decision stage: the reference cell with a stronger intrinsic pacemaking current
#: (pA), so that they fire tens of Hz under tonic Purkinje inhibition, and a slower inhibitory
#: conductance (ms), so that their rate follows the Purkinje rate rather than the timing of single
#: Purkinje spikes.
DCN_DECISION = {"I_e": 400.0, "tau_inh": 5.0}

#: Sources of the coding level, hence of every step size of the rule.
_CODING = ("mode", "n", "d", "K", "contacts_max", "grc_theta")


@dataclass(frozen=True)
class SDMCircuitParams:
    """Shape, cells and wiring of the SDM circuit (units in brackets).

    Parameters
    ----------
    mode : {"dense", "biological"}
        Granule decoder: Kanerva's Hamming ball (``dense``) or Jaeckel's (1989) selected
        coordinates with unequal synapses and a threshold (``biological``).
    n : int
        Address bits (``2n`` mossy fibres in ON/OFF pairs).
    n_out : int
        Pointer bits (one inferior-olive cell and climbing fibre each).
    r : int
        Granule cells (hard locations).
    d : int
        Dense mode: Hamming radius, ``0 <= d <= n - 1``.
    K : int
        Biological mode: mossy fibres per granule cell, ``1 <= K <= n``.
    contacts_max : int
        Biological mode: each MF→GrC synapse has ``1 .. contacts_max`` (uniform) units of the
        calibrated weight (1 = equal synapses, Jaeckel's design exactly).
    grc_theta : int
        Biological mode: summed contacts a GrC needs to fire, ``1 <= grc_theta <= K contacts_max``.
    period : time [ms]
        Spacing of address volleys (one per write or read window), at least twice the eligibility
        peak so that the eligibility of one write has vanished before the next climbing fibre (the
        default kernel is 0.2 % of its peak 300 ms after a spike).
    pcs_per_bit : int
        Purkinje cells per pointer bit sharing its climbing fibre (an olivary axon branches into
        several climbing fibres), with random initial phases; the bit's rate is their mean.
        Another ``pcs_per_bit`` unwritten reference PCs follow the plastic ones.
    grc, goc, pc, dcn, io : CellParams
        Cell types (Casali et al. 2019); granule cells with exponential synapses (one state
        variable less per channel); nuclear cells with the changes of :data:`DCN_DECISION`
        (400 pA bias current, 5 ms inhibitory time constant).
    n_goc : int
        Golgi cells; 0 selects ``max(4, round(r / 430))`` (:attr:`golgi_count`).
    goc_mf_bits : int
        Address bits sampled by each Golgi cell (both fibres of each pair).
    goc_per_grc : int
        Golgi inputs per granule cell.
    grc_per_goc : int
        Granule inputs per Golgi cell (feedback; biological mode unless ``dense_feedback``).
    w_mf_goc, w_goc_grc, w_grc_goc, w_pc_dcn, w_cf, w_teacher : conductance [nS]
        Static weights (``w_pc_dcn``: every Purkinje cell of a pointer bit onto every cell of that
        bit's nuclear *bit* group, every reference Purkinje cell onto every cell of each bit's
        nuclear *reference* group).
    dcn_per_group : int
        Nuclear cells in each of the two decision groups of a pointer bit: the *bit* group,
        inhibited by the bit's Purkinje cells, and the *reference* group, inhibited by the
        reference Purkinje cells. Their membrane potentials start spread evenly between reset
        and threshold (the same spread in both groups), so spike-count quantisation averages out
        without a random draw.
    dcn_drive_spread : float
        Relative spread of the bias current across the cells of a group: cell ``c`` of ``g``
        receives ``dcn.I_e (1 + s (2c/(g - 1) - 1))`` (the same in the bit and the reference group),
        so that cells with common input do not fire in lockstep and their summed count resolves
        rate differences finer than one spike per cell; ``0 <= s < 1``.
    w_dcn_lateral : conductance [nS]
        Mutual inhibition between the bit and the reference group of one pointer bit (every cell
        of one group onto every cell of the other); it widens the rate difference the Purkinje
        cells impose before the spike counts are compared (0 = independent groups).
    dense_feedback : bool
        Dense mode: keep GrC→GoC feedback (it moves the radius with the query; off by default).
    tau_pf : time [ms]
        Time constant of the Purkinje cell's parallel-fibre channel.
    pf_signal : conductance [nS]
        Summed PF weight change of one fully overlapping write (sets ``A_plus``).
    ltd_ltp_ratio : float
        ``A_minus / A_plus`` (2 = Kanerva's bipolar counters).
    w0_steps : float
        Initial PF weight in units of ``A_plus`` (room for that many net LTD steps before 0).
    plasticity : PlasticityTiming
        Eligibility kernel and conduction delays of the PF→PC rule: an 8-stage chain peaking
        100 ms after a PF spike, no eligibility delay, PF delay 5 ms, CF delay 4 ms.
    delay_mf_grc, delay_mf_goc, delay_goc_grc, delay_grc_goc, delay_pc_dcn, delay_dcn_lateral : time [ms]
    mf_background_rate : rate [Hz]
        Poisson background drawn independently on every granule-cell input (0 = none; > 0 perturbs
        the exact decode). ``sdm-recall`` adds its background as spikes of the fibres themselves
        (``mf_background``), shared by every cell that samples a fibre, and keeps this at 0.
    eligibility : {"last_spike", "chain"}
        How the GrC eligibility read by CF-timed LTD is computed. ``"chain"``: the ``n_stages``
        filter chain integrated on every GrC every step (sums all past spikes). ``"last_spike"``
        (default): the same peak-normalised kernel evaluated analytically at ``t - lastspike``
        only when a CF event reads it (no per-step cost). The two agree exactly for one spike per
        kernel support; a GrC fires once per window and ``period >= 2 x`` the peak, so a preceding
        window adds at most the kernel 300 ms after a spike (0.18 % of one LTD step) to the chain
        and nothing to ``last_spike``.
    grc_method : {"euler", "exponential_euler"}
        Integration method of the GrC membrane and synapses; the threshold calibration uses the
        same method, so the decode stays exact either way. Forward Euler avoids one ``exp`` per
        cell per step (stable: dt = 0.1 ms against the shortest GrC time constant
        ``C_m / (g_L + g_max)`` of about 0.2 ms at the largest calibration probe).
    """

    mode: str = param("biological", "granule decoder: Hamming ball or selected coordinates", choices=MODES)
    n: int = param(32, "address bits (2 n mossy fibres in ON/OFF pairs)", lo=2, hi=4096)
    n_out: int = param(32, "pointer bits = plastic Purkinje-cell groups (one climbing fibre each)", lo=1, hi=4096)
    r: int = param(8000, "granule cells (hard locations)", lo=1, hi=10_000_000)
    d: int = param(10, "dense mode: Hamming radius of a granule cell's address decoder", lo=0, hi="n - 1",
                   only_if=("mode", "dense"))
    K: int = param(4, "biological mode: mossy fibres (distinct address bits) per granule cell", lo=1, hi="n",
                   only_if=("mode", "biological"))
    contacts_max: int = param(3, "biological mode: MF->GrC synapse strength uniform on 1..this many units",
                              lo=1, hi=100, only_if=("mode", "biological"))
    grc_theta: int = param(9, "biological mode: summed units a granule cell needs to fire", lo=1,
                           hi="K * contacts_max", only_if=("mode", "biological"))
    period: object = param(200.0, "spacing of address volleys (one write or read window each)", unit="ms",
                           lo=50, hi=10_000)
    pcs_per_bit: int = param(5, "Purkinje cells per pointer bit (and unwritten reference cells)", lo=1, hi=1000)
    grc: CellParams = nested(CellParams, "granule cells", **CELL_TYPES["grc"], synapse="exp")
    goc: CellParams = nested(CellParams, "Golgi cells", **CELL_TYPES["goc"])
    pc: CellParams = nested(CellParams, "Purkinje cells", **CELL_TYPES["pc"])
    dcn: CellParams = nested(CellParams, "deep cerebellar nucleus cells (the decision groups)",
                             **{**CELL_TYPES["dcn"], **DCN_DECISION})
    io: CellParams = nested(CellParams, "inferior olive cells", **CELL_TYPES["io"])
    n_goc: int = param(0, "Golgi cells (0: max(4, round(r / 430)))", lo=0, hi=1_000_000)
    goc_mf_bits: int = param(8, "address bits sampled by each Golgi cell (both fibres of each pair)", lo=1, hi="n")
    goc_per_grc: int = param(4, "Golgi inputs per granule cell", lo=0, hi=1000)
    grc_per_goc: int = param(100, "granule inputs per Golgi cell (feedback)", lo=0, hi="r")
    w_mf_goc: object = param(10.0, "mossy fibre -> Golgi weight", unit="nS", lo=0, hi=1e4)
    w_goc_grc: object = param(0.24, "Golgi -> granule weight (inhibitory)", unit="nS", lo=0, hi=1e4)
    w_grc_goc: object = param(0.5, "granule -> Golgi weight (feedback)", unit="nS", lo=0, hi=1e4)
    w_pc_dcn: object = param(0.5, "Purkinje -> nuclear cell weight (inhibitory)", unit="nS", lo=0, hi=1e4)
    dcn_per_group: int = param(8, "nuclear cells per decision group (a pointer bit has a bit and a reference "
                               "group)", lo=1, hi=1000)
    dcn_drive_spread: float = param(0.2, "relative spread of the nuclear bias current across a decision group",
                                    lo=0.0, hi=1.0, hi_open=True)
    w_dcn_lateral: object = param(0.3, "mutual inhibition between a pointer bit's bit and reference nuclear groups",
                                  unit="nS", lo=0, hi=1e4)
    w_cf: object = param(1.6, "climbing-fibre conductance onto a Purkinje cell", unit="nS", lo=0, hi=1e4)
    w_teacher: object = param(25.0, "teacher input -> inferior olive weight", unit="nS", lo=0, hi=1e4)
    dense_feedback: bool = param(False, "dense mode: keep granule -> Golgi feedback (moves the radius)",
                                 only_if=("mode", "dense"))
    tau_pf: object = param(20.0, "time constant of the Purkinje cell's parallel-fibre channel", unit="ms",
                           lo=0, lo_open=True, hi=1000)
    pf_signal: object = param(20.0, "summed PF weight change of one fully overlapping write", unit="nS",
                              lo=0, lo_open=True, hi=1e4)
    ltd_ltp_ratio: float = param(2.0, "A_minus / A_plus (2: bipolar counters)", lo=0.0, hi=1000.0)
    w0_steps: float = param(2.0, "initial PF weight in units of A_plus", lo=0.0, hi=1e6)
    plasticity: PlasticityTiming = nested(PlasticityTiming, "eligibility kernel and delays of the PF->PC rule",
                                          n_stages=8, tau_e=100.0 / 7.0, eligibility_delay=0.0, pf_delay=5.0,
                                          cf_delay=4.0)
    delay_mf_grc: object = param(1.0, "mossy fibre -> granule delay", unit="ms", lo=0, hi=1000)
    delay_mf_goc: object = param(1.0, "mossy fibre -> Golgi delay", unit="ms", lo=0, hi=1000)
    delay_goc_grc: object = param(2.0, "Golgi -> granule delay", unit="ms", lo=0, hi=1000)
    delay_grc_goc: object = param(1.0, "granule -> Golgi delay", unit="ms", lo=0, hi=1000)
    delay_pc_dcn: object = param(4.0, "Purkinje -> nuclear cell delay", unit="ms", lo=0, hi=1000)
    delay_dcn_lateral: object = param(1.0, "nuclear bit group <-> reference group delay", unit="ms", lo=0,
                                      hi=1000)
    mf_background_rate: object = param(0.0, "Poisson background drawn independently on every granule input", unit="Hz", lo=0, hi=1000)
    eligibility: str = param("last_spike", "GrC eligibility read by CF-timed LTD: analytic kernel of the last "
                             "spike or the integrated filter chain", choices=ELIGIBILITY)
    grc_method: str = param("euler", "integration method of the granule cells", choices=GRC_METHODS)

    def __post_init__(self):
        validate(self)
        peak = self.plasticity.eligibility_peak
        if self.period < 2 * peak:
            raise ValueError(f"period = {self.period!r} is out of range: allowed period >= 2 x eligibility "
                             f"peak = {2 * peak!r} (writes would interfere)")
        try:
            self.plasticity_rule
        except ValueError as err:
            raise ValueError(f"pf_signal = {self.pf_signal!r} over r = {self.r} cells at coding level "
                             f"{self.expected_active_fraction:.4g} gives a PF->PC rule out of range: {err}") from None

    @derived("n")
    def n_fibres(self) -> int:
        """mossy fibres, 2 n (an ON and an OFF fibre per address bit)"""
        return 2 * self.n

    @derived("n_goc", "r")
    def golgi_count(self) -> int:
        """Golgi cells used: n_goc or, when 0, max(4, round(r / 430))"""
        return self.n_goc or max(4, round(self.r / GRC_PER_GOC_RATIO))

    @derived("mode", "n", "d", "grc_theta")
    def threshold_inputs(self) -> int:
        """input units a granule cell needs to fire: n - d (dense) or grc_theta contacts (biological)"""
        return self.n - self.d if self.mode == "dense" else self.grc_theta

    @derived(*_CODING)
    def expected_active_fraction(self) -> float:
        """fraction of granule cells one address activates: p(d) (dense) or P(sum of active contacts >= grc_theta)

        Dense mode: ``p(d) = |Hamming ball of radius d| / 2^n``; biological mode: the probability
        that the contacts of a random address's active inputs reach ``grc_theta`` (``2^-K`` with
        equal synapses).
        """
        if self.mode == "dense":
            return float(sdm.space_fraction(self.n, self.d))
        return sdm.weighted_coordinate_fraction(self.K, self.contacts_max, self.grc_theta)

    @derived("pf_signal", "r", *_CODING)
    def A_plus(self):
        """LTP step per PF spike [nS], pf_signal / max(1, r x expected_active_fraction)"""
        return self.pf_signal / max(1.0, self.r * self.expected_active_fraction)

    @derived("ltd_ltp_ratio", "pf_signal", "r", *_CODING)
    def A_minus(self):
        """LTD per climbing-fibre event at the eligibility peak [nS], ltd_ltp_ratio x A_plus"""
        return self.ltd_ltp_ratio * self.A_plus

    @derived("w0_steps", "pf_signal", "r", *_CODING)
    def w0(self):
        """initial PF weight [nS], w0_steps x A_plus"""
        return self.w0_steps * self.A_plus

    @derived("w0_steps", "pf_signal", "r", *_CODING)
    def w_max(self):
        """upper PF weight bound [nS], w0 + 1000 A_plus (never reached: only the lower bound 0 binds)"""
        return self.w0 + 1000 * self.A_plus

    @derived("plasticity", "pf_signal", "ltd_ltp_ratio", "w0_steps", "r", *_CODING)
    def plasticity_rule(self) -> PlasticityParams:
        """the whole PF->PC rule: plasticity timing with A_plus, A_minus, w0, w_max and w_min = 0

        ``A_minus = 2 A_plus`` (the default ratio) makes one write change a location's counter by
        ``+A_plus`` (pointer bit 0: LTP only) or ``-A_plus`` (bit 1: LTP and CF-timed LTD at the
        eligibility peak), Kanerva's bipolar counters.
        """
        timing = {f.name: getattr(self.plasticity, f.name) for f in fields(PlasticityTiming)}
        a_plus = self.A_plus
        return PlasticityParams(**timing, A_plus=a_plus, A_minus=self.A_minus, w_min=0 * a_plus,
                                w_max=self.w_max, w0=self.w0)
