"""Stored pairs, queries and the window schedule of ``sdm-recall`` (numpy only).

Times are plain floats in seconds. Every window lasts ``period``; the mossy-fibre volley of a window
starts :data:`VOLLEY_OFFSET` after the window does.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from cerebellum.sdm_address_code import active_fibres
from core.checks import check_int
from core.units import in_unit

__all__ = ["VOLLEY_OFFSET", "Patterns", "make_patterns", "make_queries", "Schedule", "make_schedule",
           "teacher_spikes", "add_mf_noise", "noisy_fixed_length_inputs", "jitter_volleys", "poisson_background", "merge_spikes", "background_capacity",
           "pad_spikes"]

#: Onset of the mossy-fibre volley inside its window (s).
VOLLEY_OFFSET = 0.005


@dataclass(frozen=True)
class Patterns:
    """What is written and what is read.

    Attributes
    ----------
    addresses : (m, n) uint8
    pointers : (m, n_out) uint8
    queries : (q, n) uint8
    query_target : (q,) int64
        Stored pair each query is made from.
    query_distance : (q,) int64
        Hamming distance of each query from its target's address.
    """

    addresses: np.ndarray
    pointers: np.ndarray
    queries: np.ndarray
    query_target: np.ndarray
    query_distance: np.ndarray


def make_queries(addresses, n_queries: int, rng: np.random.Generator):
    """Queries at distances ``0 .. n/2`` (evenly repeated) from random stored addresses.

    Returns
    -------
    queries (q, n) uint8, query_target (q,) int64, query_distance (q,) int64
    """
    a = np.asarray(addresses)
    m, n = a.shape
    n_queries = check_int("queries", n_queries, lo=1)
    dist = np.sort(np.arange(n_queries) % (n // 2 + 1))
    target = rng.integers(0, m, n_queries)
    queries = a[target].copy()
    for k, (t, dv) in enumerate(zip(target, dist)):
        flip = rng.choice(n, dv, replace=False)
        queries[k, flip] ^= 1
    return queries.astype(np.uint8), target.astype(np.int64), dist.astype(np.int64)


def make_patterns(m: int, n: int, n_out: int, n_queries: int, rng: np.random.Generator) -> Patterns:
    """Random addresses and pointers (uniform bits) and queries around them (:func:`make_queries`)."""
    addresses = rng.integers(0, 2, size=(m, n), dtype=np.uint8)
    pointers = rng.integers(0, 2, size=(m, n_out), dtype=np.uint8)
    queries, target, distance = make_queries(addresses, n_queries, rng)
    return Patterns(addresses, pointers, queries, target, distance)


@dataclass
class Schedule:
    """Window times (s) and input spike trains of one ``sdm-recall`` run.

    Attributes
    ----------
    period : float
        Window length (s).
    volley_offset : float
        Volley onset inside a window (s).
    write_start, read_start : float arrays
        Start of every write window and of the first window of every query.
    total : float
        Length of the schedule (s).
    mf_i, mf_t : arrays
        Mossy-fibre spikes (fibre, time in s).
    teacher_i, teacher_t : arrays
        Teacher spikes onto the inferior olive (pointer bit, time in s).
    segments : list of (float, str)
        Length (s) and label of each phase.
    read_volleys : int
        Windows per query.
    """

    period: float
    volley_offset: float
    write_start: np.ndarray
    read_start: np.ndarray
    total: float
    mf_i: np.ndarray
    mf_t: np.ndarray
    teacher_i: np.ndarray
    teacher_t: np.ndarray
    segments: list
    read_volleys: int = 1


def make_schedule(params, calibration: dict, addresses, pointers, queries, warmup: int,
                  rng: np.random.Generator, read_volleys: int = 1) -> Schedule:
    """Lay out baseline, warm-up, write and read windows and their mossy-fibre / teacher spikes.

    The climbing fibre of a write reaches the Purkinje cells at the eligibility peak of the PF
    spikes its volley evokes: volley + mean GrC latency + ``eligibility_peak``; the teacher spike
    leads it by the climbing-fibre delay and the IO latency.

    Parameters
    ----------
    params : SDMCircuitParams
        Sizes ``n``, ``n_out``, ``period`` and the rule timing ``plasticity``.
    calibration : dict
        ``latency_theta``, ``latency_max`` and ``io_latency`` in ms
        (:func:`cerebellum.sdm_circuit.calibrate`).
    addresses : (m, n), pointers : (m, n_out), queries : (q, n)
        0/1 arrays.
    warmup : int
        Warm-up volleys (random addresses drawn from ``rng``).
    read_volleys : int
        Windows per query.

    Raises
    ------
    ValueError
        For patterns whose shapes do not match the circuit or that are not 0/1.
    """
    n, n_out = params.n, params.n_out
    a = np.asarray(addresses)
    p = np.asarray(pointers)
    q = np.asarray(queries)
    if a.ndim != 2 or a.shape[1] != n:
        raise ValueError(f"addresses has shape {a.shape}: must be (m, n = {n})")
    if p.shape != (a.shape[0], n_out):
        raise ValueError(f"pointers has shape {p.shape}: must be (m = {a.shape[0]}, n_out = {n_out})")
    if q.ndim != 2 or q.shape[1] != n:
        raise ValueError(f"queries has shape {q.shape}: must be (q, n = {n})")
    for name, x in (("addresses", a), ("pointers", p), ("queries", q)):
        if x.size and not np.all((x == 0) | (x == 1)):
            raise ValueError(f"{name} must contain only 0 and 1")
    warmup = check_int("warmup", warmup, lo=0)
    read_volleys = check_int("read_volleys", read_volleys, lo=1)
    T = in_unit(params.period, "second")
    off = VOLLEY_OFFSET
    m = a.shape[0]
    warm = rng.integers(0, 2, size=(warmup, n))
    sequence = np.concatenate([warm, a, np.repeat(q, read_volleys, axis=0)]).astype(np.uint8)
    starts = T * (1 + np.arange(len(sequence)))
    fib = active_fibres(sequence)
    mf_i = fib.ravel()
    mf_t = np.repeat(starts + off, n)
    write_start = starts[warmup:warmup + m]
    read_start = starts[warmup + m::read_volleys]
    teacher_i, teacher_t = teacher_spikes(params, calibration, write_start, p)
    total = T * (1 + len(sequence))
    segments = [(T, "baseline"), (T * warmup, "warm-up"), (T * m, "write"), (T * len(q) * read_volleys, "read")]
    return Schedule(T, off, write_start, read_start, total, mf_i, mf_t, teacher_i, teacher_t, segments,
                    read_volleys)


# -- mossy-fibre noise ---------------------------------------------------------------------------------

def teacher_spikes(params, calibration: dict, write_start, pointers):
    """One teacher spike per 1 bit of each written pointer, timed so that the climbing fibre reaches
    the Purkinje cells at the eligibility peak of the PF spikes that the write's volley evokes.

    Parameters
    ----------
    params : SDMCircuitParams
    calibration : dict
        ``latency_theta``, ``latency_max`` and ``io_latency`` in ms (:func:`cerebellum.sdm_circuit.calibrate`).
    write_start : (m,) float
        Start (s) of each write window, in pair order.
    pointers : (m, n_out) 0/1

    Returns
    -------
    teacher_i : int64 array
        Pointer bit (teacher input) of each spike.
    teacher_t : float array
        Spike times (s).
    """
    lat = 0.5 * (calibration["latency_theta"] + calibration["latency_max"]) * 1e-3
    t_cf = np.asarray(write_start, float) + VOLLEY_OFFSET + lat + in_unit(params.plasticity.eligibility_peak, "second")
    t_teach = t_cf - in_unit(params.plasticity.cf_delay, "second") - calibration["io_latency"] * 1e-3
    mu, j = np.nonzero(np.asarray(pointers))
    return j.astype(np.int64), t_teach[mu]


def jitter_volleys(mf_t, jitter_s: float, rng: np.random.Generator) -> np.ndarray:
    """Shift every address-volley spike by an independent Gaussian delay.

    Parameters
    ----------
    mf_t : float array
        Volley spike times (s).
    jitter_s : float
        Standard deviation of the shift (s); 0 draws nothing and returns a copy.
    rng : numpy Generator

    Returns
    -------
    float array
        Jittered times (s), clipped at 0.
    """
    t = np.asarray(mf_t, dtype=float)
    if jitter_s <= 0 or t.size == 0:
        return t.copy()
    return np.maximum(t + rng.normal(0.0, jitter_s, t.shape), 0.0)


def poisson_background(n_fibres: int, rate_hz: float, total_s: float, rng: np.random.Generator):
    """Independent homogeneous Poisson spike trains on every mossy fibre over ``[0, total_s)``.

    Parameters
    ----------
    n_fibres : int
        Mossy fibres (``2 n``).
    rate_hz : float
        Rate of every fibre (Hz); 0 draws nothing.
    total_s : float
        Length of the run (s).
    rng : numpy Generator

    Returns
    -------
    (i, t) : int64 array, float array
        Fibre index and time (s) of every background spike.
    """
    if rate_hz <= 0 or total_s <= 0:
        return np.zeros(0, np.int64), np.zeros(0)
    counts = rng.poisson(rate_hz * total_s, n_fibres)
    i = np.repeat(np.arange(n_fibres, dtype=np.int64), counts)
    # given its count, a Poisson process's spike times are independent and uniform on the interval
    t = rng.uniform(0.0, total_s, i.size)
    return i, t


def merge_spikes(i_a, t_a, i_b, t_b, dt_s: float):
    """Union of two spike trains, sorted by time, with at most one spike per fibre and time step.

    A fibre cannot fire twice within one integration step (Brian2's spike generator refuses it, and
    a fibre's refractory period is longer); the earlier train wins where two spikes share a step.

    Parameters
    ----------
    i_a, t_a, i_b, t_b : arrays
        Fibre indices and times (s) of the two trains.
    dt_s : float
        Integration time step (s).

    Returns
    -------
    (i, t) : int64 array, float array
    """
    i = np.concatenate([np.asarray(i_a, np.int64), np.asarray(i_b, np.int64)])
    t = np.concatenate([np.asarray(t_a, float), np.asarray(t_b, float)])
    step = np.round(t / dt_s).astype(np.int64)
    _, first = np.unique(np.stack([i, step]), axis=1, return_index=True)
    keep = np.sort(first)  # np.unique's first occurrence: the train listed first wins
    order = np.lexsort((i[keep], t[keep]))
    return i[keep][order], t[keep][order]


def add_mf_noise(sch: Schedule, n_fibres: int, background_hz: float, jitter_s: float, dt_s: float,
                 rng: np.random.Generator) -> Schedule:
    """The schedule with jittered address volleys and Poisson background on every mossy fibre.

    Called after the circuit is drawn, so noise-free and noisy runs with one seed share patterns and
    connectivity; with no noise nothing is drawn and the schedule comes back unchanged.

    Parameters
    ----------
    sch : Schedule
    n_fibres : int
        Mossy fibres (``2 n``).
    background_hz : float
        Poisson rate of every fibre during the whole run (Hz).
    jitter_s : float
        Standard deviation of the Gaussian jitter of each volley spike (s).
    dt_s : float
        Integration time step (s), for :func:`merge_spikes`.
    rng : numpy Generator
    """
    if background_hz <= 0 and jitter_s <= 0:
        return sch
    t = jitter_volleys(sch.mf_t, jitter_s, rng)
    bi, bt = poisson_background(n_fibres, background_hz, sch.total, rng)
    i, t = merge_spikes(sch.mf_i, t, bi, bt, dt_s)
    return replace(sch, mf_i=i, mf_t=t)


def background_capacity(n_fibres: int, rate_hz: float, total_s: float) -> int:
    """Room for the Poisson background of :func:`poisson_background` in a fixed-size spike array.

    The total background count is Poisson with mean ``lam = n_fibres rate_hz total_s``; the
    capacity ``ceil(lam + 10 sqrt(lam) + 10)`` is exceeded with probability below 1e-20, so a run
    that overflows it is refused rather than truncated (:func:`pad_spikes`).

    Parameters
    ----------
    n_fibres : int
        Mossy fibres (``2 n``).
    rate_hz : float
        Largest background rate the array must hold (Hz); 0 gives 0.
    total_s : float
        Length of the run (s).
    """
    lam = float(n_fibres) * max(float(rate_hz), 0.0) * max(float(total_s), 0.0)
    return 0 if lam <= 0 else int(np.ceil(lam + 10.0 * np.sqrt(lam) + 10.0))


def pad_spikes(i, t, size: int, after_s: float, dt_s: float, what: str = "spike", remedy: str = ""):
    """The spike train filled up to ``size`` spikes with spikes that never happen.

    Brian2 writes the length of a spike generator's arrays into the generated code, so trains of
    different lengths need different compiled programs. Padding every train of a family of runs to
    one length keeps one program for all of them: the filler spikes sit on fibre 0 at distinct time
    steps from ``after_s + dt_s`` on, after the end of the simulation, where no clock reaches them.

    Parameters
    ----------
    i, t : arrays
        Fibre indices and times (s) of the real spikes, all before ``after_s``.
    size : int
        Length of the padded arrays; at least ``len(i)``.
    after_s : float
        End of the simulation (s).
    dt_s : float
        Integration time step (s).
    what, remedy : str
        Name of the train and what to change when it overflows, for the error message.

    Returns
    -------
    (i, t) : int64 array, float array

    Raises
    ------
    RuntimeError
        When the train holds more than ``size`` spikes.
    """
    i = np.asarray(i, np.int64)
    t = np.asarray(t, float)
    if i.size > size:
        raise RuntimeError(f"the {what} train holds {i.size} spikes, more than its fixed size {size}"
                           + (f"; {remedy}" if remedy else ""))
    extra = size - i.size
    # whole steps past the end, so the padding never shares a step with a real spike
    first = np.ceil(after_s / dt_s) + 1
    filler_t = (first + np.arange(extra)) * dt_s
    return np.concatenate([i, np.zeros(extra, np.int64)]), np.concatenate([t, filler_t])


def noisy_fixed_length_inputs(sch: Schedule, n_fibres: int, n_pairs: int, n_out: int, background_hz: float,
                              jitter_s: float, capacity_hz: float, dt_s: float, rng: np.random.Generator):
    """Mossy-fibre noise added to a schedule, and the input trains padded to seed-independent lengths.

    Brian2 writes the length of a spike generator's arrays into the generated code; padding the
    mossy-fibre trains to room for a background of ``capacity_hz`` and the teacher trains to one spike
    per stored pair and pointer bit gives every seed (and every background up to the capacity) the
    same compiled program (:func:`pad_spikes`).

    Parameters
    ----------
    sch : Schedule
        Noise-free schedule (address volleys only).
    n_fibres, n_pairs, n_out : int
        Mossy fibres, stored pairs (write windows) and pointer bits.
    background_hz, jitter_s : float
        Poisson background rate (Hz) and volley jitter s.d. (s) (:func:`add_mf_noise`).
    capacity_hz : float
        Background rate the mossy-fibre arrays have room for (Hz); at least ``background_hz``.
    dt_s : float
        Integration time step (s).
    rng : numpy.random.Generator

    Returns
    -------
    noisy : Schedule
        The schedule with the noisy mossy-fibre train (unpadded, for the analysis).
    mf_i, mf_t, teacher_i, teacher_t : arrays
        Padded trains for the spike generators (indices, times in s).
    """
    size = len(sch.mf_i) + background_capacity(n_fibres, max(capacity_hz, background_hz), sch.total)
    noisy = add_mf_noise(sch, n_fibres, background_hz, jitter_s, dt_s, rng)
    mf_i, mf_t = pad_spikes(noisy.mf_i, noisy.mf_t, size, sch.total, dt_s, what="mossy-fibre",
                            remedy="raise mf_background_capacity")
    teacher_i, teacher_t = pad_spikes(noisy.teacher_i, noisy.teacher_t, n_pairs * n_out, sch.total, dt_s,
                                      what="teacher")
    return noisy, mf_i, mf_t, teacher_i, teacher_t
