"""Delay eyeblink conditioning circuit: granular time code → PC (PF→PC plasticity) → DCN, IO loop.

Pathways (``reference/cerebellum.md`` §1–§6):

* **CS** — mossy fibres (tone) driving the granular-layer time code of :mod:`cerebellum.timing`;
* **PF→PC** — the shared plastic synapses of :mod:`cerebellum.plasticity` (CF-timed LTD through
  the GrC eligibility chain, LTP per PF spike, bounded weights);
* **PF→MLI→PC** — feed-forward inhibition: before learning PF excitation and MLI inhibition
  roughly cancel during the CS; LTD of the PFs active before the US leaves the inhibition
  unopposed, which is the timed Purkinje pause;
* **PC→DCN** — inhibition of the nuclear output cells (CR read-out) and of the nucleo-olivary
  cells (DCNi);
* **DCNi→IO** — nucleo-olivary inhibition (delay 25 ms, tau 60 ms, §5): a learned pause
  disinhibits DCNi, which suppresses the US-evoked CF burst, so learning limits itself;
* **US** — a depolarising current on the IO cells while the US is on (``us_gate``), i.e. a CF
  burst whose size the DCNi inhibition grades;
* **MF→DCN** — slow plasticity taught by Purkinje activity (Medina & Mauk, §5): every MF spike
  onto a DCN cell potentiates (``a_ltp``) when the PC population rate seen by that cell is below
  ``pc_low`` (a pause) and depresses (``a_ltd``) when it is above ``pc_high`` — well above the
  ~82-Hz baseline and its noise, so only the PF→PC potentiation of extinction, not baseline
  fluctuations, erodes it; weights start at 0 and are bounded by ``w_mf_dcn_max``. This nuclear
  store outlasts extinction (~80 % of it is left after 100 CS-alone trials), so reacquisition
  needs less cortical relearning (savings).

The builder draws all connectivity with numpy and returns the Brian2 objects; it runs nothing.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
from brian2 import Hz, NeuronGroup, Quantity, Synapses, mV, ms, nS, pA, second

from cerebellum.cells import cell_equations, connect, make_cells
from cerebellum.params import DCN, DCNI, IO, MLI, PC, PlasticityParams
from cerebellum.plasticity import climbing_fibres, pf_pc_synapses
from cerebellum.timing import TimeCodeParams, build_granular_layer, fixed_indegree
from cerebellum.validation import check_int, check_quantity, check_real, param

__all__ = ["EyeblinkParams", "EyeblinkCircuit", "build_eyeblink_circuit", "mf_dcn_synapses", "default_timecode",
           "default_plasticity"]


def default_timecode() -> TimeCodeParams:
    """Granular-layer settings used for conditioning (tuned for 1–10 % active GrCs per 10 ms).

    MF→GrC transmission is mostly fast (AMPA 0.35 nS, NMDA-like 0.028 nS per spike): with the
    earlier 0.15 / 0.035 nS granule cells needed ~10 ms of CS input before their first spike and
    the 0–10 ms bin after CS onset had 0.1 % active cells (target 1–10 %); now 1.6–2.0 %. The
    NMDA-like part (0.025 → 0.028 nS) keeps the bin after the CS-onset burst, where Golgi
    feedback is strongest, above 1 % (0.99 % at seed 3 with 0.025 nS).
    """
    return TimeCodeParams(w_mf_nmda=0.028 * nS, w_mf_ampa=0.35 * nS, profile_mix=(0.1, 0.0, 0.45, 0.45),
                          cs_fraction=0.7, tau_min=30 * ms, tau_max=600 * ms)


def default_plasticity() -> PlasticityParams:
    """PF→PC rule scaled to ~15,000 PFs per PC.

    Eligibility: a 3-stage chain (``tau_e`` 10 ms) fed through a 30-ms delay line, i.e. a narrow
    kernel peaking 50 ms after a PF spike, half maximum 38–72 ms, like the narrow Pavia / Luque LTD
    windows (reference/cerebellum.md §4). The earlier broad kernel (3 stages of 25 ms, no delay,
    half maximum 20–103 ms) gave 35 % of the peak to PF spikes 120 ms before the CF, so at ISI
    150 ms the CS-onset burst of the granule cells (20–40 ms) was depressed every trial: the pause
    began at CS onset, the DCN output crossed threshold inside the startle window (0 % CRs) and the
    rate minimum sat at 32 ms (pause-vs-ISI slope 1.40). The narrow kernel gives those spikes 2 %.
    An 8-stage chain of the same width ran 4x slower (30,000 GrCs x 5 more state variables); the
    delay line costs one event per GrC spike. ``A_minus`` is 1.9e-3 nS (8e-4 with the broad kernel)
    so that one CF depresses a PF that fired steadily before it by about as much (kernel area 37
    vs 92 ms).
    """
    return PlasticityParams(n_stages=3, tau_e=10 * ms, eligibility_delay=30 * ms, A_plus=2e-4 * nS,
                            A_minus=1.9e-3 * nS, w_min=0 * nS, w_max=0.12 * nS, w0=0.06 * nS, pf_delay=2 * ms, cf_delay=4 * ms)


@dataclass(frozen=True)
class EyeblinkParams:
    """Conditioning circuit (units in brackets); nested granular-layer and PF→PC parameters.

    Parameters
    ----------
    timecode : TimeCodeParams
    plasticity : PlasticityParams
    n_pc, n_mli, n_dcn, n_dcni, n_io : int
        Purkinje cells, molecular-layer interneurons, nuclear output cells, nucleo-olivary
        cells, inferior-olive cells (``n_pc`` must be a multiple of ``n_io``: one CF per PC).
    pf_per_pc, pf_per_mli : int
        PF in-degrees (random GrCs).
    mli_per_pc : int
        MLI→PC in-degree.
    tau_pf [ms] : PF→PC conductance decay.
    w_pf_mli, w_mli_pc [nS] : feed-forward inhibition weights.
    w_pc_dcn, w_pc_dcni [nS] : PC inhibition of DCN / DCNi.
    w_dcni_io [nS], dcni_io_delay [ms] : nucleo-olivary inhibition.
    dcni_bias [pA] : extra bias current of the nucleo-olivary cells (stands in for their MF
        collateral drive), so that PC inhibition, not the bias, sets their rate.
    I_us [pA] : US current on each IO cell.
    mf_per_dcn : int ; w_mf_dcn_max [nS] ; a_ltp, a_ltd [nS] : MF→DCN plasticity.
    pc_low, pc_high [Hz] : PC population rate below which MF→DCN potentiates / above which it depresses.
    tau_pc_trace [ms] : smoothing of the PC rate seen by a DCN cell.
    heterogeneity : float in [0, 1)
        Each PC, MLI, DCN and DCNi cell gets an extra bias current uniform in ``±heterogeneity * I_e``
        of its type, so identically wired cells do not fire in lock-step.
    """

    timecode: TimeCodeParams = field(default_factory=default_timecode)
    plasticity: PlasticityParams = field(default_factory=default_plasticity)
    n_pc: int = 20
    n_mli: int = 40
    n_dcn: int = 40
    n_dcni: int = 10
    n_io: int = 4
    pf_per_pc: int = 15000
    pf_per_mli: int = 3000
    mli_per_pc: int = 10
    tau_pf: Quantity = param(5 * ms)
    w_pf_mli: Quantity = param(0.15 * nS)
    w_mli_pc: Quantity = param(4.0 * nS)
    w_pc_dcn: Quantity = param(2.0 * nS)
    w_pc_dcni: Quantity = param(1.0 * nS)
    w_dcni_io: Quantity = param(0.5 * nS)
    dcni_io_delay: Quantity = param(25 * ms)
    I_us: Quantity = param(1000 * pA)
    mf_per_dcn: int = 200
    w_mf_dcn_max: Quantity = param(0.08 * nS)
    # Savings store (seeds 1-3, 100 + 100 + 50 trials): ~55 pS after acquisition, ~43 pS after
    # extinction. With 4e-4 / 1e-4 nS and pc_high 85 Hz (inside the baseline noise) it reached
    # ~10 pS and was erased by extinction (savings 26 -> 25 trials at seed 3).
    a_ltp: Quantity = param(1.6e-3 * nS)
    a_ltd: Quantity = param(5e-5 * nS)
    dcni_bias: Quantity = param(100 * pA)
    pc_low: Quantity = param(55 * Hz)
    pc_high: Quantity = param(100 * Hz)
    tau_pc_trace: Quantity = param(50 * ms)
    heterogeneity: float = 0.1

    def __post_init__(self):
        if not isinstance(self.timecode, TimeCodeParams):
            raise TypeError(f"timecode = {self.timecode!r} must be a TimeCodeParams")
        if not isinstance(self.plasticity, PlasticityParams):
            raise TypeError(f"plasticity = {self.plasticity!r} must be a PlasticityParams")
        n_grc = self.timecode.n_grc
        check_int("n_pc", self.n_pc, lo=1, hi=10_000)
        check_int("n_mli", self.n_mli, lo=1, hi=100_000)
        check_int("n_dcn", self.n_dcn, lo=1, hi=10_000)
        check_int("n_dcni", self.n_dcni, lo=1, hi=10_000)
        check_int("n_io", self.n_io, lo=1, hi=(self.n_pc, f"n_pc = {self.n_pc}"))
        if self.n_pc % self.n_io:
            raise ValueError(f"n_io = {self.n_io} is out of range: n_pc = {self.n_pc} must be a multiple of n_io")
        check_int("pf_per_pc", self.pf_per_pc, lo=1, hi=(n_grc, f"n_grc = {n_grc}"))
        check_int("pf_per_mli", self.pf_per_mli, lo=1, hi=(n_grc, f"n_grc = {n_grc}"))
        check_int("mli_per_pc", self.mli_per_pc, lo=0, hi=(self.n_mli, f"n_mli = {self.n_mli}"))
        check_int("mf_per_dcn", self.mf_per_dcn, lo=0, hi=(self.timecode.n_mf, f"n_mf = {self.timecode.n_mf}"))
        check_quantity("tau_pf", self.tau_pf, ms, lo=0 * ms, hi=1 * second, lo_open=True)
        check_quantity("tau_pc_trace", self.tau_pc_trace, ms, lo=0 * ms, hi=1 * second, lo_open=True)
        check_quantity("dcni_io_delay", self.dcni_io_delay, ms, lo=0 * ms, hi=1 * second)
        for name in ("w_pf_mli", "w_mli_pc", "w_pc_dcn", "w_pc_dcni", "w_dcni_io", "w_mf_dcn_max", "a_ltp",
                     "a_ltd"):
            check_quantity(name, getattr(self, name), nS, lo=0 * nS, hi=1000 * nS)
        check_quantity("I_us", self.I_us, pA, lo=0 * pA, hi=1e5 * pA)
        check_quantity("dcni_bias", self.dcni_bias, pA, lo=-1e4 * pA, hi=1e4 * pA)
        check_quantity("pc_low", self.pc_low, Hz, lo=0 * Hz, hi=1000 * Hz)
        check_quantity("pc_high", self.pc_high, Hz, lo=self.pc_low, hi=1000 * Hz)
        check_real("heterogeneity", self.heterogeneity, lo=0, hi=0.99)


@dataclass
class EyeblinkCircuit:
    """Brian2 objects of the conditioning circuit.

    Attributes
    ----------
    layer : cerebellum.timing.GranularLayer
    pc, mli, dcn, dcni, io : NeuronGroup
    synapses : dict name -> Synapses (the granular layer's are in ``layer.synapses``)
    pre_index, source : dict name -> presynaptic indices / source-group name (event counting)
    """

    layer: object
    pc: object
    mli: object
    dcn: object
    dcni: object
    io: object
    synapses: dict
    pre_index: dict
    source: dict
    extra: list

    @property
    def groups(self) -> dict:
        L = self.layer
        return {"mf": L.mf, "grc": L.grc, "goc": L.goc, "pc": self.pc, "mli": self.mli, "dcn": self.dcn,
                "dcni": self.dcni, "io": self.io}

    @property
    def objects(self) -> list:
        return [*self.layer.objects, self.pc, self.mli, self.dcn, self.dcni, self.io, *self.synapses.values(),
                *self.extra]

    def all_pathways(self):
        """(pre_index, source name) of every pathway, granular layer included."""
        out = {k: (v, self.layer.source[k]) for k, v in self.layer.pre_index.items()}
        out.update({k: (v, self.source[k]) for k, v in self.pre_index.items()})
        return out


def _dcn_group(params, n, name, tau_trace):
    """DCN cells (shared cell equations) plus a PC-population-rate trace ``pc_act`` (Hz)."""
    eqs, ns = cell_equations(params)
    eqs += "\ndpc_act/dt = -pc_act/tau_pct : Hz"
    ns.update(V_th=params.V_th, V_reset=params.V_reset, tau_pct=tau_trace)
    g = NeuronGroup(n, eqs, threshold="v > V_th", reset="v = V_reset", refractory=params.t_ref,
                    method="exponential_euler", namespace=ns, name=name)
    g.v = params.E_L
    return g


def mf_dcn_synapses(mf, dcn, i, j, params: EyeblinkParams, name: str = "mf_dcn") -> Synapses:
    """Plastic MF→DCN synapses taught by the PC population rate ``pc_act`` of each DCN cell.

    On every MF spike the weight steps by ``+a_ltp`` when ``pc_act < pc_low`` (a Purkinje pause),
    by ``-a_ltd`` when ``pc_act > pc_high`` (Purkinje activity well above baseline), else not at all;
    it is clipped to ``[0, w_mf_dcn_max]`` and starts at 0 (Medina & Mauk rule, reference §5).

    Parameters
    ----------
    mf, dcn : NeuronGroup
        Mossy fibres (source) and DCN cells with a ``pc_act`` (Hz) variable and ``g_exc``.
    i, j : int arrays
        Presynaptic MF and postsynaptic DCN index of each synapse.
    params : EyeblinkParams
    """
    syn = Synapses(mf, dcn, model="w : siemens\nplastic_mf : 1 (shared)",
                   on_pre="g_exc_post += w\n"
                          "w = clip(w + plastic_mf*(a_ltp*int(pc_act_post < pc_low)"
                          " - a_ltd*int(pc_act_post > pc_high)), 0*nS, w_mfd_max)",
                   namespace={"a_ltp": params.a_ltp, "a_ltd": params.a_ltd, "pc_low": params.pc_low,
                              "pc_high": params.pc_high, "w_mfd_max": params.w_mf_dcn_max},
                   name=name)
    syn.connect(i=np.asarray(i), j=np.asarray(j))
    syn.w = 0 * nS
    syn.plastic_mf = 1
    return syn


def build_eyeblink_circuit(params: EyeblinkParams, rng: np.random.Generator, signals: dict,
                           max_cs=1 * second, reset_period=None) -> EyeblinkCircuit:
    """Build the circuit driven by the schedule ``signals`` (``Schedule.timed_arrays()``).

    Parameters
    ----------
    params : EyeblinkParams
    rng : numpy Generator
    signals : dict
        ``cs_gate``, ``cs_time``, ``us_gate``, ``reset_gate`` TimedArrays.
    max_cs : time
        Longest CS in the schedule.
    reset_period : time, optional
        Trial period; when given, plastic weights return to their initial values at the start of
        every trial whose ``reset_gate`` is 1 (independent acquisitions in one program).
    """
    if not isinstance(params, EyeblinkParams):
        raise TypeError(f"params = {params!r} must be an EyeblinkParams")
    pl = params.plasticity
    tc = params.timecode
    layer = build_granular_layer(tc, rng, signals["cs_gate"], signals["cs_time"], eligibility=pl, max_cs=max_cs)
    grc = layer.grc
    syn, pre, src, extra = {}, {}, {}, []

    pc_p = dataclasses.replace(PC, synapse="exp")
    pc = make_cells(pc_p, params.n_pc, name="pc", channels={"pf": (params.tau_pf, 0 * mV)}, cf_event=True)
    pc.v = pc_p.V_reset + rng.random(params.n_pc) * (pc_p.V_th - pc_p.V_reset)
    mli_p = dataclasses.replace(MLI, synapse="exp")
    mli = make_cells(mli_p, params.n_mli, name="mli")
    mli.v = mli_p.V_reset + rng.random(params.n_mli) * (mli_p.V_th - mli_p.V_reset)

    i, j = fixed_indegree(rng, tc.n_grc, params.n_pc, params.pf_per_pc)
    syn["pf_pc"] = pf_pc_synapses(grc, pc, pc_p, i, j, pl, channel="pf", name="pf_pc")
    pre["pf_pc"], src["pf_pc"] = i, "grc"
    i, j = fixed_indegree(rng, tc.n_grc, params.n_mli, params.pf_per_mli)
    syn["pf_mli"] = connect(grc, mli, i, j, "g_exc_post += w_pm", model="", delay=pl.pf_delay,
                            namespace={"w_pm": params.w_pf_mli}, name="pf_mli")
    pre["pf_mli"], src["pf_mli"] = i, "grc"
    i, j = fixed_indegree(rng, params.n_mli, params.n_pc, params.mli_per_pc)
    if i.size:
        syn["mli_pc"] = connect(mli, pc, i, j, "g_inh_post += w_mp", model="", delay=1 * ms,
                                namespace={"w_mp": params.w_mli_pc}, name="mli_pc")
        pre["mli_pc"], src["mli_pc"] = i, "mli"

    dcn_p = dataclasses.replace(DCN, synapse="exp")
    dcn = _dcn_group(dcn_p, params.n_dcn, "dcn", params.tau_pc_trace)
    dcn.v = dcn_p.V_reset + rng.random(params.n_dcn) * (dcn_p.V_th - dcn_p.V_reset)
    dcni_p = dataclasses.replace(DCNI, synapse="exp")
    dcni = make_cells(dcni_p, params.n_dcni, name="dcni")
    dcni.v = dcni_p.V_reset + rng.random(params.n_dcni) * (dcni_p.V_th - dcni_p.V_reset)
    io_p = dataclasses.replace(IO, synapse="exp")
    io = make_cells(io_p, params.n_io, name="io")
    io.run_regularly("I_ext = I_us * us_gate(t)", dt=1 * ms, when="start",
                     )
    io.namespace.update(I_us=params.I_us, us_gate=signals["us_gate"])

    # Cell-to-cell variability of the bias current: desynchronises identically wired cells.
    h = params.heterogeneity
    for group, cp, bias in ((pc, pc_p, 0 * pA), (mli, mli_p, 0 * pA), (dcn, dcn_p, 0 * pA),
                            (dcni, dcni_p, params.dcni_bias)):
        group.I_ext = bias + cp.I_e * h * (2 * rng.random(len(group)) - 1)

    # PC -> DCN (all-to-all), also feeding the PC-rate trace used by MF->DCN plasticity
    i = np.repeat(np.arange(params.n_pc), params.n_dcn)
    j = np.tile(np.arange(params.n_dcn), params.n_pc)
    syn["pc_dcn"] = connect(pc, dcn, i, j, "g_inh_post += w_pd\npc_act_post += 1.0/(n_pc_src*tau_pct)",
                            model="", delay=4 * ms,
                            namespace={"w_pd": params.w_pc_dcn, "n_pc_src": params.n_pc,
                                       "tau_pct": params.tau_pc_trace}, name="pc_dcn")
    pre["pc_dcn"], src["pc_dcn"] = i, "pc"
    i = np.repeat(np.arange(params.n_pc), params.n_dcni)
    j = np.tile(np.arange(params.n_dcni), params.n_pc)
    syn["pc_dcni"] = connect(pc, dcni, i, j, "g_inh_post += w_pdi", model="", delay=4 * ms,
                             namespace={"w_pdi": params.w_pc_dcni}, name="pc_dcni")
    pre["pc_dcni"], src["pc_dcni"] = i, "pc"
    i = np.repeat(np.arange(params.n_dcni), params.n_io)
    j = np.tile(np.arange(params.n_io), params.n_dcni)
    syn["dcni_io"] = connect(dcni, io, i, j, "g_inh_post += w_di", model="", delay=params.dcni_io_delay,
                             namespace={"w_di": params.w_dcni_io}, name="dcni_io")
    pre["dcni_io"], src["dcni_io"] = i, "dcni"
    i = np.arange(params.n_pc) // (params.n_pc // params.n_io)
    j = np.arange(params.n_pc)
    syn["cf"] = climbing_fibres(io, pc, i, j, delay=pl.cf_delay, name="cf")
    pre["cf"], src["cf"] = i, "io"

    # MF -> DCN: plastic, taught by the PC population rate (pause -> LTP, high activity -> LTD)
    i, j = fixed_indegree(rng, tc.n_mf, params.n_dcn, params.mf_per_dcn)
    if i.size:
        syn["mf_dcn"] = mf_dcn_synapses(layer.mf, dcn, i, j, params)
        pre["mf_dcn"], src["mf_dcn"] = i, "mf"

    if reset_period is not None:
        # Executed once per trial (at its start): cheap even for ~10^5 plastic synapses.
        syn["pf_pc"].run_regularly("w = w + reset_gate(t)*(w_init - w)", dt=reset_period, when="start",
                                   name="pf_pc_reset")
        syn["pf_pc"].namespace.update(reset_gate=signals["reset_gate"], w_init=pl.w0)
        if "mf_dcn" in syn:
            syn["mf_dcn"].run_regularly("w = w*(1 - reset_gate(t))", dt=reset_period, when="start",
                                        name="mf_dcn_reset")
            syn["mf_dcn"].namespace.update(reset_gate=signals["reset_gate"])
    return EyeblinkCircuit(layer, pc, mli, dcn, dcni, io, syn, pre, src, extra)
