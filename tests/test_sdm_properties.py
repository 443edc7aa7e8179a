"""Brute-force and property-based checks of the exact SDM geometry in cerebellum.sdm.

Every (n, d, dv) with n <= 10 is compared with direct enumeration of {0,1}^n; hypothesis then
checks structural properties (support, parity staircase, monotonicity, a counting identity and an
independent double-sum formula from Bricken & Pehlevan's ``expected_intersection_interpretable``)
for larger n.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cerebellum import sdm


def _popcount(x: np.ndarray) -> np.ndarray:
    x = x.astype(np.int64)
    out = np.zeros_like(x)
    while np.any(x):
        out += x & 1
        x >>= 1
    return out


@pytest.mark.parametrize("n", range(1, 11))
def test_circle_intersection_equals_enumeration_for_every_d_and_dv(n):
    points = np.arange(2**n)
    dist_a = _popcount(points)  # centre a = 0
    for dv in range(n + 1):
        b = (1 << dv) - 1  # a centre dv bits away
        far = np.maximum(dist_a, _popcount(points ^ b))
        counts = np.bincount(far, minlength=n + 1).cumsum()  # counts[d] = #{x: both within d}
        for d in range(n + 1):
            assert sdm.circle_intersection(n, d, dv) == counts[d], (n, d, dv)
    for d in range(n + 1):
        assert sdm.ball_size(n, d) == int(np.sum(dist_a <= d))
        assert sdm.space_fraction(n, d) == np.sum(dist_a <= d) / 2**n


def _double_sum(n, d, dv):
    """Bricken & Pehlevan's interpretable form (sdm.md section 2), written independently."""
    total = 0
    for a in range(max(0, n - d - dv // 2), n - dv + 1):
        for b in range(max(0, n - d - a), dv - (n - d - a) + 1):
            total += math.comb(n - dv, a) * math.comb(dv, b)
    return total


dims = st.integers(min_value=1, max_value=90)


@st.composite
def n_d_dv(draw):
    n = draw(dims)
    return n, draw(st.integers(0, n)), draw(st.integers(0, n))


@settings(max_examples=150, deadline=None)
@given(n_d_dv())
def test_lune_form_equals_double_sum(ndv):
    n, d, dv = ndv
    assert sdm.circle_intersection(n, d, dv) == _double_sum(n, d, dv)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=1, max_value=200).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n))))
def test_support_staircase_monotonicity_and_counting_identity(nd):
    n, d = nd
    I = list(sdm.circle_intersection(n, d, range(n + 1)))
    ball = sdm.ball_size(n, d)
    assert I[0] == ball
    for dv, v in enumerate(I):
        assert (v > 0) == (dv <= 2 * d)  # support: the balls meet iff dv <= 2d
        if dv >= 1:
            assert v <= I[dv - 1]  # non-increasing in dv
        if dv >= 2 and dv % 2 == 0:
            assert I[dv - 1] == v  # parity staircase I(2k-1) = I(2k)
    # sum over all second centres b of |O(a) ∩ O(b)| = sum over x in O(a) of |O(x)| = |O|^2
    assert sum(math.comb(n, dv) * v for dv, v in enumerate(I)) == ball * ball


@settings(max_examples=60, deadline=None)
@given(n_d_dv())
def test_intersection_grows_with_radius(ndv):
    n, d, dv = ndv
    if d < n:
        assert sdm.circle_intersection(n, d + 1, dv) >= sdm.circle_intersection(n, d, dv)


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 300).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n))),
       st.floats(min_value=1.0, max_value=1e30))
def test_expected_intersection_log_consistency(nd, r):
    n, d = nd
    dv = np.arange(n + 1)
    e = sdm.expected_intersection(n, d, dv, r)
    le = sdm.log_expected_intersection(n, d, dv, r)
    finite = np.isfinite(le)
    assert np.array_equal(finite, dv <= 2 * d)
    small = finite & (le < 700) & (le > -700)
    np.testing.assert_allclose(np.log(e[small]), le[small], rtol=1e-12, atol=1e-9)


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 2000).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n))))
def test_cosine_round_trip(nk):
    n, k = nk
    assert sdm.cosine_to_hamming(sdm.hamming_to_cosine(k, n), n) == k


@settings(max_examples=40, deadline=None)
@given(st.integers(8, 200).flatmap(lambda n: st.tuples(st.just(n), st.integers(2, n // 2))))
def test_published_beta_is_n_over_n_minus_1_times_ols(nd):
    n, d = nd
    published = sdm.fit_beta(n, d)
    ols = sdm.fit_beta(n, d, convention="lstsq")
    assert published == pytest.approx(ols * d / (d - 1), rel=1e-10)
    assert published > 0


@settings(max_examples=40, deadline=None)
@given(st.integers(4, 40), st.data())
def test_pattern_weights_are_a_distribution(n, data):
    d = data.draw(st.integers(0, n))
    m = data.draw(st.integers(1, 12))
    seed = data.draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    addresses = rng.integers(0, 2, (m, n))
    query = addresses[0] ^ (rng.random(n) < 0.1)  # within reach of pattern 0 most of the time
    w = sdm.pattern_weights(query, addresses, n, d)
    dv = np.sum(addresses != query, axis=1)
    if np.any(dv <= 2 * d):
        assert w.sum() == pytest.approx(1.0)
        assert np.all(w[dv > 2 * d] == 0)
        # closer patterns never get less weight
        order = np.argsort(dv, kind="stable")
        assert np.all(np.diff(w[order]) <= 1e-15)
    else:
        assert np.all(np.isnan(w))


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 120), st.floats(min_value=1e-300, max_value=1.0))
def test_radius_for_space_fraction_is_smallest_covering_radius(n, p):
    d = sdm.radius_for_space_fraction(n, p)
    assert sdm.space_fraction(n, d) >= p
    assert d == 0 or sdm.space_fraction(n, d - 1) < p
