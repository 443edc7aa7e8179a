"""A CS representation that can time: mossy fibres tuned to elapsed time and granule cells that
sample fibres of one preferred time (a spiking "microstimulus" basis).

A sustained CS makes each *timed* mossy fibre (MF) fire a bump of rate centred on its preferred
time ``c`` after CS onset, Gaussian in log time,
``rate(t) = timed_rate * exp(-ln(t / c)^2 / (2 timed_width^2))``, so later bumps are wider in
proportion (the scalar property of interval timing; the microstimuli of Ludvig, Sutton & Kehoe
2008, 2012). Preferred times are log-uniform in ``[timed_first, timed_last]``, independent of
any CS–US interval. A *timed* granule cell (GrC) draws its fibres among the ``timed_pool`` timed
fibres nearest in preferred time to a randomly placed anchor, so it fires only while several of
its inputs are high together: a GrC group tuned to one elapsed time (Medina & Mauk 2000 read
time from which GrCs are active; Kennedy et al. 2014 report a temporal basis of granular
responses). Purkinje cells can then depress the PFs of one
moment only, and their rate recovers after it: a timed pause, not a ramp.

Pure numpy; the builder :func:`cerebellum.granular_layer.build_granular_layer` turns the tables
into Brian2 inputs. Times in seconds, rates in hertz.
"""
from __future__ import annotations

import numpy as np

__all__ = ["timed_centres", "timed_rate_table", "clustered_indegree"]


def timed_centres(rng: np.random.Generator, n: int, first: float, last: float) -> np.ndarray:
    """Preferred times (s) of ``n`` timed fibres, log-uniform in ``[first, last]``, sorted."""
    if not 0 < first <= last:
        raise ValueError(f"first = {first}, last = {last}: allowed 0 < first <= last (s)")
    return np.sort(np.exp(rng.uniform(np.log(first), np.log(last), size=int(n))))


def timed_rate_table(centres: np.ndarray, width: float, rate: float, t: np.ndarray) -> np.ndarray:
    """Extra rate (Hz) of each timed fibre at times ``t`` (s after CS onset); shape (len(t), n).

    ``rate * exp(-ln(t / c)^2 / (2 width^2))`` for ``t > 0``, 0 at ``t <= 0``.
    """
    if width <= 0:
        raise ValueError(f"width = {width}: allowed width > 0")
    t = np.asarray(t, dtype=float)[:, None]
    c = np.asarray(centres, dtype=float)[None, :]
    with np.errstate(divide="ignore"):
        z = np.where(t > 0, np.log(np.maximum(t, 1e-12) / c), -np.inf)
    return rate * np.exp(-0.5 * (z / width) ** 2)


def clustered_indegree(rng: np.random.Generator, n_sources: int, posts: np.ndarray, k: int,
                       pool: int) -> tuple[np.ndarray, np.ndarray]:
    """Each cell of ``posts`` draws ``k`` distinct sources among ``pool`` neighbours (sorted order).

    Sources are indexed ``0..n_sources-1`` in order of preferred time; a cell picks an anchor
    uniformly and then ``k`` sources without replacement from the ``pool`` sources centred on it
    (shifted inside the range at the ends).

    Returns
    -------
    i, j : int64 arrays (source, post), ``k`` per post, sources ascending within a post.
    """
    posts = np.asarray(posts, dtype=np.int64)
    if not 1 <= k <= pool <= n_sources:
        raise ValueError(f"k = {k}, pool = {pool}, n_sources = {n_sources}: allowed 1 <= k <= pool <= n_sources")
    if posts.size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    start = np.clip(rng.integers(0, n_sources, size=posts.size) - pool // 2, 0, n_sources - pool)
    offs = np.argsort(rng.random((posts.size, pool)), axis=1)[:, :k]
    pre = np.sort(start[:, None] + offs, axis=1)
    return pre.ravel().astype(np.int64), np.repeat(posts, k)
