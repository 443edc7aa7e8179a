"""Equivalence metrics on synthetic arrays (no simulation): each can pass and each can fail."""
import numpy as np
import pytest

from cerebellum import sdm
from cerebellum import sdm_metrics as M


def _ball_sets(rng, n=12, d=3, r=3000, m=5, q=8):
    hard = rng.integers(0, 2, (r, n))
    addr = rng.integers(0, 2, (m, n))
    queries = addr[rng.integers(0, m, q)].copy()
    for k in range(q):
        queries[k, rng.choice(n, k % (n // 2 + 1), replace=False)] ^= 1
    aw = sdm.hamming_distances(addr, hard) <= d
    ar = sdm.hamming_distances(queries, hard) <= d
    return hard, addr, queries, aw, ar


def test_jaccard_rows():
    a = np.array([[1, 1, 0, 0], [0, 0, 0, 0], [1, 0, 0, 0]], bool)
    b = np.array([[1, 0, 1, 0], [0, 0, 0, 0], [0, 1, 0, 0]], bool)
    assert M.jaccard_rows(a, b).tolist() == [1 / 3, 1.0, 0.0]
    with pytest.raises(ValueError, match="same shape"):
        M.jaccard_rows(a, b[:2])


def test_coactivation_matches_theory_and_detects_bias():
    rng = np.random.default_rng(0)
    n, d, r = 12, 3, 3000
    hard, addr, queries, aw, ar = _ball_sets(rng, n, d, r, m=6, q=26)
    counts = M.coactivation(aw, ar)
    dv = sdm.hamming_distances(queries, addr)
    check = M.coactivation_check(counts, dv, lambda v: sdm.expected_intersection(n, d, v, r), r)
    assert check["pass"] and check["n_tested"] >= 3
    # a circuit whose active sets are one bit too wide fails the same test
    wide_w = sdm.hamming_distances(addr, hard) <= d + 1
    wide_r = sdm.hamming_distances(queries, hard) <= d + 1
    bad = M.coactivation_check(M.coactivation(wide_w, wide_r), dv,
                               lambda v: sdm.expected_intersection(n, d, v, r), r)
    assert not bad["pass"]


def test_abstract_reads_equal_pattern_view_when_counts_are_intersections():
    rng = np.random.default_rng(1)
    n, d, m = 16, 4, 7
    addr = rng.integers(0, 2, (m, n))
    ptr = rng.integers(0, 2, (m, 10))
    queries = rng.integers(0, 2, (5, n))
    queries[0] = addr[2]
    dv = sdm.hamming_distances(queries, addr)
    counts = np.array(sdm.circle_intersection(n, d, dv.ravel()), dtype=float).reshape(dv.shape)
    ab = M.abstract_reads(counts, ptr)
    ok = ab["total"] > 0
    ref = sdm.pattern_view_ratio(queries, addr, ptr, n, d)
    np.testing.assert_allclose(ab["ratio"][ok], ref[ok])
    assert np.array_equal(ab["bits"][ok], sdm.pattern_view_read(queries, addr, ptr, n, d)[ok])
    np.testing.assert_allclose(ab["bipolar"], counts @ (2 * ptr - 1))


def test_readout_metrics_linear_readout_passes_and_noise_fails():
    rng = np.random.default_rng(2)
    counts = rng.integers(0, 50, (20, 6)).astype(float)
    ptr = rng.integers(0, 2, (6, 8))
    ab = M.abstract_reads(counts, ptr)
    ref = np.full(20, 140.0)
    rate = ref[:, None] - 0.1 * ab["bipolar"]  # depression proportional to the bipolar read
    good = M.readout_metrics(rate, ref, counts, ptr)
    assert good["pearson_bipolar"] == pytest.approx(1.0)
    assert good["pearson_ratio"] == pytest.approx(1.0)
    assert good["bit_agreement"] == 1.0
    noisy = M.readout_metrics(ref[:, None] + rng.normal(0, 5, rate.shape), ref, counts, ptr)
    assert abs(noisy["pearson_bipolar"]) < 0.5 and noisy["bit_agreement"] < 0.8
    with pytest.raises(ValueError, match="rate_read has shape"):
        M.readout_metrics(rate[:, :3], ref, counts, ptr)


def test_attention_link_and_recall_curve():
    n, d = 16, 4
    dv = np.array([[0, 3, 8, 9], [2, 5, 7, 16]])
    counts = np.array(sdm.circle_intersection(n, d, dv.ravel()), float).reshape(dv.shape)
    w_abs = sdm.intersection_weights(dv, n, d)
    link = M.attention_link(counts, dv, n, w_abs, sdm.fit_beta(n, d))
    assert link["spiking_vs_abstract"] == pytest.approx(0.0, abs=1e-12)
    assert link["spiking_vs_softmax"] == pytest.approx(link["abstract_vs_softmax"])
    w = M.curve_weights(sdm.selected_coordinate_intersection(n, 4, np.arange(n + 1)), dv)
    assert np.allclose(w.sum(axis=1), 1) and w[0, 0] > w[0, 1] > w[0, 2]
    curve = M.recall_curve(np.array([[1, 0], [1, 1], [0, 0]]), np.array([[1, 0], [0, 1]]),
                           np.array([0, 1, 1]), np.array([0, 2, 2]))
    assert curve == {"distance": [0, 2], "fraction_correct": [1.0, 0.5], "queries": [1, 2]}


def test_ties_and_strict_mean_test_are_reported():
    # bit ties (S = 0) are counted apart; agreement on defined bits ignores them
    counts = np.array([[10.0, 10.0], [10.0, 0.0]])
    ptr = np.array([[1, 0], [0, 0]])
    ref = np.full(2, 100.0)
    rate = np.array([[90.0, 110.0], [90.0, 110.0]])  # query 0, bit 0 is a tie read as 1
    out = M.readout_metrics(rate, ref, counts, ptr)
    assert out["bit_ties"] == 1 and out["bit_agreement_defined"] == 1.0 and out["bit_agreement"] == 0.75
    # a mean 2 single-count sigmas off over 25 pairs passes the loose test but not the strict one
    r, e = 10_000, 100.0
    sigma = np.sqrt(r * (e / r) * (1 - e / r))
    counts = np.full((5, 5), e + 2 * sigma)
    check = M.coactivation_check(counts, np.zeros((5, 5), int), lambda v: np.full(len(v), e), r)
    assert check["pass"] and not check["strict_mean_pass"] and check["max_abs_z_iid"] == pytest.approx(10.0)


def test_nuclear_readout_scores_against_the_purkinje_read_and_the_theory_within_the_critical_distance():
    from cerebellum.sdm_metrics import nuclear_readout_metrics

    dcn = np.array([[1, 0], [1, 1], [0, 0]])
    pc = np.array([[1, 0], [0, 1], [0, 0]])  # 5 of 6 bits equal
    theory = np.array([[1, 1], [1, 1], [1, 1]])
    count_bit = np.array([[9, 3], [5, 8], [4, 4]])
    count_ref = np.array([[2, 3], [4, 1], [6, 4]])
    out = nuclear_readout_metrics(dcn, pc, theory, count_bit, count_ref, query_distance=[0, 3, 9], critical=3)
    assert out["bit_agreement_with_pc_rates"] == pytest.approx(5 / 6)
    assert out["bit_agreement_with_abstract_theory_within_critical"] == pytest.approx(3 / 4)  # queries 0 and 1
    assert out["bit_agreement_with_abstract_theory_all"] == pytest.approx(3 / 6)
    assert out["queries_within"] == 2 and out["count_ties"] == 2
    assert out["count_difference_mean_abs"] == pytest.approx((7 + 0 + 1 + 7 + 2 + 0) / 6)
    nothing = nuclear_readout_metrics(dcn, pc, theory, count_bit, count_ref, query_distance=[5, 6, 9], critical=3)
    assert np.isnan(nothing["bit_agreement_with_abstract_theory_within_critical"])
    with pytest.raises(ValueError, match="must have the same shape"):
        nuclear_readout_metrics(dcn[:2], pc, theory, count_bit, count_ref, [0, 1, 2], 3)
