"""Abstract FlyHash and the SDM read on the Kenyon-cell code (numpy only, no Brian2).

* :func:`sparse_projection` -- the binary PN -> KC matrix: each KC samples a few PNs at random
  (Caron et al. 2013, "Random convergence of olfactory inputs in the Drosophila mushroom body").
* :func:`fly_hash` -- random projection followed by top-k (winner-take-all) of each odour's KC
  inputs (Dasgupta, Stevens & Navlakha 2017, "A neural algorithm for a fundamental computing
  problem").
* :func:`dense_projection` -- a dense Gaussian random projection without sparsification (the
  locality-sensitive-hashing baseline of Dasgupta et al. 2017).
* :func:`pairwise_overlap`, :func:`input_similarity` -- code overlaps and input correlations.
* :func:`average_precision`, :func:`mean_average_precision` -- nearest-neighbour search quality of
  a code against the true input-space neighbours.
* :func:`sdm_write_depress`, :func:`sdm_read` -- the abstract SDM view of the KC -> MBON synapses:
  KCs are hard locations selected by top-k (not a Hamming ball), the weights are the counters, a
  dopamine-paired odour depresses the weights of its active KCs, and the MBON reads the mean
  weight over the probe's active KCs.
"""
from __future__ import annotations

import numpy as np

__all__ = ["sparse_projection", "top_k", "fly_hash", "dense_projection", "input_similarity", "pairwise_overlap",
           "average_precision", "mean_average_precision", "true_neighbours", "sdm_write_depress", "sdm_read",
           "spearman"]


def sparse_projection(n_kc: int, n_pn: int, k_min: int, k_max: int, rng: np.random.Generator) -> np.ndarray:
    """Binary PN -> KC projection: KC ``i`` samples ``k_i`` distinct PNs, ``k_i`` uniform on ``[k_min, k_max]``.

    Parameters
    ----------
    n_kc, n_pn : int
        Kenyon cells (rows) and projection neurons (columns).
    k_min, k_max : int
        Smallest and largest number of PN inputs per KC (``1 <= k_min <= k_max <= n_pn``).
    rng : numpy.random.Generator

    Returns
    -------
    numpy.ndarray of int8, shape (n_kc, n_pn)
        ``M[i, j] = 1`` when PN ``j`` projects to KC ``i``.
    """
    if not 1 <= k_min <= k_max <= n_pn:
        raise ValueError(f"need 1 <= k_min <= k_max <= n_pn, got k_min={k_min}, k_max={k_max}, n_pn={n_pn}")
    m = np.zeros((n_kc, n_pn), dtype=np.int8)
    counts = rng.integers(k_min, k_max + 1, size=n_kc)
    for i, k in enumerate(counts):
        m[i, rng.choice(n_pn, size=k, replace=False)] = 1
    return m


def top_k(values: np.ndarray, k: int) -> np.ndarray:
    """Boolean mask of the ``k`` largest entries of each row (ties broken by the lower index).

    Parameters
    ----------
    values : array, shape (n, d)
    k : int
        ``0 <= k <= d``.

    Returns
    -------
    numpy.ndarray of bool, shape (n, d), exactly ``k`` True per row.
    """
    values = np.atleast_2d(np.asarray(values, float))
    if not 0 <= k <= values.shape[1]:
        raise ValueError(f"k = {k} out of range 0..{values.shape[1]}")
    order = np.argsort(-values, axis=1, kind="stable")[:, :k]
    out = np.zeros(values.shape, dtype=bool)
    np.put_along_axis(out, order, True, axis=1)
    return out


def fly_hash(odours: np.ndarray, projection: np.ndarray, k: int) -> np.ndarray:
    """FlyHash: KC inputs ``projection @ odour`` and the top ``k`` KCs of each odour.

    Parameters
    ----------
    odours : array, shape (n_odours, n_pn)
        PN activity (rates) of each odour.
    projection : array, shape (n_kc, n_pn)
    k : int
        Active KCs per odour (hash length).

    Returns
    -------
    numpy.ndarray of bool, shape (n_odours, n_kc)
    """
    return top_k(np.atleast_2d(odours) @ np.asarray(projection, float).T, k)


def dense_projection(odours: np.ndarray, n_out: int, rng: np.random.Generator) -> np.ndarray:
    """Dense Gaussian random projection without sparsification, ``y = G x`` with ``G_ij ~ N(0, 1)``.

    Parameters
    ----------
    odours : array, shape (n_odours, n_pn)
    n_out : int
        Output dimensions (Dasgupta et al. 2017 compare at equal hash length: ``n_out = k``).
    rng : numpy.random.Generator

    Returns
    -------
    numpy.ndarray, shape (n_odours, n_out)
    """
    odours = np.atleast_2d(np.asarray(odours, float))
    g = rng.standard_normal((n_out, odours.shape[1]))
    return odours @ g.T


def input_similarity(odours: np.ndarray) -> np.ndarray:
    """Pearson correlation of every pair of odour vectors (centred cosine), shape (n, n)."""
    x = np.atleast_2d(np.asarray(odours, float))
    x = x - x.mean(axis=1, keepdims=True)
    x = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-300)
    return x @ x.T


def pairwise_overlap(codes: np.ndarray) -> np.ndarray:
    """Overlap of binary codes, ``|A & B| / sqrt(|A| |B|)`` (1 for identical codes; 0 when one is empty).

    Parameters
    ----------
    codes : bool array, shape (n, n_kc)

    Returns
    -------
    numpy.ndarray, shape (n, n)
    """
    c = np.atleast_2d(np.asarray(codes, float))
    shared = c @ c.T
    size = np.sqrt(np.outer(c.sum(axis=1), c.sum(axis=1)))
    return np.divide(shared, size, out=np.zeros_like(shared), where=size > 0)


def true_neighbours(similarity: np.ndarray, n_neighbours: int) -> np.ndarray:
    """Boolean (n, n): the ``n_neighbours`` most similar other items of each row (ties by lower index)."""
    s = np.array(similarity, float)
    np.fill_diagonal(s, -np.inf)
    return top_k(s, n_neighbours)


def average_precision(scores: np.ndarray, relevant: np.ndarray) -> float:
    """Average precision of ranking items by ``scores`` (high first), ties counted in expectation.

    With tied scores, the precision at each relevant item is its expectation over random orders of
    the tied group (McSherry & Najork 2008, "Computing information retrieval performance measures
    efficiently in the presence of tied scores"), so the result does not depend on item order.

    Parameters
    ----------
    scores : float array, shape (n,)
    relevant : bool array, shape (n,)
        At least one True.

    Returns
    -------
    float in [0, 1]
    """
    scores = np.asarray(scores, float)
    relevant = np.asarray(relevant, bool)
    n_rel = int(relevant.sum())
    if n_rel == 0:
        raise ValueError("average_precision needs at least one relevant item")
    values, inverse = np.unique(-scores, return_inverse=True)    # groups ordered best first
    size = np.bincount(inverse, minlength=len(values)).astype(float)
    rel = np.bincount(inverse, weights=relevant.astype(float), minlength=len(values))
    before = np.concatenate([[0.0], np.cumsum(size)[:-1]])          # items ranked above each group
    rel_before = np.concatenate([[0.0], np.cumsum(rel)[:-1]])
    total = 0.0
    for g in np.flatnonzero(rel):
        n, r = size[g], rel[g]
        # a relevant item at position j (1..n) in the group, uniformly: E[#relevant up to it] =
        # rel_before + 1 + (r-1)(j-1)/(n-1); precision = that / (before + j)
        j = np.arange(1, int(n) + 1)
        hits = rel_before[g] + 1 + ((r - 1) * (j - 1) / (n - 1) if n > 1 else 0.0)
        total += r * np.mean(hits / (before[g] + j))
    return float(total / n_rel)


def mean_average_precision(code_similarity: np.ndarray, relevant: np.ndarray) -> float:
    """Mean over queries of the average precision of ranking the other items by ``code_similarity``.

    Parameters
    ----------
    code_similarity : array, shape (n, n)
        Similarity of the codes (row = query); the diagonal (the query itself) is excluded.
    relevant : bool array, shape (n, n)
        True input-space neighbours of each query (:func:`true_neighbours`).
    """
    s = np.asarray(code_similarity, float)
    n = s.shape[0]
    aps = []
    for q in range(n):
        others = np.arange(n) != q
        aps.append(average_precision(s[q, others], relevant[q, others]))
    return float(np.mean(aps))


def sdm_write_depress(codes: np.ndarray, paired: np.ndarray, depression: float, w0: float = 1.0) -> np.ndarray:
    """KC -> MBON weights after dopamine-paired writes: each paired odour scales its KCs' weights by ``1 - depression``.

    Parameters
    ----------
    codes : bool array, shape (n_odours, n_kc)
        KC code of each odour (the hard locations it selects).
    paired : int array
        Odour index of every paired (odour + dopamine) trial, in order.
    depression : float
        Fraction of the weight removed per paired trial, ``0 <= depression <= 1``.
    w0 : float
        Initial weight of every KC.

    Returns
    -------
    numpy.ndarray, shape (n_kc,)
    """
    w = np.full(np.asarray(codes).shape[1], float(w0))
    for o in np.atleast_1d(paired):
        w[np.asarray(codes[o], bool)] *= 1.0 - depression
    return w


def sdm_read(codes: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """MBON drive of each odour: mean weight over its active KCs (0 for an empty code), shape (n_odours,)."""
    c = np.atleast_2d(np.asarray(codes, float))
    n = c.sum(axis=1)
    return np.divide(c @ np.asarray(weights, float), n, out=np.zeros(len(c)), where=n > 0)


def spearman(a, b) -> float:
    """Spearman rank correlation of two equal-length samples (average ranks for ties)."""
    from scipy.stats import spearmanr

    return float(spearmanr(np.asarray(a, float), np.asarray(b, float)).statistic)
