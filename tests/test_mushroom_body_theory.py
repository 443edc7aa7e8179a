"""FlyHash theory (mushroom_body.theory) against exact small cases."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

from mushroom_body import theory


def test_sparse_projection_samples_the_declared_number_of_distinct_pns():
    rng = np.random.default_rng(0)
    proj = theory.sparse_projection(500, 50, 6, 7, rng)
    per_kc = np.asarray(proj).sum(axis=1)
    assert proj.shape == (500, 50) and set(np.unique(proj)) <= {0, 1}
    assert per_kc.min() >= 6 and per_kc.max() <= 7 and {6, 7} <= set(per_kc)


def test_top_k_keeps_the_k_largest_with_ties_to_the_lower_index():
    mask = theory.top_k(np.array([[3.0, 1.0, 3.0, 2.0], [0.0, 0.0, 0.0, 5.0]]), 2)
    assert mask.tolist() == [[True, False, True, False], [True, False, False, True]]


def test_fly_hash_is_top_k_of_the_projected_input():
    proj = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0]])
    codes = theory.fly_hash(np.array([[1.0, 2.0, 0.5]]), proj, 2)
    # inputs per KC: 1, 2, 0.5, 3 -> the two largest are KC 3 and KC 1
    assert codes.tolist() == [[False, True, False, True]]


def test_pairwise_overlap_of_known_codes():
    codes = np.array([[1, 1, 0, 0], [1, 0, 1, 0], [0, 0, 0, 0]], bool)
    ov = theory.pairwise_overlap(codes)
    assert ov[0, 1] == pytest.approx(1 / 2) and ov[0, 0] == pytest.approx(1.0) and ov[0, 2] == 0


def test_average_precision_with_ties_is_the_mean_over_all_orders():
    scores = np.array([0.9, 0.5, 0.5, 0.5, 0.1])
    relevant = np.array([False, True, False, True, False])
    aps = []
    for perm in itertools.permutations([1, 2, 3]):   # every order of the tied group
        order = [0, *perm, 4]
        hits, total = 0, 0.0
        for rank, item in enumerate(order, start=1):
            if relevant[item]:
                hits += 1
                total += hits / rank
        aps.append(total / relevant.sum())
    assert theory.average_precision(scores, relevant) == pytest.approx(np.mean(aps))


def test_sdm_write_and_read_on_the_kc_code():
    codes = np.array([[1, 1, 0, 0], [0, 1, 1, 0]], bool)
    w = theory.sdm_write_depress(codes, np.array([0, 0]), 0.5)
    assert w.tolist() == [0.25, 0.25, 1.0, 1.0]
    assert theory.sdm_read(codes, w).tolist() == [0.25, 0.625]
