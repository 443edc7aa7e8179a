"""Tests for hippocampus.grid (hexagonal grid code, exact path integration, rates, separation)."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hippocampus.attention import mean_correct_attention, separation
from hippocampus.environment import ACTION_DISPLACEMENTS, ACTIONS
from hippocampus.grid import GridCode, default_orientations, world_positions


GC = GridCode()
coords = st.floats(-50, 50, allow_nan=False, allow_infinity=False)
action_lists = st.lists(st.sampled_from(ACTIONS), min_size=0, max_size=40)


def test_dimension_and_unit_norm():
    pos = np.random.default_rng(0).uniform(-20, 20, size=(50, 2))
    e = GC.encode(pos)
    assert e.shape == (50, 30) and GC.dim == 30
    np.testing.assert_allclose(np.linalg.norm(e, axis=1), 1.0, atol=1e-14)
    assert GC.encode(pos[0]).shape == (30,)


def test_kernel_depends_only_on_displacement():
    x, y, s = np.array([1.3, -2.0]), np.array([4.0, 0.5]), np.array([7.1, -3.3])
    assert GC.encode(x) @ GC.encode(y) == pytest.approx(GC.encode(x + s) @ GC.encode(y + s), abs=1e-13)


def test_wave_vectors_and_lattice():
    k = GC.wave_vectors
    kmag = 4 * np.pi / (np.sqrt(3) * GC.scales)
    np.testing.assert_allclose(np.linalg.norm(k, axis=-1), np.repeat(kmag[:, None], 3, axis=1))
    np.testing.assert_allclose(GC.scales, 2.0 * 1.42 ** np.arange(5))
    # lattice vectors are periods of the whole module: k . a in 2 pi Z
    for m in range(5):
        ph = k[m] @ GC.lattice_vectors[m].T / (2 * np.pi)
        np.testing.assert_allclose(ph, np.round(ph), atol=1e-12)
    np.testing.assert_allclose(default_orientations(5), GC.orientations)


def test_action_matrices_orthogonal_and_inverse_pairs():
    w = GC.action_matrices()
    eye = np.eye(GC.dim)
    for a, m in w.items():
        np.testing.assert_allclose(m @ m.T, eye, atol=1e-15)
    np.testing.assert_allclose(w["N"] @ w["S"], eye, atol=1e-15)
    np.testing.assert_allclose(w["E"] @ w["W"], eye, atol=1e-15)
    np.testing.assert_array_equal(w["stay"], eye)
    # commuting (all block rotations) and index / displacement forms agree
    np.testing.assert_allclose(w["N"] @ w["E"], w["E"] @ w["N"], atol=1e-15)
    np.testing.assert_array_equal(GC.action_matrix(0), w["N"])
    np.testing.assert_allclose(GC.action_matrix([0.0, 1.0]), w["N"], atol=0)


@settings(max_examples=50, deadline=None)
@given(coords, coords, st.sampled_from(ACTIONS))
def test_encode_shift_equals_action_matrix(x, y, a):
    pos = np.array([x, y])
    d = ACTION_DISPLACEMENTS[ACTIONS.index(a)]
    np.testing.assert_allclose(GC.encode(pos + d), GC.action_matrix(a) @ GC.encode(pos), atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(action_lists, st.integers(-5, 15), st.integers(-5, 15))
def test_path_integration_matches_encoding(actions, x0, y0):
    start = np.array([x0, y0], float)
    traj = GC.path_integrate(GC.encode(start), actions)
    disp = np.cumsum([[0, 0]] + [ACTION_DISPLACEMENTS[ACTIONS.index(a)] for a in actions], axis=0)
    np.testing.assert_allclose(traj, GC.encode(start + disp), atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(action_lists)
def test_closed_loops_return_to_start(actions):
    inverse = {"N": "S", "S": "N", "E": "W", "W": "E", "stay": "stay"}
    loop = list(actions) + [inverse[a] for a in reversed(actions)]
    start = GC.encode([3.0, 4.0])
    end = GC.path_integrate(start, loop)[-1]
    np.testing.assert_allclose(end, start, atol=1e-12)


def test_long_closed_loop_round_the_world():
    loop = ["N"] * 10 + ["E"] * 10 + ["S"] * 10 + ["W"] * 10
    start = GC.encode([0.0, 0.0])
    traj = GC.path_integrate(start, loop * 25)  # 1000 steps
    np.testing.assert_allclose(traj[-1], start, atol=1e-12)


def test_rates_non_negative_bounded_and_match_formula():
    gc = GridCode(cells_per_module=16)
    pos = np.random.default_rng(1).uniform(-10, 10, size=(200, 2))
    r = gc.rates(pos, max_rate=15.0)
    assert r.shape == (200, gc.n_cells) and gc.n_cells == 80
    assert np.all(r >= 0) and r.max() <= 15.0 + 1e-9
    np.testing.assert_allclose(gc.rates(gc.encode(pos), max_rate=15.0), r, atol=1e-12)
    # explicit formula r = max_rate [sum_j cos(k_j . (x - phi))]_+ / 3
    m, i = 2, 5
    phi, k = gc.phases[m, i], gc.wave_vectors[m]
    expect = 15.0 * np.maximum(np.cos((pos - phi) @ k.T).sum(axis=1), 0) / 3
    np.testing.assert_allclose(r[:, m * 16 + i], expect, atol=1e-12)
    # peak rate at the cell's phase, and every cell fires somewhere in an 11 x 11 world
    assert gc.rates(phi, 15.0)[m * 16 + i] == pytest.approx(15.0)
    assert np.all(gc.rates(world_positions(11), 1.0).max(axis=0) > 0)


def test_random_phases_reproducible():
    a = GridCode(phase_layout="random", cells_per_module=7, rng=3)
    b = GridCode(phase_layout="random", cells_per_module=7, rng=np.random.default_rng(3))
    np.testing.assert_array_equal(a.phases, b.phases)
    assert a.readout.shape == (35, 30)


def test_min_separation_11x11_default():
    """Measured: Delta_min = 0.532 for the default code (5 modules, scale 2, ratio 1.42)."""
    d = GC.min_separation(11)
    assert d == pytest.approx(0.5319, abs=1e-3)
    e = GC.encode(world_positions(11))
    assert separation(e).min() == pytest.approx(d, abs=1e-12)
    s = GC.similarity_matrix(world_positions(11))
    assert s.shape == (121, 121) and np.allclose(np.diag(s), 1.0)
    # near one-hot retrieval at beta 10-20 (mean correct attention 0.97 / 1.00)
    att = [mean_correct_attention(e, b) for b in (5, 10, 20)]
    assert att[0] < 0.6 and att[1] > 0.97 and att[2] > 0.9999
    # beta * Delta_min >~ log N + 3 at beta = 20
    assert 20 * d > np.log(121) + 3


def test_more_modules_separate_better_than_fewer():
    assert GridCode(n_modules=3).min_separation(11) < GC.min_separation(11)
    assert GridCode(n_modules=6, base_scale=1.6).min_separation(11) > GC.min_separation(11)


def test_bad_inputs_name_parameter():
    with pytest.raises(ValueError, match="n_modules = 0"):
        GridCode(n_modules=0)
    with pytest.raises(ValueError, match="base_scale = -1.0"):
        GridCode(base_scale=-1.0)
    with pytest.raises(ValueError, match="scale_ratio = nan"):
        GridCode(scale_ratio=float("nan"))
    with pytest.raises(ValueError, match=r"orientations has shape \(2,\)"):
        GridCode(orientations=[0.0, 0.1])
    with pytest.raises(ValueError, match="cells_per_module = 8"):
        GridCode(cells_per_module=8)
    with pytest.raises(ValueError, match="phase_layout = 'hex'"):
        GridCode(phase_layout="hex")
    with pytest.raises(ValueError, match="action = 'up'"):
        GC.action_matrix("up")
    with pytest.raises(ValueError, match="action = 7"):
        GC.action_matrix(7)
    with pytest.raises(ValueError, match=r"positions has shape \(3,\)"):
        GC.encode([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="positions contains 1 NaN"):
        GC.encode([np.nan, 2.0])
    with pytest.raises(ValueError, match=r"code has shape \(29,\)"):
        GC.path_integrate(np.zeros(29), ["N"])
    with pytest.raises(ValueError, match=r"x has shape \(4, 7\)"):
        GC.rates(np.zeros((4, 7)))
    with pytest.raises(ValueError, match="max_rate = 0.0"):
        GC.rates([0.0, 0.0], max_rate=0.0)
    with pytest.raises(ValueError, match="width = 0"):
        GC.min_separation(0)
