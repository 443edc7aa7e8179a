"""The cerebellar microcircuit wired as Kanerva's Sparse Distributed Memory (Brian2).

Mapping (Marr 1969, Albus 1971, Kanerva 1988 ch. 9, Kanerva 1993 §3.5): mossy fibres = address
lines, granule cells (GrC) = hard locations, PF→PC weights = counters, Purkinje cells (PC) = output
bits, climbing fibres (inferior olive, IO) = write line, Golgi cells (GoC) = inhibition that sets how
many locations are active, deep cerebellar nuclei (DCN) = output inhibited by the PCs.

Address code
    ``2n`` mossy fibres in ON/OFF pairs (:mod:`cerebellum.sdm_address_code`): every address
    activates exactly ``n`` fibres, presented as one volley (``sdm-recall`` jitters its spikes and
    adds Poisson background on every fibre; the threshold calibration below assumes neither).
Granule decoders (``mode``)
    ``dense``: GrC ``tau`` has a random address ``x_tau`` and receives the ``n`` fibres that match it,
    so a volley gives it ``(n - H(a, x_tau)) * w`` of conductance. ``w`` is calibrated
    (:func:`calibrate`) so that the firing threshold — leak, spike threshold and the feedforward
    Golgi inhibition evoked by the same volley — sits half-way between ``n - d - 1`` and ``n - d``
    matching inputs: the spiking active set is the Hamming ball of radius ``d``.
    ``biological``: GrC samples ``K`` fibres of distinct bits (Jaeckel's 1989 selected-coordinate
    design) through synapses of unequal strength — ``contacts`` uniform on ``1 .. contacts_max``
    units of the calibrated weight — and fires iff the contacts of its active inputs sum to
    ``grc_theta`` or more (:func:`cerebellum.sdm.weighted_coordinate_activation`). With ON/OFF pairs
    half the fibres are active, so equal synapses (``contacts_max = 1``, ``grc_theta = K``) give a
    coding level of exactly ``2^-K`` = 6.25 % at ``K = 4`` whatever the inhibition; unequal synapses
    with a threshold set the coding level below that, as the GrC threshold does in Litwin-Kumar et
    al. 2017 (K = 4, f = 0.01). The defaults (``contacts_max = 3``, ``grc_theta = 9``) give 3.3 %.
    Golgi cells add feedforward (MF) and feedback (GrC) inhibition; the threshold is calibrated
    with that inhibition in place.
Golgi cells
    Each samples ``goc_mf_bits`` bits through both fibres of each pair, so its feedforward drive is
    the same for every address; in dense mode all Golgi cells therefore behave identically and
    every GrC sees the same inhibition (feedback is off by default there because a query-dependent
    inhibition would move the radius).
Purkinje cells
    ``pcs_per_bit`` PCs per pointer bit share that bit's climbing fibre (PC ``b*k .. b*k+k-1``),
    followed by ``k`` *reference* PCs with static, unwritten weights ``w0`` and no climbing fibre:
    the readout of bit ``j`` compares its PCs' mean rate with the reference PCs, which receive the
    same parallel-fibre input (this cancels the query-dependent number of active GrCs). PCs start
    at random phases so that spike-count quantisation averages out. PF input arrives on a separate
    ``pf`` channel with time constant ``tau_pf`` so one volley changes the rate for ~100 ms.
Deep cerebellar nuclei (the spiking decision)
    Every pointer bit has two groups of ``dcn_per_group`` tonically firing nuclear cells (intrinsic
    pacemaking from the bias current ``dcn.I_e``, spread by ``dcn_drive_spread`` across a group,
    and slow inhibitory conductances, ``dcn.tau_inh``): the *bit* group, inhibited by the bit's PCs, and
    the *reference* group, inhibited by the reference PCs; the two groups inhibit each other
    (``w_dcn_lateral``). A depressed bit (pointer bit 1 written by LTD) lowers its PCs' rate below the
    reference, disinhibits its bit group and, through the mutual inhibition, suppresses its reference
    group further: the bit is 1 when the bit group fires more spikes than the reference group in the
    read window (:mod:`cerebellum.sdm_nuclei`).
Write rule
    PF→PC plasticity of :mod:`cerebellum.plasticity` with the rule
    :attr:`~cerebellum.params.sdm_circuit.SDMCircuitParams.plasticity_rule`: with the default
    ``A_minus = 2 A_plus`` one write changes a location's counter by ``+A_plus`` (pointer bit 0,
    LTP only) or ``-A_plus`` (bit 1, LTP + CF-timed LTD at the eligibility peak): Kanerva's bipolar
    counters, with ``A_plus = pf_signal / (expected active GrCs)``. The GrC eligibility read by the
    CF pathway is, by default, the analytic kernel of the last GrC spike (``eligibility``), which
    costs nothing per time step; ``eligibility="chain"`` integrates the filter chain on every GrC.

API: :class:`~cerebellum.params.sdm_circuit.SDMCircuitParams` (the parameters, Brian2-free),
:func:`calibrate`, :func:`build_sdm_circuit` → :class:`SDMCircuit` (with ``set_inputs`` for the
mossy-fibre volleys and teacher spikes), :func:`active_fibres`, :func:`granule_fibres`; the nuclear layout,
wiring and read are in :mod:`cerebellum.sdm_nuclei`.
"""
from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass

import numpy as np
from brian2 import Hz, Network, Quantity, SpikeGeneratorGroup, SpikeMonitor, ms, mV, nS, pA, second

from cerebellum import sdm
from cerebellum.cells import (cell_equations, connect, connect_channel, eligibility_delay_line, make_cells,
                              on_pre_code)
from cerebellum.params import PlasticityParams
from cerebellum.params.sdm_circuit import MODES, SDMCircuitParams
from cerebellum.plasticity import climbing_fibres, pf_pc_synapses, plasticity_schedule
from cerebellum.sdm_address_code import active_fibres, granule_fibres
from cerebellum.sdm_nuclei import dcn_drive_offsets, dcn_initial_potentials, dcn_wiring

__all__ = ["SDMCircuitParams", "SDMCircuit", "build_sdm_circuit", "calibrate", "active_fibres",
           "granule_fibres", "MODES"]


# -- threshold calibration ---------------------------------------------------------------------

@contextlib.contextmanager
def _runtime_device():
    """Temporarily switch Brian2 to the numpy runtime (also inside a standalone session)."""
    import brian2
    from brian2.devices.device import reset_device, set_device

    target = brian2.prefs.codegen.target
    set_device("runtime")
    brian2.prefs.codegen.target = "numpy"
    try:
        yield
    finally:
        brian2.prefs.codegen.target = target
        reset_device()


_CALIBRATION_CACHE: dict = {}


def calibrate(params: SDMCircuitParams, cycles: int = 3, probes: int = 1500) -> dict:
    """Find the MF→GrC weight that puts the GrC threshold between ``theta - 1`` and ``theta`` inputs.

    A small numpy-runtime network replays the periodic volley schedule (one volley every
    ``period``) through one Golgi cell and ``probes`` granule cells that each receive one synapse
    of conductance ``G`` (geometric grid 0.3–30 nS, 0.3 % steps); the smallest ``G`` that fires in
    the last cycle is ``G_crit``. Returns ``w_mf_grc = G_crit / (theta - 0.5)``, so ``theta``
    synchronous inputs exceed the threshold by ``0.5 / (theta - 0.5)`` and ``theta - 1`` miss it
    by as much. The same run measures GrC latencies and the IO response to one teacher spike.
    Results are cached in memory and on disk (under ``$SPIKING_MEMORY_CACHE``) per parameter set.

    Returns
    -------
    dict with ``G_crit`` [nS], ``w_mf_grc`` [nS], ``resolution`` (relative grid step),
    ``latency_theta`` / ``latency_max`` [ms] (GrC latency with ``theta`` / all inputs),
    ``io_latency`` [ms] and ``io_spikes`` (IO spikes per teacher spike).
    """
    import hashlib
    import json
    import os
    from pathlib import Path

    import brian2

    key = hashlib.sha1(f"{params!r}|{cycles}|{probes}|{brian2.__version__}|{brian2.defaultclock.dt}".encode()).hexdigest()
    if key in _CALIBRATION_CACHE:
        return dict(_CALIBRATION_CACHE[key])
    root = Path(os.environ.get("SPIKING_MEMORY_CACHE") or Path.home() / ".cache" / "spiking-memory")
    path = root / "calibration" / f"sdm-{key}.json"
    if path.exists():
        out = json.loads(path.read_text())
        _CALIBRATION_CACHE[key] = out
        return dict(out)
    theta = params.threshold_inputs
    grid = np.geomspace(0.3, 30.0, probes)
    fired, lat = _probe_run(params, grid, cycles)
    if not fired.any() or fired.all():
        raise RuntimeError(f"GrC calibration failed: no threshold inside [{grid[0]}, {grid[-1]}] nS "
                           "(check GrC/GoC weights)")
    if not np.all(np.diff(fired.astype(int)) >= 0):
        raise RuntimeError("GrC calibration failed: firing is not monotonic in the input conductance")
    k = int(np.argmax(fired))
    g_crit = float(grid[k])
    w = g_crit / (theta - 0.5)
    n_max = params.n if params.mode == "dense" else params.K * params.contacts_max

    def latency(g):
        j = int(np.argmin(np.abs(grid - g)))
        return float(lat["grc"][j])

    out = {"G_crit": g_crit, "w_mf_grc": w, "resolution": float(grid[1] / grid[0] - 1),
           "latency_theta": latency(theta * w), "latency_max": latency(min(n_max * w, grid[-1])),
           "io_latency": lat["io_latency"], "io_spikes": lat["io_spikes"]}
    _CALIBRATION_CACHE[key] = out
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(json.dumps(out))
        os.replace(tmp, path)
    except OSError:  # a read-only cache only costs a recalibration
        pass
    return dict(out)


def _probe_run(params: SDMCircuitParams, grid_nS: np.ndarray, cycles: int):
    """Run the calibration network; return which probes fired in the last cycle, and latencies."""
    from brian2 import Network, SpikeGeneratorGroup, SpikeMonitor

    with _runtime_device():
        period = params.period
        t0 = 5 * ms
        volleys = (t0 + np.arange(cycles) * period)
        idx = [0] * cycles
        times = list(volleys)
        t_teacher = volleys[-1] + 50 * ms
        idx.append(1)
        times.append(t_teacher)
        src = SpikeGeneratorGroup(2, np.array(idx), Quantity(times), name="calib_src")
        goc = make_cells(params.goc, 1, name="calib_goc")
        grc = make_cells(params.grc, len(grid_nS), name="calib_grc", method=params.grc_method)
        io = make_cells(params.io, 1, name="calib_io")
        s1 = connect_channel(src, goc, params.goc, np.array([0]), np.array([0]),
                             params.goc_mf_bits * params.w_mf_goc, delay=params.delay_mf_goc, name="calib_mf_goc")
        s2 = connect_channel(src, grc, params.grc, np.zeros(len(grid_nS), np.int64), np.arange(len(grid_nS)),
                             grid_nS * nS, delay=params.delay_mf_grc, name="calib_mf_grc")
        s3 = connect_channel(goc, grc, params.grc, np.zeros(len(grid_nS), np.int64), np.arange(len(grid_nS)),
                             params.goc_per_grc * params.w_goc_grc, channel="inh",
                             delay=params.delay_goc_grc, name="calib_goc_grc")
        s4 = connect_channel(src, io, params.io, np.array([1]), np.array([0]), params.w_teacher, name="calib_teach")
        mon = SpikeMonitor(grc, name="calib_grc_mon")
        mon_io = SpikeMonitor(io, name="calib_io_mon")
        net = Network(src, goc, grc, io, s1, s2, s3, s4, mon, mon_io)
        net.run(volleys[-1] + 100 * ms)
        t = np.asarray(mon.t / ms)
        i = np.asarray(mon.i)
        last = t >= float(volleys[-1] / ms)
        fired = np.zeros(len(grid_nS), bool)
        fired[i[last]] = True
        first = np.full(len(grid_nS), np.nan)
        for k in range(len(grid_nS)):
            sel = last & (i == k)
            if sel.any():
                first[k] = t[sel].min() - float(volleys[-1] / ms)
        io_t = np.asarray(mon_io.t / ms)
        lat = {"grc": first, "io_spikes": int(io_t.size),
               "io_latency": float(io_t.min() - float(t_teacher / ms)) if io_t.size else float("nan")}
    return fired, lat


# -- the circuit ---------------------------------------------------------------------------------

@dataclass
class SDMCircuit:
    """Brian2 objects and connectivity of one SDM circuit (built, not run).

    Attributes
    ----------
    params : SDMCircuitParams
    plasticity : PlasticityParams (derived)
    calibration : dict (see :func:`calibrate`)
    mf, teacher : SpikeGeneratorGroup
        Mossy fibres (``2n``) and teacher inputs to the IO (``n_out``); fill with :meth:`set_inputs`.
    grc, goc, pc, io, dcn : NeuronGroup
        ``dcn`` holds ``2 n_out dcn_per_group`` cells laid out by
        :func:`cerebellum.sdm_nuclei.dcn_layout`.
    synapses : dict of Synapses (``pf_pc`` is the plastic one)
    monitors : dict of SpikeMonitor (``grc``, ``pc``, ``io``, ``dcn``, ``goc``)
    granule_addresses : (r, n) uint8 or None (dense)
    coords, values, contacts : (r, K) or None (biological: sampled bits, required values, synapse
        strengths in units of the calibrated weight)
    mf_to_grc : (r, n) or (r, K) int — fibre index of each GrC input
    goc_to_grc, grc_to_goc : (i, j) int arrays
        Golgi→granule and granule→Golgi synapse indices (for event counts).
    mf_to_goc : (n_goc, 2 goc_mf_bits) int
    pc_to_dcn, dcn_lateral : (i, j) int arrays
        Purkinje→nuclear and nuclear bit↔reference synapse indices
        (:func:`cerebellum.sdm_nuclei.dcn_wiring`).
    network : brian2.Network
    """

    params: SDMCircuitParams
    plasticity: PlasticityParams
    calibration: dict
    mf: object
    teacher: object
    grc: object
    goc: object
    pc: object
    io: object
    dcn: object
    synapses: dict
    monitors: dict
    granule_addresses: np.ndarray | None
    coords: np.ndarray | None
    values: np.ndarray | None
    contacts: np.ndarray | None
    mf_to_grc: np.ndarray
    goc_to_grc: tuple
    grc_to_goc: tuple
    mf_to_goc: np.ndarray
    pc_to_dcn: tuple
    dcn_lateral: tuple
    network: object

    def pc_groups(self) -> np.ndarray:
        """Pointer bit of every PC (``n_out`` for the unwritten reference PCs)."""
        return np.repeat(np.arange(self.params.n_out + 1), self.params.pcs_per_bit)

    def set_inputs(self, mf_indices, mf_times, teacher_indices, teacher_times) -> None:
        """Set the mossy-fibre and teacher spike trains (arrays of indices and times)."""
        from brian2 import defaultclock

        dt = float(defaultclock.dt / second)
        for name, group, idx, t in (("mf", self.mf, mf_indices, mf_times),
                                    ("teacher", self.teacher, teacher_indices, teacher_times)):
            idx = np.asarray(idx, dtype=np.int64)
            if not isinstance(t, Quantity) and np.size(t):
                raise TypeError(f"{name}_times must have units of time")
            tt = np.round(np.asarray(t / second, dtype=float) / dt) * dt if np.size(t) else np.zeros(0)
            if idx.shape != tt.shape:
                raise ValueError(f"{name}_indices and {name}_times must have the same shape "
                                 f"({idx.shape} vs {tt.shape})")
            order = np.lexsort((idx, tt))
            group.set_spikes(idx[order], tt[order] * second)

    def expected_active(self, addresses) -> np.ndarray:
        """Abstract active sets for ``addresses`` (dense: Hamming ball; biological: selected
        coordinates with the realised contacts and threshold)."""
        a = np.atleast_2d(addresses)
        if self.params.mode == "dense":
            return sdm.hamming_distances(a, self.granule_addresses) <= self.params.d
        return sdm.weighted_coordinate_activation(a, self.coords, self.values, self.contacts,
                                                  self.params.grc_theta)


def _granule_cells(p: SDMCircuitParams, plast: PlasticityParams, r: int):
    """GrC group with an ``elig`` variable for the PF->PC rule (see ``SDMCircuitParams.eligibility``)."""
    if p.eligibility == "chain":
        return make_cells(p.grc, r, name="grc", eligibility=plast, method=p.grc_method)
    from brian2 import NeuronGroup

    eqs, ns = cell_equations(p.grc)
    k = plast.n_stages - 1
    # eligibility_kernel(t - lastspike) of cerebellum.params, as a subexpression: evaluated only where
    # the CF pathway reads elig_pre (lastspike starts at -1e4 s, where the kernel underflows to 0).
    # Constants are literals: the subexpression is resolved in the pf_pc synapses' namespace.
    ns.update(V_reset=p.grc.V_reset, V_th=p.grc.V_th)
    tau = f"({float(plast.tau_e / second)!r}*second)"
    lag = f"(t - lastspike - {float(plast.eligibility_delay / second)!r}*second)"
    norm = repr(1.0 / (math.factorial(k) * plast.kernel_peak_value))
    eqs += (f"\nelig = int({lag} > 0*second) * ({lag}/{tau})**{k}"
            f" * exp(-{lag}/{tau}) * {norm} : 1")
    grc = NeuronGroup(r, eqs, threshold="v > V_th", reset="v = V_reset", refractory=p.grc.t_ref,
                      method=p.grc_method, namespace=ns, name="grc")
    grc.v = p.grc.E_L
    return grc


def _nuclear_cells(p: SDMCircuitParams, pc, syn: dict):
    """The decision stage (:mod:`cerebellum.sdm_nuclei`): nuclear bit and reference groups of every
    pointer bit, Purkinje inhibition and the mutual inhibition of the two groups (added to ``syn``).

    No random draw: the initial potentials are an even spread, so adding the stage leaves every
    other draw of the circuit unchanged.
    """
    g = p.dcn_per_group
    dcn = make_cells(p.dcn, 2 * p.n_out * g, name="dcn")
    dcn.v = dcn_initial_potentials(float(p.dcn.V_reset / mV), float(p.dcn.V_th / mV), p.n_out, g) * mV
    dcn.I_ext = dcn_drive_offsets(float(p.dcn.I_e / pA), p.dcn_drive_spread, p.n_out, g) * pA
    pc_to_dcn, lateral = dcn_wiring(p.n_out, p.pcs_per_bit, g)
    syn["pc_dcn"] = connect_channel(pc, dcn, p.dcn, pc_to_dcn[0], pc_to_dcn[1], p.w_pc_dcn, channel="inh",
                                    delay=p.delay_pc_dcn, name="pc_dcn")
    if p.w_dcn_lateral > 0 * nS:
        syn["dcn_lateral"] = connect_channel(dcn, dcn, p.dcn, lateral[0], lateral[1], p.w_dcn_lateral,
                                             channel="inh", delay=p.delay_dcn_lateral, name="dcn_lateral")
    else:
        lateral = (np.zeros(0, np.int64), np.zeros(0, np.int64))
    return dcn, pc_to_dcn, lateral


def build_sdm_circuit(params: SDMCircuitParams, rng: np.random.Generator, plastic_windows=(),
                      total_time=None) -> SDMCircuit:
    """Build the circuit of the module docstring (nothing is run).

    Parameters
    ----------
    params : SDMCircuitParams
    rng : numpy Generator
        Draws every connection (same seed, same network on every device).
    plastic_windows : list of (time, time)
        Windows in which PF→PC plasticity is on (a ``TimedArray`` switch).
    total_time : time
        Length of the schedule (needed with ``plastic_windows``).
    """
    if not isinstance(params, SDMCircuitParams):
        raise TypeError(f"params = {params!r} must be an SDMCircuitParams")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng = {rng!r} must be a numpy Generator")
    p = params
    cal = calibrate(p)
    plast = p.plasticity_rule
    n, r = p.n, p.r
    # -- granule address decoders
    if p.mode == "dense":
        granule_addresses = rng.integers(0, 2, size=(r, n), dtype=np.uint8)
        coords = values = contacts = None
        mf_to_grc = granule_fibres(np.broadcast_to(np.arange(n), (r, n)), granule_addresses, n)
    else:
        granule_addresses = None
        coords, values = sdm.random_selected_coordinates(n, r, p.K, rng)
        contacts = sdm.random_contacts(r, p.K, p.contacts_max, rng)
        mf_to_grc = granule_fibres(coords, values, n)
    # -- groups
    mf = SpikeGeneratorGroup(p.n_fibres, np.zeros(0, np.int64), np.zeros(0) * ms, name="mf")
    teacher = SpikeGeneratorGroup(p.n_out, np.zeros(0, np.int64), np.zeros(0) * ms, name="teacher")
    grc = _granule_cells(p, plast, r)
    elig_line = eligibility_delay_line(grc, plast) if p.eligibility == "chain" else None
    n_goc = p.golgi_count
    goc = make_cells(p.goc, n_goc, name="goc")
    k = p.pcs_per_bit
    pc = make_cells(p.pc, (p.n_out + 1) * k, name="pc", cf_event=True, channels={"pf": (p.tau_pf, p.pc.E_exc)})
    pc.v = rng.uniform(float(p.pc.V_reset / mV), float(p.pc.V_th / mV), len(pc)) * mV  # random phases
    io = make_cells(p.io, p.n_out, name="io")
    syn = {}
    units = contacts.ravel() if contacts is not None else 1.0
    syn["mf_grc"] = connect_channel(mf, grc, p.grc, mf_to_grc.ravel(), np.repeat(np.arange(r), mf_to_grc.shape[1]),
                                    units * cal["w_mf_grc"] * nS, delay=p.delay_mf_grc, name="mf_grc")
    # Golgi feedforward: both fibres of goc_mf_bits bits -> address-independent drive
    goc_bits = np.stack([rng.choice(n, p.goc_mf_bits, replace=False) for _ in range(n_goc)])
    mf_to_goc = np.concatenate([goc_bits, goc_bits + n], axis=1)
    syn["mf_goc"] = connect_channel(mf, goc, p.goc, mf_to_goc.ravel(), np.repeat(np.arange(n_goc), mf_to_goc.shape[1]),
                                    p.w_mf_goc, delay=p.delay_mf_goc, name="mf_goc")
    gi = np.stack([rng.choice(n_goc, min(p.goc_per_grc, n_goc), replace=False) for _ in range(r)]) \
        if p.goc_per_grc else np.zeros((r, 0), np.int64)
    goc_to_grc = (gi.ravel(), np.repeat(np.arange(r), gi.shape[1]))
    if gi.size:
        # with fewer Golgi cells than goc_per_grc, scale so every GrC gets the same total inhibition
        w_gg = p.w_goc_grc * p.goc_per_grc / gi.shape[1]
        syn["goc_grc"] = connect_channel(goc, grc, p.grc, goc_to_grc[0], goc_to_grc[1], w_gg, channel="inh",
                                         delay=p.delay_goc_grc, name="goc_grc")
    grc_to_goc = (np.zeros(0, np.int64), np.zeros(0, np.int64))
    if (p.mode == "biological" or p.dense_feedback) and p.grc_per_goc and p.w_grc_goc > 0 * nS:
        src = np.concatenate([rng.choice(r, p.grc_per_goc, replace=False) for _ in range(n_goc)])
        grc_to_goc = (src, np.repeat(np.arange(n_goc), p.grc_per_goc))
        syn["grc_goc"] = connect_channel(grc, goc, p.goc, grc_to_goc[0], grc_to_goc[1], p.w_grc_goc,
                                         delay=p.delay_grc_goc, name="grc_goc")
    # PF -> PC: all GrCs to every plastic PC, plus static synapses to the reference PC
    schedule = None
    if plastic_windows:
        if total_time is None:
            raise ValueError("total_time is required with plastic_windows")
        schedule = plasticity_schedule(list(plastic_windows), total_time, dt=1 * ms)
    pf_i = np.tile(np.arange(r), p.n_out * k)
    pf_j = np.repeat(np.arange(p.n_out * k), r)
    syn["pf_pc"] = pf_pc_synapses(grc, pc, p.pc, pf_i, pf_j, plast, channel="pf", schedule=schedule, name="pf_pc")
    if schedule is None:
        syn["pf_pc"].plastic = 0
    ref = p.n_out * k + np.arange(k)
    syn["pf_ref"] = connect(grc, pc, np.tile(np.arange(r), k), np.repeat(ref, r), on_pre_code(p.pc, "pf"),
                            w=plast.w0, delay=plast.pf_delay, name="pf_ref")
    syn["cf"] = climbing_fibres(io, pc, np.repeat(np.arange(p.n_out), k), np.arange(p.n_out * k), plast.cf_delay,
                                w_cf=p.w_cf, pc_params=p.pc, name="cf")
    syn["teacher_io"] = connect_channel(teacher, io, p.io, np.arange(p.n_out), np.arange(p.n_out), p.w_teacher,
                                        name="teacher_io")
    dcn, pc_to_dcn, dcn_lateral = _nuclear_cells(p, pc, syn)
    if elig_line is not None:
        syn["grc_elig_delay"] = elig_line
    objs = [mf, teacher, grc, goc, pc, io, dcn, *syn.values()]
    if p.mf_background_rate > 0 * Hz:
        from brian2 import PoissonInput

        # background spikes reach every GrC input independently (approximation of shared fibres;
        # one calibrated unit per spike, also where a synapse has more contacts)
        target, scale = ("g_exc", 1.0) if p.grc.synapse == "exp" else ("y_exc", math.e)
        bg = PoissonInput(grc, target, mf_to_grc.shape[1], p.mf_background_rate, weight=scale * cal["w_mf_grc"] * nS)
        objs.append(bg)
    monitors = {k: SpikeMonitor(g, name=f"mon_{k}") for k, g in
                (("grc", grc), ("pc", pc), ("io", io), ("dcn", dcn), ("goc", goc))}
    net = Network(*objs, *monitors.values())
    return SDMCircuit(params=p, plasticity=plast, calibration=cal, mf=mf, teacher=teacher, grc=grc, goc=goc,
                      pc=pc, io=io, dcn=dcn, synapses=syn, monitors=monitors, granule_addresses=granule_addresses,
                      coords=coords, values=values, contacts=contacts, mf_to_grc=mf_to_grc, goc_to_grc=goc_to_grc,
                      grc_to_goc=grc_to_goc, mf_to_goc=mf_to_goc, pc_to_dcn=pc_to_dcn, dcn_lateral=dcn_lateral,
                      network=net)
