"""Spiking hippocampal-entorhinal memory that computes softmax attention (modern Hopfield read-out).

Circuit (Nessler et al. 2013, PLoS Comput. Biol. 9:e1003037; Krotov & Hopfield 2021, ICLR,
arXiv:2008.06996; TEM-t, Whittington, Warren & Behrens 2022, ICLR, arXiv:2112.04035):

* **MEC**: ``mec_copies`` Poisson cells per code unit ``i`` (grid-cell phase class or pattern bit)
  fire at ``mec_max_rate * code_scale * q_i(t)``, where ``q(t)`` is the scheduled query code
  (non-negative; rates above ``mec_max_rate`` are rejected, not clipped). The query code itself is
  computed in numpy by the caller, or by the circuit in the closed-loop mode below.
* **Memory slots** -- a *gated, pre-wired slot pool*: every slot's key is wired into its MEC->slot
  synapses at build time (``w = k / (code_scale mec_copies tau_key mec_max_rate)``, so
  ``E[h_mu] = k_mu . q`` for ``tau_key dh_mu/dt = -h_mu + tau_key sum_i w_mu,i s_i(t)``); "writing"
  memory ``mu`` one-shot at window ``write[mu]`` means opening its gate, "clearing" it closes the
  gate again. There is no synaptic plasticity: which slot holds what is decided in numpy (in the
  closed-loop mode a slot's key synapses are instead set once, from the circuit's estimate, when
  the slot is written).
* **Memory neurons**: ``copies`` neurons per slot share ``h`` (identical key synapses from the
  same MEC spikes give identical traces, so a linked variable is exact) and fire with
  exponential escape noise ``rho = gate_mu(t) r0 exp(u)``,
  ``u = beta(t) (h - kappa) + shift(t) - g_i / g_scale``. The gate (1 between the slot's write and
  clear times, else 0) *multiplies* the rate, so a closed slot is silent at any ``beta`` (``u`` is
  clipped at 50 only to keep ``exp`` finite; ``r0 e^50 dt >> 1``). ``shift`` is a tonic drive
  common to all memory neurons (used to test normalisation).
* **Interneurons** (PV basket-like, :class:`hippocampus.params.InterneuronParams`): a population of
  ``n_interneurons`` conductance-based LIF cells; every memory spike raises the excitatory
  conductance ``g_e`` of the interneurons it contacts (probability ``p_mem_pv``). Every
  interneuron spike raises the inhibitory conductance ``g_i`` of the memory neurons it contacts
  (probability ``p_pv_mem``) by ``w_i``; ``g_i`` decays with ``tau_i``. Each memory neuron has its
  own ``g_i``, changed only by interneuron spikes. Subtractive in the exponent = divisive on the
  rate: when every memory neuron receives the same ``g_i`` (``p_pv_mem = 1``) the probability that
  the next spike comes from slot ``mu`` is ``softmax(beta k . q)_mu``, and the interneurons set
  only the pool rate; with ``p_pv_mem < 1`` the inhibition differs across neurons and the shares
  depart from the softmax.
* **Read-out** (CA1 / EC output): each memory spike adds ``v_mu,j`` to a synaptic trace ``n_j``
  (decay ``tau_out``); ``readout_copies`` Poisson neurons per dimension fire at
  ``out_gain * n_j``. Their **spike counts** in the read window are the decoded value (up to a
  positive scale: the direction is the spike-share-weighted value ``sum_mu c_mu v_mu``). The
  noise-free intensity ``out_gain * n_j`` averaged over the read window is also recorded, as a
  diagnostic only (:meth:`MemoryCircuit.window_readout_intensity`).

**Closed-loop path integration** (optional, :class:`PathIntegrationInput`; navigation with noisy
path integration, :mod:`hippocampus.pathint`): the MEC query is then not scheduled but computed by
the circuit. A phase population holds the ``3 M`` wave phases of the position estimate; at the
start of each window, in order: (1) the estimate is re-anchored to the grid phase decoded from the
memory spikes of the previous read window -- each spike of a memory neuron whose slot stores the
current observation and whose dendritic overlap ``h`` is at least ``match_min`` adds the unit
vector of that slot's stored phase to the phase cell's accumulators ``(C, S)``; the phase moves to
the direction of ``(C, S)`` (by ``gain``: a blend of unit vectors, renormalised) when such spikes
are at least ``min_share`` of all memory spikes of that read window -- or restarts at a scheduled
start phase; (2) the slot written in this window stores the estimate: its MEC->slot weights
become the grid-cell key rates of the estimate and its memory->phase synapses the estimate's
phases; (3) the estimate moves by the scheduled step (action
plus noise), and the MEC rates become those of the moved estimate (the query). The key synapses
are then all-to-all (a key can use any grid cell).

Everything time-dependent (queries, beta, shift) is a ``TimedArray``; each slot has a constant
write and clear time, and the read window is computed from ``t`` modulo the period, so a whole
protocol runs as one compiled program. The builder does not run anything.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from brian2 import (Hz, NeuronGroup, SpikeMonitor, StateMonitor, Synapses, TimedArray, defaultclock, linked_var,
                    ms, second)

from core.spikes import periodic_window_counts
from core.units import check_multiple_of_dt
from hippocampus.params import MemoryCircuitParams


@dataclass(frozen=True)
class WindowSchedule:
    """Piecewise-constant inputs of the memory circuit, one row per window of length ``period``.

    Attributes
    ----------
    period : Quantity [ms]
        Window length (one query / one navigation step); a multiple of ``dt``.
    query : ndarray, shape (n_windows, d_k)
        Query code ``q`` shown on MEC in each window (non-negative, code units).
    beta : ndarray, shape (n_windows,)
        Inverse temperature (> 0) in each window.
    write : ndarray of int, shape (n_slots,)
        Window at whose start each slot's gate opens (memory written); ``>= n_windows`` means
        never (an unused slot, silent).
    clear : ndarray of int, shape (n_slots,)
        Window at whose start each slot's gate closes again; ``>= n_windows`` means never.
    shift : ndarray, shape (n_windows,)
        Common tonic drive added to every memory neuron's exponent.
    settle : Quantity [ms]
        Start of the read window inside each period (a multiple of ``dt``); spikes are counted
        from ``settle`` to ``period``.
    dt : Quantity [ms]
        Integration time step of the simulation that runs the schedule (``defaultclock.dt`` when
        the circuit is built); window edges lie on its grid.
    """

    period: object
    query: np.ndarray
    beta: np.ndarray
    write: np.ndarray
    clear: np.ndarray
    shift: np.ndarray
    settle: object
    dt: object

    def __post_init__(self):
        q = np.asarray(self.query, float)
        if q.ndim != 2:
            raise ValueError(f"query has shape {q.shape}: allowed (n_windows, d_k)")
        n = q.shape[0]
        if np.any(q < 0) or not np.all(np.isfinite(q)):
            raise ValueError("query must be finite and non-negative (it drives Poisson rates)")
        beta = np.asarray(self.beta, float)
        if beta.shape != (n,):
            raise ValueError(f"beta has shape {beta.shape}: allowed (n_windows,) = ({n},)")
        if np.any(beta <= 0):
            raise ValueError(f"beta has entries <= 0 (min {beta.min()}): allowed beta > 0")
        write = np.asarray(self.write)
        clear = np.asarray(self.clear)
        if write.ndim != 1 or clear.shape != write.shape or write.dtype.kind not in "iu" or clear.dtype.kind not in "iu":
            raise ValueError(f"write {write.shape} and clear {clear.shape} must be integer arrays of shape (n_slots,)")
        if np.any(write < 0) or np.any(clear < write):
            raise ValueError("write must be >= 0 and clear >= write (window indices)")
        shift = np.asarray(self.shift, float)
        if shift.shape != (n,):
            raise ValueError(f"shift has shape {shift.shape}: allowed (n_windows,) = ({n},)")
        if not (0 * ms <= self.settle < self.period):
            raise ValueError(f"settle = {self.settle} is out of range: allowed 0 ms <= settle < period = {self.period}")
        check_multiple_of_dt("period", self.period, self.dt)
        check_multiple_of_dt("settle", self.settle, self.dt)
        for name, arr in (("query", q), ("beta", beta), ("write", write), ("clear", clear), ("shift", shift)):
            object.__setattr__(self, name, arr)

    @property
    def n_windows(self) -> int:
        """Number of windows."""
        return int(self.query.shape[0])

    @property
    def active(self) -> np.ndarray:
        """Boolean (n_windows, n_slots): slot's gate open during window."""
        w = np.arange(self.n_windows)[:, None]
        return (w >= self.write[None, :]) & (w < self.clear[None, :])

    @property
    def duration(self):
        """Scheduled time, ``n_windows * period`` (Quantity)."""
        return self.n_windows * self.period


@dataclass(frozen=True)
class PathIntegrationInput:
    """Inputs of the closed-loop path integration (see the module docstring).

    Attributes
    ----------
    grid : hippocampus.grid.GridCode
        Grid code of the MEC units (unit ``i`` is grid cell ``i``).
    steps : ndarray, shape (n_windows, 3 M)
        Phase increment (rad) applied to the estimate after the write of each window (action plus
        path-integration noise).
    restart : ndarray of bool, shape (n_windows,)
        Windows at whose start the estimate is set to ``restart_phase`` instead of corrected.
    restart_phase : ndarray, shape (n_windows, 3 M)
        Start phase (rad), used where ``restart``.
    observation_next : ndarray of int, shape (n_windows,)
        Object observed at the end of each window (the step after it); -1 where none.
    slot_object : ndarray of int, shape (n_slots,)
        Object stored in each slot's value; -2 for a slot that is never written.
    match_min, min_share, gain : float
        The correction rule (:class:`hippocampus.pathint.CorrectionRule`).
    """

    grid: object
    steps: np.ndarray
    restart: np.ndarray
    restart_phase: np.ndarray
    observation_next: np.ndarray
    slot_object: np.ndarray
    match_min: float
    min_share: float
    gain: float


@dataclass
class MemoryCircuit:
    """Brian2 objects of the memory circuit and the index arrays the metrics need."""

    params: MemoryCircuitParams
    schedule: WindowSchedule
    n_slots: int
    d_v: int
    mec: NeuronGroup
    slots: NeuronGroup
    memory: NeuronGroup
    interneurons: NeuronGroup
    value_trace: NeuronGroup
    readout: NeuronGroup
    key_syn: Synapses
    mem_pv_syn: Synapses
    pv_mem_syn: Synapses
    value_syn: Synapses
    memory_spikes: SpikeMonitor
    interneuron_spikes: SpikeMonitor
    mec_counts: SpikeMonitor
    readout_spikes: SpikeMonitor
    intensity_acc: StateMonitor
    key_sources: np.ndarray
    mem_pv_sources: np.ndarray
    pv_mem_sources: np.ndarray
    pv_mem_targets: np.ndarray
    value_sources: np.ndarray
    mec_cell_monitors: list = field(default_factory=list)
    objects: list = field(default_factory=list)
    phase: NeuronGroup | None = None
    phase_state: StateMonitor | None = None
    phase_syn: Synapses | None = None
    phase_sources: np.ndarray | None = None

    # -- read-back helpers (after the run) ---------------------------------------------------
    def _window_counts(self, monitor, n_cols, col_of) -> np.ndarray:
        return periodic_window_counts(np.asarray(monitor.i), np.asarray(monitor.t / second),
                                      float(self.schedule.period / second), float(self.schedule.settle / second),
                                      self.schedule.n_windows, n_cols, col_of)

    def window_slot_counts(self) -> np.ndarray:
        """Memory spikes per (window, slot) inside each read window, summed over copies."""
        return self._window_counts(self.memory_spikes, self.n_slots, lambda i: i // self.params.copies)

    def window_interneuron_counts(self) -> np.ndarray:
        """Interneuron spikes per (window, interneuron) inside each read window."""
        return self._window_counts(self.interneuron_spikes, self.params.pv.n_interneurons, lambda i: i)

    def window_readout_counts(self) -> np.ndarray:
        """Read-out spikes per (window, value dimension) in each read window, summed over copies."""
        return self._window_counts(self.readout_spikes, self.d_v, lambda i: i // self.params.readout_copies)

    def window_readout_rates(self) -> np.ndarray:
        """Measured read-out rate (Hz per neuron) per (window, value dimension), from spike counts."""
        read = float((self.schedule.period - self.schedule.settle) / second)
        return self.window_readout_counts() / (read * self.params.readout_copies)

    def window_readout_intensity(self) -> np.ndarray:
        """Diagnostic: the read-out neurons' noise-free rate ``out_gain * n_j`` (Hz), averaged over
        each read window (the Poisson intensity, not spikes), shape (n_windows, d_v)."""
        acc = np.asarray(self.intensity_acc.acc).T  # samples at t = 0, period, 2 period, ...
        n = self.schedule.n_windows
        if acc.shape[0] < n + 1:  # the sample at the end of the run is not recorded
            acc = np.vstack([acc, np.asarray(self.value_trace.acc)[None, :]])
        read = float((self.schedule.period - self.schedule.settle) / second)
        return np.diff(acc[: n + 1], axis=0) / read

    def window_mec_rates(self) -> np.ndarray:
        """Rate (Hz) of the recorded MEC cells over each whole window, shape (n_windows, n_recorded)."""
        period = float(self.schedule.period / second)
        out = np.zeros((self.schedule.n_windows, len(self.mec_cell_monitors)))
        for k, mon in enumerate(self.mec_cell_monitors):
            t = np.asarray(mon.t / second)
            out[:, k] = periodic_window_counts(np.zeros(t.size, dtype=np.int64), t, period, 0.0,
                                               self.schedule.n_windows, 1)[:, 0]
        return out / period

    #: Names of the pathways of :meth:`pathways`, in order (closed-loop circuits add "memory_to_phase").
    PATHWAYS = ("key_mec_to_slots", "memory_to_pv", "pv_to_memory", "value_to_readout")

    @property
    def pathway_names(self) -> tuple:
        """Names of :meth:`pathways` of this circuit, in order."""
        return self.PATHWAYS + (("memory_to_phase",) if self.phase is not None else ())

    def pathways(self):
        """``(spike_counts, synapse_sources)`` of every synaptic pathway, for
        ``protocols.engine.synaptic_events``, in the order of :attr:`pathway_names`: MEC->slot keys,
        memory->interneurons, interneurons->memory, memory->read-out (and memory->phase cells)."""
        mem = np.asarray(self.memory_spikes.count)
        out = [(np.asarray(self.mec_counts.count), self.key_sources),
               (mem, self.mem_pv_sources),
               (np.asarray(self.interneuron_spikes.count), self.pv_mem_sources),
               (mem, self.value_sources)]
        if self.phase is not None:
            out.append((mem, self.phase_sources))
        return out

    def window_phase_estimates(self):
        """Closed loop only: the phase estimate (rad) of the position of each window's step, after
        the correction and before the move, shape (n_windows, 3 M), and whether it is a re-anchored one
        from the memory spikes, shape (n_windows,)."""
        n = self.schedule.n_windows
        th = np.arctan2(np.asarray(self.phase_state.s_est).T[:n], np.asarray(self.phase_state.c_est).T[:n])
        corrected = np.asarray(self.phase_state.corrected).T[:n, 0] > 0.5
        return th, corrected

    def raw_spikes(self) -> dict:
        """Every recorded spike, as ``protocols.engine.RunOutput.spikes`` wants it:
        ``{population: (indices, times s, n_cells)}`` for the memory neurons, the interneurons and
        the read-out neurons, and the MEC cells when the circuit was built with ``record_all``."""
        monitors = [("memory", self.memory_spikes), ("pv", self.interneuron_spikes), ("readout", self.readout_spikes)]
        if self.mec_counts.record:
            monitors.append(("mec", self.mec_counts))
        return {name: (np.asarray(mon.i), np.asarray(mon.t / second), int(mon.source.N)) for name, mon in monitors}

    def window_epochs(self) -> dict:
        """One row per window: start and stop (s), read-window start (s), inverse temperature,
        common drive shift, and the number of open slot gates."""
        sch = self.schedule
        period, settle = float(sch.period / second), float(sch.settle / second)
        start = np.arange(sch.n_windows) * period
        return {"start_s": start, "stop_s": start + period, "read_start_s": start + settle,
                "beta": sch.beta, "shift": sch.shift, "open_slots": sch.active.sum(axis=1)}

    def expected_active_key_events(self) -> float:
        """Expected MEC->slot events onto slots whose gate is open (the useful part of the key
        pathway; events onto closed slots are wasted work), from the scheduled MEC rates."""
        p = self.params
        sch = self.schedule
        rates = float(p.mec_max_rate / Hz) * self._code_scale * sch.query           # (n_windows, d_k) Hz
        key_nz = (self._keys > 0).astype(float)                                    # (n_slots, d_k)
        per_window = np.einsum("wk,sk,ws->w", rates, key_nz, sch.active.astype(float))
        return float(per_window.sum() * p.mec_copies * float(sch.period / second))

    _keys: np.ndarray = None
    _code_scale: float = 1.0


def build_memory_circuit(params: MemoryCircuitParams, keys, values, code_scale: float,
                         schedule: WindowSchedule, record_mec_cells=(), pad_windows: int = 0,
                         record_all: bool = False, rng: np.random.Generator | None = None,
                         path_integration: PathIntegrationInput | None = None) -> MemoryCircuit:
    """Build (not run) the spiking memory for a fixed pool of slots.

    Parameters
    ----------
    params : MemoryCircuitParams
    keys : array_like, shape (n_slots, d_k)
        Key of each slot (non-negative code units), wired into the MEC->slot synapses at build time.
        Whether a slot is in use at time t is set by ``schedule.write`` / ``schedule.clear``.
    values : array_like, shape (n_slots, d_v)
        Value of each slot (non-negative), wired into the memory->read-out synapses.
    code_scale : float
        MEC rate of code unit ``i`` is ``mec_max_rate * code_scale * q_i``; choose it so rates
        stay <= ``mec_max_rate`` (e.g. ``sqrt(n_modules)`` for grid codes); larger rates raise.
    schedule : WindowSchedule
        Its ``dt`` must be the simulation's ``defaultclock.dt``.
    record_mec_cells : sequence of int
        MEC cells whose spikes are recorded (for rate maps); all others are only counted.
    pad_windows : int
        Size the time tables for at least this many windows (extra rows unused), so runs with
        different walk lengths compile to the same program.
    record_all : bool
        Record every MEC spike as well (``--record all``); by default MEC spikes are only counted.
    rng : numpy.random.Generator, optional
        Draws the random memory<->interneuron connections when a connection probability is below 1
        (``numpy.random.default_rng(0)`` when not given); unused at probability 1.
    path_integration : PathIntegrationInput, optional
        Closed loop: the circuit computes its own queries and writes its own keys (``keys`` and
        ``schedule.query`` then only fix the shapes; ``code_scale`` must be ``sqrt(n_modules)`` of
        the grid code).

    Returns
    -------
    MemoryCircuit
    """
    p = params
    keys = np.asarray(keys, float)
    values = np.asarray(values, float)
    if keys.ndim != 2 or values.ndim != 2:
        raise ValueError(f"keys {keys.shape} and values {values.shape} must be 2-D (n_slots, d)")
    if keys.shape[0] != values.shape[0]:
        raise ValueError(f"keys has {keys.shape[0]} rows but values has {values.shape[0]}: allowed equal n_slots")
    if np.any(keys < 0) or np.any(values < 0):
        raise ValueError("keys and values must be non-negative (they are synaptic weights / rates)")
    n_slots, d_k = keys.shape
    d_v = values.shape[1]
    if schedule.query.shape[1] != d_k:
        raise ValueError(f"schedule.query has d_k = {schedule.query.shape[1]} but keys have d_k = {d_k}")
    if schedule.write.shape[0] != n_slots:
        raise ValueError(f"schedule.write has {schedule.write.shape[0]} slots but keys have {n_slots}")
    if not code_scale > 0:
        raise ValueError(f"code_scale = {code_scale} is out of range: allowed code_scale > 0")
    if abs(float(defaultclock.dt / schedule.dt) - 1) > 1e-9:
        raise ValueError(f"schedule.dt = {schedule.dt} differs from the simulation's time step "
                         f"defaultclock.dt = {defaultclock.dt}: build the schedule with the simulation's dt")

    period = schedule.period
    max_hz = float(p.mec_max_rate / Hz)
    rates = max_hz * code_scale * schedule.query
    if rates.max() > max_hz * (1 + 1e-9):
        raise ValueError(f"query * code_scale reaches {rates.max() / max_hz:.3f}: allowed <= 1 "
                         f"(MEC rate <= mec_max_rate = {p.mec_max_rate})")
    n_rows = max(schedule.n_windows, int(pad_windows))

    def padded(a):
        a = np.asarray(a, float)
        pad = np.repeat(a[-1:], n_rows - len(a), axis=0)
        return np.concatenate([a, pad]) if len(pad) else a

    mec_ta = TimedArray(padded(rates) * Hz, dt=period, name="mec_rate_ta")
    beta_ta = TimedArray(padded(schedule.beta), dt=period, name="beta_ta")
    shift_ta = TimedArray(padded(schedule.shift), dt=period, name="shift_ta")

    ns = {"tau_key": p.tau_key, "r0": p.r0, "kappa": p.kappa, "tau_i": p.pv.tau_i, "g_scale": p.pv.g_scale,
          "tau_out": p.tau_out, "out_gain": p.out_gain,
          "mec_rate_ta": mec_ta, "beta_ta": beta_ta, "shift_ta": shift_ta, "period": period,
          "settle_frac": float(schedule.settle / period)}

    w_scale = 1.0 / (code_scale * p.mec_copies * float(p.tau_key / second) * max_hz)
    cell_unit = np.repeat(np.arange(d_k), p.mec_copies)
    pi = path_integration
    if pi is None:
        # MEC grid cells: Poisson, rate from the scheduled query code of their unit.
        mec = NeuronGroup(d_k * p.mec_copies, "unit : integer (constant)\nrate = mec_rate_ta(t, unit) : Hz",
                          threshold="rand() < rate*dt", namespace=ns, name="mec")
        mec.unit = cell_unit

        # Memory slots: low-passed key-weighted MEC input (the dendritic estimate of k . q); starts at 0.
        slots = NeuronGroup(n_slots, "dh/dt = -h/tau_key : 1", namespace=ns, name="slots", method="exact")
        wk = keys[:, cell_unit].T * w_scale                  # (n_cells, n_slots)
        src, tgt = np.nonzero(wk)                            # zero key entries: no synapse
        key_syn = Synapses(mec, slots, "w : 1", on_pre="h_post += w", name="key_syn")
        key_syn.connect(i=src, j=tgt)
        key_syn.w = wk[src, tgt]
    else:
        phase, mec, slots, key_syn, src = _closed_loop_mec(pi, p, ns, padded, n_slots, d_k, cell_unit, schedule,
                                                           w_scale / code_scale)

    n_mem = n_slots * p.copies
    memory = NeuronGroup(
        n_mem,
        ("obj : 1 (constant)\nh_spk : 1\n" if pi is not None else "") +
        """t_on : second (constant)
        t_off : second (constant)
        h : 1 (linked)
        dg_i/dt = -g_i/tau_i : siemens
        gate = int(t >= t_on)*int(t < t_off) : 1
        u = beta_ta(t)*(h - kappa) + shift_ta(t) - g_i/g_scale : 1""",
        threshold="rand() < gate*r0*exp(clip(u, -700, 50))*dt", namespace=ns, name="memory", method="exact",
        # closed loop: keep the slot overlap at the spike for the phase synapses (a linked variable
        # cannot be read across a synapse; they read it one time step later)
        reset="h_spk = h" if pi is not None else None)
    # Write / clear times: half a time step early so float rounding never shifts a window edge.
    half = 0.5 * float(schedule.dt / second)
    per_s = float(period / second)
    memory.t_on = np.repeat(schedule.write * per_s - half, p.copies) * second
    memory.t_off = np.repeat(schedule.clear * per_s - half, p.copies) * second
    memory.h = linked_var(slots, "h", index=np.repeat(np.arange(n_slots), p.copies))

    rng = np.random.default_rng(0) if rng is None else rng
    interneurons, mem_pv_syn, pv_mem_syn, mem_pv_src, pv_mem_src, pv_mem_tgt = _interneuron_loop(p.pv, memory, rng)

    # Read-out: value-weighted synaptic trace per dimension, Poisson read-out cells driven by it.
    value_trace = NeuronGroup(
        d_v,
        """dn/dt = -n/tau_out : 1
        read_on = int(t/period - floor(t/period) >= settle_frac - 1e-9) : 1
        dacc/dt = out_gain*n*read_on : 1""",
        namespace=ns, name="value_trace", method="euler")
    mu, j = np.nonzero(values)
    v_src = (mu[:, None] * p.copies + np.arange(p.copies)[None, :]).ravel()
    v_tgt = np.repeat(j, p.copies)
    value_syn = Synapses(memory, value_trace, "v : 1", on_pre="n_post += v", name="value_syn")
    value_syn.connect(i=v_src, j=v_tgt)
    value_syn.v = np.repeat(values[mu, j], p.copies)
    readout = NeuronGroup(d_v * p.readout_copies, "n : 1 (linked)", threshold="rand() < out_gain*n*dt",
                          namespace=ns, name="readout")
    readout.n = linked_var(value_trace, "n", index=np.repeat(np.arange(d_v), p.readout_copies))

    memory_spikes = SpikeMonitor(memory, record=True, name="memory_spikes")
    interneuron_spikes = SpikeMonitor(interneurons, record=True, name="interneuron_spikes")
    mec_counts = SpikeMonitor(mec, record=bool(record_all), name="mec_counts")  # counts suffice for the metrics
    readout_spikes = SpikeMonitor(readout, record=True, name="readout_spikes")
    intensity_acc = StateMonitor(value_trace, "acc", record=True, dt=period, name="intensity_acc")
    relay = []
    if pi is None:
        cell_mons = [SpikeMonitor(mec[int(c):int(c) + 1], name=f"mec_cell_{k}") for k, c in enumerate(record_mec_cells)]
    else:
        # a subgroup cannot carry the MEC's indexed linked phases: recorded cells are relayed one
        # time step later to a neuron of their own, whose spikes are recorded
        cells = np.asarray(record_mec_cells, int)
        relay_cells = NeuronGroup(max(len(cells), 1), "spk : 1", threshold="spk > 0.5", reset="spk = 0",
                                  name="mec_relay")
        relay_syn = Synapses(mec, relay_cells, on_pre="spk_post = 1", name="mec_relay_syn")
        relay_syn.connect(i=cells, j=np.arange(len(cells)))
        relay = [relay_cells, relay_syn]
        cell_mons = [SpikeMonitor(relay_cells[k:k + 1], name=f"mec_cell_{k}") for k in range(len(cells))]

    objs = [mec, slots, key_syn, memory, interneurons, mem_pv_syn, pv_mem_syn, value_trace, value_syn, readout,
            memory_spikes, interneuron_spikes, mec_counts, readout_spikes, intensity_acc, *cell_mons, *relay]
    loop = {}
    if pi is not None:
        loop = _closed_loop_feedback(pi, p, ns, memory, phase, n_slots, n_mem, period)
        objs += [phase, loop["phase_syn"], loop["phase_state"]]
    return MemoryCircuit(params=p, schedule=schedule, n_slots=n_slots, d_v=d_v, mec=mec, slots=slots,
                         memory=memory, interneurons=interneurons, value_trace=value_trace, readout=readout,
                         key_syn=key_syn, mem_pv_syn=mem_pv_syn, pv_mem_syn=pv_mem_syn, value_syn=value_syn,
                         memory_spikes=memory_spikes, interneuron_spikes=interneuron_spikes, mec_counts=mec_counts,
                         readout_spikes=readout_spikes, intensity_acc=intensity_acc, key_sources=src,
                         mem_pv_sources=mem_pv_src, pv_mem_sources=pv_mem_src, pv_mem_targets=pv_mem_tgt,
                         value_sources=v_src, mec_cell_monitors=cell_mons, objects=objs, _keys=keys,
                         _code_scale=float(code_scale), **loop)


def _closed_loop_mec(pi: PathIntegrationInput, p, ns, padded, n_slots, d_k, cell_unit, schedule, key_scale):
    """Phase population, MEC cells driven by it and all-to-all key synapses written at run time.

    Returns ``phase, mec, slots, key_syn, key_sources``; ``key_scale`` turns a grid cell's rate
    (max 1) into its key weight (``w_scale / code_scale``).
    """
    grid = pi.grid
    n_waves = 3 * grid.n_modules
    if d_k != grid.n_cells:
        raise ValueError(f"keys have d_k = {d_k} but the grid code has {grid.n_cells} cells: allowed equal")
    n_win = schedule.n_windows
    for name, arr, shape in (("steps", pi.steps, (n_win, n_waves)), ("restart_phase", pi.restart_phase,
                                                                      (n_win, n_waves))):
        if np.shape(arr) != shape:
            raise ValueError(f"path_integration.{name} has shape {np.shape(arr)}: allowed {shape}")
    restart = np.asarray(pi.restart, bool)
    if restart.shape != (n_win,) or not restart[0]:
        raise ValueError("path_integration.restart must have shape (n_windows,) and restart window 0")
    ns.update({
        "step_ta": TimedArray(padded(pi.steps), dt=schedule.period, name="pi_step_ta"),
        "restart_ta": TimedArray(padded(restart.astype(float)), dt=schedule.period, name="pi_restart_ta"),
        "start_ta": TimedArray(padded(pi.restart_phase), dt=schedule.period, name="pi_start_ta"),
        "obs_next_ta": TimedArray(padded(np.asarray(pi.observation_next, float)), dt=schedule.period,
                                  name="obs_next_ta"),
        "match_min": float(pi.match_min), "min_share": float(pi.min_share), "corr_gain": float(pi.gain),
        "mec_max": p.mec_max_rate, "key_scale": float(key_scale)})
    # Phase cells: one per wave of each module, holding the phase as a unit vector (c, s) = e^(i th);
    # (C, S, n_all, n_match) count the previous read window.
    phase = NeuronGroup(n_waves, """c : 1
        s : 1
        c_est : 1
        s_est : 1
        corrected : 1
        C : 1
        S : 1
        n_all : 1
        n_match : 1""", namespace=ns, name="phase")
    # (1) re-anchor to the decoded memory phase when enough spikes match (gain-weighted blend of the
    # unit vectors, renormalised), or restart; then reset the counts
    phase.run_regularly("""conf = int(n_match >= min_share*n_all)*int(n_match > 0.5)
        norm_t = sqrt(C**2 + S**2) + 1e-12
        bc = c + conf*corr_gain*(C/norm_t - c)
        bs = s + conf*corr_gain*(S/norm_t - s)
        norm_b = sqrt(bc**2 + bs**2) + 1e-12
        rs = restart_ta(t)
        c = rs*cos(start_ta(t, i)) + (1 - rs)*bc/norm_b
        s = rs*sin(start_ta(t, i)) + (1 - rs)*bs/norm_b
        corrected = conf*(1 - rs)
        c_est = c
        s_est = s
        C = 0
        S = 0
        n_all = 0
        n_match = 0""", dt=schedule.period, when="start", order=0, name="phase_correct")
    # (3) move the estimate by the action plus noise (a rotation of the unit vector)
    phase.run_regularly("""c_old = c
        c = c*cos(step_ta(t, i)) - s*sin(step_ta(t, i))
        s = s*cos(step_ta(t, i)) + c_old*sin(step_ta(t, i))""",
                        dt=schedule.period, when="start", order=3, name="phase_move")

    # MEC grid cells: rate of the cell's grid field at the estimate; kr = key rate before the move.
    mec = NeuronGroup(d_k * p.mec_copies, """unit : integer (constant)
        ck0 : 1 (constant)
        sk0 : 1 (constant)
        ck1 : 1 (constant)
        sk1 : 1 (constant)
        ck2 : 1 (constant)
        sk2 : 1 (constant)
        c0 : 1 (linked)
        s0 : 1 (linked)
        c1 : 1 (linked)
        s1 : 1 (linked)
        c2 : 1 (linked)
        s2 : 1 (linked)
        kr : 1
        rate : Hz""", threshold="rand() < rate*dt", namespace=ns, name="mec")
    mec.unit = cell_unit
    module = cell_unit // grid.cells_per_module
    kphi = np.einsum("mcd,mjd->mcj", grid.phases, grid.wave_vectors).reshape(-1, 3)   # (n_cells, 3) rad
    for j in range(3):
        setattr(mec, f"ck{j}", np.cos(kphi[cell_unit, j]))
        setattr(mec, f"sk{j}", np.sin(kphi[cell_unit, j]))
        setattr(mec, f"c{j}", linked_var(phase, "c", index=3 * module + j))
        setattr(mec, f"s{j}", linked_var(phase, "s", index=3 * module + j))
    # cos(th - k.phi) = cos(th) cos(k.phi) + sin(th) sin(k.phi): the cell's grid field at the estimate
    field_expr = "clip(c0*ck0 + s0*sk0 + c1*ck1 + s1*sk1 + c2*ck2 + s2*sk2, 0, 3)/3"
    mec.run_regularly(f"kr = {field_expr}", dt=schedule.period, when="start", order=1, name="mec_key_rate")
    mec.run_regularly(f"rate = mec_max*{field_expr}", dt=schedule.period, when="start", order=4, name="mec_rate")

    # Memory slots; (2) the slot written in this window takes the key rates of the estimate.
    slots = NeuronGroup(n_slots, "dh/dt = -h/tau_key : 1\nt_write : second (constant)", namespace=ns,
                        name="slots", method="exact")
    slots.t_write = np.asarray(schedule.write, float) * float(schedule.period / second) * second
    key_syn = Synapses(mec, slots, "w : 1", on_pre="h_post += w", namespace=ns, name="key_syn")
    src = np.repeat(np.arange(d_k * p.mec_copies), n_slots)
    key_syn.connect(i=src, j=np.tile(np.arange(n_slots), d_k * p.mec_copies))
    key_syn.run_regularly("w = w + int(abs(t - t_write_post) < 0.5*period)*(kr_pre*key_scale - w)",
                          dt=schedule.period, when="start", order=2, name="key_write")
    return phase, mec, slots, key_syn, src


def _closed_loop_feedback(pi: PathIntegrationInput, p, ns, memory, phase, n_slots, n_mem, period) -> dict:
    """Memory -> phase synapses: each stores its slot's written phase and, in the read window, adds
    the unit vector of it to the phase cell when the slot matches the next observation and the query.

    Returns the keyword arguments of :class:`MemoryCircuit` for the loop.
    """
    slot_obj = np.asarray(pi.slot_object, float)
    if slot_obj.shape != (n_slots,):
        raise ValueError(f"path_integration.slot_object has shape {slot_obj.shape}: allowed ({n_slots},)")
    memory.obj = np.repeat(slot_obj, p.copies)
    n_waves = len(phase)
    phase_syn = Synapses(memory, phase, "sc : 1\nss : 1", namespace=ns, name="phase_syn", on_pre="""
        inread = int(t/period - floor(t/period) >= settle_frac - 1e-9)
        m = inread*int(abs(obj_pre - obs_next_ta(t)) < 0.5)*int(h_spk_pre >= match_min)
        n_all_post += inread
        n_match_post += m
        C_post += m*sc
        S_post += m*ss""", delay=defaultclock.dt)
    src = np.repeat(np.arange(n_mem), n_waves)
    phase_syn.connect(i=src, j=np.tile(np.arange(n_waves), n_mem))
    # (2) the synapses of the slot written in this window store the estimate's phase
    phase_syn.run_regularly("""writing = int(abs(t - t_on_pre) < 0.5*period)
        sc = sc + writing*(c_post - sc)
        ss = ss + writing*(s_post - ss)""", dt=period, when="start", order=2, name="phase_write")
    state = StateMonitor(phase, ["c_est", "s_est", "corrected"], record=True, dt=period, when="start", order=5,
                         name="phase_state")
    return {"phase": phase, "phase_state": state, "phase_syn": phase_syn, "phase_sources": src}


def random_pairs(n_pre: int, n_post: int, prob: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Presynaptic and postsynaptic indices of independent random connections.

    Parameters
    ----------
    n_pre, n_post : int
        Sizes of the two populations.
    prob : float
        Connection probability of each (pre, post) pair, ``0 < prob <= 1``; at 1 every pair is
        connected and ``rng`` is not used.
    rng : numpy.random.Generator

    Returns
    -------
    i, j : ndarray of int
        One entry per synapse, ordered by ``i`` then ``j``.
    """
    if not 0 < prob <= 1:
        raise ValueError(f"prob = {prob} is out of range: allowed 0 < prob <= 1")
    mask = np.ones((n_pre, n_post), bool) if prob == 1 else rng.random((n_pre, n_post)) < prob
    i, j = np.nonzero(mask)
    return i, j


def _interneuron_loop(pv, memory, rng):
    """The PV population and its two pathways (memory -> PV excitation, PV -> memory inhibition).

    Parameters
    ----------
    pv : InterneuronParams
    memory : NeuronGroup
        Memory neurons with an inhibitory conductance ``g_i`` (siemens).
    rng : numpy.random.Generator
        Draws the connections when a probability is below 1 (memory -> PV first).

    Returns
    -------
    interneurons, mem_pv_syn, pv_mem_syn, mem_pv_sources, pv_mem_sources, pv_mem_targets
    """
    ns = {"C_m": pv.C_m, "g_L": pv.g_L, "E_L": pv.E_L, "V_th": pv.V_th, "V_reset": pv.V_reset, "E_e": pv.E_e,
          "tau_e": pv.tau_e, "w_e": pv.w_e, "w_i": pv.w_i, "sigma_v": pv.sigma_v, "tau_m": pv.tau_m}
    interneurons = NeuronGroup(
        pv.n_interneurons,
        """dv/dt = (g_L*(E_L - v) + g_e*(E_e - v))/C_m + sigma_v*sqrt(2/tau_m)*xi : volt (unless refractory)
        dg_e/dt = -g_e/tau_e : siemens""",
        threshold="v > V_th", reset="v = V_reset", refractory=pv.t_ref, method="euler", namespace=ns, name="pv")
    interneurons.v = pv.E_L
    n_mem = len(memory)
    mi, pj = random_pairs(n_mem, pv.n_interneurons, pv.p_mem_pv, rng)
    mem_pv = Synapses(memory, interneurons, on_pre="g_e_post += w_e", namespace=ns, name="mem_pv_syn")
    mem_pv.connect(i=mi, j=pj)
    pi, mj = random_pairs(pv.n_interneurons, n_mem, pv.p_pv_mem, rng)
    pv_mem = Synapses(interneurons, memory, on_pre="g_i_post += w_i", namespace=ns, name="pv_mem_syn")
    pv_mem.connect(i=pi, j=mj)
    return interneurons, mem_pv, pv_mem, mi, pi, mj


__all__ = ["WindowSchedule", "PathIntegrationInput", "MemoryCircuit", "build_memory_circuit", "random_pairs"]
