"""Delay eyeblink conditioning circuit: granular time code → PC (PF→PC plasticity) → DCN, IO loop.

Pathways (Medina & Mauk 2000; Medina, Garcia & Mauk 2001):

* **CS** — mossy fibres (tone) driving the granular-layer time code of :mod:`cerebellum.granular_layer`;
* **PF→PC** — the shared plastic synapses of :mod:`cerebellum.plasticity` (CF-timed LTD through
  the GrC eligibility chain, LTP per PF spike, bounded weights);
* **PF→MLI→PC** — feed-forward inhibition: before learning PF excitation and MLI inhibition
  roughly cancel during the CS; LTD of the PFs active before the US leaves the inhibition
  unopposed, which is the timed Purkinje pause (Jirenhed, Bengtsson & Hesslow 2007);
* **PC→DCN** — inhibition of the nuclear output cells (CR read-out) and of the nucleo-olivary
  cells (DCNi);
* **DCNi→IO** — nucleo-olivary inhibition (delay 25 ms; Kenyon, Medina & Mauk 1998): a learned
  pause disinhibits DCNi, which suppresses the US-evoked CF burst, so learning limits itself;
* **US** — a depolarising current on the IO cells while the US is on (``us_gate``), i.e. a CF
  burst whose size the DCNi inhibition grades;
* **MF→DCN** — slow plasticity taught by Purkinje activity (Medina & Mauk 1999): every MF spike
  onto a DCN cell potentiates (``a_ltp``) when the PC population rate seen by that cell is below
  ``pc_low`` (a pause) and depresses (``a_ltd``) when it is above ``pc_high``; weights start at 0
  and are bounded by ``w_mf_dcn_max``. This nuclear store outlasts extinction, so reacquisition
  needs less cortical relearning (savings; Medina, Garcia & Mauk 2001).

Parameters: :class:`cerebellum.params.eyeblink_circuit.EyeblinkParams` (PF in-degrees and weights
derived from the granule-cell count). The builder draws all connectivity with numpy and returns
the Brian2 objects; it runs nothing.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from brian2 import NeuronGroup, Synapses, mV, ms, nS, pA, second

from cerebellum.cells import cell_equations, connect, make_cells
from cerebellum.granular_layer import build_granular_layer, fixed_indegree
from cerebellum.params.eyeblink_circuit import EyeblinkParams
from cerebellum.plasticity import climbing_fibres, pf_pc_synapses

__all__ = ["EyeblinkParams", "EyeblinkCircuit", "build_eyeblink_circuit", "mf_dcn_synapses",
           "assign_run_time_values"]


def assign_run_time_values(circuit, setter=None) -> None:
    """Give the circuit's run-time constants their values: ``setter(variable_view, value)``
    (e.g. ``Simulation.set_at_run_time``) or, by default, a plain assignment."""
    for obj, name, value in circuit.run_time_values or []:
        if setter is None:
            setattr(obj, name, value)
        else:
            setter(getattr(obj, name), value)


@dataclass
class EyeblinkCircuit:
    """Brian2 objects of the conditioning circuit.

    Attributes
    ----------
    layer : cerebellum.granular_layer.GranularLayer
    pc, mli, dcn, dcni, io : NeuronGroup
    synapses : dict name -> Synapses (the granular layer's are in ``layer.synapses``)
    pre_index, source : dict name -> presynaptic indices / source-group name (event counting)
    extra : list of further Brian2 objects to add to the network
    run_time_values : list of (object, variable name, value)
        Shared constants (olive noise and US drive, nucleo-olivary weight, PF→PC and MF→DCN steps)
        that the caller assigns (:func:`assign_run_time_values`): in standalone they are passed
        when the program starts, so changing them reuses the compiled program.
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
    run_time_values: list = None

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


def _dcn_group(params, n, name, tau_trace, circuit=None):
    """DCN cells (shared cell equations) plus a PC-population-rate trace ``pc_act`` (Hz) and, with
    ``circuit`` (an :class:`EyeblinkParams`), the T-type-like rebound current ``I_T``."""
    eqs, ns = cell_equations(params)
    eqs += "\ndpc_act/dt = -pc_act/tau_pct : Hz"
    ns.update(V_th=params.V_th, V_reset=params.V_reset, tau_pct=tau_trace)
    if circuit is not None:
        c = circuit
        eqs = eqs.replace(" + I_ext)/C_m", " + I_ext + I_T)/C_m")
        eqs += ("\nI_T = g_T*mT*hT*(E_T - v) : amp"
                "\ndmT/dt = (1/(1 + exp(-(v - V_mT)/k_mT)) - mT)/tau_mT : 1"
                "\ndhT/dt = (1/(1 + exp((v - V_hT)/k_hT)) - hT)/tau_hT : 1")
        ns.update(g_T=c.dcn_g_T, E_T=c.dcn_E_T, V_mT=c.dcn_V_mT, k_mT=c.dcn_k_mT, tau_mT=c.dcn_tau_mT,
                  V_hT=c.dcn_V_hT, k_hT=c.dcn_k_hT, tau_hT=c.dcn_tau_hT)
    g = NeuronGroup(n, eqs, threshold="v > V_th", reset="v = V_reset", refractory=params.t_ref,
                    method="exponential_euler", namespace=ns, name=name)
    g.v = params.E_L
    return g


def _io_group(params: EyeblinkParams, us_gate):
    """Inferior-olive cells: shared cell equations, the US current while ``us_gate`` is 1, and an
    Ornstein-Uhlenbeck noise current (spontaneous complex spikes; Euler-Maruyama)."""
    io_p = params.io
    eqs, ns = cell_equations(io_p)
    eqs = eqs.replace("I_ext : amp", "I_ext = I_us*us_gate(t) + I_noise : amp")
    eqs += ("\ndI_noise/dt = -I_noise/tau_ion + sigma_ion*sqrt(2/tau_ion)*xi : amp"
            "\nsigma_ion : amp (shared, constant)\nI_us : amp (shared, constant)")
    ns.update(V_th=io_p.V_th, V_reset=io_p.V_reset, us_gate=us_gate, tau_ion=params.io_noise_tau)
    return NeuronGroup(params.n_io, eqs, threshold="v > V_th", reset="v = V_reset", refractory=io_p.t_ref,
                       method="euler", namespace=ns, name="io")


def mf_dcn_synapses(mf, dcn, i, j, params: EyeblinkParams, name: str = "mf_dcn") -> Synapses:
    """Plastic MF→DCN synapses taught by the PC population rate ``pc_act`` of each DCN cell.

    On every MF spike the weight steps by ``+a_ltp`` when ``pc_act < pc_low`` (a Purkinje pause),
    by ``-a_ltd`` when ``pc_act > pc_high`` (Purkinje activity well above baseline), else not at all;
    it is clipped to ``[0, w_mf_dcn_max]`` and starts at 0 (the rule of Medina & Mauk 1999).
    ``a_ltp`` and ``a_ltd`` are shared constants of the synapses that the caller assigns.

    Parameters
    ----------
    mf, dcn : NeuronGroup
        Mossy fibres (source) and DCN cells with a ``pc_act`` (Hz) variable and ``g_exc``.
    i, j : int arrays
        Presynaptic MF and postsynaptic DCN index of each synapse.
    params : EyeblinkParams
    """
    syn = Synapses(mf, dcn, model="w : siemens\nplastic_mf : 1 (shared)\n"
                   "a_ltp : siemens (shared, constant)\na_ltd : siemens (shared, constant)",
                   on_pre="g_exc_post += w\n"
                          "w = clip(w + plastic_mf*(a_ltp*int(pc_act_post < pc_low)"
                          " - a_ltd*int(pc_act_post > pc_high)), 0*nS, w_mfd_max)",
                   namespace={"pc_low": params.pc_low, "pc_high": params.pc_high, "w_mfd_max": params.w_mf_dcn_max},
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
    pl = params.pf_pc_rule  # the rule scaled to the PF in-degree
    tc = params.granular
    layer = build_granular_layer(tc, rng, signals["cs_gate"], signals["cs_time"], eligibility=pl, max_cs=max_cs)
    grc = layer.grc
    syn, pre, src, extra = {}, {}, {}, []

    pc_p = params.pc
    pc = make_cells(pc_p, params.n_pc, name="pc", channels={"pf": (params.tau_pf, 0 * mV)}, cf_event=True)
    pc.v = pc_p.V_reset + rng.random(params.n_pc) * (pc_p.V_th - pc_p.V_reset)
    mli_p = params.mli
    mli = make_cells(mli_p, params.n_mli, name="mli")
    mli.v = mli_p.V_reset + rng.random(params.n_mli) * (mli_p.V_th - mli_p.V_reset)

    i, j = fixed_indegree(rng, tc.n_grc, params.n_pc, params.pf_per_pc)
    syn["pf_pc"] = pf_pc_synapses(grc, pc, pc_p, i, j, pl, channel="pf", name="pf_pc", steps_as_variables=True)
    run_time = [(syn["pf_pc"], "A_plus", pl.A_plus), (syn["pf_pc"], "A_minus", pl.A_minus)]
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

    dcn_p = params.dcn
    dcn = _dcn_group(dcn_p, params.n_dcn, "dcn", params.tau_pc_trace, params)
    dcn.v = dcn_p.V_reset + rng.random(params.n_dcn) * (dcn_p.V_th - dcn_p.V_reset)
    dcni_p = params.dcni
    dcni = make_cells(dcni_p, params.n_dcni, name="dcni")
    dcni.v = dcni_p.V_reset + rng.random(params.n_dcni) * (dcni_p.V_th - dcni_p.V_reset)
    io = _io_group(params, signals["us_gate"])
    run_time += [(io, "sigma_ion", params.io_noise_sigma), (io, "I_us", params.I_us)]
    io.v = params.io.E_L + rng.random(params.n_io) * (params.io.V_th - params.io.E_L)

    # Cell-to-cell variability of the bias current: desynchronises identically wired cells.
    h = params.heterogeneity
    for group, cp, bias in ((pc, pc_p, 0 * pA), (mli, mli_p, 0 * pA), (dcn, dcn_p, 0 * pA),
                            (dcni, dcni_p, params.dcni_bias)):  # the IO's drive is its noise and the US
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
    syn["dcni_io"] = connect(dcni, io, i, j, "g_inh_post += w_di", model="w_di : siemens (shared, constant)",
                             delay=params.dcni_io_delay, name="dcni_io")
    run_time.append((syn["dcni_io"], "w_di", params.w_dcni_io))
    pre["dcni_io"], src["dcni_io"] = i, "dcni"
    i = np.arange(params.n_pc) // (params.n_pc // params.n_io)
    j = np.arange(params.n_pc)
    syn["cf"] = climbing_fibres(io, pc, i, j, delay=pl.cf_delay, name="cf")
    pre["cf"], src["cf"] = i, "io"

    # MF -> DCN: plastic, taught by the PC population rate (pause -> LTP, high activity -> LTD)
    i, j = fixed_indegree(rng, tc.n_mf, params.n_dcn, params.mf_per_dcn)
    if i.size:
        syn["mf_dcn"] = mf_dcn_synapses(layer.mf, dcn, i, j, params)
        run_time += [(syn["mf_dcn"], "a_ltp", params.a_ltp), (syn["mf_dcn"], "a_ltd", params.a_ltd)]
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
    return EyeblinkCircuit(layer, pc, mli, dcn, dcni, io, syn, pre, src, extra, run_time)
