"""Noisy path integration and its sensory correction (numpy only, :mod:`hippocampus.pathint`).

Metrics are recomputed here from the returned arrays; thresholds are restated as literals.
"""
import numpy as np
import pytest

from hippocampus.codes import grid_keys, sensory_codes
from hippocampus.grid import GridCode
from hippocampus.pathint import (CorrectionRule, action_phases, blend_phase, circular_mean, closed_loop_walk,
                                 decode_nodes, phase_code, phase_noise, wave_phases, wrap)

GRID = GridCode()


def test_phase_code_of_wave_phases_is_the_grid_code():
    pos = np.array([[0.0, 0.0], [3.0, 2.0], [7.5, -1.0]])
    np.testing.assert_allclose(phase_code(GRID, wave_phases(GRID, pos)), GRID.encode(pos), atol=1e-12)
    # an action's phase increment moves the code exactly (E = index 1: +x)
    moved = wave_phases(GRID, pos) + action_phases(GRID, [1, 1, 1])
    np.testing.assert_allclose(phase_code(GRID, moved), GRID.encode(pos + [1.0, 0.0]), atol=1e-12)


def test_phase_noise_sd_is_pi_noise_periods_per_dimension():
    xi = np.random.default_rng(0).standard_normal((20000, GRID.n_modules, 2))
    sigma = 0.05
    noise = phase_noise(GRID, xi, sigma)
    assert noise.shape == (20000, 3 * GRID.n_modules)
    # k_mj . delta_m with |k| lambda = 4 pi / sqrt(3) and delta_m ~ N(0, (sigma lambda_m)^2 I)
    expected = sigma * 4 * np.pi / np.sqrt(3)
    np.testing.assert_allclose(noise.std(axis=0), expected, rtol=0.03)
    assert np.all(phase_noise(GRID, xi, 0.0) == 0)
    np.testing.assert_allclose(phase_noise(GRID, xi, 2 * sigma), 2 * noise)  # the level only scales the draws


def test_circular_mean_and_blend():
    ph = np.array([[np.pi - 0.1], [-np.pi + 0.1]])
    assert abs(abs(circular_mean(ph, [1.0, 1.0])[0]) - np.pi) < 1e-12  # across the wrap, not 0
    assert abs(circular_mean(ph, [3.0, 1.0])[0] - (np.pi - 0.05)) < 0.01
    assert blend_phase(0.3, 1.2, 1.0) == pytest.approx(1.2)
    assert blend_phase(0.3, 1.2, 0.0) == pytest.approx(0.3)
    assert blend_phase(0.0, 1.0, 0.5) == pytest.approx(0.5)
    assert wrap(3 * np.pi) == pytest.approx(np.pi)


def _loop_walk(kick_at=None, kick=0.0, rule=CorrectionRule()):
    """A 1-D back-and-forth walk on a row of 6 distinct objects (E x5, W x5, E x5), optionally with one
    large path-integration error after step ``kick_at``."""
    actions = [1] * 5 + [3] * 5 + [1] * 5               # E = 1, W = 3
    x = np.concatenate([[0], np.cumsum([1] * 5 + [-1] * 5 + [1] * 4)])
    obs = x.copy()                                       # object k at node k
    codes = sensory_codes(6, 40, 4, np.random.default_rng(0))
    steps = action_phases(GRID, actions)
    if kick_at is not None:
        steps[kick_at] += wave_phases(GRID, [kick, kick])[0]
    run = closed_loop_walk(GRID, {0: wave_phases(GRID, [0.0, 0.0])[0]}, steps, obs, codes, 20.0, rule)
    return run, x, obs


def test_without_noise_queries_are_the_next_keys_and_match_true_positions():
    run, x, obs = _loop_walk()
    pos = np.stack([x, np.zeros_like(x)], axis=1).astype(float)
    np.testing.assert_allclose(run["keys"], grid_keys(GRID, pos), atol=1e-9)
    np.testing.assert_allclose(run["queries"][:-1], run["keys"][1:], atol=1e-9)
    # revisits are predicted (causally: window t predicts step t + 1)
    pred = run["decoded"][:-1]
    revisit = np.array([o in obs[:t + 1] for t, o in enumerate(obs[1:])])
    assert np.all(pred[revisit] == obs[1:][revisit])


def test_correction_reanchors_after_a_path_integration_error_and_dead_reckoning_does_not():
    # after step 6 (the walk heads back west over stored nodes) the estimate jumps by 0.15 nodes per axis
    fixed, x, obs = _loop_walk(kick_at=6, kick=0.15)
    drift, _, _ = _loop_walk(kick_at=6, kick=0.15, rule=None)
    true = wave_phases(GRID, np.stack([x, np.zeros_like(x)], axis=1))
    err_fixed = np.abs(wrap(fixed["estimate"] - true)).max(axis=1)
    err_drift = np.abs(wrap(drift["estimate"] - true)).max(axis=1)
    assert err_fixed[7] < 1e-9 and fixed["corrected"][7]    # re-anchored to the stored phase of node 4
    assert np.all(err_drift[7:] > 0.1)                      # the error stays without correction
    assert not drift["corrected"].any()


def test_closed_loop_walk_is_causal_under_correction():
    """Window t predicts step t + 1 from memories 0..t and corrections up to observation t: other
    observations from step 9 on change no prediction of windows 0..8 and no estimate of steps 0..8
    (the estimate of step t is re-anchored with observation t)."""
    actions = [1] * 5 + [3] * 5 + [1] * 5
    obs = np.concatenate([[0], np.cumsum([1] * 5 + [-1] * 5 + [1] * 4)])
    codes = sensory_codes(6, 40, 4, np.random.default_rng(0))
    steps = action_phases(GRID, actions) + phase_noise(GRID, np.random.default_rng(1).standard_normal((15, GRID.n_modules, 2)), 0.02)
    start = {0: wave_phases(GRID, [0.0, 0.0])[0]}
    before = closed_loop_walk(GRID, start, steps, obs, codes, 20.0, CorrectionRule())
    changed = obs.copy()
    changed[9:] = (changed[9:] + 3) % 6
    after = closed_loop_walk(GRID, start, steps, changed, codes, 20.0, CorrectionRule())
    assert before["corrected"][6:9].any()  # the correction acts inside the compared stretch
    np.testing.assert_array_equal(before["decoded"][:9], after["decoded"][:9])
    np.testing.assert_array_equal(before["estimate"][:9], after["estimate"][:9])
    assert not np.array_equal(before["decoded"], after["decoded"])  # later windows do see the change


def test_correction_needs_the_observed_object_and_a_matching_key():
    run, x, obs = _loop_walk()
    # first visits (steps 1-5) have no memory of their node: nothing re-anchors
    assert not run["corrected"][1:6].any()
    assert run["corrected"][6:].all()
    # an impossible overlap threshold switches the correction off
    off, _, _ = _loop_walk(kick_at=6, kick=0.15, rule=CorrectionRule(match_min=1.01))
    assert not off["corrected"].any()


def test_decode_nodes_finds_the_nearest_node():
    nodes = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    ph = wave_phases(GRID, [[0.9, 0.1], [0.1, 0.05]])
    np.testing.assert_array_equal(decode_nodes(GRID, ph, nodes), [1, 0])


def test_design_noise_is_seeded_and_leaves_the_walk_unchanged():
    from protocols.navigation.config import NavigationConfig
    from protocols.navigation.design import design_navigation

    runs = [design_navigation(NavigationConfig(width=5, n_steps=60, n_steps_env2=0, pi_noise=p),
                              np.random.default_rng(4)) for p in (0.0, 0.03, 0.03)]
    exact, noisy, again = runs
    np.testing.assert_array_equal(exact["observations"], noisy["observations"])
    np.testing.assert_array_equal(noisy["pi_steps"], again["pi_steps"])          # same seed: same noise
    assert np.abs(noisy["pi_steps"] - exact["pi_steps"]).max() > 0               # the noise is there
    np.testing.assert_allclose(exact["queries"][:-1], exact["keys"][1:60], atol=1e-9)
    assert np.abs(noisy["uncorrected"]["keys"] - exact["uncorrected"]["keys"]).max() > 1e-3  # keys drift


def test_node_memorizer_on_believed_nodes_restarts_with_each_environment():
    from protocols.navigation.analysis import node_memorizer_from_nodes

    pred = node_memorizer_from_nodes([0, 1, 0, 0, 1], [5, 6, 7, 8, 9], [0, 0, 0, 1, 1])
    np.testing.assert_array_equal(pred, [-1, -1, 5, -1, -1])
