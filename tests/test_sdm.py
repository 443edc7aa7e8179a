"""Abstract SDM maths (cerebellum.sdm): regression values, SDM read views, optimal radii, errors.

Reference values are from Kanerva (1988, Sparse Distributed Memory) and Bricken & Pehlevan (NeurIPS 2021,
arXiv:2111.05498) and their code; the brute-force and property checks live in
test_sdm_properties.py.
"""
from __future__ import annotations

import math
import subprocess
import sys
from fractions import Fraction

import numpy as np
import pytest

from cerebellum import sdm


# ---------------------------------------------------------------------------------------------
# Regression values
# ---------------------------------------------------------------------------------------------

def test_n10_d3_vector_from_reference():
    # sdm.md section 2: brute-force vector for n = 10, d = 3, dv = 0..10
    assert list(sdm.circle_intersection(10, 3, range(11))) == [176, 92, 92, 50, 50, 20, 20, 0, 0, 0, 0]


def test_circle_intersection_returns_python_ints():
    out = sdm.circle_intersection(64, 11, np.arange(65))
    assert out.dtype == object and out.shape == (65,)
    assert all(type(v) is int for v in out)
    assert type(sdm.circle_intersection(64, 11, 3)) is int
    assert sdm.circle_intersection(64, 11, np.array([[0, 1], [2, 3]])).shape == (2, 2)


def test_published_beta_n64_d11():
    # Bricken & Pehlevan's figure title: "n=64 | d=11 | p=1e-08 | Fitted Bin. β=15.853"
    assert round(sdm.fit_beta(64, 11), 3) == 15.853
    beta, bias = sdm.fit_beta_and_bias(64, 11)
    assert beta == pytest.approx(15.852765236, abs=1e-8)
    # the published value carries np.cov(ddof=1)/np.var(ddof=0) = N/(N-1), N = d = 11 points
    assert sdm.fit_beta(64, 11, convention="lstsq") == pytest.approx(beta * 10 / 11, rel=1e-12)
    # r only shifts the bias
    b2 = sdm.fit_beta_and_bias(64, 11, r=2**40)
    assert b2[0] == beta and b2[1] == pytest.approx(bias + math.log(2**40) - 64 * math.log(2))


def test_fit_beta_matches_generic_log_linear_fit():
    dv = np.arange(11)
    vals = np.array([float(v) for v in sdm.circle_intersection(64, 11, dv)])
    beta, bias = sdm.fit_log_linear(sdm.hamming_to_cosine(dv, 64), vals)
    assert (beta, bias) == pytest.approx(sdm.fit_beta_and_bias(64, 11), rel=1e-12)


def test_exponential_beta_underestimates_fit():
    # sdm.md section 2: the largest-term bound underestimates the fitted beta ~2-3x
    ratio = sdm.fit_beta(64, 11) / sdm.beta_exponential_approx(64, 11)
    assert 1.5 < ratio < 4


def test_space_fraction_and_radius_for_space_fraction():
    from scipy.stats import binom

    assert sdm.space_fraction(64, 11) == pytest.approx(binom.cdf(11, 64, 0.5), rel=1e-12)
    assert sdm.space_fraction(10, 10) == 1.0
    # sdm.md section 8: the space fractions of the intersection-vs-softmax figure
    for p in [4e-13, 1e-9, 1e-8, 1e-5, 3.7e-4, 1e-3, 0.1]:
        assert sdm.radius_for_space_fraction(64, p) == int(binom.ppf(p, 64, 0.5))
    assert sdm.radius_for_space_fraction(64, 1e-8) == 11
    assert sdm.log_space_fraction(2000, 0) == pytest.approx(-2000 * math.log(2))


def test_expected_intersection_log_space_n1000():
    n, d, r = 1000, 451, 10**6
    dv = np.arange(n + 1)
    e = sdm.expected_intersection(n, d, dv, 1e6)
    assert np.all(np.isfinite(e)) and np.all(e[: 2 * d + 1] > 0) and np.all(e[2 * d + 1:] == 0)
    for k in (0, 1, 50, 300, 902):
        exact = Fraction(r * sdm.circle_intersection(n, d, k), 2**n)
        assert e[k] == pytest.approx(float(exact), rel=1e-12)
    # r = 2^n: expected count is the intersection itself
    assert sdm.expected_intersection(64, 11, 5, 2**64) == float(sdm.circle_intersection(64, 11, 5))
    assert sdm.log_expected_intersection(64, 11, 40, 2**64) == -np.inf


def test_circle_intersection_exact_for_n1000():
    """Correctness at n = 1000; its speed is measured in bench/bench_circle_intersection.py."""
    sdm._intersection_table.cache_clear()
    out = sdm.circle_intersection(1000, 451, range(1001))
    assert out[0] == sum(math.comb(1000, k) for k in range(452))


# ---------------------------------------------------------------------------------------------
# Hamming <-> cosine
# ---------------------------------------------------------------------------------------------

def test_hamming_cosine_round_trip_and_authors_flooring():
    for n in (6, 10, 64, 1000):
        k = np.arange(n + 1)
        assert np.array_equal(sdm.cosine_to_hamming(sdm.hamming_to_cosine(k, n), n), k)
    # the authors' raw floor (tol=0) loses a bit: n = 10, dv = 1 -> cos = 0.8 -> 0.9999999999999998
    assert sdm.cosine_to_hamming(sdm.hamming_to_cosine(1, 10), 10, tol=0) == 0
    assert sdm.cosine_to_hamming(sdm.hamming_to_cosine(1, 10), 10) == 1
    # off-grid cosines floor towards the query (bias up to one bit)
    assert sdm.cosine_to_hamming(0.99, 64) == 0
    assert sdm.cosine_threshold(64, 11) == pytest.approx(1 - 22 / 64)


# ---------------------------------------------------------------------------------------------
# SDM read ≈ softmax
# ---------------------------------------------------------------------------------------------

def test_intersection_weights_close_to_fitted_softmax_n64_d11():
    """Normalised I(dv) over dv = 0..64 against softmax(beta cos), beta = 15.853 (published).

    Measured: max |diff| = 0.0821 (at dv = 0, where the binary staircase pairs dv = 1, 2 and the
    smooth softmax cannot), total variation 0.1106.  Bounds are set slightly above.
    """
    n, d = 64, 11
    dv = np.arange(n + 1)
    w = sdm.intersection_weights(dv, n, d)
    s = sdm.softmax(sdm.hamming_to_cosine(dv, n), sdm.fit_beta(n, d))
    diff = np.abs(w - s)
    assert diff.max() < 0.085
    assert 0.5 * diff.sum() < 0.115
    # the fit is made on dv < d where both curves carry almost all the mass
    assert w[:d].sum() > 0.99 and s[:d].sum() > 0.99


def test_softmax_masks_minus_inf_like_attention_softmax():
    from hippocampus.attention import softmax as att_softmax

    x = np.array([[0.3, -np.inf, 0.9], [-np.inf, -np.inf, -np.inf]])
    p = sdm.softmax(x, 2.5)
    np.testing.assert_allclose(p[0], att_softmax(x[0], 2.5), atol=0)
    assert p[0, 1] == 0.0 and np.all(np.isnan(p[1]))
    # beta = 0 (allowed here for fits): uniform over unmasked entries, masked ones stay at 0
    np.testing.assert_array_equal(sdm.softmax(x[0], 0.0), [0.5, 0.0, 0.5])


def test_pattern_weights_with_random_patterns_follow_softmax():
    rng = np.random.default_rng(0)
    n, d, m = 64, 11, 200
    query = rng.integers(0, 2, n)
    # patterns at controlled distances from the query so several fall inside 2d
    dists = rng.integers(0, 23, m)
    patterns = np.repeat(query[None], m, axis=0)
    for i, k in enumerate(dists):
        patterns[i, rng.choice(n, k, replace=False)] ^= 1
    w = sdm.pattern_weights(query, patterns, n, d)
    assert w.sum() == pytest.approx(1.0)
    expected = sdm.intersection_weights(dists, n, d)
    np.testing.assert_allclose(w, expected, rtol=1e-12)
    s = sdm.softmax(sdm.hamming_to_cosine(dists, n), sdm.fit_beta(n, d))
    # measured total variation 0.1287 (seed 0); bound slightly above
    assert 0.5 * np.abs(w - s).sum() < 0.14


# ---------------------------------------------------------------------------------------------
# Neuron view vs pattern view
# ---------------------------------------------------------------------------------------------

def _all_points(n):
    return ((np.arange(2**n)[:, None] >> np.arange(n)) & 1).astype(np.uint8)


def test_neuron_view_with_every_address_equals_pattern_view():
    n, d, m = 8, 2, 6
    rng = np.random.default_rng(1)
    mem = sdm.BinarySDM(n, 2**n, d, addresses=_all_points(n))
    addresses = rng.integers(0, 2, (m, n))
    pointers = rng.integers(0, 2, (m, n))
    mem.write(addresses, pointers)
    queries = np.vstack([addresses, rng.integers(0, 2, (10, n))])
    np.testing.assert_allclose(mem.read_ratio(queries),
                               sdm.pattern_view_ratio(queries, addresses, pointers, n, d), rtol=1e-12)
    np.testing.assert_array_equal(mem.read(queries), sdm.pattern_view_read(queries, addresses, pointers, n, d))
    # pair counts are exact intersections
    a, b = addresses[0], addresses[1]
    assert mem.intersection_count(a, b) == sdm.circle_intersection(n, d, int(np.sum(a != b)))


def test_neuron_view_intersections_converge_to_expectation():
    """Counts of shared neurons are Binomial(r, I/2^n): z-scores stay small and the relative error
    shrinks roughly as 1/sqrt(r p) when r grows 100-fold."""
    n, d = 16, 5
    rng = np.random.default_rng(2)
    a = rng.integers(0, 2, n).astype(np.uint8)
    dvs = np.arange(0, 2 * d + 1)
    b = np.repeat(a[None], dvs.size, axis=0)
    for i, k in enumerate(dvs):
        b[i, :k] ^= 1
    rel = {}
    for r in (2_000, 200_000):
        mem = sdm.BinarySDM(n, r, d, rng=rng)
        counts = mem.intersection_count(np.repeat(a[None], dvs.size, axis=0), b)
        expect = sdm.expected_intersection(n, d, dvs, r)
        q = expect / r
        z = (counts - expect) / np.sqrt(r * q * (1 - q))
        assert np.all(np.abs(z) < 5), z
        rel[r] = np.mean(np.abs(counts - expect) / expect)
    assert rel[200_000] < 0.3 * rel[2_000]
    assert rel[200_000] < 0.05


def test_binary_sdm_autoassociative_recall():
    n, r, d, m = 64, 5_000, 24, 5
    rng = np.random.default_rng(3)
    mem = sdm.BinarySDM(n, r, d, rng=rng)
    patterns = rng.integers(0, 2, (m, n))
    mem.write(patterns)
    noisy = patterns.copy()
    noisy[:, :5] ^= 1
    np.testing.assert_array_equal(mem.read(noisy), patterns)
    np.testing.assert_array_equal(sdm.pattern_view_read(noisy, patterns, patterns, n, d), patterns)
    # nothing stored near a far query: nan ratio, reads 0
    empty = sdm.BinarySDM(16, 50, 0, rng=4)
    assert np.all(np.isnan(empty.read_ratio(np.zeros(16)))) and not empty.read(np.zeros(16)).any()


def _brute_force_sdm(addresses, d, write_addr, write_ptr, queries):
    """Dense reference: int64 distances by broadcasting, then the normalised majority read."""
    a = addresses.astype(np.int64)

    def act(vectors):  # one vector at a time keeps the int64 temporaries at (r, n)
        return np.array([np.abs(a - v.astype(np.int64)).sum(-1) <= d for v in vectors], dtype=np.int64)

    act_w = act(write_addr)
    counters = act_w.T @ write_ptr.astype(np.int64)
    h = act_w.sum(0)
    act_q = act(queries)
    num, den = act_q @ counters, act_q @ h
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = num / den[:, None]
    ratio[den == 0] = np.nan
    return counters, h, ratio


def test_binary_sdm_agrees_with_brute_force_and_hetero_pointers():
    rng = np.random.default_rng(11)
    n, r, d, m, k = 40, 3_000, 14, 12, 5
    mem = sdm.BinarySDM(n, r, d, rng=rng, k=k)
    addr = rng.integers(0, 2, (m, n))
    ptr = rng.integers(0, 2, (m, k))
    mem.write(addr, ptr)
    queries = addr ^ (rng.random((m, n)) < 0.1)
    counters, h, ratio = _brute_force_sdm(mem.addresses, d, addr, ptr, queries)
    np.testing.assert_array_equal(mem.counters, counters)
    np.testing.assert_array_equal(mem.n_stored, h)
    np.testing.assert_allclose(mem.read_ratio(queries), ratio, rtol=1e-12)
    assert mem.read(queries).shape == (m, k)
    np.testing.assert_array_equal(mem.distances(queries),
                                  np.abs(queries[:, None, :] - mem.addresses[None].astype(int)).sum(-1))
    # hetero-association agrees with the pattern view in the r = 2^n limit
    n2, d2 = 8, 2
    full = sdm.BinarySDM(n2, 2**n2, d2, addresses=_all_points(n2), k=3)
    a2, p2 = rng.integers(0, 2, (6, n2)), rng.integers(0, 2, (6, 3))
    full.write(a2, p2)
    np.testing.assert_allclose(full.read_ratio(a2), sdm.pattern_view_ratio(a2, a2, p2, n2, d2), rtol=1e-12)


def test_binary_sdm_scales_to_n1000():
    """n = 1000, r = 10^5 (dense float64 addresses would be 800 MB; here 12.5 MB packed).

    Checked against the brute-force reference on a 2 000-neuron slice of the same addresses
    (the read of a memory is a sum over neurons, so the slice's counters must match exactly).
    Measured on the 2-core dev machine: about 0.5 s for construction, 20 writes and 20 reads.
    """
    n, r, m = 1000, 100_000, 20
    d = 451  # p(d) ~ 1.1e-3: ~110 active neurons per address
    rng = np.random.default_rng(12)
    mem = sdm.BinarySDM(n, r, d, rng=rng)
    assert mem.packed_addresses.nbytes == r * 128 and mem.counter_rows([0]).dtype == np.int32
    patterns = rng.integers(0, 2, (m, n)).astype(np.uint8)
    mem.write(patterns)
    noisy = patterns ^ (rng.random((m, n)) < 0.05)
    np.testing.assert_array_equal(mem.read(noisy), patterns)
    assert 0.5 * sdm.space_fraction(n, d) * r < mem.n_stored.sum() / m < 2 * sdm.space_fraction(n, d) * r
    sl = np.arange(2_000)
    counters, h, _ = _brute_force_sdm(mem.address_rows(0, 2_000), d, patterns, patterns, noisy[:2])
    np.testing.assert_array_equal(mem.counter_rows(sl), counters)
    np.testing.assert_array_equal(mem.n_stored[sl], h)
    assert counters.any()  # the slice does hold written neurons


# ---------------------------------------------------------------------------------------------
# Jaeckel selected-coordinate design
# ---------------------------------------------------------------------------------------------

def test_selected_coordinate_activation_rule_and_statistics():
    coords = np.array([[0, 2], [1, 3]])
    values = np.array([[1, 0], [1, 1]])
    q = np.array([[1, 1, 0, 0], [1, 1, 0, 1]])
    np.testing.assert_array_equal(sdm.selected_coordinate_activation(q, coords, values),
                                  [[True, False], [True, True]])
    n, r, k = 40, 20_000, 4
    rng = np.random.default_rng(5)
    coords, values = sdm.random_selected_coordinates(n, r, k, rng)
    assert all(len(set(row)) == k for row in coords[:100])
    a = rng.integers(0, 2, n)
    b = a.copy()
    b[:10] ^= 1
    act = sdm.selected_coordinate_activation(np.vstack([a, b]), coords, values)
    p1 = 2.0**-k
    assert abs(act[0].mean() - p1) < 5 * math.sqrt(p1 / r)
    p2 = sdm.selected_coordinate_intersection(n, k, 10)
    assert p2 == pytest.approx(math.comb(30, 4) / math.comb(40, 4) / 16)
    assert abs((act[0] & act[1]).mean() - p2) < 5 * math.sqrt(p2 / r)


def test_weighted_coordinates_reduce_to_jaeckel_with_equal_synapses():
    n, r, k = 20, 300, 4
    rng = np.random.default_rng(8)
    coords, values = sdm.random_selected_coordinates(n, r, k, rng)
    q = rng.integers(0, 2, (6, n))
    ones = np.ones((r, k), np.int64)
    np.testing.assert_array_equal(sdm.weighted_coordinate_activation(q, coords, values, ones, k),
                                  sdm.selected_coordinate_activation(q, coords, values))
    dv = np.arange(n + 1)
    np.testing.assert_allclose(sdm.weighted_coordinate_intersection(n, ones, k, dv),
                               sdm.selected_coordinate_intersection(n, k, dv), rtol=1e-12, atol=0)
    assert sdm.weighted_coordinate_fraction(k, 1, k) == pytest.approx(2.0 ** -k)


@pytest.mark.parametrize("contacts, theta", [((1, 2), 2), ((1, 2, 3), 4), ((2, 2, 3), 5), ((1, 3, 2, 2), 5)])
def test_weighted_coordinate_intersection_is_exact_by_enumeration(contacts, theta):
    """Every coordinate choice, required value and address pair at distance dv, n = 6 (vectorised)."""
    import itertools

    n, c = 6, np.array(contacts)
    k = len(c)
    addresses = np.array(list(itertools.product((0, 1), repeat=n)))           # (64, n)
    coords = np.array(list(itertools.permutations(range(n), k)))              # (P, k)
    values = np.array(list(itertools.product((0, 1), repeat=k)))              # (V, k)

    def drive(points):  # (64, P, V): summed contacts of the matching inputs
        return ((points[:, coords][:, :, None, :] == values[None, None]) * c).sum(axis=-1)

    sa = drive(addresses)
    for dv in range(n + 1):
        flip = np.zeros(n, np.int64)
        flip[:dv] = 1
        both = (sa >= theta) & (drive(addresses ^ flip) >= theta)
        assert sdm.weighted_coordinate_intersection(n, c[None], theta, dv) == pytest.approx(both.mean(), abs=1e-12)


def test_weighted_coordinate_fraction_matches_enumeration_and_sampling():
    import itertools

    k, m = 4, 3
    for theta in range(1, k * m + 1):
        hits = sum(int(np.dot(w, b)) >= theta for w in itertools.product(range(1, m + 1), repeat=k)
                   for b in itertools.product((0, 1), repeat=k))
        assert sdm.weighted_coordinate_fraction(k, m, theta) == pytest.approx(hits / (m ** k * 2 ** k))
    # the circuit default: K = 4, contacts 1..3, threshold 9 -> 3.3 % (inside the 1-5 % target)
    assert sdm.weighted_coordinate_fraction(4, 3, 9) == pytest.approx(43 / 1296)
    n, r = 30, 40_000
    rng = np.random.default_rng(2)
    coords, values = sdm.random_selected_coordinates(n, r, k, rng)
    contacts = sdm.random_contacts(r, k, m, rng)
    act = sdm.weighted_coordinate_activation(rng.integers(0, 2, n), coords, values, contacts, 9)
    p = sdm.weighted_coordinate_fraction(k, m, 9)
    assert abs(act.mean() - p) < 5 * math.sqrt(p / r)


def test_weighted_coordinate_bad_input_names_the_parameter():
    with pytest.raises(ValueError, match="contacts shape"):
        sdm.weighted_coordinate_activation(np.zeros(8), [[0, 1]], [[0, 1]], [[1, 1, 1]], 2)
    with pytest.raises(ValueError, match="contacts"):
        sdm.weighted_coordinate_activation(np.zeros(8), [[0, 1]], [[0, 1]], [[0, 1]], 2)
    with pytest.raises(ValueError, match="theta"):
        sdm.weighted_coordinate_intersection(8, [[1, 2]], 0, 3)
    with pytest.raises(ValueError, match="contacts_max"):
        sdm.random_contacts(10, 4, 0)


# ---------------------------------------------------------------------------------------------
# Continuous SDM
# ---------------------------------------------------------------------------------------------

def test_cap_intersection_at_zero_equals_cap_and_vanishes_beyond_2theta():
    for n, d in ((5, 1), (64, 11), (1000, 451)):
        assert sdm.cap_intersection(n, d, 0.0) == pytest.approx(sdm.cap_fraction(n, d), rel=1e-7)
    theta = math.acos(1 - 22 / 64)
    assert sdm.cap_intersection(64, 11, 2 * theta + 1e-9) == 0.0
    vals = sdm.cap_intersection(64, 11, np.linspace(0, 2 * theta, 20))
    assert np.all(np.diff(vals) <= 0)


def test_cap_intersection_matches_monte_carlo():
    n, d = 5, 1.5
    rng = np.random.default_rng(6)
    x = rng.standard_normal((400_000, n))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    c = sdm.cosine_threshold(n, d)
    e1 = np.eye(n)[0]
    for tv in (0.3, 0.8, 1.4):
        e2 = math.cos(tv) * e1 + math.sin(tv) * np.eye(n)[1]
        both = sdm.cosine_activation(np.vstack([e1, e2]), x, c)
        frac = np.mean(both[0] & both[1])
        expect = sdm.cap_intersection(n, d, tv)
        assert abs(frac - expect) < 5 * math.sqrt(expect / x.shape[0]) + 1e-4, (tv, frac, expect)


def test_continuous_beta_exceeds_binary_beta():
    # sdm.md section 5: at equal d the cap gives a larger fitted beta than binary
    n, d = 64, 11
    dv = np.arange(d)
    cap = sdm.cap_intersection(n, d, np.arccos(sdm.hamming_to_cosine(dv, n)))
    beta_cap, _ = sdm.fit_log_linear(sdm.hamming_to_cosine(dv, n), cap)
    assert beta_cap > sdm.fit_beta(n, d)


# ---------------------------------------------------------------------------------------------
# Optimal radii (Bricken & Pehlevan 2021 section 2: n = 64, r = 2^64, m = 1024 ->
# d*_SNR = 11, d*_Mem = 5, d*_CD = 15; recomputed here)
# ---------------------------------------------------------------------------------------------

N, R, M = 64, 2**64, 1024


def test_optimal_radii_match_paper():
    assert sdm.optimal_radius(N, R, M, "snr") == 11
    assert sdm.optimal_radius(N, R, M, "capacity") == 5
    assert sdm.optimal_radius(N, R, M, "critical_distance") == 15
    assert sdm.optimal_radius(N, R, M, "critical_distance", convention="strict") == 15
    # the authors' own scan range gives the same answer
    radii = np.linspace(9, 25, 16).astype(int)
    assert sdm.optimal_radius(N, R, M, "critical_distance", radii=radii) == 15


def test_optimal_space_fractions():
    # SNR: p* = (2 m r)^(-1/3) = 2^-25
    assert sdm.optimal_space_fraction(N, R, M, "snr") == pytest.approx(2.0**-25, rel=1e-12)
    # capacity: z = Phi^-1(0.5^(1/64)) = 2.2983, p* = 1.97993e-13 (Optimal_d.ipynb printout)
    p = sdm.optimal_space_fraction(N, R, M, "capacity")
    assert p == pytest.approx(1.979930592478041e-13, rel=1e-9)
    # it is the maximiser of m(p)
    from scipy.stats import norm

    z, r = norm.ppf(0.5 ** (1 / 64)), float(R)

    def cap(pp):
        return ((pp * r) ** 2 / z**2 - pp * r) / (pp**2 * r + (pp**2 * r) ** 2)

    assert cap(p) > cap(p * 1.01) and cap(p) > cap(p * 0.99)
    assert sdm.optimal_space_fraction(N, R, 7, "capacity") == p  # independent of m
    # huge r does not overflow (the closed form's r^8 would)
    assert 0 < sdm.optimal_space_fraction(N, 10**40, M, "capacity") < 1
    # r = 2**2000 > float max: solved in log scale.  p* = q/r with q^2 (2q - 3z^2) = z^2 r, so
    # ln p* -> (ln(z^2 / 2) - 2 ln r) / 3 (the 3z^2 term is relatively ~r^(-1/3)); p* underflows to 0
    log_r = 2000 * math.log(2)
    log_p = sdm._capacity_optimal_log_p(log_r, z)
    assert log_p == pytest.approx((math.log(z**2 / 2) - 2 * log_r) / 3, rel=1e-12)
    assert sdm.optimal_space_fraction(N, 2**2000, M, "capacity") == 0.0
    assert sdm.optimal_radius(N, 2**2000, M, "capacity") == 0
    assert sdm.optimal_radius(N, 2**2000, M, "snr") == 0
    # the log-scale root is the root of the cubic for moderate r as well
    for rr in (10.0, 1e3, 1e12):
        q = math.exp(sdm._capacity_optimal_log_p(math.log(rr), z)) * rr
        assert 2 * q**3 - 3 * z**2 * q**2 == pytest.approx(z**2 * rr, rel=1e-10)


def test_critical_distance_curve_and_i_rand_pitfall():
    crit = [sdm.critical_distance(N, d, R, M) for d in range(9, 26)]
    # measured (published convention): rises by 2 per radius while I_rand = 0, peaks at d = 15
    assert crit == [19, 21, 23, 25, 27, 29, 31, 30, 30, 28, 26, 24, 20, 12, 0, 0, 0]
    strict = [sdm.critical_distance(N, d, R, M, convention="strict") for d in range(9, 26)]
    assert all(0 <= p - s <= 1 for p, s in zip(crit, strict))
    # pitfall: for 2d < n/2 random patterns share no neuron, so m does not matter at all
    assert sdm.expected_intersection(N, 15, N // 2, R) == 0.0
    assert sdm.expected_intersection(N, 16, N // 2, R) > 0.0
    assert sdm.critical_distance(N, 12, R, 1) == sdm.critical_distance(N, 12, R, 10**9)
    f = sdm.read_update_distance(N, 11, R, M)
    assert np.all(np.isnan(f[23:])) and np.all(f[:23] < 1e-6)


# ---------------------------------------------------------------------------------------------
# Bad inputs: message names the parameter, the value and the allowed range
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "call, exc, message",
    [
        (lambda: sdm.circle_intersection(64, 70, 0), ValueError, "d = 70 is out of range: allowed 0 <= d <= n = 64"),
        (lambda: sdm.circle_intersection(64, -1, 0), ValueError, "d = -1 is out of range: allowed 0 <= d <= n = 64"),
        (lambda: sdm.circle_intersection(64, 11, [0, 65]), ValueError, "dv = 65 is out of range: allowed 0 <= dv <= n = 64"),
        (lambda: sdm.circle_intersection(0, 0, 0), ValueError, "n = 0 is out of range: allowed n >= 1"),
        (lambda: sdm.circle_intersection(64, 11.5, 0), TypeError, "d = 11.5 must be an integer"),
        (lambda: sdm.circle_intersection(64, True, 0), TypeError, "d = True must be an integer"),
        (lambda: sdm.circle_intersection(64, 11, [0.5]), TypeError, "dv must contain integers; found 0.5"),
        (lambda: sdm.circle_intersection("64", 11, 0), TypeError, "n = '64' must be an integer"),
        (lambda: sdm.space_fraction(10, 11), ValueError, "d = 11 is out of range: allowed 0 <= d <= n = 10"),
        (lambda: sdm.radius_for_space_fraction(64, 0.0), ValueError, "p = 0.0 is out of range: allowed 0.0 < p <= 1.0"),
        (lambda: sdm.expected_intersection(64, 11, 0, 0), ValueError, "r = 0 is out of range: allowed r > 0"),
        (lambda: sdm.expected_intersection(64, 11, 0, -1.0), ValueError, "r = -1.0 is out of range"),
        (lambda: sdm.fit_beta(64, 11, convention="ols"), ValueError, "convention = 'ols' is not allowed: choose one of 'published', 'lstsq'"),
        (lambda: sdm.fit_beta(64, 1), ValueError, "d = 1 is out of range: allowed 2 <= d <= n = 64"),
        (lambda: sdm.optimal_radius(64, 2**64, 1024, "entropy"), ValueError, "criterion = 'entropy' is not allowed: choose one of 'snr', 'capacity', 'critical_distance'"),
        (lambda: sdm.optimal_radius(64, 2**64, 0, "snr"), ValueError, "m = 0 is out of range: allowed m >= 1"),
        (lambda: sdm.critical_distance(64, 11, 2**64, 1024, convention="x"), ValueError, "convention = 'x' is not allowed"),
        (lambda: sdm.critical_distance(10, 3, 2**10, 5), ValueError, "n = 10 is out of range: allowed n >= 12"),
        (lambda: sdm.hamming_to_cosine(70, 64), ValueError, "dv = 70.0 is out of range: allowed 0 <= dv <= n = 64"),
        (lambda: sdm.cosine_to_hamming(1.5, 64), ValueError, "c = 1.5 is out of range: allowed -1 <= c <= 1"),
        (lambda: sdm.cap_intersection(64, 32, 0.1), ValueError, "d = 32 is out of range: allowed 0.0 < d < n/2 = 32"),
        (lambda: sdm.cap_intersection(64, 11, 4.0), ValueError, "theta_v = 4.0 is out of range: allowed 0 <= theta_v <= pi"),
        (lambda: sdm.BinarySDM(64, 0, 11), ValueError, "r = 0 is out of range: allowed r >= 1"),
        (lambda: sdm.BinarySDM(8, 10, 2, rng=0).write(np.zeros(7)), ValueError, "address has length 7 along its last axis (shape (7,)): must equal n = 8"),
        (lambda: sdm.BinarySDM(8, 10, 2, rng=0).write(np.zeros(8), np.zeros((2, 8))), ValueError, "pointer shape (2, 8) must equal (8,) (address shape (8,)"),
        (lambda: sdm.BinarySDM(8, 10, 2, rng=0, k=3).write(np.zeros(8), np.zeros(8)), ValueError, "pointer shape (8,) must equal (3,)"),
        (lambda: sdm.BinarySDM(8, 10, 2, rng=0, k=3).write(np.zeros(8)), ValueError, "pointer is required: this memory stores k = 3"),
        (lambda: sdm.softmax([0.0, 1.0], -1.0), ValueError, "beta = -1.0 is out of range: allowed 0.0 <= beta"),
        (lambda: sdm.softmax([np.nan, 1.0]), ValueError, "x contains NaN or +inf"),
        (lambda: sdm.BinarySDM(8, 10, 2, rng=0).read(np.full(8, 2)), ValueError, "queries contains 2: allowed values are 0 and 1"),
        (lambda: sdm.BinarySDM(8, 10, 2, rng="seed"), TypeError, "rng = 'seed' must be a numpy Generator"),
        (lambda: sdm.pattern_view_read(np.zeros(8), np.zeros((3, 8)), np.zeros((2, 8)), 8, 2), ValueError, "pointers has 2 rows: must equal the number of addresses (3)"),
        (lambda: sdm.pattern_weights(np.zeros(8), np.zeros((3, 9)), 8, 2), ValueError, "addresses has length 9"),
        (lambda: sdm.selected_coordinate_activation(np.zeros(8), [[0, 8]], [[0, 1]]), ValueError, "coords = 8 is out of range: allowed 0 <= coords <= n - 1 = 7"),
        (lambda: sdm.selected_coordinate_activation(np.zeros(8), [[0, 1]], [[0, 1, 1]]), ValueError, "values shape (1, 3) must equal coords shape (1, 2)"),
        (lambda: sdm.fit_log_linear([0.0, 1.0], [1.0, 2.0, 3.0]), ValueError, "x and values must be 1-D arrays of equal length"),
    ],
)
def test_bad_inputs_raise_with_named_parameter(call, exc, message):
    with pytest.raises(exc) as info:
        call()
    assert message in str(info.value)


def test_importing_sdm_does_not_import_brian2():
    code = "import sys, cerebellum.sdm; sys.exit(1 if 'brian2' in sys.modules else 0)"
    assert subprocess.run([sys.executable, "-c", code], cwd=str(_repo_root())).returncode == 0


def _repo_root():
    from pathlib import Path

    return Path(__file__).resolve().parents[1]


def test_critical_distance_astronomical_r_no_overflow():
    """n = 1000, r = 2**1000: I_rand**2 exceeds a float; the log-space SNR gives the exact answer.

    At d = 451, m = 1024 the critical distance is 374 bits in both conventions, and the log-space
    signal-to-noise ratio agrees with the float formula where the latter is finite (n = 64).
    """
    assert sdm.critical_distance(1000, 451, 2**1000, 1024) == 374
    assert sdm.critical_distance(1000, 451, 2**1000, 1024, convention="strict") == 374
    f = sdm.read_update_distance(1000, 451, 2**1000, 1024)
    assert np.all(np.isfinite(f)) and f[0] < 1e-6
    d_star = sdm.optimal_radius(1000, 2**1000, 1024, "critical_distance", radii=range(445, 456))
    assert 445 <= d_star <= 455
    from cerebellum.sdm import radii

    dv = np.arange(33)
    s = sdm.expected_intersection(64, 20, dv, 10**6)
    i = sdm.expected_intersection(64, 20, 32, 10**6)
    np.testing.assert_allclose(radii._log_snr(64, 20, dv, 10**6, 100), s / np.sqrt(s + 99 * (i + i * i)),
                               rtol=1e-12)


def test_critical_distance_from_intersection_is_the_strict_ball_critical_distance():
    """The curve form of the critical distance gives back the Hamming-ball value (strict convention)
    from the ball's expected intersection, and rejects a curve of the wrong length."""
    for n, d, r, m in [(16, 4, 500, 3), (32, 10, 8000, 12), (64, 11, 1e6, 100), (64, 15, 1e6, 1000), (8, 2, 400, 3)]:
        shared = sdm.expected_intersection(n, d, np.arange(n // 2 + 1), r)
        assert sdm.critical_distance_from_intersection(n, shared, m) == sdm.critical_distance(n, d, r, m, "strict")
    # no shared location beyond dv = 2: reads from dv >= 3 are undefined, so 2 is the answer
    assert sdm.critical_distance_from_intersection(16, [50, 40, 30, 0, 0, 0, 0, 0, 0], 1) == 2
    with pytest.raises(ValueError, match="n//2 \\+ 1 = 9"):
        sdm.critical_distance_from_intersection(16, [1.0, 2.0], 3)
