"""Abstract maths of the hippocampal memory: softmax attention, modern Hopfield networks, TEM-t.

Everything here is plain numpy/scipy (no Brian2), so the theory that the spiking network is
checked against is fast to import and to test.

Conventions
-----------
* Patterns, keys and values are stored **one per row**: ``keys`` has shape ``(N, d)``, ``values``
  ``(N, m)``.  A query is a vector ``(d,)`` or a batch of queries ``(B, d)`` (one per row); outputs
  keep that leading batch axis.
* ``beta`` is the inverse temperature (dimensionless, ``> 0``) multiplying the raw dot products:
  ``softmax(beta * K q)``.  No ``1/sqrt(d)`` scaling is applied implicitly (fold it into ``beta``).
  The softmax itself is :func:`core.softmax.softmax` (also importable from here under that name);
  the functions of this module reject ``beta <= 0`` themselves, since here ``beta`` is a physical
  inverse temperature.
* All quantities are dimensionless (codes, scores, probabilities); nothing here carries units.

Sources
-------
* Ramsauer et al. 2021, "Hopfield networks is all you need", ICLR, arXiv:2008.02217 -- energy,
  one-step update ``xi_new = X softmax(beta X^T xi)`` and pattern separation.
* Whittington, Warren & Behrens 2022, "Relating transformers to models and neural
  representations of the hippocampal formation", ICLR, arXiv:2112.04035 -- TEM-t: causal
  attention with queries = keys from the position (MEC) code and values from the sensory (LEC)
  code.
* Hopfield 1982, PNAS 79:2554 / Amit, Gutfreund & Sompolinsky 1985, Phys. Rev. Lett. 55:1530 --
  classical Hebbian network (capacity about 0.14 d), used as the equal-neuron-count contrast.
* Binomial mean absolute deviation (de Moivre): ``E|X - np| = 2 v C(n, v) p^v (1-p)^(n-v+1)`` with
  ``v = floor(np) + 1`` (Diaconis & Zabell 1991, Statist. Sci. 6:284), used for the expected
  multinomial sampling error of a spike-count read-out.
"""
from __future__ import annotations

import numpy as np
from scipy.special import gammaln, logsumexp

from core.checks import as_array as _as_array
from core.checks import check_int as _check_int
from core.checks import check_real as _check_real
from core.softmax import softmax

__all__ = [
    "softmax_attention",
    "hopfield_update",
    "hopfield_energy",
    "separation",
    "mean_correct_attention",
    "hebbian_weights",
    "classical_hopfield_recall",
    "causal_tem_attention",
    "total_variation",
    "expected_multinomial_tv",
]


def _check_beta(beta, name="beta"):
    return _check_real(name, beta, lo=0.0, lo_open=True)


def _rows(name, value):
    """Patterns/keys/values: a 2-D array, one item per row."""
    return _as_array(name, value, ndims=(2,))


def _queries(name, value, dim, dim_text):
    """A vector ``(dim,)`` or a batch ``(B, dim)``; returns (2-D array, was_vector)."""
    arr = _as_array(name, value, ndims=(1, 2))
    if arr.shape[-1] != dim:
        raise ValueError(f"{name} has shape {arr.shape}: allowed {name}.shape[-1] == {dim_text} = {dim}")
    return np.atleast_2d(arr), arr.ndim == 1


# ---------------------------------------------------------------------------------------------
# Softmax attention and modern Hopfield networks
# ---------------------------------------------------------------------------------------------

def softmax_attention(query, keys, values, beta, *, return_weights=False):
    """Softmax attention ``y = softmax(beta * K q)^T V`` (one key/value per row).

    This is the rate-level operation the spiking hippocampal memory implements: memory neuron
    ``mu`` has in-weights ``keys[mu]`` and out-weights ``values[mu]`` (Whittington et al. 2022).

    Parameters
    ----------
    query : array_like, shape (d,) or (B, d)
        One query or a batch of queries, one per row.
    keys : array_like, shape (N, d)
        Keys, one per row.
    values : array_like, shape (N, m)
        Values, one per row (same N as ``keys``).
    beta : float
        Inverse temperature ``> 0`` applied to the raw dot products (dimensionless).
    return_weights : bool, optional
        Also return the attention weights.

    Returns
    -------
    out : numpy.ndarray, shape (m,) or (B, m)
        Attention output.
    weights : numpy.ndarray, shape (N,) or (B, N)
        Only when ``return_weights``; non-negative, summing to 1 over memories.
    """
    keys = _rows("keys", keys)
    values = _rows("values", values)
    if values.shape[0] != keys.shape[0]:
        raise ValueError(f"values has shape {values.shape} but keys has shape {keys.shape}: "
                         f"allowed the same number of rows N = {keys.shape[0]}")
    q, single = _queries("query", query, keys.shape[1], "keys.shape[1]")
    beta = _check_beta(beta)
    w = softmax(q @ keys.T, beta=beta, axis=-1)
    out = w @ values
    if single:
        out, w = out[0], w[0]
    return (out, w) if return_weights else out


def hopfield_update(state, patterns, beta, n_steps=1):
    """Modern Hopfield update ``xi_new = X softmax(beta X^T xi)`` (Ramsauer et al. 2021, eq. update).

    ``X`` holds the stored patterns as columns; here ``patterns`` holds them as rows, so the update
    is ``softmax(beta * patterns @ xi) @ patterns``.  The update is the CCCP step of
    :func:`hopfield_energy` and never increases it.

    Parameters
    ----------
    state : array_like, shape (d,) or (B, d)
        State pattern(s) ``xi`` (one per row for a batch).
    patterns : array_like, shape (N, d)
        Stored patterns, one per row.
    beta : float
        Inverse temperature ``> 0`` (dimensionless).
    n_steps : int, optional
        Number of updates to apply (``>= 1``); one step usually suffices for well separated patterns.

    Returns
    -------
    numpy.ndarray
        Updated state, same shape as ``state``.
    """
    patterns = _rows("patterns", patterns)
    xi, single = _queries("state", state, patterns.shape[1], "patterns.shape[1]")
    beta = _check_beta(beta)
    n_steps = _check_int("n_steps", n_steps, lo=1)
    for _ in range(n_steps):
        xi = softmax(xi @ patterns.T, beta=beta, axis=-1) @ patterns
    return xi[0] if single else xi


def hopfield_energy(state, patterns, beta):
    """Ramsauer energy ``E = -lse(beta, X^T xi) + xi.xi/2 + log(N)/beta + M^2/2``.

    ``lse(beta, z) = beta^-1 log sum_l exp(beta z_l)`` and ``M = max_i ||x_i||`` (Ramsauer et al.
    2021, energy with constants); with the constants, ``E >= 0``.

    Parameters
    ----------
    state : array_like, shape (d,) or (B, d)
        State pattern(s) ``xi``.
    patterns : array_like, shape (N, d)
        Stored patterns, one per row.
    beta : float
        Inverse temperature ``> 0``.

    Returns
    -------
    float or numpy.ndarray, shape (B,)
        Energy (dimensionless) of each state.
    """
    patterns = _rows("patterns", patterns)
    xi, single = _queries("state", state, patterns.shape[1], "patterns.shape[1]")
    beta = _check_beta(beta)
    n = patterns.shape[0]
    big_m = np.max(np.linalg.norm(patterns, axis=1))
    lse = logsumexp(beta * (xi @ patterns.T), axis=-1) / beta
    e = -lse + 0.5 * np.sum(xi * xi, axis=-1) + np.log(n) / beta + 0.5 * big_m ** 2
    return float(e[0]) if single else e


def separation(patterns):
    """Pattern separation ``Delta_i = x_i.x_i - max_{j != i} x_i.x_j`` (Ramsauer et al. 2021).

    Parameters
    ----------
    patterns : array_like, shape (N, d)
        Patterns, one per row, ``N >= 2``.

    Returns
    -------
    numpy.ndarray, shape (N,)
        Separation of each pattern (dimensionless; for unit-norm patterns ``1 - max cosine``).
    """
    patterns = _rows("patterns", patterns)
    if patterns.shape[0] < 2:
        raise ValueError(f"patterns has shape {patterns.shape}: allowed at least 2 rows")
    g = patterns @ patterns.T
    diag = np.diag(g).copy()
    np.fill_diagonal(g, -np.inf)
    return diag - g.max(axis=1)


def mean_correct_attention(patterns, beta):
    """Mean attention weight on the matching memory when each stored pattern queries the memory.

    Computes ``mean_i softmax(beta * X x_i)_i``: 1 means one-hot retrieval, ``1/N`` full blending.
    (the "mean attention on the correct memory" of a key set at inverse temperature ``beta``).

    Parameters
    ----------
    patterns : array_like, shape (N, d)
        Keys, one per row (also used as the queries).
    beta : float
        Inverse temperature ``> 0``.

    Returns
    -------
    float
    """
    patterns = _rows("patterns", patterns)
    beta = _check_beta(beta)
    w = softmax(patterns @ patterns.T, beta=beta, axis=-1)
    return float(np.mean(np.diag(w)))


# ---------------------------------------------------------------------------------------------
# Classical Hopfield network (contrast)
# ---------------------------------------------------------------------------------------------

def _check_pm1(name, arr):
    if not np.all((arr == 1) | (arr == -1)):
        raise ValueError(f"{name} (shape {arr.shape}) must contain only +1 and -1 entries")


def hebbian_weights(patterns):
    """Hebbian weight matrix ``W = (1/d) sum_mu x_mu x_mu^T`` with zero diagonal.

    Parameters
    ----------
    patterns : array_like, shape (N, d)
        Binary +-1 patterns, one per row.

    Returns
    -------
    numpy.ndarray, shape (d, d)
        Symmetric weights (dimensionless).
    """
    patterns = _rows("patterns", patterns)
    _check_pm1("patterns", patterns)
    d = patterns.shape[1]
    w = patterns.T @ patterns / d
    np.fill_diagonal(w, 0.0)
    return w


def classical_hopfield_recall(state, patterns, max_sweeps=50, rng=None):
    """Recall in a classical Hopfield network: Hebbian weights, asynchronous sign updates.

    Each sweep updates every neuron once, ``s_i <- sign(sum_j W_ij s_j)`` (a zero field keeps
    ``s_i``), in index order or, with ``rng``, in a fresh random order per sweep.  Asynchronous
    updates never increase the energy ``-s^T W s / 2``, so recall stops at a fixed point; it stops
    early when a sweep changes nothing.  Capacity is about ``0.14 d`` patterns for ``d`` neurons
    (``d / (2 log d)`` error-free), versus exponential in ``d`` for the modern network -- the
    contrast at equal neuron count.

    Parameters
    ----------
    state : array_like, shape (d,) or (B, d)
        Initial +-1 state(s) (e.g. a corrupted pattern).
    patterns : array_like, shape (N, d)
        Stored +-1 patterns, one per row.
    max_sweeps : int, optional
        Maximum number of full sweeps (``>= 1``).
    rng : numpy.random.Generator or int or None, optional
        Random update order per sweep; ``None`` for deterministic index order.

    Returns
    -------
    numpy.ndarray
        Final +-1 state(s), same shape as ``state``.
    """
    w = hebbian_weights(patterns)
    s, single = _queries("state", state, w.shape[0], "patterns.shape[1]")
    _check_pm1("state", s)
    max_sweeps = _check_int("max_sweeps", max_sweeps, lo=1)
    if rng is not None and not isinstance(rng, np.random.Generator):
        rng = np.random.default_rng(_check_int("rng", rng, lo=0))
    s = s.copy()
    d = w.shape[0]
    for _ in range(max_sweeps):
        order = np.arange(d) if rng is None else rng.permutation(d)
        changed = False
        for i in order:
            h = s @ w[i]
            new = np.where(h > 0, 1.0, np.where(h < 0, -1.0, s[:, i]))
            if np.any(new != s[:, i]):
                changed = True
                s[:, i] = new
        if not changed:
            break
    return s[0] if single else s


# ---------------------------------------------------------------------------------------------
# TEM-t causal attention
# ---------------------------------------------------------------------------------------------

def causal_tem_attention(position_codes, sensory_codes, beta, *, return_weights=False):
    """TEM-t memory read-out: step ``t`` attends to the memories written at steps ``tau < t``.

    Memory ``tau`` has key ``position_codes[tau]`` (MEC code, e.g. grid cells) and value
    ``sensory_codes[tau]`` (LEC code); the query at step ``t`` is ``position_codes[t]``
    (queries = keys, Whittington et al. 2022).  The prediction of the observation at step ``t`` is

        ``y_t = softmax(beta_t * q_t K_{<t}^T) V_{<t}``.

    Memories are written *after* the prediction of their own step, so step ``t`` never sees
    ``tau >= t``.  Revisits write additional memories (duplicates simply add weight).

    Parameters
    ----------
    position_codes : array_like, shape (T, d)
        Position code at each step, one per row.
    sensory_codes : array_like, shape (T, m)
        Sensory code observed at each step, one per row.
    beta : float or array_like, shape (T,)
        Inverse temperature ``> 0``: one value, or one per step (e.g. TEM-t's growing
        ``1 + log(max(n_mem, 2) - 1)``); ``beta[0]`` is unused.
    return_weights : bool, optional
        Also return the ``(T, T)`` attention matrix (row ``t`` = weights on memories; zero on and
        above the diagonal, row 0 all NaN).

    Returns
    -------
    predictions : numpy.ndarray, shape (T, m)
        Row ``t`` is the prediction for step ``t``.  **Row 0 is NaN**: with no memory there is no
        prediction (callers score it as chance).
    weights : numpy.ndarray, shape (T, T)
        Only when ``return_weights``.
    """
    pos = _rows("position_codes", position_codes)
    sens = _rows("sensory_codes", sensory_codes)
    t_len = pos.shape[0]
    if sens.shape[0] != t_len:
        raise ValueError(f"sensory_codes has shape {sens.shape} but position_codes has shape {pos.shape}: "
                         f"allowed the same number of steps T = {t_len}")
    if np.ndim(beta) == 0:
        betas = np.full(t_len, _check_beta(beta))
    else:
        betas = _as_array("beta", beta, ndims=(1,))
        if betas.shape != (t_len,):
            raise ValueError(f"beta has shape {betas.shape}: allowed a scalar or shape (T,) = ({t_len},)")
        if np.any(betas[1:] <= 0):
            raise ValueError(f"beta has {int(np.sum(betas[1:] <= 0))} entries <= 0 (min {betas[1:].min()}): "
                             f"allowed beta > 0")
    scores = pos @ pos.T
    scores = np.where(np.tri(t_len, k=-1, dtype=bool), scores * betas[:, None], -np.inf)
    w = np.full((t_len, t_len), np.nan)
    if t_len > 1:
        w[1:] = softmax(scores[1:], beta=1.0, axis=-1)
    pred = np.full((t_len, sens.shape[1]), np.nan)
    if t_len > 1:
        pred[1:] = w[1:] @ sens
    return (pred, w) if return_weights else pred


# ---------------------------------------------------------------------------------------------
# Read-out error measures
# ---------------------------------------------------------------------------------------------

def _distribution(name, value, atol=1e-6):
    arr = _as_array(name, value, ndims=(1, 2))
    if np.any(arr < 0):
        raise ValueError(f"{name} has negative entries (min {arr.min()}): allowed probabilities >= 0")
    sums = arr.sum(axis=-1)
    if not np.allclose(sums, 1.0, rtol=0, atol=atol):
        raise ValueError(f"{name} sums to {np.atleast_1d(sums)[:5]} along its last axis: allowed sums of 1 "
                         f"(within {atol})")
    return arr


def total_variation(p, q):
    """Total-variation distance ``TV(p, q) = 1/2 sum_k |p_k - q_k|``.

    Parameters
    ----------
    p, q : array_like, shape (K,) or (B, K)
        Probability distributions over the last axis (non-negative, summing to 1 within 1e-6);
        same shape.

    Returns
    -------
    float or numpy.ndarray, shape (B,)
        TV distance in ``[0, 1]``.
    """
    p = _distribution("p", p)
    q = _distribution("q", q)
    if p.shape != q.shape:
        raise ValueError(f"q has shape {q.shape} but p has shape {p.shape}: allowed equal shapes")
    tv = 0.5 * np.sum(np.abs(p - q), axis=-1)
    return float(tv) if tv.ndim == 0 else tv


def _binomial_mad(n, p):
    """Exact ``E|X - n p|`` for ``X ~ Binomial(n, p)`` (de Moivre's closed form), vectorised in p."""
    p = np.asarray(p, dtype=float)
    out = np.zeros_like(p)
    inner = (p > 0) & (p < 1)
    pi = p[inner]
    v = np.floor(n * pi) + 1.0  # 1 <= v <= n because 0 < p < 1
    logc = gammaln(n + 1.0) - gammaln(v + 1.0) - gammaln(n - v + 1.0)
    out[inner] = 2.0 * v * np.exp(logc + v * np.log(pi) + (n - v + 1.0) * np.log1p(-pi))
    return out


def expected_multinomial_tv(p, n_samples):
    """Expected TV distance between the empirical distribution of ``n`` draws from ``p`` and ``p``.

    ``E[TV] = 1/(2n) sum_k E|X_k - n p_k|`` with ``X_k ~ Binomial(n, p_k)`` (the marginals of the
    multinomial), each term exact via de Moivre's closed form for the binomial mean absolute
    deviation.  This is the floor that a spike-count read-out of a softmax cannot beat with
    ``n`` spikes (the measured spiking error is close to it); for large ``n`` it
    approaches ``sum_k sqrt(p_k (1 - p_k) / (2 pi n))``.

    Parameters
    ----------
    p : array_like, shape (K,)
        Probability distribution (non-negative, summing to 1 within 1e-6).
    n_samples : int
        Number of samples (spikes), ``>= 1``.

    Returns
    -------
    float
        Expected TV distance in ``[0, 1]``.
    """
    p = _distribution("p", p)
    if p.ndim != 1:
        raise ValueError(f"p has shape {p.shape}: allowed 1-D")
    n = _check_int("n_samples", n_samples, lo=1)
    return float(np.sum(_binomial_mad(n, p)) / (2.0 * n))
