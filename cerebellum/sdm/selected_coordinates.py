"""Granule-cell address decoders: Jaeckel's selected-coordinate design and its weighted variant.

Instead of testing a Hamming distance, a selected-coordinate neuron samples ``k`` coordinates of
the address and fires iff the query matches its sampled 0/1 values on all of them (Jaeckel 1989;
Kanerva 1993, section 3.6): a granule cell with a handful of mossy-fibre inputs.  A random query
activates each neuron with probability ``2^-k``, and two points ``dv`` apart share a neuron with
probability ``C(n - dv, k) / C(n, k) 2^-k``.

In the weighted variant each input has a synaptic strength in contacts and the neuron fires when
the contacts of its matching inputs reach a threshold ``theta``; the threshold sets the coding
level (as in Litwin-Kumar et al. 2017), so a cell with ``K = 4`` inputs can fire for fewer than
``2^-4`` of random addresses.  For both designs the module gives random neurons, their
activations, the exact probability of co-activation at distance ``dv`` and (weighted) the
coding level.

Sources
-------
* L. A. Jaeckel, "An Alternative Design for a Sparse Distributed Memory", RIACS Technical Report
  89.28, NASA Ames Research Center, 1989.
* P. Kanerva, "Sparse Distributed Memory and Related Models", in M. H. Hassoun (ed.),
  *Associative Neural Memories*, Oxford University Press 1993, section 3.6.
* A. Litwin-Kumar, K. D. Harris, R. Axel, H. Sompolinsky & L. F. Abbott, "Optimal Degrees of
  Synaptic Connectivity", Neuron 93, 2017.
"""
from __future__ import annotations

import math

import numpy as np

from core.checks import check_binary_array, check_int, check_int_array, check_rng
from cerebellum.sdm.geometry import _check_n, _is_scalar

__all__ = [
    "random_selected_coordinates",
    "selected_coordinate_activation",
    "selected_coordinate_intersection",
    "random_contacts",
    "weighted_coordinate_activation",
    "weighted_coordinate_intersection",
    "weighted_coordinate_fraction",
]

# ---------------------------------------------------------------------------------------------
# Jaeckel's selected-coordinate design (Kanerva 1993 section 3.6)
# ---------------------------------------------------------------------------------------------

def random_selected_coordinates(n, r, k, rng=None):
    """Draw ``r`` selected-coordinate neurons: ``k`` distinct coordinates and their 0/1 values each.

    Returns
    -------
    coords : numpy.ndarray, shape (r, k), int64
    values : numpy.ndarray, shape (r, k), uint8
    """
    n = _check_n(n)
    r = check_int("r", r, lo=1)
    k = check_int("k", k, lo=1, hi=(n, f"n = {n}"))
    gen = check_rng("rng", rng)
    coords = np.argsort(gen.random((r, n)), axis=1)[:, :k].astype(np.int64)
    values = gen.integers(0, 2, size=(r, k), dtype=np.uint8)
    return coords, values


def selected_coordinate_activation(queries, coords, values) -> np.ndarray:
    """Jaeckel's selected-coordinate activation: neuron ``tau`` fires iff the query matches its
    ``k`` sampled values on its ``k`` sampled coordinates.

    A granule cell with a handful of mossy-fibre inputs tests a few address bits rather than a
    Hamming distance (Kanerva 1993, section 3.6); a random query activates each neuron with
    probability ``2^-k``.

    Parameters
    ----------
    queries : array_like, shape (n,) or (B, n)
        0/1 queries.
    coords : array_like of int, shape (r, k)
        Sampled coordinates per neuron, each in ``[0, n)``.
    values : array_like, shape (r, k)
        Required 0/1 values at those coordinates.

    Returns
    -------
    numpy.ndarray of bool, shape (r,) or (B, r)
    """
    shape = np.shape(coords)
    if len(shape) != 2:
        raise ValueError(f"coords has shape {shape}: must be 2-D (r, k)")
    # all k inputs match <=> k unit contacts reach a threshold of k
    return weighted_coordinate_activation(queries, coords, values, np.ones(shape, np.int64), max(1, shape[1]))


def selected_coordinate_intersection(n, k, dv):
    """Probability that a random selected-coordinate neuron is active for two points ``dv`` apart.

    Both points must agree on all ``k`` sampled coordinates and match the sampled values:
    ``C(n - dv, k) / C(n, k) * 2^-k``.  Normalised over patterns, the read weights are therefore
    ``∝ C(n - dv, k)`` (zero for ``dv > n - k``).

    Parameters
    ----------
    n, k : int
        Dimension and number of sampled coordinates, ``1 <= k <= n``.
    dv : int or array_like of int
        Distance(s) between the two points.

    Returns
    -------
    float or numpy.ndarray
    """
    n = _check_n(n)
    k = check_int("k", k, lo=1, hi=(n, f"n = {n}"))
    dvs = check_int_array("dv", dv, lo=0, hi=(n, f"n = {n}"))
    ck = math.comb(n, k)
    out = np.array([math.comb(n - v, k) / ck * 2.0 ** -k for v in dvs.ravel()]).reshape(dvs.shape)
    return float(out) if _is_scalar(dv) else out


# ---------------------------------------------------------------------------------------------
# Selected coordinates with unequal synapses (granule cells with a firing threshold)
# ---------------------------------------------------------------------------------------------

def random_contacts(r, k, contacts_max, rng=None) -> np.ndarray:
    """Synaptic strength of each of the ``k`` inputs of ``r`` neurons, in contacts, uniform on
    ``1 .. contacts_max``; shape (r, k), int64 (``contacts_max = 1``: all inputs equal)."""
    r = check_int("r", r, lo=1)
    k = check_int("k", k, lo=1)
    m = check_int("contacts_max", contacts_max, lo=1, hi=1000)
    gen = check_rng("rng", rng)
    return gen.integers(1, m + 1, size=(r, k)).astype(np.int64)


def weighted_coordinate_activation(queries, coords, values, contacts, theta) -> np.ndarray:
    """Selected coordinates with a threshold: neuron ``tau`` fires iff the contacts of its matching
    inputs sum to at least ``theta``, ``sum_k contacts[tau, k] [q[coords[tau, k]] == values[tau, k]]
    >= theta``.

    With every contact 1 and ``theta = k`` this is :func:`selected_coordinate_activation`. Unequal
    synapses and a threshold are how a granule cell with ``K = 4`` inputs reaches a coding level
    below ``2^-4`` (the threshold sets the coding level, as in Litwin-Kumar et al. 2017).

    Parameters
    ----------
    queries : array_like, shape (n,) or (B, n)
    coords, values : array_like, shape (r, k)
        As in :func:`selected_coordinate_activation`.
    contacts : array_like of int, shape (r, k)
        Strength of each input (>= 1).
    theta : int
        Summed contacts needed to fire, ``1 <= theta``.

    Returns
    -------
    numpy.ndarray of bool, shape (r,) or (B, r)
    """
    q = check_binary_array("queries", queries)
    n = q.shape[-1]
    coords = check_int_array("coords", coords, lo=0, hi=(n - 1, f"n - 1 = {n - 1}"))
    if coords.ndim != 2:
        raise ValueError(f"coords has shape {coords.shape}: must be 2-D (r, k)")
    values = check_binary_array("values", values, n=None, ndim=(2,))
    contacts = check_int_array("contacts", contacts, lo=1)
    for name, arr in (("values", values), ("contacts", contacts)):
        if arr.shape != coords.shape:
            raise ValueError(f"{name} shape {arr.shape} must equal coords shape {coords.shape}")
    theta = check_int("theta", theta, lo=1)
    q2 = np.atleast_2d(q)
    out = np.empty((q2.shape[0], coords.shape[0]), dtype=bool)
    chunk = max(1, 4_000_000 // max(1, coords.size))
    for s in range(0, q2.shape[0], chunk):
        match = q2[s:s + chunk][:, coords] == values[None]
        out[s:s + chunk] = (match * contacts[None]).sum(axis=-1) >= theta
    return out[0] if q.ndim == 1 else out


def _pair_activation_by_flips(contacts_row, theta: int) -> np.ndarray:
    """``P(both active | j of the k inputs see a flipped bit)`` for j = 0..k, one neuron.

    Dynamic programme over inputs with state (flipped so far, drive at a, drive at b); each
    unflipped input matches both points or neither (prob. 1/2 each), a flipped one matches
    exactly one of them. Summing over which inputs are flipped and dividing by ``C(k, j)``
    averages over the uniformly random flipped subset.
    """
    c = [int(x) for x in contacts_row]
    k, top = len(c), int(sum(c))
    table = np.zeros((k + 1, top + 1, top + 1))
    table[0, 0, 0] = 1.0
    for ci in c:
        nxt = 0.5 * table
        nxt[:, ci:, ci:] += 0.5 * table[:, :top + 1 - ci, :top + 1 - ci]
        nxt[1:, ci:, :] += 0.5 * table[:-1, :top + 1 - ci, :]
        nxt[1:, :, ci:] += 0.5 * table[:-1, :, :top + 1 - ci]
        table = nxt
    both = table[:, theta:, theta:].sum(axis=(1, 2))
    return both / np.array([math.comb(k, j) for j in range(k + 1)], dtype=float)


def weighted_coordinate_intersection(n, contacts, theta, dv):
    """Expected fraction of the given neurons active for two points ``dv`` apart.

    For each neuron (row of ``contacts``) with random coordinates and values, the number of its
    ``k`` inputs on flipped bits is hypergeometric, ``C(dv, j) C(n - dv, k - j) / C(n, k)``; the
    joint activation given ``j`` is exact (:func:`_pair_activation_by_flips`). The result is the
    mean over rows, so ``r *`` it is the expected co-activation count of ``r`` such neurons.
    With all contacts 1 and ``theta = k`` it equals :func:`selected_coordinate_intersection`.

    Parameters
    ----------
    n : int
    contacts : array_like of int, shape (r, k)
    theta : int
    dv : int or array_like of int

    Returns
    -------
    float or numpy.ndarray
    """
    n = _check_n(n)
    contacts = check_int_array("contacts", contacts, lo=1)
    if contacts.ndim != 2:
        raise ValueError(f"contacts has shape {contacts.shape}: must be 2-D (r, k)")
    k = contacts.shape[1]
    check_int("k", k, lo=1, hi=(n, f"n = {n}"))
    theta = check_int("theta", theta, lo=1)
    dvs = check_int_array("dv", dv, lo=0, hi=(n, f"n = {n}"))
    # the result depends on a row only through its multiset of contacts
    rows, freq = np.unique(np.sort(contacts, axis=1), axis=0, return_counts=True)
    by_flips = sum(f * _pair_activation_by_flips(row, theta) for row, f in zip(rows, freq)) / contacts.shape[0]
    ck = math.comb(n, k)
    out = np.array([sum(math.comb(v, j) * math.comb(n - v, k - j) / ck * by_flips[j] for j in range(k + 1))
                    for v in dvs.ravel()]).reshape(dvs.shape)
    return float(out) if _is_scalar(dv) else out


def weighted_coordinate_fraction(k, contacts_max, theta) -> float:
    """Coding level of neurons with ``k`` inputs of strength uniform on ``1 .. contacts_max`` and
    threshold ``theta``, for a random address: ``P(sum_k c_k b_k >= theta)``, ``b_k ~ Bernoulli(1/2)``
    (exact, by convolution)."""
    k = check_int("k", k, lo=1)
    m = check_int("contacts_max", contacts_max, lo=1, hi=1000)
    theta = check_int("theta", theta, lo=1)
    term = np.zeros(m + 1)
    term[0] = 0.5
    term[1:] = 0.5 / m
    dist = np.array([1.0])
    for _ in range(k):
        dist = np.convolve(dist, term)
    return float(dist[theta:].sum())
