"""Tests for hippocampus.environment (grid worlds, walks, link-inference flags, baselines)."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hippocampus.environment import (
    ACTIONS,
    N_OBJECT_TYPES,
    STAY,
    GridWorld,
    Walk,
    action_index,
    edge_memorizer_predictions,
    expected_correct,
    new_environment,
    node_memorizer_predictions,
    walk_flags,
)


def test_default_world_and_layout():
    w = new_environment(0)
    assert (w.width, w.height, w.n_nodes, w.n_object_types) == (11, 11, 121, N_OBJECT_TYPES)
    assert w.objects.shape == (121,) and w.objects.min() >= 0 and w.objects.max() < 45
    assert len(np.unique(w.objects)) < 121  # types repeat across nodes (aliasing)
    assert w.n_edges == 2 * 10 * 11 * 2
    np.testing.assert_array_equal(new_environment(0).objects, w.objects)
    assert not np.array_equal(new_environment(1).objects, w.objects)
    np.testing.assert_array_equal(w.positions[w.node_at(3, 7)], [3, 7])
    with pytest.raises(ValueError):
        w.objects[0] = 1  # read-only


def test_steps_and_walls():
    w = new_environment(0, width=4, height=3)
    c = w.node_at(0, 0)
    assert w.step(c, "N") == w.node_at(0, 1)
    assert w.step(c, "E") == w.node_at(1, 0)
    assert w.step(c, "S") == c and w.step(c, "W") == c  # blocked: stay in place
    assert w.step(c, "stay") == c
    assert w.valid_actions(c) == (action_index("N"), action_index("E"), STAY)
    assert w.valid_actions(w.node_at(1, 1), include_stay=False) == (0, 1, 2, 3)
    # n_edges counts every valid (node, move) pair
    assert w.n_edges == sum(len(w.valid_actions(n, include_stay=False)) for n in range(w.n_nodes))


def test_random_walk_reproducible_and_valid():
    w = new_environment(3)
    a = w.random_walk(300, 42)
    b = w.random_walk(300, np.random.default_rng(42))
    np.testing.assert_array_equal(a.nodes, b.nodes)
    np.testing.assert_array_equal(a.actions, b.actions)
    assert not np.array_equal(w.random_walk(300, 43).nodes, a.nodes)
    assert len(a) == 300 and a.actions.shape == (299,)
    np.testing.assert_array_equal(a.observations, w.objects[a.nodes])
    for t in range(299):
        assert w.is_valid(a.nodes[t], a.actions[t])  # never bumps into a wall
        assert w.step(a.nodes[t], a.actions[t]) == a.nodes[t + 1]


def test_walk_is_biased_to_go_straight():
    w = new_environment(0)

    def straight_fraction(bias):
        acts = w.random_walk(3000, 5, direc_bias=bias, allow_stay=False).actions
        return np.mean(acts[1:] == acts[:-1])

    # measured (seed 5, 3000 steps): 0.235 / 0.288 / 0.417 / 0.857 for bias 0 / 0.25 / 0.5 / 1
    unbiased, tem = straight_fraction(0.0), straight_fraction(0.25)
    assert unbiased < 0.27 and tem > unbiased + 0.03
    assert straight_fraction(0.5) > 0.35
    assert straight_fraction(1.0) > 0.8
    assert STAY not in w.random_walk(500, 1, allow_stay=False).actions


def test_flags_on_hand_built_walk():
    w = new_environment(0, width=3, height=3)
    # around the 2x2 square at the origin, then back along a new edge and a known edge, then stay
    walk = w.walk_from_actions(w.node_at(0, 0), ["E", "N", "W", "S", "N", "S", "stay"])
    #            t: 0      1      2      3      4      5      6      7
    # node:      (0,0)  (1,0)  (1,1)  (0,1)  (0,0)  (0,1)  (0,0)  (0,0)
    f = walk_flags(w, walk)
    np.testing.assert_array_equal(f.node_visited, [0, 0, 0, 0, 1, 1, 1, 1])
    np.testing.assert_array_equal(f.edge_visited, [0, 0, 0, 0, 0, 0, 1, 1])
    np.testing.assert_array_equal(f.link_inference, [0, 0, 0, 0, 1, 1, 0, 0])
    np.testing.assert_allclose(f.node_fraction, np.array([1, 2, 3, 4, 4, 4, 4, 4]) / 9)
    np.testing.assert_allclose(f.edge_fraction, np.array([0, 1, 2, 3, 4, 5, 5, 5]) / w.n_edges)

    edge = edge_memorizer_predictions(walk)
    node = node_memorizer_predictions(walk)
    obs = walk.observations
    np.testing.assert_array_equal(edge >= 0, f.edge_visited)
    np.testing.assert_array_equal(node >= 0, f.node_visited)
    assert np.all(edge[edge >= 0] == obs[edge >= 0]) and np.all(node[node >= 0] == obs[node >= 0])
    acc = expected_correct(edge, obs)
    np.testing.assert_allclose(acc, np.where(f.edge_visited, 1.0, 1 / 45))


def test_blocked_move_counts_as_stay():
    w = new_environment(0, width=2, height=2)
    walk = w.walk_from_actions(0, ["W", "E", "W"])  # bump, then move, then move back
    np.testing.assert_array_equal(walk.nodes, [0, 0, 1, 0])
    f = walk_flags(w, walk)
    np.testing.assert_array_equal(f.edge_visited, [0, 1, 0, 0])
    np.testing.assert_array_equal(f.link_inference, [0, 0, 0, 1])


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**31), st.integers(2, 9), st.integers(2, 9), st.integers(2, 150))
def test_flag_invariants_on_random_walks(seed, width, height, n_steps):
    w = new_environment(seed, width=width, height=height)
    walk = w.random_walk(n_steps, seed)
    f = walk_flags(w, walk)
    assert not f.node_visited[0] and not f.edge_visited[0]
    assert np.all(f.edge_visited <= f.node_visited)  # a known edge leads to a known node
    np.testing.assert_array_equal(f.link_inference, f.node_visited & ~f.edge_visited)
    assert np.all(np.diff(f.node_fraction) >= 0) and np.all(np.diff(f.edge_fraction) >= 0)
    assert f.node_fraction[-1] == len(np.unique(walk.nodes)) / w.n_nodes
    assert 0 <= f.edge_fraction[-1] <= 1
    # the node memoriser solves every prediction the edge memoriser solves, and link inference too
    e, n = edge_memorizer_predictions(walk), node_memorizer_predictions(walk)
    assert np.all((e >= 0) <= (n >= 0))
    assert np.all(e[f.link_inference] == -1) and np.all(n[f.link_inference] >= 0)


def test_long_walk_has_link_inference_steps():
    w = new_environment(0)
    walk = w.random_walk(2000, 0)
    f = walk_flags(w, walk)
    assert f.link_inference.sum() > 100
    assert f.node_fraction[-1] > 0.95


def test_bad_inputs_name_parameter():
    w = new_environment(0)
    with pytest.raises(ValueError, match="action = 'up'"):
        action_index("up")
    with pytest.raises(ValueError, match="action = 5"):
        w.step(0, 5)
    with pytest.raises(ValueError, match="node = 121"):
        w.step(121, "N")
    with pytest.raises(ValueError, match="width = 0"):
        new_environment(0, width=0)
    with pytest.raises(TypeError, match="rng = None"):
        w.random_walk(10, None)
    with pytest.raises(ValueError, match="direc_bias = 1.5"):
        w.random_walk(10, 0, direc_bias=1.5)
    with pytest.raises(ValueError, match="n_steps = 0"):
        w.random_walk(0, 0)
    with pytest.raises(ValueError, match=r"objects has shape \(3,\)"):
        GridWorld(width=2, height=2, objects=[0, 1, 2])
    with pytest.raises(ValueError, match="objects must be integers"):
        GridWorld(width=1, height=2, objects=[0, 45])
    with pytest.raises(ValueError, match=r"actions has shape"):
        Walk(nodes=[0, 1], actions=[1, 1], observations=[0, 0])
    with pytest.raises(TypeError, match="walk"):
        walk_flags(w, np.arange(3))
    with pytest.raises(ValueError, match="observations has shape"):
        expected_correct([0, 1], [0, 1, 2])
    assert ACTIONS == ("N", "E", "S", "W", "stay")


def test_world_positions_is_the_one_implementation_of_node_positions():
    from hippocampus import environment, grid

    assert grid.world_positions is environment.world_positions
    w = GridWorld(width=4, height=3, objects=np.zeros(12, dtype=int))
    np.testing.assert_array_equal(w.positions, grid.world_positions(4, 3))
    assert w.node_at(*w.positions[7].astype(int)) == 7
