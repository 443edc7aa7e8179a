"""Checkpoints, queries and the window schedule of ``sdm-capacity`` (numpy only).

Times are plain floats in seconds. The run writes the pairs one after another and, each time the
number stored reaches a checkpoint ``m_k``, reads the queries of that checkpoint; every window lasts
``period`` and its mossy-fibre volley starts :data:`~protocols.sdm_recall.design.VOLLEY_OFFSET` into it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cerebellum.sdm_address_code import active_fibres
from core.checks import check_int
from core.units import in_unit
from protocols.sdm_recall.design import VOLLEY_OFFSET, Schedule, teacher_spikes

__all__ = ["checkpoint_blocks", "CapacityQueries", "make_capacity_queries", "make_capacity_schedule",
           "capacity_from_curve", "recall_accuracy"]


def checkpoint_blocks(m_values) -> list[tuple[int, int]]:
    """The write blocks between checkpoints: ``[(0, m_1), (m_1, m_2), ...]`` (pairs written before each read).

    Parameters
    ----------
    m_values : sequence of int
        Checkpoints, strictly increasing, ``>= 1``.

    Raises
    ------
    ValueError
        Naming ``m_values``, the value and the rule, for an empty, non-increasing or non-positive list.
    """
    m = [check_int(f"m_values[{k}]", v, lo=1) for k, v in enumerate(m_values)]
    if not m:
        raise ValueError("m_values = (none) is out of range: give at least one checkpoint")
    if any(b <= a for a, b in zip(m, m[1:])):
        raise ValueError(f"m_values = {', '.join(map(str, m))} is out of range: allowed strictly increasing values")
    return list(zip([0, *m[:-1]], m))


@dataclass(frozen=True)
class CapacityQueries:
    """The read queries of every checkpoint, in read order.

    Attributes
    ----------
    queries : (q, n) uint8
    target : (q,) int64
        Stored pair each query is made from (always one stored before its checkpoint).
    distance : (q,) int64
        Hamming distance (bits) of each query from its target's address.
    checkpoint : (q,) int64
        Index ``k`` of the checkpoint ``m_values[k]`` at which the query is read.
    """

    queries: np.ndarray
    target: np.ndarray
    distance: np.ndarray
    checkpoint: np.ndarray


def make_capacity_queries(addresses, m_values, distances, per_distance: int,
                          rng: np.random.Generator) -> CapacityQueries:
    """``per_distance`` queries per checkpoint and distance, around pairs stored by that checkpoint.

    Targets are drawn uniformly among the first ``m_k`` pairs (without repetition while there are
    enough), and each query flips ``dv`` distinct random bits of its target's address.
    """
    a = np.asarray(addresses)
    n = a.shape[1]
    blocks = checkpoint_blocks(m_values)
    per_distance = check_int("queries", per_distance, lo=1)
    qs, tg, ds, ck = [], [], [], []
    for k, (_, m) in enumerate(blocks):
        if m > a.shape[0]:
            raise ValueError(f"m_values[{k}] = {m} is out of range: allowed m_values[{k}] <= stored pairs = "
                             f"{a.shape[0]}")
        for dv in distances:
            dv = check_int("distance", dv, lo=0, hi=n)
            target = rng.choice(m, per_distance, replace=per_distance > m)
            for t in target:
                q = a[t].copy()
                q[rng.choice(n, dv, replace=False)] ^= 1
                qs.append(q)
                tg.append(t)
                ds.append(dv)
                ck.append(k)
    return CapacityQueries(np.asarray(qs, np.uint8).reshape(-1, n), np.asarray(tg, np.int64),
                           np.asarray(ds, np.int64), np.asarray(ck, np.int64))


def make_capacity_schedule(params, calibration: dict, addresses, pointers, queries: CapacityQueries,
                           m_values, warmup: int, rng: np.random.Generator, read_volleys: int = 1) -> Schedule:
    """Baseline, warm-up, then for every checkpoint its writes and its reads.

    The climbing fibre of a write reaches the Purkinje cells at the eligibility peak of the PF
    spikes its volley evokes, (:func:`protocols.sdm_recall.design.teacher_spikes`).

    Parameters
    ----------
    params : SDMCircuitParams
    calibration : dict
        ``latency_theta``, ``latency_max`` and ``io_latency`` in ms.
    addresses : (M, n), pointers : (M, n_out)
        0/1 arrays, ``M = m_values[-1]``.
    queries : CapacityQueries
        Read in order, checkpoint by checkpoint.
    m_values : sequence of int
    warmup : int
    read_volleys : int

    Returns
    -------
    protocols.sdm_recall.design.Schedule
        ``write_start`` holds one start per pair (pair order), ``read_start`` one per query (query
        order); ``segments``: baseline, warm-up, and one segment for all writes and reads.
    """
    n, n_out = params.n, params.n_out
    a = np.asarray(addresses, np.uint8)
    p = np.asarray(pointers, np.uint8)
    blocks = checkpoint_blocks(m_values)
    if a.ndim != 2 or a.shape != (blocks[-1][1], n):
        raise ValueError(f"addresses has shape {a.shape}: must be (m_values[-1] = {blocks[-1][1]}, n = {n})")
    if p.shape != (a.shape[0], n_out):
        raise ValueError(f"pointers has shape {p.shape}: must be ({a.shape[0]}, n_out = {n_out})")
    warmup = check_int("warmup", warmup, lo=0)
    read_volleys = check_int("read_volleys", read_volleys, lo=1)
    T = in_unit(params.period, "second")
    off = VOLLEY_OFFSET
    warm = rng.integers(0, 2, size=(warmup, n)).astype(np.uint8)
    parts, kinds = [warm], [np.full(warmup, -1)]
    for k, (m0, m1) in enumerate(blocks):
        sel = queries.checkpoint == k
        reads = np.repeat(queries.queries[sel], read_volleys, axis=0)
        parts += [a[m0:m1], reads]
        kinds += [np.zeros(m1 - m0), np.ones(len(reads))]
    sequence = np.concatenate(parts)
    # one segment for all writes and reads: every Brian2 run call adds its own code objects to the
    # compiled program, so the program stays the same whatever the checkpoints
    segments = [(T, "baseline"), (T * warmup, "warm-up"), (T * (len(sequence) - warmup), "writes and reads")]
    kind = np.concatenate(kinds)
    starts = T * (1 + np.arange(len(sequence)))
    mf_i = active_fibres(sequence).ravel()
    mf_t = np.repeat(starts + off, n)
    write_start = starts[kind == 0]
    read_start = starts[kind == 1][::read_volleys]
    teacher_i, teacher_t = teacher_spikes(params, calibration, write_start, p)
    total = T * (1 + len(sequence))
    return Schedule(T, off, write_start, read_start, total, mf_i, mf_t, teacher_i, teacher_t, segments,
                    read_volleys)


def recall_accuracy(bits, pointers, queries: CapacityQueries, n_checkpoints: int, distances) -> np.ndarray:
    """Fraction of pointer bits read correctly, per checkpoint and query distance.

    Parameters
    ----------
    bits : (q, n_out) 0/1
        The read of every query.
    pointers : (M, n_out) 0/1
        Stored pointers (the truth of query ``i`` is ``pointers[target[i]]``).
    queries : CapacityQueries
    n_checkpoints : int
    distances : sequence of int

    Returns
    -------
    (n_checkpoints, len(distances)) float
        nan where a cell has no query.
    """
    correct = (np.asarray(bits) == np.asarray(pointers)[queries.target]).mean(axis=1)
    out = np.full((n_checkpoints, len(distances)), np.nan)
    for k in range(n_checkpoints):
        for j, dv in enumerate(distances):
            sel = (queries.checkpoint == k) & (queries.distance == dv)
            if sel.any():
                out[k, j] = correct[sel].mean()
    return out


def capacity_from_curve(m_values, accuracy, level: float = 0.95) -> int:
    """Capacity read off a recall curve: the largest checkpoint ``m`` up to which every checkpoint
    keeps at least ``level`` of the bits correct (the first miss ends it; 0 if the first misses).

    Parameters
    ----------
    m_values : (K,) int
        Checkpoints, increasing.
    accuracy : (K,) float
        Fraction of correct bits at distance 0 per checkpoint.
    level : float

    Returns
    -------
    int
        Stored pairs; equals ``m_values[-1]`` when no checkpoint misses (a lower bound then).
    """
    m = np.asarray(m_values)
    acc = np.asarray(accuracy, dtype=float)
    if m.shape != acc.shape or m.ndim != 1:
        raise ValueError(f"m_values {m.shape} and accuracy {acc.shape} must be 1-d and of equal length")
    miss = np.flatnonzero(~(acc >= level))  # nan counts as a miss
    stop = miss[0] if miss.size else len(m)
    return int(m[stop - 1]) if stop > 0 else 0
