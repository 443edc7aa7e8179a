"""Tests for hippocampus.attention (softmax attention, modern/classical Hopfield, TEM-t, TV)."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from hippocampus.attention import (
    causal_tem_attention,
    classical_hopfield_recall,
    expected_multinomial_tv,
    hebbian_weights,
    hopfield_energy,
    hopfield_update,
    mean_correct_attention,
    separation,
    softmax_attention,
    total_variation,
)
from core.softmax import softmax

finite = st.floats(-5, 5, allow_nan=False, allow_infinity=False)


def naive_attention(q, keys, values, beta):
    scores = [beta * sum(q[k] * key[k] for k in range(len(q))) for key in keys]
    m = max(scores)
    e = [np.exp(s - m) for s in scores]
    z = sum(e)
    w = [x / z for x in e]
    out = [sum(w[i] * values[i][j] for i in range(len(keys))) for j in range(len(values[0]))]
    return np.array(out), np.array(w)


def unit_rows(rng, n, d):
    x = rng.standard_normal((n, d))
    return x / np.linalg.norm(x, axis=1, keepdims=True)


# --- softmax -------------------------------------------------------------------------------

def test_attention_uses_the_one_softmax():
    import core.softmax
    import hippocampus.attention

    assert hippocampus.attention.softmax is core.softmax.softmax  # a re-export, not a copy


@settings(max_examples=40, deadline=None)
@given(arrays(float, st.integers(1, 12), elements=finite), st.floats(0.1, 20))
def test_softmax_is_distribution_and_shift_invariant(x, beta):
    p = softmax(x, beta)
    assert np.all(p >= 0) and np.isclose(p.sum(), 1.0)
    np.testing.assert_allclose(softmax(x + 3.7, beta), p, atol=1e-12)


def test_softmax_stable_for_huge_scores_and_masks():
    p = softmax(np.array([1000.0, 999.0, -np.inf]), beta=1.0)
    np.testing.assert_allclose(p, [1 / (1 + np.exp(-1)), np.exp(-1) / (1 + np.exp(-1)), 0.0])
    p2 = softmax(np.array([[1.0, 2.0], [3.0, 5.0]]), beta=2.0, axis=0)
    np.testing.assert_allclose(p2.sum(axis=0), 1.0)


# --- attention -----------------------------------------------------------------------------

def test_softmax_attention_matches_naive_loop():
    rng = np.random.default_rng(0)
    keys, values = rng.standard_normal((7, 5)), rng.standard_normal((7, 3))
    q = rng.standard_normal(5)
    out, w = softmax_attention(q, keys, values, beta=1.7, return_weights=True)
    out_n, w_n = naive_attention(q, keys, values, 1.7)
    np.testing.assert_allclose(out, out_n, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(w, w_n, rtol=1e-12, atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 6), st.integers(1, 8), st.integers(1, 5), st.integers(1, 4), st.floats(0.05, 30),
       st.integers(0, 2**31))
def test_batched_equals_single(batch, n, d, m, beta, seed):
    rng = np.random.default_rng(seed)
    keys, values, qs = rng.standard_normal((n, d)), rng.standard_normal((n, m)), rng.standard_normal((batch, d))
    out, w = softmax_attention(qs, keys, values, beta, return_weights=True)
    assert out.shape == (batch, m) and w.shape == (batch, n)
    for b in range(batch):
        o1, w1 = softmax_attention(qs[b], keys, values, beta, return_weights=True)
        np.testing.assert_allclose(out[b], o1, atol=1e-12)
        np.testing.assert_allclose(w[b], w1, atol=1e-12)
    np.testing.assert_allclose(w.sum(axis=1), 1.0)


def test_attention_bad_inputs_name_parameter():
    k, v = np.ones((3, 4)), np.ones((3, 2))
    with pytest.raises(ValueError, match="beta = -1.0"):
        softmax_attention(np.ones(4), k, v, beta=-1.0)
    with pytest.raises(ValueError, match="beta"):
        softmax_attention(np.ones(4), k, v, beta=0)
    with pytest.raises(TypeError, match="beta"):
        softmax_attention(np.ones(4), k, v, beta="2")
    with pytest.raises(ValueError, match=r"query has shape \(5,\)"):
        softmax_attention(np.ones(5), k, v, beta=1.0)
    with pytest.raises(ValueError, match=r"values has shape \(2, 2\)"):
        softmax_attention(np.ones(4), k, np.ones((2, 2)), beta=1.0)
    bad_keys = np.ones((3, 4))
    bad_keys[0, 0] = np.nan
    with pytest.raises(ValueError, match="keys contains 1 NaN"):
        softmax_attention(np.ones(4), bad_keys, v, beta=1.0)
    with pytest.raises(ValueError, match="keys has shape"):
        softmax_attention(np.ones(4), np.ones(4), v, beta=1.0)
    with pytest.raises(ValueError, match="query contains 1 NaN"):
        softmax_attention(np.array([np.nan, 1.0, 0.0, 0.0]), k, v, beta=1.0)


@pytest.mark.parametrize("call", [
    lambda b: hopfield_update(np.ones(2), np.eye(2), b),
    lambda b: hopfield_energy(np.ones(2), np.eye(2), b),
    lambda b: mean_correct_attention(np.eye(2), b),
    lambda b: causal_tem_attention(np.eye(3), np.eye(3), b),
])
def test_physical_inverse_temperature_must_be_positive(call):
    # core.softmax allows beta = 0 (fitted betas); an inverse temperature of the memory does not
    with pytest.raises(ValueError, match=r"beta = 0.0 is out of range: allowed 0.0 < beta"):
        call(0.0)


# --- modern Hopfield -------------------------------------------------------------------------

def test_one_step_retrieval_of_well_separated_patterns():
    rng = np.random.default_rng(1)
    pats = unit_rows(rng, 20, 64)
    delta = separation(pats).min()
    beta = (np.log(20) + 6) / delta  # beta * Delta >= log N + 6
    noisy = pats + 0.05 * rng.standard_normal(pats.shape)
    out = hopfield_update(noisy, pats, beta)
    err = np.linalg.norm(out - pats, axis=1)
    assert err.max() < 1e-2
    # single-vector call agrees with the batch
    np.testing.assert_allclose(hopfield_update(noisy[3], pats, beta), out[3], atol=1e-12)


def test_low_beta_gives_global_average():
    rng = np.random.default_rng(2)
    pats = unit_rows(rng, 10, 16)
    out = hopfield_update(pats[0], pats, beta=1e-6)
    np.testing.assert_allclose(out, pats.mean(axis=0), atol=1e-5)


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 10), st.integers(2, 12), st.floats(0.1, 20), st.integers(0, 2**31))
def test_energy_never_increases_under_update(n, d, beta, seed):
    rng = np.random.default_rng(seed)
    pats = rng.standard_normal((n, d))
    xi = rng.standard_normal(d) * 2
    e_prev = hopfield_energy(xi, pats, beta)
    assert e_prev >= -1e-9  # constants make E >= 0
    for _ in range(4):
        xi = hopfield_update(xi, pats, beta)
        e = hopfield_energy(xi, pats, beta)
        assert e <= e_prev + 1e-9 * max(1.0, abs(e_prev))
        e_prev = e


def test_energy_formula_by_hand():
    pats = np.array([[1.0, 0.0], [0.0, 2.0]])
    xi = np.array([0.5, 0.5])
    beta = 2.0
    lse = np.log(np.exp(beta * 0.5) + np.exp(beta * 1.0)) / beta
    expected = -lse + 0.25 + np.log(2) / beta + 0.5 * 4.0
    assert np.isclose(hopfield_energy(xi, pats, beta), expected)
    np.testing.assert_allclose(hopfield_energy(np.stack([xi, xi]), pats, beta), [expected] * 2)


def test_separation_by_hand():
    pats = np.array([[1.0, 0.0], [0.6, 0.8], [0.0, 1.0]])
    np.testing.assert_allclose(separation(pats), [1 - 0.6, 1 - 0.8, 1 - 0.8])
    with pytest.raises(ValueError, match="at least 2 rows"):
        separation(pats[:1])


def test_mean_correct_attention_limits():
    pats = np.eye(4)
    assert np.isclose(mean_correct_attention(pats, 1e-9), 0.25)
    assert mean_correct_attention(pats, 50) > 1 - 1e-12


# --- classical Hopfield -------------------------------------------------------------------

def test_classical_hopfield_recalls_few_patterns_and_fails_beyond_capacity():
    rng = np.random.default_rng(3)
    d = 100
    few = rng.choice([-1.0, 1.0], size=(5, d))
    noisy = few.copy()
    flip = rng.random(few.shape) < 0.1
    noisy[flip] *= -1
    rec = classical_hopfield_recall(noisy, few)
    assert np.all(rec == few)
    many = rng.choice([-1.0, 1.0], size=(40, d))  # 0.4 d >> 0.14 d
    noisy_many = many.copy()
    noisy_many[rng.random(many.shape) < 0.1] *= -1  # same 10 % cue noise as above
    rec = classical_hopfield_recall(noisy_many, many, rng=0)
    assert np.mean(np.all(rec == many, axis=1)) < 0.5
    # modern network with the same d neurons retrieves all of them in one step, from the same cues
    out = hopfield_update(noisy_many, many, beta=1.0)
    assert np.all(np.sign(out) == many)


def test_hebbian_weights_and_bad_states():
    pats = np.array([[1.0, -1.0, 1.0]])
    w = hebbian_weights(pats)
    np.testing.assert_allclose(w, (np.outer(pats[0], pats[0]) - np.eye(3)) / 3)
    with pytest.raises(ValueError, match=r"patterns .* \+1 and -1"):
        hebbian_weights(np.array([[0.5, 1.0]]))
    with pytest.raises(ValueError, match="state"):
        classical_hopfield_recall(np.array([1.0, 0.0, 1.0]), pats)
    with pytest.raises(ValueError, match="max_sweeps = 0"):
        classical_hopfield_recall(pats[0], pats, max_sweeps=0)


# --- TEM-t causal attention ---------------------------------------------------------------

def test_causal_attention_matches_explicit_loop():
    rng = np.random.default_rng(4)
    pos, sens = unit_rows(rng, 12, 6), rng.standard_normal((12, 3))
    pred, w = causal_tem_attention(pos, sens, beta=3.0, return_weights=True)
    assert np.all(np.isnan(pred[0])) and np.all(np.isnan(w[0]))
    for t in range(1, 12):
        ref = softmax_attention(pos[t], pos[:t], sens[:t], beta=3.0)
        np.testing.assert_allclose(pred[t], ref, atol=1e-12)
        np.testing.assert_allclose(w[t, t:], 0.0)
        np.testing.assert_allclose(w[t, :t].sum(), 1.0)


def test_causal_attention_never_looks_at_the_future():
    rng = np.random.default_rng(5)
    pos, sens = rng.standard_normal((15, 4)), rng.standard_normal((15, 2))
    pred = causal_tem_attention(pos, sens, beta=2.0)
    for t in range(1, 15):
        pos2, sens2 = pos.copy(), sens.copy()
        pos2[t + 1:] = rng.standard_normal(pos2[t + 1:].shape)
        sens2[t:] = rng.standard_normal(sens2[t:].shape)  # the current observation too
        pred2 = causal_tem_attention(pos2, sens2, beta=2.0)
        np.testing.assert_allclose(pred2[:t + 1], pred[:t + 1], atol=1e-12, equal_nan=True)


def test_causal_attention_per_step_beta_and_errors():
    rng = np.random.default_rng(6)
    pos, sens = rng.standard_normal((5, 3)), rng.standard_normal((5, 2))
    betas = np.array([0.0, 1.0, 2.0, 3.0, 4.0])  # beta[0] unused
    pred = causal_tem_attention(pos, sens, betas)
    np.testing.assert_allclose(pred[3], softmax_attention(pos[3], pos[:3], sens[:3], 3.0), atol=1e-12)
    with pytest.raises(ValueError, match=r"beta has shape \(4,\)"):
        causal_tem_attention(pos, sens, betas[:4])
    with pytest.raises(ValueError, match="beta has 1 entries <= 0"):
        causal_tem_attention(pos, sens, np.array([1.0, 1.0, -1.0, 1.0, 1.0]))
    with pytest.raises(ValueError, match=r"sensory_codes has shape \(4, 2\)"):
        causal_tem_attention(pos, sens[:4], 1.0)


# --- TV helpers ---------------------------------------------------------------------------

def test_total_variation():
    assert total_variation([0.5, 0.5], [1.0, 0.0]) == pytest.approx(0.5)
    np.testing.assert_allclose(total_variation(np.eye(3), np.full((3, 3), 1 / 3)), [2 / 3] * 3)
    with pytest.raises(ValueError, match="q has shape"):
        total_variation([0.5, 0.5], [1.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="p sums to"):
        total_variation([0.5, 0.6], [0.5, 0.5])
    with pytest.raises(ValueError, match="p has negative"):
        total_variation([-0.5, 1.5], [0.5, 0.5])


def _tv_from_pmf(p, n):
    from scipy.stats import binom
    k = np.arange(n + 1)
    return sum(np.sum(binom.pmf(k, n, pk) * np.abs(k - n * pk)) for pk in p) / (2 * n)


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 200), st.lists(st.floats(0.0, 1.0), min_size=1, max_size=8))
def test_expected_tv_closed_form_matches_binomial_pmf(n, raw):
    p = np.array(raw) + 1e-3
    p /= p.sum()
    assert expected_multinomial_tv(p, n) == pytest.approx(_tv_from_pmf(p, n), rel=1e-9, abs=1e-12)


def test_expected_tv_matches_monte_carlo():
    rng = np.random.default_rng(7)
    p = softmax(rng.standard_normal(16), beta=3.0)
    for n in (10, 128, 600):
        counts = rng.multinomial(n, p, size=20000)
        mc = 0.5 * np.abs(counts / n - p).sum(axis=1)
        se = mc.std() / np.sqrt(len(mc))
        assert abs(expected_multinomial_tv(p, n) - mc.mean()) < 4 * se + 1e-4
    # degenerate cases and large-n asymptote
    assert expected_multinomial_tv([1.0, 0.0], 50) == 0.0
    big = expected_multinomial_tv(p, 10**6)
    assert big == pytest.approx(np.sum(np.sqrt(p * (1 - p) / (2 * np.pi * 10**6))), rel=1e-2)
    with pytest.raises(ValueError, match="n_samples = 0"):
        expected_multinomial_tv(p, 0)
    with pytest.raises(TypeError, match="n_samples"):
        expected_multinomial_tv(p, 2.5)


def test_abstract_modules_do_not_import_brian2():
    import subprocess
    import sys

    code = ("import sys, hippocampus.attention, hippocampus.grid, hippocampus.environment, hippocampus.codes, "
            "hippocampus.recall, hippocampus.params, protocols.hopfield_recall, protocols.navigation; "
            "sys.exit('brian2' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
