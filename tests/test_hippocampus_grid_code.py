"""Grid-code properties the spiking memory relies on: exact path integration, separation of the rate keys."""
import numpy as np

from hippocampus.codes import grid_keys
from hippocampus.grid import GridCode, world_positions


def test_north_south_matrices_invert_to_machine_precision():
    g = GridCode()
    w = g.action_matrix("N") @ g.action_matrix("S")
    assert np.max(np.abs(w - np.eye(g.dim))) < 1e-12


def test_closed_loops_return_the_start_code():
    g = GridCode()
    start = g.encode(np.array([3.0, 4.0]))
    rng = np.random.default_rng(0)
    for _ in range(5):
        half = rng.choice(["N", "E", "S", "W"], size=20)
        back = [{"N": "S", "S": "N", "E": "W", "W": "E"}[a] for a in half[::-1]]
        path = g.path_integrate(start, list(half) + back)
        assert np.max(np.abs(path[-1] - start)) < 1e-10
        assert np.max(np.abs(path[len(half)] - g.encode(np.array([3.0, 4.0]) + _disp(half)))) < 1e-10


def _disp(actions):
    d = {"N": (0, 1), "E": (1, 0), "S": (0, -1), "W": (-1, 0)}
    return np.sum([d[a] for a in actions], axis=0)


def test_rate_keys_of_11x11_world_are_separable_at_default_beta():
    """Non-negative rate keys: Delta = min(k_i.k_i - max_j k_i.k_j) = 0.362, so beta = 20 gives
    beta * Delta = 7.2, just short of the rule log(121) + 3 = 7.8; what matters is measured instead:
    the attention of an exact query on its own memory at beta = 20."""
    from core.softmax import softmax
    from hippocampus.codes import key_separation

    g = GridCode()
    k = grid_keys(g, world_positions(11))
    assert np.all(k >= 0)
    sep = key_separation(k)
    assert 0.3 < sep < 1
    w = softmax(20 * k @ k.T, axis=-1)
    assert np.all(np.argmax(w, axis=1) == np.arange(len(k)))
    assert np.mean(np.diag(w)) >= 0.98 and np.min(np.diag(w)) >= 0.9
    self_sim = np.diag(k @ k.T)
    assert np.all(self_sim > 0.94) and np.all(self_sim <= 1 + 1e-12)
