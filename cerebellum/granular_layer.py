"""Granular-layer time code: mossy fibres → granule cells ⇄ Golgi cells during a sustained CS.

Mechanism: the CS reaches the granular layer on mossy fibres (MFs) with diverse time courses —
phasic (first 40 ms), tonic, and slowly recruited or adapting fibres (``1 - exp(-t/tau)`` or
``exp(-t/tau)``, ``tau`` log-uniform), a generalisation of the tonic + phasic CS fibres of Mauk &
Donegan (1997). A granule cell (GrC) samples 4 MFs through fast AMPA and slow NMDA-like
conductances (tau ≈ 50 ms) and fires only when several of its inputs are high at the same time;
Golgi cells (GoCs), driven by MFs and by the granule cells themselves, feed back fast + slow GABA
(7 / 59 ms, Yamazaki & Tanaka 2007) that keeps the active set sparse and pushes the population
from one set of cells to another as time passes. The population vector therefore moves with time
since CS onset (Medina & Mauk 2000; read as a memory, elapsed time becomes part of the address),
while trial-to-trial noise comes only from Poisson MF spikes.

The GrC and GoC are the shared cells of :mod:`cerebellum.cells` (parameters in
:class:`~cerebellum.params.granular_layer.GranularLayerParams`, exponential synapses and extra
slow channels); the GrC carries the PF eligibility of :mod:`cerebellum.eligibility` when a
:class:`~cerebellum.params.PlasticityTiming` is given. The GrC group is the large one, so it uses
the cheap forms of :func:`~cerebellum.cells.make_cells` (refractoriness from the last spike step,
event-driven eligibility, no free drive, ``grc_state_dtype`` storage): the dynamics of the
reference forms at a fraction of the memory traffic per step (``docs/performance.md``).

Units: Brian2 quantities in the parameters; numpy arrays in seconds / hertz in the helpers.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from brian2 import Hz, PoissonGroup, Quantity, TimedArray, mV, ms, second

from cerebellum.cells import connect, eligibility_delay_line, make_cells
from cerebellum.eyeblink_cs import clustered_indegree, timed_centres, timed_rate_table
from cerebellum.params import PlasticityTiming
from cerebellum.params.granular_layer import PROFILE_KINDS, GranularLayerParams
from core.units import check_quantity

__all__ = ["GranularLayer", "draw_cs_profiles", "cs_rate_table", "build_granular_layer", "fixed_indegree",
           "PROFILE_KINDS"]


def fixed_indegree(rng: np.random.Generator, n_pre: int, n_post: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Each of ``n_post`` cells draws ``k`` distinct presynaptic cells uniformly (numpy only).

    Returns
    -------
    i, j : int64 arrays of length ``n_post * k`` (presynaptic, postsynaptic index), ordered by
        postsynaptic cell and, within it, by presynaptic cell: a pathway that visits all synapses
        of one target (the climbing-fibre LTD reading each PF's eligibility) then reads the source
        arrays in ascending order instead of at random.
    """
    if k == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    if k > n_pre:
        raise ValueError(f"k = {k} is out of range: allowed k <= n_pre = {n_pre}")
    if k * k <= n_pre:
        pre = rng.integers(0, n_pre, size=(n_post, k))
        # redraw rows with a repeated source until all are distinct (rare when k^2 <= n_pre)
        while True:
            s = np.sort(pre, axis=1)
            bad = np.nonzero((s[:, 1:] == s[:, :-1]).any(axis=1))[0]
            if bad.size == 0:
                break
            pre[bad] = rng.integers(0, n_pre, size=(bad.size, k))
    else:
        pre = np.stack([rng.choice(n_pre, size=k, replace=False) for _ in range(n_post)])
    pre = np.sort(pre, axis=1)  # the same draw, sources in ascending order (see Returns)
    return pre.ravel().astype(np.int64), np.repeat(np.arange(n_post, dtype=np.int64), k)


def draw_cs_profiles(params: GranularLayerParams, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Profile kind (index into ``PROFILE_KINDS``, -1 = not CS-driven) and time constant (s) per MF."""
    n_cs = int(round(params.cs_fraction * params.n_mf))
    kinds = np.full(params.n_mf, -1, dtype=np.int64)
    cs_ids = rng.permutation(params.n_mf)[:n_cs]
    kinds[cs_ids] = rng.choice(len(PROFILE_KINDS), size=n_cs, p=np.asarray(params.profile_mix, float))
    lo, hi = float(params.tau_min / second), float(params.tau_max / second)
    taus = np.exp(rng.uniform(np.log(lo), np.log(hi), size=params.n_mf))
    return kinds, taus


def cs_rate_table(params: GranularLayerParams, kinds: np.ndarray, taus: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Extra MF rate (Hz) at times ``t`` (s) after CS onset; shape (len(t), n_mf)."""
    t = np.asarray(t, dtype=float)[:, None]
    amp = float(params.cs_rate / Hz)
    out = np.zeros((t.shape[0], kinds.size))
    ph = kinds == 0
    out[:, ph] = float(params.phasic_rate / Hz) * (t < float(params.phasic_duration / second))
    out[:, kinds == 1] = amp
    ri = kinds == 2
    out[:, ri] = amp * (1 - np.exp(-t / taus[ri]))
    de = kinds == 3
    out[:, de] = amp * np.exp(-t / taus[de])
    return out


@dataclass
class GranularLayer:
    """Brian2 objects of the granular layer and their connectivity (for event counts).

    Attributes
    ----------
    mf, grc, goc : groups
    synapses : dict name -> Synapses
    pre_index : dict name -> presynaptic index array of each pathway (for ``synaptic_events``)
    source : dict name -> group name ('mf', 'grc', 'goc') of each pathway's source
    kinds, taus : CS profile kind / time constant (s) of every untimed MF
    centres : preferred time (s) of every timed MF (indices ``n_mf`` on)
    timed : bool array, GrCs that sample timed MFs
    """

    mf: object
    grc: object
    goc: object
    synapses: dict
    pre_index: dict
    source: dict
    kinds: np.ndarray
    taus: np.ndarray
    centres: np.ndarray = None
    timed: np.ndarray = None

    @property
    def objects(self) -> list:
        return [self.mf, self.grc, self.goc, *self.synapses.values()]


def build_granular_layer(params: GranularLayerParams, rng: np.random.Generator, cs_gate: TimedArray,
                         cs_time: TimedArray, eligibility: PlasticityTiming | None = None,
                         max_cs: Quantity = 1 * second, grc_method: str = "euler") -> GranularLayer:
    """Build MFs, GrCs and GoCs driven by the schedule signals ``cs_gate`` / ``cs_time``.

    Parameters
    ----------
    params : GranularLayerParams
    rng : numpy Generator
        Connectivity and CS profiles.
    cs_gate, cs_time : TimedArray
        Schedule signals (:meth:`cerebellum.eyeblink_schedule.Schedule.timed_arrays`).
    eligibility : PlasticityTiming, optional
        Give the GrCs the PF eligibility ``elig`` (needed for PF→PC plasticity).
    max_cs : time
        Longest CS; the rate table covers ``[0, max_cs]`` at 1 ms.
    grc_method : str
        Brian2 integrator of the (large) GrC group; forward Euler is the cheap default and is
        stable because every GrC time constant is >= 1.9 ms, well above the time step.
    """
    if not isinstance(params, GranularLayerParams):
        raise TypeError(f"params = {params!r} must be a GranularLayerParams")
    check_quantity("max_cs", max_cs, "second", lo=0 * second, lo_open=True)
    kinds, taus = draw_cs_profiles(params, rng)
    t_grid = np.arange(int(round(float(max_cs / ms))) + 1) * 1e-3
    table = cs_rate_table(params, kinds, taus, t_grid)
    n_timed = params.n_mf_timed
    centres = timed_centres(rng, n_timed, float(params.timed_first / second), float(params.timed_last / second))
    if n_timed:
        table = np.hstack([table, timed_rate_table(centres, params.timed_width, float(params.timed_rate / Hz),
                                                   t_grid)])
    mf_profile = TimedArray(table * Hz, dt=1 * ms, name="mf_profile")
    mf = PoissonGroup(params.n_mf_total, rates="mf_rate_bg + cs_gate(t) * mf_profile(cs_time(t), i)",
                      namespace={"mf_rate_bg": params.mf_rate_bg, "cs_gate": cs_gate, "cs_time": cs_time,
                                 "mf_profile": mf_profile}, name="mf")

    # The large group: refractoriness from the last spike step and no free drive (less traffic per step).
    grc = make_cells(params.grc, params.n_grc, name="grc", eligibility=eligibility, method=grc_method,
                     channels={"nmda": (params.tau_nmda, 0 * mV), "gabas": (params.tau_gaba_slow, -80 * mV)},
                     eligibility_update=params.grc_eligibility, refractoriness="spike_step",
                     external_current=False, state_dtype=params.grc_state_dtype)
    syn, pre, src = {}, {}, {}
    if eligibility is not None:
        line = eligibility_delay_line(grc, eligibility)
        if line is not None:
            syn["grc_elig_delay"] = line
            pre["grc_elig_delay"], src["grc_elig_delay"] = np.arange(params.n_grc), "grc"
    goc_p = params.goc
    goc = make_cells(goc_p, params.n_goc, name="goc", channels={"pfs": (params.tau_grc_goc, 0 * mV)})
    # Start GoCs at random phases of their tonic cycle (no synchronous first volley).
    goc.v = goc_p.V_reset + rng.random(params.n_goc) * (goc_p.V_th - goc_p.V_reset)

    timed = (rng.random(params.n_grc) < params.timed_grc_fraction) if n_timed else np.zeros(params.n_grc, bool)
    i_u, j_u = fixed_indegree(rng, params.n_mf, int((~timed).sum()), params.mf_per_grc)
    j_u = np.nonzero(~timed)[0][j_u]
    i_t, j_t = clustered_indegree(rng, n_timed, np.nonzero(timed)[0], params.mf_per_grc, params.timed_pool) \
        if timed.any() else (np.zeros(0, np.int64), np.zeros(0, np.int64))
    order = np.argsort(np.concatenate([j_u, j_t]), kind="stable")
    i = np.concatenate([i_u, i_t + params.n_mf])[order]
    j = np.concatenate([j_u, j_t])[order]
    syn["mf_grc"] = connect(mf, grc, i, j, "g_exc_post += w_a\ng_nmda_post += w_n", model="",
                            namespace={"w_a": params.w_mf_ampa, "w_n": params.w_mf_nmda}, name="mf_grc")
    pre["mf_grc"], src["mf_grc"] = i, "mf"
    i, j = fixed_indegree(rng, params.n_goc, params.n_grc, params.goc_per_grc)
    if i.size:
        syn["goc_grc"] = connect(goc, grc, i, j, "g_inh_post += w_f\ng_gabas_post += w_s", model="",
                                 delay=params.goc_delay,
                                 namespace={"w_f": params.w_goc_fast, "w_s": params.w_goc_slow}, name="goc_grc")
        pre["goc_grc"], src["goc_grc"] = i, "goc"
    i, j = fixed_indegree(rng, params.n_grc, params.n_goc, params.grc_per_goc)
    if i.size:
        syn["grc_goc"] = connect(grc, goc, i, j, "g_pfs_post += w_g", model="",
                                 namespace={"w_g": params.w_grc_goc}, name="grc_goc")
        pre["grc_goc"], src["grc_goc"] = i, "grc"
    i, j = fixed_indegree(rng, params.n_mf_total, params.n_goc, params.mf_per_goc)
    if i.size:
        syn["mf_goc"] = connect(mf, goc, i, j, "g_exc_post += w_m", model="",
                                namespace={"w_m": params.w_mf_goc}, name="mf_goc")
        pre["mf_goc"], src["mf_goc"] = i, "mf"
    return GranularLayer(mf, grc, goc, syn, pre, src, kinds, taus, centres, timed)
