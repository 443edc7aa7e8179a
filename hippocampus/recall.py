"""Recall accuracy of associative memories: modern (softmax) vs classical (Hebbian) Hopfield networks,
and the best a spike-count read-out of a softmax can do (numpy only).

* :func:`argmax_unique` -- the recall decision: the memory with the largest weight or spike count,
  a tie counting as a miss.
* :func:`classical_recall_accuracy` -- a classical Hopfield network (Hopfield 1982, PNAS 79:2554)
  recalls a cue when its fixed point lies within a few bits of the stored pattern.
* :func:`capacity_sweep` -- recall accuracy against the number of stored ``+-1`` patterns at equal
  feature-neuron count ``d``: the classical network fails beyond about ``0.14 d`` memories (Amit,
  Gutfreund & Sompolinsky 1985, Phys. Rev. Lett. 55:1530), the modern one does not (Ramsauer et
  al. 2021, ICLR, arXiv:2008.02217; Krotov & Hopfield 2016, NeurIPS, arXiv:1606.01164).
* :func:`sampled_argmax_accuracy` -- recall of an ideal observer that sees ``n`` draws from the
  softmax (a multinomial, like ``n`` memory-neuron spikes): the limit of a spike-count read-out.
"""
from __future__ import annotations

import numpy as np

from core.checks import as_array, check_int, check_int_array, check_real, check_rng
from hippocampus.attention import classical_hopfield_recall, softmax_attention
from hippocampus.codes import pattern_codes

__all__ = ["argmax_unique", "classical_recall_accuracy", "capacity_sweep", "sampled_argmax_accuracy"]


def argmax_unique(x) -> np.ndarray:
    """Row-wise argmax of a 2-D array, ``-1`` where the maximum is tied (a tie is a miss, not the
    lowest index).

    Parameters
    ----------
    x : array_like, shape (B, N)
        Weights or counts, one row per query.

    Returns
    -------
    numpy.ndarray of int, shape (B,)
    """
    x = np.asarray(x)
    top = x.max(axis=1, keepdims=True)
    out = np.argmax(x, axis=1)
    out[np.sum(x == top, axis=1) > 1] = -1
    return out


def classical_recall_accuracy(patterns, cues, targets, rng, tol=0.05) -> np.ndarray:
    """Whether a classical Hopfield network recalls each cue's target pattern.

    The network (Hebbian weights of ``patterns``, asynchronous updates in random order, see
    :func:`hippocampus.attention.classical_hopfield_recall`) starts from each cue; recall is
    correct when its final state lies within ``tol * d`` bits of the target pattern.

    Parameters
    ----------
    patterns : array_like, shape (N, d)
        Stored ``+-1`` patterns.
    cues : array_like, shape (B, d)
        ``+-1`` start states.
    targets : array_like of int, shape (B,)
        Index of the pattern each cue should recall.
    rng : numpy.random.Generator
        Update order.
    tol : float
        Largest Hamming distance still counted as recall, as a fraction of ``d`` (0 <= tol <= 1).

    Returns
    -------
    numpy.ndarray of bool, shape (B,)
    """
    patterns = as_array("patterns", patterns, ndims=(2,))
    targets = check_int_array("targets", targets, lo=0, hi=patterns.shape[0] - 1)
    tol = check_real("tol", tol, lo=0.0, hi=1.0)
    final = classical_hopfield_recall(cues, patterns, rng=rng)
    d = patterns.shape[1]
    ham = np.sum(final != patterns[targets], axis=1)
    return ham <= tol * d


def capacity_sweep(memory_counts, d, beta, rng, noise=0.1, trials=64) -> tuple[np.ndarray, np.ndarray]:
    """Recall accuracy against stored memories: modern (softmax) vs classical Hopfield network.

    For each count ``m``: ``m`` random ``+-1`` patterns of ``d`` bits, ``trials`` cues (a random
    stored pattern with a fraction ``noise`` of its bits flipped). The modern network attends
    with ``softmax(beta k . q)`` on the non-negative codes :func:`hippocampus.codes.pattern_codes`
    of patterns and cues and is correct when the target has the largest weight; the classical
    network is scored by :func:`classical_recall_accuracy`.

    Parameters
    ----------
    memory_counts : sequence of int
        Stored memories per point of the sweep (each >= 1).
    d : int
        Feature neurons (bits per pattern), >= 1.
    beta : float
        Inverse temperature of the modern network, > 0.
    rng : numpy.random.Generator or int
        Patterns, targets, flipped bits and classical update order, drawn in that order per count.
    noise : float
        Fraction of flipped cue bits (0 <= noise <= 1).
    trials : int
        Cues per count (>= 1).

    Returns
    -------
    modern, classical : numpy.ndarray, shape (len(memory_counts),)
        Fraction of cues recalled.
    """
    counts = [check_int(f"memory_counts[{k}]", m, lo=1) for k, m in enumerate(memory_counts)]
    d = check_int("d", d, lo=1)
    beta = check_real("beta", beta, lo=0.0, lo_open=True)
    noise = check_real("noise", noise, lo=0.0, hi=1.0)
    trials = check_int("trials", trials, lo=1)
    rng = check_rng("rng", rng)
    modern, classical = [], []
    for m in counts:
        pats = rng.choice([-1.0, 1.0], size=(m, d))
        tg = rng.integers(m, size=trials)
        cues = pats[tg].copy()
        for k in range(trials):
            cues[k, rng.choice(d, int(round(noise * d)), replace=False)] *= -1
        _, w = softmax_attention(pattern_codes(cues), pattern_codes(pats), np.eye(m), beta, return_weights=True)
        modern.append(float(np.mean(np.argmax(w, axis=1) == tg)))
        classical.append(float(np.mean(classical_recall_accuracy(pats, cues, tg, rng))))
    return np.array(modern), np.array(classical)


def sampled_argmax_accuracy(p, n_spikes, targets, rng, draws=400) -> np.ndarray:
    """Expected recall accuracy of an ideal sampler of a softmax with a given number of spikes.

    For each query ``q``, ``n_spikes[q]`` draws from ``p[q]`` (a multinomial, like the memory
    pool's spikes), repeated ``draws`` times (Monte Carlo); a repeat is correct when the target
    alone has the most draws (ties and zero spikes are misses).

    Parameters
    ----------
    p : array_like, shape (B, N)
        Attention weights per query (rows are normalised here).
    n_spikes : array_like of int, shape (B,)
        Spikes available to each query.
    targets : array_like of int, shape (B,)
        Memory each query should recall.
    rng : numpy.random.Generator
    draws : int
        Monte Carlo repeats per query (>= 1).

    Returns
    -------
    numpy.ndarray, shape (B,)
        Fraction of repeats that recall the target.
    """
    draws = check_int("draws", draws, lo=1)
    out = np.zeros(len(targets))
    for q in range(len(targets)):
        if n_spikes[q] == 0:
            continue
        c = rng.multinomial(int(n_spikes[q]), p[q] / p[q].sum(), size=draws)
        out[q] = np.mean(argmax_unique(c) == targets[q])
    return out
