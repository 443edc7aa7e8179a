"""Tests for hippocampus.recall: recall decisions, classical Hopfield accuracy, capacity, spike-count sampler."""
import numpy as np
import pytest

from core.softmax import softmax
from hippocampus.recall import argmax_unique, capacity_sweep, classical_recall_accuracy, sampled_argmax_accuracy


def test_argmax_unique_counts_ties_as_misses():
    x = np.array([[1, 3, 2], [4, 4, 0], [0, 0, 0], [0, 0, 5]])
    np.testing.assert_array_equal(argmax_unique(x), [1, -1, -1, 2])


def test_classical_network_recalls_below_capacity_and_fails_far_above():
    rng = np.random.default_rng(0)
    d = 100
    few = rng.choice([-1.0, 1.0], size=(4, d))
    cues = few.copy()
    cues[:, :5] *= -1  # 5 % of the bits flipped
    assert np.all(classical_recall_accuracy(few, cues, np.arange(4), rng))
    many = rng.choice([-1.0, 1.0], size=(50, d))  # 0.5 d >> 0.14 d
    cues = many[:10].copy()
    cues[:, :5] *= -1
    assert np.mean(classical_recall_accuracy(many, cues, np.arange(10), rng)) <= 0.2
    with pytest.raises(ValueError, match="targets = 4 is out of range"):
        classical_recall_accuracy(few, cues[:1], [4], rng)


def test_classical_network_fails_above_capacity_modern_does_not():
    # d = 45 feature neurons (5 grid modules x 9 cells): classical capacity 0.14 d = 6.3 memories
    modern, classical = capacity_sweep((3, 24), 45, 20.0, np.random.default_rng(0), trials=32)
    assert modern[1] >= 0.9 and classical[1] <= 0.2
    assert classical[0] >= 0.8 and modern[0] >= 0.9


def test_capacity_sweep_is_reproducible_and_checks_its_arguments():
    a = capacity_sweep((2, 8), 30, 10.0, 5, trials=8)
    b = capacity_sweep((2, 8), 30, 10.0, 5, trials=8)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    with pytest.raises(ValueError, match=r"memory_counts\[1\] = 0 is out of range"):
        capacity_sweep((2, 0), 30, 10.0, 0)
    with pytest.raises(ValueError, match="beta = 0.0 is out of range"):
        capacity_sweep((2,), 30, 0.0, 0)


def test_sampler_is_perfect_with_many_spikes_and_misses_without_any():
    p = softmax(np.array([[5.0, 0.0, 0.0], [0.0, 0.0, 5.0]]))
    acc = sampled_argmax_accuracy(p, np.array([200, 0]), np.array([0, 2]), np.random.default_rng(1), draws=50)
    assert acc[0] == 1.0 and acc[1] == 0.0


def test_sampler_matches_the_exact_two_memory_probability():
    # two memories with weights 0.7 / 0.3 and 3 spikes: the target (0.7) alone has the most draws
    # when it gets 2 or 3 of them: 3 * 0.7^2 * 0.3 + 0.7^3 = 0.784 (no ties are possible with 3 draws)
    acc = sampled_argmax_accuracy(np.array([[0.7, 0.3]]), np.array([3]), np.array([0]), np.random.default_rng(2),
                                  draws=20000)
    assert acc[0] == pytest.approx(0.784, abs=0.01)
