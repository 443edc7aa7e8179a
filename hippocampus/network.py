"""Spiking hippocampal-entorhinal memory that computes softmax attention (modern Hopfield read-out).

Circuit (``reference/hippocampus.md`` §5, Nessler et al. 2013; Krotov & Hopfield 2021; TEM-t):

* **MEC**: ``mec_copies`` Poisson cells per code unit ``i`` (grid-cell phase class or pattern bit)
  fire at ``mec_max_rate * code_scale * q_i(t)`` (clipped to ``[0, mec_max_rate]``), where
  ``q(t)`` is the scheduled query code (non-negative).
* **Memory slots**: slot ``mu`` low-passes MEC spikes through its key synapses (weights written
  one-shot from the key ``k_mu``): ``tau_key dh_mu/dt = -h_mu + tau_key * sum_i w_mu,i s_i(t)``
  with ``w = k / (code_scale mec_copies tau_key mec_max_rate)``, so ``E[h_mu] = k_mu . q``.
* **Memory neurons**: ``copies`` neurons per slot share ``h`` (identical key synapses from the
  same MEC spikes give identical deterministic traces, so a linked variable is exact, not an
  approximation) and fire with exponential escape noise
  ``rho = r0 exp(u)``, ``u = beta(t) (h - kappa) + b_mu(t) + shift(t) - I``.
  ``b_mu`` is the slot gate: 0 from the slot's write time to its clear time (stored), ``SLOT_OFF``
  otherwise (empty / cleared); ``shift`` is a tonic drive common to all memory neurons (used to
  test normalisation).
* **Inhibition**: one shared variable ``I`` (mean-field PV pool), ``I += w_inh`` per memory spike,
  decaying with ``tau_inh``. Subtractive in the exponent = divisive on the rates, so the
  probability that the next spike comes from slot ``mu`` is ``softmax(beta k . q)_mu`` whatever
  ``I`` is.
* **Read-out** (CA1 / EC output): memory spikes add ``v_mu,j`` to ``N_j`` and 1 to a shared ``D``
  (both decay with ``tau_out``); ``xhat_j = N_j / D`` is the spike-share-weighted value, and the
  read-out neuron fires at ``out_rate * clip(xhat_j, 0, 1)``.
* **LEC** (optional): ``lec_copies`` Poisson cells per sensory code unit fire at ``lec_rate`` while
  the scheduled sensory code is 1.

Everything time-dependent (queries, beta, read windows) is a ``TimedArray`` and each slot has a
constant write and clear time, so a whole protocol runs as one compiled program. The builder does not run anything.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from brian2 import (Hz, NeuronGroup, defaultclock, SpikeMonitor, StateMonitor, Synapses, TimedArray, linked_var,
                    ms, second)

from hippocampus.params import SLOT_OFF, MemoryCircuitParams


@dataclass(frozen=True)
class Schedule:
    """Piecewise-constant inputs of the memory circuit, one row per window of length ``period``.

    Attributes
    ----------
    period : Quantity (time)
        Window length (one query / one navigation step).
    query : ndarray, shape (n_windows, d_k)
        Query code ``q`` shown on MEC in each window (non-negative, code units).
    beta : ndarray, shape (n_windows,)
        Inverse temperature (> 0) in each window.
    write : ndarray of int, shape (n_slots,)
        Window at whose start each slot is written one-shot (its bias goes ``SLOT_OFF`` -> 0);
        ``>= n_windows`` means never (an unused slot, silent).
    clear : ndarray of int, shape (n_slots,)
        Window at whose start each slot is cleared (bias back to ``SLOT_OFF``); ``>= n_windows``
        means never.
    shift : ndarray, shape (n_windows,)
        Common tonic drive added to every memory neuron's exponent.
    settle : Quantity (time)
        Start of the read window inside each period; the read-out accumulates from ``settle``
        to ``period``.
    sensory : ndarray, shape (n_windows, d_v) or None
        Binary sensory code shown on LEC (None: no LEC population).
    """

    period: object
    query: np.ndarray
    beta: np.ndarray
    write: np.ndarray
    clear: np.ndarray
    shift: np.ndarray
    settle: object
    sensory: np.ndarray | None = None

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
        for name, arr in (("query", q), ("beta", beta), ("write", write), ("clear", clear), ("shift", shift)):
            object.__setattr__(self, name, arr)
        if self.sensory is not None:
            s = np.asarray(self.sensory, float)
            if s.ndim != 2 or s.shape[0] != n:
                raise ValueError(f"sensory has shape {s.shape}: allowed (n_windows, d_v) with n_windows = {n}")
            object.__setattr__(self, "sensory", s)

    @property
    def n_windows(self) -> int:
        return int(self.query.shape[0])

    @property
    def active(self) -> np.ndarray:
        """Boolean (n_windows, n_slots): slot stored during window."""
        w = np.arange(self.n_windows)[:, None]
        return (w >= self.write[None, :]) & (w < self.clear[None, :])

    @property
    def duration(self):
        return self.n_windows * self.period


@dataclass
class MemoryCircuit:
    """Brian2 objects of the memory circuit and the index arrays the metrics need."""

    params: MemoryCircuitParams
    schedule: Schedule
    n_slots: int
    mec: NeuronGroup
    slots: NeuronGroup
    memory: NeuronGroup
    inhibition: NeuronGroup
    readout: NeuronGroup
    lec: NeuronGroup | None
    key_syn: Synapses
    inh_syn: Synapses
    value_syn: Synapses
    memory_spikes: SpikeMonitor
    mec_spikes: SpikeMonitor
    readout_spikes: SpikeMonitor
    lec_spikes: SpikeMonitor | None
    readout_acc: StateMonitor
    key_sources: np.ndarray
    value_sources: np.ndarray
    objects: list = field(default_factory=list)

    # -- read-back helpers (after the run) ---------------------------------------------------
    def window_slot_counts(self) -> np.ndarray:
        """Memory spikes per (window, slot) inside each read window, summed over copies."""
        period = float(self.schedule.period / second)
        settle = float(self.schedule.settle / second)
        t = np.asarray(self.memory_spikes.t / second)
        i = np.asarray(self.memory_spikes.i)
        w = np.floor(t / period + 1e-9).astype(int)
        keep = (t - w * period >= settle - 1e-9) & (w < self.schedule.n_windows)
        counts = np.zeros((self.schedule.n_windows, self.n_slots), dtype=np.int64)
        np.add.at(counts, (w[keep], i[keep] // self.params.copies), 1)
        return counts

    def window_mec_rates(self, cells) -> np.ndarray:
        """Rate (Hz) of the given MEC cells over each whole window, shape (n_windows, len(cells))."""
        period = float(self.schedule.period / second)
        t = np.asarray(self.mec_spikes.t / second)
        i = np.asarray(self.mec_spikes.i)
        cells = np.asarray(cells)
        lookup = np.full(self.mec.N, -1)
        lookup[cells] = np.arange(len(cells))
        keep = lookup[i] >= 0
        w = np.minimum(np.floor(t[keep] / period + 1e-9).astype(int), self.schedule.n_windows - 1)
        out = np.zeros((self.schedule.n_windows, len(cells)))
        np.add.at(out, (w, lookup[i[keep]]), 1.0)
        return out / period

    def window_readout_rates(self) -> np.ndarray:
        """Mean read-out neuron rate (Hz) in each read window, shape (n_windows, d_v)."""
        acc = np.asarray(self.readout_acc.acc).T  # samples at t = 0, period, 2 period, ...
        n = self.schedule.n_windows
        if acc.shape[0] < n + 1:  # the last sample (end of run) is not recorded: pad with the final value
            acc = np.vstack([acc, np.asarray(self.readout.acc)[None, :]])
        read = float((self.schedule.period - self.schedule.settle) / second)
        return np.diff(acc[: n + 1], axis=0) / read


def _events(counts, sources) -> int:
    counts = np.asarray(counts, dtype=np.int64)
    outdeg = np.bincount(np.asarray(sources, dtype=np.int64), minlength=counts.size)
    return int(outdeg[: counts.size] @ counts)


def circuit_synaptic_events(circuit: MemoryCircuit) -> int:
    """Synaptic events of the run: MEC->slot, memory->inhibition, memory->read-out."""
    mem_counts = np.asarray(circuit.memory_spikes.count)
    return (_events(circuit.mec_spikes.count, circuit.key_sources)
            + int(mem_counts.sum())                       # one inhibitory synapse per memory neuron
            + _events(mem_counts, circuit.value_sources))


def build_memory_circuit(params: MemoryCircuitParams, keys, values, code_scale: float,
                         schedule: Schedule) -> MemoryCircuit:
    """Build (not run) the spiking memory for a fixed pool of slots.

    Parameters
    ----------
    params : MemoryCircuitParams
    keys : array_like, shape (n_slots, d_k)
        Key of each slot (non-negative code units); written one-shot into the MEC->slot synapses.
        Whether a slot is in use at time t is set by ``schedule.write`` / ``schedule.clear``.
    values : array_like, shape (n_slots, d_v)
        Value of each slot, written into the memory->read-out synapses.
    code_scale : float
        MEC rate of code unit ``i`` is ``mec_max_rate * code_scale * q_i``; choose it so rates
        stay <= ``mec_max_rate`` (e.g. ``sqrt(n_modules)`` for grid codes).
    schedule : Schedule

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
    if np.any(keys < 0):
        raise ValueError("keys must be non-negative (MEC rates are non-negative)")
    n_slots, d_k = keys.shape
    d_v = values.shape[1]
    if schedule.query.shape[1] != d_k:
        raise ValueError(f"schedule.query has d_k = {schedule.query.shape[1]} but keys have d_k = {d_k}")
    if schedule.write.shape[0] != n_slots:
        raise ValueError(f"schedule.write has {schedule.write.shape[0]} slots but keys have {n_slots}")
    if not code_scale > 0:
        raise ValueError(f"code_scale = {code_scale} is out of range: allowed code_scale > 0")

    # Window lengths such as 260 ms are not exact float multiples of dt = 0.1 ms; Brian2 upsamples
    # TimedArrays (factor K) so lookups are still right, but it warns once per array: silence it.
    from brian2.utils.logger import BrianLogger
    BrianLogger.suppress_hierarchy("brian2.input.timedarray")

    period = schedule.period
    rates = np.clip(float(p.mec_max_rate / Hz) * code_scale * schedule.query, 0.0,
                    float(p.mec_max_rate / Hz))
    mec_ta = TimedArray(rates * Hz, dt=period, name="mec_rate_ta")
    beta_ta = TimedArray(schedule.beta, dt=period, name="beta_ta")
    shift_ta = TimedArray(schedule.shift, dt=period, name="shift_ta")
    # Read window flag on a 0.5 ms grid: 0 while settling, 1 while reading.
    res = 0.5 * ms
    per_n = int(round(float(period / res)))
    set_n = int(round(float(schedule.settle / res)))
    flag = np.zeros(per_n)
    flag[set_n:] = 1.0
    read_ta = TimedArray(np.tile(flag, schedule.n_windows), dt=res, name="read_ta")

    ns = {"tau_key": p.tau_key, "r0": p.r0, "kappa": p.kappa, "tau_inh": p.tau_inh,
          "w_inh": p.w_inh, "tau_out": p.tau_out, "out_rate": p.out_rate, "lec_rate": p.lec_rate,
          "mec_rate_ta": mec_ta, "beta_ta": beta_ta, "shift_ta": shift_ta, "SLOT_OFF": SLOT_OFF,
          "read_ta": read_ta}

    # MEC grid cells: Poisson, rate from the scheduled query code of their unit.
    mec = NeuronGroup(d_k * p.mec_copies, "unit : integer (constant)\nrate = mec_rate_ta(t, unit) : Hz",
                      threshold="rand() < rate*dt", namespace=ns, name="mec")
    mec.unit = np.repeat(np.arange(d_k), p.mec_copies)

    # Memory slots: low-passed key-weighted MEC input (the dendritic estimate of k . q).
    slots = NeuronGroup(n_slots, "dh/dt = -h/tau_key : 1", namespace=ns, name="slots", method="exact")
    w_scale = 1.0 / (code_scale * p.mec_copies * float(p.tau_key / second) * float(p.mec_max_rate / Hz))
    cell_unit = np.repeat(np.arange(d_k), p.mec_copies)
    wk = keys[:, cell_unit].T * w_scale                  # (n_cells, n_slots)
    src, tgt = np.nonzero(wk)                            # zero key entries: no synapse
    key_syn = Synapses(mec, slots, "w : 1", on_pre="h_post += w", name="key_syn")
    key_syn.connect(i=src, j=tgt)
    key_syn.w = wk[src, tgt]
    # Start at the first query's expected input, so the first window needs no extra settling.
    slots.h = keys @ schedule.query[0]

    # Shared inhibition (one PV-like mean-field variable) and the read-out denominator.
    inhibition = NeuronGroup(1, "dI/dt = -I/tau_inh : 1\ndD/dt = -D/tau_out : 1", namespace=ns,
                             name="inhibition", method="exact")

    n_mem = n_slots * p.copies
    memory = NeuronGroup(
        n_mem,
        """slot : integer (constant)
        t_on : second (constant)
        t_off : second (constant)
        h : 1 (linked)
        I : 1 (linked)
        bias = SLOT_OFF*(1 - int(t >= t_on)*int(t < t_off)) : 1
        u = beta_ta(t)*(h - kappa) + bias + shift_ta(t) - I : 1""",
        threshold="rand() < r0*exp(u)*dt", namespace=ns, name="memory")
    memory.slot = np.repeat(np.arange(n_slots), p.copies)
    # Write / clear times: half a time step early so float rounding never shifts a window edge.
    half = 0.5 * float(defaultclock.dt / second)
    per_s = float(period / second)
    memory.t_on = np.repeat(schedule.write * per_s - half, p.copies) * second
    memory.t_off = np.repeat(schedule.clear * per_s - half, p.copies) * second
    memory.h = linked_var(slots, "h", index=np.repeat(np.arange(n_slots), p.copies))
    memory.I = linked_var(inhibition, "I", index=np.zeros(n_mem, dtype=int))

    inh_syn = Synapses(memory, inhibition, on_pre="I_post += w_inh\nD_post += 1", namespace=ns,
                       name="inh_syn")
    inh_syn.connect(i=np.arange(n_mem), j=np.zeros(n_mem, dtype=int))

    readout = NeuronGroup(
        d_v,
        """dnum/dt = -num/tau_out : 1
        D : 1 (linked)
        xhat = num/(D + 1e-9) : 1
        rate = out_rate*clip(xhat, 0, 1) : Hz
        dacc/dt = rate*read_ta(t) : 1""",
        threshold="rand() < rate*dt", namespace=ns, name="readout", method="euler")
    readout.D = linked_var(inhibition, "D", index=np.zeros(d_v, dtype=int))
    mu, j = np.nonzero(values)
    v_src = (mu[:, None] * p.copies + np.arange(p.copies)[None, :]).ravel()
    v_tgt = np.repeat(j, p.copies)
    v_w = np.repeat(values[mu, j], p.copies)
    value_syn = Synapses(memory, readout, "v : 1", on_pre="num_post += v", name="value_syn")
    value_syn.connect(i=v_src, j=v_tgt)
    value_syn.v = v_w

    lec = lec_mon = None
    if schedule.sensory is not None:
        lec_ta = TimedArray(schedule.sensory, dt=period, name="lec_ta")
        ns["lec_ta"] = lec_ta
        d_s = schedule.sensory.shape[1]
        lec = NeuronGroup(d_s * p.lec_copies, "unit : integer (constant)\nrate = lec_rate*lec_ta(t, unit) : Hz",
                          threshold="rand() < rate*dt", namespace=ns, name="lec")
        lec.unit = np.repeat(np.arange(d_s), p.lec_copies)
        lec_mon = SpikeMonitor(lec, name="lec_spikes")

    memory_spikes = SpikeMonitor(memory, name="memory_spikes")
    mec_spikes = SpikeMonitor(mec, name="mec_spikes")
    readout_spikes = SpikeMonitor(readout, record=False, name="readout_spikes")
    readout_acc = StateMonitor(readout, "acc", record=True, dt=period, name="readout_acc")

    objs = [mec, slots, key_syn, inhibition, memory, inh_syn, readout, value_syn, memory_spikes,
            mec_spikes, readout_spikes, readout_acc]
    if lec is not None:
        objs += [lec, lec_mon]
    return MemoryCircuit(params=p, schedule=schedule, n_slots=n_slots, mec=mec, slots=slots, memory=memory,
                         inhibition=inhibition, readout=readout, lec=lec, key_syn=key_syn, inh_syn=inh_syn,
                         value_syn=value_syn, memory_spikes=memory_spikes, mec_spikes=mec_spikes,
                         readout_spikes=readout_spikes, lec_spikes=lec_mon, readout_acc=readout_acc,
                         key_sources=src, value_sources=v_src, objects=objs)


__all__ = ["Schedule", "MemoryCircuit", "build_memory_circuit", "circuit_synaptic_events", "SLOT_OFF"]
