"""The three optimal SDM radii, and the one-step read dynamics that define the critical distance.

* ``"snr"``: the activation probability that maximises the signal-to-noise ratio of a read,
  ``p* = (2 m r)^(-1/3)`` (Kanerva 1988);
* ``"capacity"``: the activation probability that maximises the number of patterns retrieved
  whole with a given probability (Bricken & Pehlevan 2021, ``Optimal_d.ipynb``);
* ``"critical_distance"``: the radius with the largest critical distance, the largest query
  noise (bits) from which one read still moves closer to the target (Kanerva 1988; Bricken et
  al. 2023, whose convention :func:`critical_distance` reproduces).

Each probability ``p*`` becomes a radius through
:func:`~cerebellum.sdm.geometry.radius_for_space_fraction`.  For ``n = 64, r = 2^64, m = 1024``
:func:`optimal_radius` gives d*_SNR = 11, d*_Mem = 5 and d*_CD = 15, the values stated in Bricken &
Pehlevan (2021, section 2 and appendix B.5).

Sources
-------
* P. Kanerva, *Sparse Distributed Memory*, MIT Press 1988.
* T. Bricken & C. Pehlevan, "Attention Approximates Sparse Distributed Memory", NeurIPS 2021,
  arXiv:2111.05498; code ``TrentBrick/attention-approximates-sdm`` @ 4cb44d8 (``Optimal_d.ipynb``).
* T. Bricken et al., "Sparse Distributed Memory is a Continual Learner", ICLR 2023,
  arXiv:2303.11934; code ``TrentBrick/SDMContinualLearner`` @ 948cac1
  (``py_scripts/utils_SDM_to_Top_k.py``: ``compute_bitdist_critdist``, ``Crit_Dist_optimal``).
"""
from __future__ import annotations

import math

import numpy as np
from scipy import special

from core.checks import check_choice, check_int, check_int_array, check_real
from cerebellum.sdm.geometry import (
    _LOG2,
    _check_n,
    _check_nd,
    _check_r,
    expected_intersection,
    log_expected_intersection,
    log_space_fraction,
    radius_for_space_fraction,
    space_fraction,
)

__all__ = [
    "read_update_distance",
    "critical_distance",
    "critical_distance_from_intersection",
    "bit_accuracy_from_intersection",
    "capacity_from_intersection",
    "random_pair_noise",
    "optimal_space_fraction",
    "optimal_radius",
    "OPTIMAL_RADIUS_CRITERIA",
]

OPTIMAL_RADIUS_CRITERIA = ("snr", "capacity", "critical_distance")
_CD_CONVENTIONS = ("published", "strict")


def _check_m(m):
    return check_int("m", m, lo=1)


def read_update_distance(n, d, r, m, dv=None):
    """Expected Hamming distance to the target after one SDM read, from distance ``dv``.

    Signal ``S(dv) = r/2^n I(dv)`` (neurons shared by query and target); each of the other
    ``m - 1`` random patterns shares ``I_rand = r/2^n I(n//2)`` neurons, giving the noise
    ``sigma = sqrt(S + (m-1)(I_rand + I_rand^2))``; the fraction of correct bits is
    ``Phi(S / sigma)`` and the new distance ``n (1 - Phi(S / sigma))``
    (``compute_bitdist_critdist`` in Bricken et al.'s ``utils_SDM_to_Top_k.py``, after Kanerva 1988).

    Where ``S = 0`` and ``sigma = 0`` (no neuron shared with the target and ``I_rand = 0``) the
    read is undefined and ``nan`` is returned (the authors' code gives ``nan`` there too).

    Parameters
    ----------
    n, d : int
        Dimension and radius.
    r : int or float
        Number of neurons.
    m : int
        Number of stored patterns, ``m >= 1``.
    dv : array_like of int, optional
        Starting distances; default ``0..n//2``.

    Returns
    -------
    numpy.ndarray
        New expected distances (floats), same shape as ``dv``.
    """
    n, d = _check_nd(n, d)
    m = _check_m(m)
    if dv is None:
        dv = np.arange(n // 2 + 1)
    dvs = check_int_array("dv", dv, lo=0, hi=(n, f"n = {n}"))
    signal = np.atleast_1d(expected_intersection(n, d, dvs, r)).reshape(dvs.shape)
    i_rand = expected_intersection(n, d, n // 2, r)
    if i_rand < _FLOAT_SAFE and np.all(signal < _FLOAT_SAFE):
        sigma = np.sqrt(signal + (m - 1) * (i_rand + i_rand ** 2))
        with np.errstate(invalid="ignore", divide="ignore"):
            snr = signal / sigma
    else:
        snr = _log_snr(n, d, dvs, r, m)
    return n * (1.0 - special.ndtr(snr))


#: Above this, ``I_rand ** 2`` may overflow a float: the signal-to-noise ratio is formed in log space.
_FLOAT_SAFE = 1e150


def _log_snr(n, d, dvs, r, m):
    """``S / sqrt(S + (m-1)(I_rand + I_rand^2))`` from logs (``r = 2**1000`` at ``n = 1000``)."""
    log_s = np.atleast_1d(log_expected_intersection(n, d, dvs, r)).reshape(dvs.shape)
    log_i = float(log_expected_intersection(n, d, n // 2, r))
    log_noise = (math.log(m - 1) + float(np.logaddexp(log_i, 2.0 * log_i))) if m > 1 else -np.inf
    log_var = np.logaddexp(log_s, log_noise)
    with np.errstate(invalid="ignore"):
        return np.exp(log_s - 0.5 * log_var)  # nan where S = 0 and the variance is 0


def critical_distance(n, d, r, m, convention="published") -> int:
    """Critical distance: the largest query noise (bits) from which a read still moves closer.

    The one-step map ``f(dv)`` is :func:`read_update_distance` on ``dv = 0..n//2``.

    ``convention="published"`` reproduces ``compute_bitdist_critdist`` (Bricken et al.,
    ``utils_SDM_to_Top_k.py``; drang_interval = 1) exactly, quirks included: the first five
    distances are skipped, the answer is the last distance before the first ``dv >= 5`` with
    ``f(dv) > dv``; when every defined step converges it is the first ``dv`` where ``f`` is ``nan``
    (no signal, no noise), or ``n//2``; and it is reset to 0 if ``f`` is already diverging at half
    that distance.  Requires ``n >= 12``.

    ``convention="strict"`` is the plain definition: the largest ``dv`` such that
    ``f(k) < k`` for every ``1 <= k <= dv``, counting an undefined read (``nan``) as a failure.
    It is at most one bit below the published value.

    **Pitfall (I_rand = 0).** Random patterns add noise only through ``I_rand = I(n//2)``, which is
    exactly 0 whenever ``2d < n//2`` (two balls whose centres are ``n/2`` apart cannot meet).  Then
    ``sigma = sqrt(S)`` and every read with ``S > 0`` converges regardless of ``m``, so for small
    ``d`` the critical distance is simply ``~2d`` (the support of ``I``) and the argmax over ``d``
    (:func:`optimal_radius`) lands on the largest radius with ``I_rand = 0``: ``d = 15`` for
    ``n = 64`` (``2d = 30 < 32``).  The paper's d*_CD = 15 is thus set by this discrete noise
    model, not by a smooth trade-off; with finite ``r`` the Poisson spread of ``I_rand`` would
    matter.

    Parameters
    ----------
    n, d : int
        Dimension and radius.
    r : int or float
        Number of neurons.
    m : int
        Number of stored patterns.
    convention : {"published", "strict"}

    Returns
    -------
    int
    """
    check_choice("convention", convention, _CD_CONVENTIONS)
    n = _check_n(n, lo=12 if convention == "published" else 2)
    f = read_update_distance(n, d, r, m)
    dvals = np.arange(n // 2 + 1)
    if convention == "strict":
        moves_closer = np.where(np.isnan(f), False, f < dvals)
        fails = np.flatnonzero(~moves_closer[1:])
        return int(dvals[-1]) if fails.size == 0 else int(fails[0])
    npp = f - dvals
    defined = ~np.isnan(npp)
    if np.all(npp[defined] < 0.01):
        crit = int(dvals[defined.sum()]) if (~defined).sum() > 1 else int(dvals[-1])
    else:
        crit = int(dvals[np.argmax(npp[5:] > 0) + 5 - 1])
    check = crit // 2
    if f[check] > dvals[check]:
        crit = 0
    return crit


def critical_distance_from_intersection(n, shared, m) -> int:
    """Critical distance (``strict`` convention) of any decoder, from its expected intersection curve.

    The one-step read model of :func:`read_update_distance` with the signal ``S(dv) = shared[dv]``
    (hard locations a query at distance ``dv`` shares with its target) and the noise of the other
    ``m - 1`` patterns from ``I_rand = shared[n//2]``; the answer is the largest ``dv`` such that
    ``f(k) < k`` for every ``1 <= k <= dv`` (an undefined read counts as a failure). For the
    Hamming ball, ``shared = expected_intersection(n, d, 0..n//2, r)`` gives
    ``critical_distance(n, d, r, m, "strict")``; for selected coordinates with unequal synapses,
    ``r * weighted_coordinate_intersection(...)``.

    Parameters
    ----------
    n : int
        Address bits.
    shared : array_like of float, length ``n//2 + 1``
        Expected shared hard locations (cells) at ``dv = 0..n//2``.
    m : int
        Stored patterns, ``m >= 1``.

    Returns
    -------
    int
        Critical distance (bits).
    """
    n = _check_n(n, lo=2)
    m = _check_m(m)
    s = np.asarray(shared, dtype=float)
    if s.shape != (n // 2 + 1,) or not np.all(np.isfinite(s)) or np.any(s < 0):
        raise ValueError(f"shared must hold n//2 + 1 = {n // 2 + 1} finite values >= 0 (got shape {s.shape})")
    i_rand = s[-1]
    sigma = np.sqrt(s + (m - 1) * (i_rand + i_rand ** 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        f = n * (1.0 - special.ndtr(s / sigma))  # nan where S = sigma = 0 (no read)
    dvals = np.arange(n // 2 + 1)
    moves_closer = np.where(np.isnan(f), False, f < dvals)
    fails = np.flatnonzero(~moves_closer[1:])
    return int(dvals[-1]) if fails.size == 0 else int(fails[0])


def random_pair_noise(shared_all) -> float:
    """Second moment ``E[X^2]`` of the locations ``X`` a query shares with a random stored address.

    The distance ``D`` of two random addresses is binomial ``(n, 1/2)``; given ``D``, ``X`` is about
    Poisson with mean ``shared[D]``, so ``E[X^2] = sum_D P(D) (shared[D] + shared[D]^2)``. Kanerva's
    estimate ``I_rand + I_rand^2`` takes ``D = n/2`` alone; where the intersection curve is steep the
    spread of ``D`` adds noise.

    Parameters
    ----------
    shared_all : array_like of float, length ``n + 1``
        Expected shared hard locations (cells) at distance ``0 .. n``.

    Returns
    -------
    float
        ``E[X^2]`` (cells squared), the noise variance each other stored pair adds to a read.
    """
    s = np.asarray(shared_all, dtype=float)
    if s.ndim != 1 or s.size < 2 or np.any(s < 0) or not np.all(np.isfinite(s)):
        raise ValueError(f"shared_all must hold n + 1 >= 2 finite values >= 0 (got shape {s.shape})")
    n = s.size - 1
    k = np.arange(n + 1)
    log_p = special.gammaln(n + 1) - special.gammaln(k + 1) - special.gammaln(n - k + 1) - n * _LOG2
    return float(np.sum(np.exp(log_p) * (s + s * s)))


def bit_accuracy_from_intersection(shared, shared_random, m, noise_per_pair=None):
    """Expected fraction of correct pointer bits of one read (Kanerva 1988 signal/noise of the counter sum).

    The read of a query sharing ``S`` hard locations with its target sums the target's bipolar
    pointer bit ``S`` times (signal); each of the other ``m - 1`` stored pairs, at random distance,
    shares ``X`` locations with the query, ``E[X] = I_rand``, ``Var[X] ~ I_rand`` (binomial), and adds
    ``+-X`` with a random sign, so the noise variance is ``S + (m - 1)(I_rand + I_rand^2)`` (the
    model of :func:`read_update_distance`); the bit is correct with probability
    ``Phi(S / sigma)``.

    Parameters
    ----------
    shared : array_like of float
        Expected shared hard locations (cells) of query and target, e.g. one per query distance.
    shared_random : float
        Expected shared hard locations of two random addresses (cells), ``I_rand``.
    m : array_like of int
        Stored pairs, ``>= 1``.
    noise_per_pair : float, optional
        Noise variance each other pair adds (cells squared); default ``I_rand + I_rand^2``
        (:func:`random_pair_noise` gives the value with the spread of random distances).

    Returns
    -------
    numpy.ndarray
        Fraction of correct bits, shape ``broadcast(m[:, None], shared)`` for 1-d inputs
        (``(len(m), len(shared))``); 0.5 where ``S = 0`` (no signal: a coin flip).
    """
    s = np.atleast_1d(np.asarray(shared, dtype=float))
    mm = np.atleast_1d(np.asarray(m, dtype=float))
    if np.any(s < 0) or not np.all(np.isfinite(s)):
        raise ValueError("shared must hold finite values >= 0")
    i_rand = check_real("shared_random", shared_random, lo=0)
    if np.any(mm < 1):
        raise ValueError(f"m = {m!r} is out of range: allowed m >= 1")
    noise = i_rand + i_rand ** 2 if noise_per_pair is None else check_real("noise_per_pair", noise_per_pair, lo=0)
    var = s[None, :] + (mm[:, None] - 1.0) * noise
    with np.errstate(invalid="ignore", divide="ignore"):
        snr = np.where(s[None, :] > 0, s[None, :] / np.sqrt(var), 0.0)
    return special.ndtr(snr)


def capacity_from_intersection(shared_zero, shared_random, level=0.95, noise_per_pair=None) -> int:
    """Largest ``m`` whose exact-address read keeps ``level`` of the pointer bits correct (theory).

    Solves ``Phi(S / sqrt(S + (m - 1)(I_rand + I_rand^2))) >= level`` of
    :func:`bit_accuracy_from_intersection` at query distance 0 for ``m``:
    ``m - 1 <= (S^2 / z^2 - S) / (I_rand + I_rand^2)`` with ``z = Phi^-1(level)``.

    Parameters
    ----------
    shared_zero : float
        Hard locations one address activates (cells), ``S`` at distance 0.
    shared_random : float
        Expected shared hard locations of two random addresses (cells), ``I_rand``.
    level : float
        Required fraction of correct bits, ``0.5 < level < 1``.
    noise_per_pair : float, optional
        As in :func:`bit_accuracy_from_intersection`.

    Returns
    -------
    int
        Capacity (stored pairs); 0 if even one pair misses ``level``; a very large ``m`` is
        clipped to ``2**62`` (no noise: ``I_rand = 0``).
    """
    s = check_real("shared_zero", shared_zero, lo=0)
    i_rand = check_real("shared_random", shared_random, lo=0)
    level = check_real("level", level, lo=0.5, hi=1, lo_open=True, hi_open=True)
    z = float(special.ndtri(level))
    if s <= 0 or s < z * z:  # one pair alone: S / sqrt(S) = sqrt(S) < z
        return 0
    noise = i_rand + i_rand ** 2 if noise_per_pair is None else check_real("noise_per_pair", noise_per_pair, lo=0)
    if noise <= 0:
        return 2 ** 62
    return int(min(2 ** 62, math.floor(1.0 + (s * s / (z * z) - s) / noise)))


def _capacity_optimal_log_p(r_log: float, z: float) -> float:
    """``ln p`` of the positive root of ``2 r^2 p^3 - 3 r z^2 p^2 - z^2 = 0`` (stationary point of m(p)).

    Solved for ``q = p r``: ``q^2 (2 q - 3 z^2) = z^2 r`` has exactly one positive root, and it lies
    in ``[max(a, 1.5 z^2), a + 1.5 z^2]`` with ``a = (z^2 r / 2)^(1/3)``.  Everything is done in log
    scale, ``u = ln q``: ``phi(u) = 2u + u + ln(2 - 3 z^2 e^-u) - ln(z^2) - ln r = 0`` (increasing in
    u), so neither the ``r^8`` of the closed form in ``Optimal_d.ipynb`` (``memory_derivative``) nor
    ``r`` itself is ever formed and any ``r`` works (e.g. ``2**2000``, where ``p`` underflows).
    """
    c = 1.5 * z * z
    log_z2 = math.log(z * z)
    log_a = (log_z2 - _LOG2 + r_log) / 3.0

    def phi(u):
        t = 2.0 - 2.0 * c * math.exp(-u)
        return -math.inf if t <= 0 else 3.0 * u + math.log(t) - log_z2 - r_log

    lo = max(log_a, math.log(c))
    hi = float(np.logaddexp(log_a, math.log(c)))  # ln(a + c) >= lo
    # bisection on the exact bracket (its width is at most ln 2): ~60 halvings reach full precision
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            break
        if phi(mid) < 0:
            lo = mid
        else:
            hi = mid
    return hi - r_log


def _capacity_optimal_p(r_log: float, z: float) -> float:
    """``exp`` of :func:`_capacity_optimal_log_p` (underflows to 0 for astronomically large r)."""
    return math.exp(_capacity_optimal_log_p(r_log, z))


def optimal_space_fraction(n, r, m, criterion, *, p_retrieve=0.5, convention="published",
                           radii=None) -> float:
    """Optimal activation probability ``p*`` for one of the three criteria.

    * ``"snr"`` (Kanerva 1988): maximise ``rho^2(p) = p r / (1 + p m + p^3 m r)``;
      ``p* = (2 m r)^(-1/3)``.
    * ``"capacity"``: maximise the number of patterns storable with per-bit SNR ``z``,
      ``m(p) = [(p r)^2 / z^2 - p r] / [p^2 r + (p^2 r)^2]``, with ``z = Phi^-1(p_retrieve^(1/n))``
      (a whole n-bit pattern is retrieved with probability ``p_retrieve``; ``Optimal_d.ipynb``).
      Independent of ``m``.
    * ``"critical_distance"``: ``p(d*)`` for the ``d*`` of :func:`optimal_radius`.

    Parameters
    ----------
    n : int
        Dimension.
    r : int or float
        Number of neurons.
    m : int
        Number of stored patterns.
    criterion : {"snr", "capacity", "critical_distance"}
    p_retrieve : float
        Whole-pattern retrieval probability for ``"capacity"``, ``0 < p_retrieve < 1``.
    convention, radii
        Passed on for ``"critical_distance"`` (see :func:`optimal_radius`).

    Returns
    -------
    float
    """
    check_choice("criterion", criterion, OPTIMAL_RADIUS_CRITERIA)
    n = _check_n(n)
    r_log = _check_r(r)
    m = _check_m(m)
    if criterion in ("snr", "capacity"):
        return math.exp(_optimal_log_space_fraction(n, r_log, m, criterion, p_retrieve))
    d = optimal_radius(n, r, m, "critical_distance", convention=convention, radii=radii)
    return space_fraction(n, d)


def _optimal_log_space_fraction(n, r_log, m, criterion, p_retrieve) -> float:
    """``ln p*`` for ``"snr"`` / ``"capacity"`` (finite for any r; ``p*`` itself may underflow)."""
    if criterion == "snr":
        return -(math.log(2 * m) + r_log) / 3.0
    p_retrieve = check_real("p_retrieve", p_retrieve, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    z = float(special.ndtri(p_retrieve ** (1.0 / n)))
    return min(0.0, _capacity_optimal_log_p(r_log, z))


def optimal_radius(n, r, m, criterion, *, p_retrieve=0.5, convention="published", radii=None) -> int:
    """Optimal Hamming radius ``d*`` under one criterion (Bricken & Pehlevan 2021, appendix B.5).

    For ``"snr"`` and ``"capacity"`` this is the smallest radius covering ``p*`` of the space
    (:func:`radius_for_space_fraction` of :func:`optimal_space_fraction`), as in ``Optimal_d.ipynb``.
    For ``"critical_distance"`` it is the radius in ``radii`` with the largest
    :func:`critical_distance` (ties go to the smallest radius, like ``np.argmax``).

    For ``n = 64, r = 2**64, m = 1024`` this gives d*_SNR = 11 (p* = 2^-25 ≈ 2.98e-8),
    d*_Mem = 5 (p* ≈ 1.98e-13, z ≈ 2.298) and d*_CD = 15, the values stated in the paper.  See
    :func:`critical_distance` for why d*_CD = 15 is an artefact of ``I_rand = 0``.

    Parameters
    ----------
    n : int
        Dimension.
    r : int or float
        Number of neurons.
    m : int
        Number of stored patterns.
    criterion : {"snr", "capacity", "critical_distance"}
    p_retrieve : float
        See :func:`optimal_space_fraction`.
    convention : {"published", "strict"}
        Critical-distance convention (see :func:`critical_distance`).
    radii : array_like of int, optional
        Candidate radii for ``"critical_distance"``; default ``1..n//2``.  (The authors scan
        ``np.linspace(9, 25, 16).astype(int)`` for n = 64, which gives the same answer.)

    Returns
    -------
    int
    """
    check_choice("criterion", criterion, OPTIMAL_RADIUS_CRITERIA)
    n = _check_n(n)
    if criterion != "critical_distance":
        p = optimal_space_fraction(n, r, m, criterion, p_retrieve=p_retrieve)
        if p > 0:
            return radius_for_space_fraction(n, p)
        # p* underflowed (astronomically large r): compare in log scale instead
        log_p = _optimal_log_space_fraction(n, _check_r(r), _check_m(m), criterion, p_retrieve)
        ds = np.arange(n + 1)
        return int(ds[np.argmax(log_space_fraction(n, ds) >= log_p)])
    _check_r(r)
    _check_m(m)
    check_choice("convention", convention, _CD_CONVENTIONS)
    if radii is None:
        radii = np.arange(1, n // 2 + 1)
    cand = check_int_array("radii", radii, lo=0, hi=(n, f"n = {n}")).ravel()
    if cand.size == 0:
        raise ValueError("radii is empty: give at least one candidate radius")
    crit = [critical_distance(n, int(dd), r, m, convention=convention) for dd in cand]
    return int(cand[int(np.argmax(crit))])
