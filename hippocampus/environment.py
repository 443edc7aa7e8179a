"""2-D grid worlds, random walks and the link-inference bookkeeping of TEM (numpy only).

Geometry and units
------------------
A world is a ``width x height`` rectangle of nodes, 4-connected.  Node ``i`` sits at position
``(x, y) = (i % width, i // width)`` in **grid-node units** (adjacent nodes are 1 apart);
``x`` grows to the East, ``y`` to the North.  Actions and their displacements:

======  ========  ==============
index   name      (dx, dy)
======  ========  ==============
0       ``"N"``   (0, +1)
1       ``"E"``   (+1, 0)
2       ``"S"``   (0, -1)
3       ``"W"``   (-1, 0)
4       ``"stay"`` (0, 0)
======  ========  ==============

Walls: :meth:`GridWorld.step` with a move that would leave the world **stays in place**;
:meth:`GridWorld.random_walk` only ever chooses valid actions, so walks never bump into walls.

Each node carries one object drawn uniformly, with replacement, from ``n_object_types = 45``
types, so objects repeat (aliasing), as in TEM (Whittington et al. 2020, *Cell* 183:1249; code
``djcrw/generalising-structural-knowledge``).

Link inference
--------------
Edges are **directed** transitions ``(from_node, to_node)`` (for valid moves equivalent to the
``(node, action)`` pair), as in TEM's ``check_visited`` / ``check_edge_inference``.  At step
``t >= 1`` (arriving at ``nodes[t]`` from ``nodes[t-1]``):

* ``node_visited[t]``: ``nodes[t]`` occurs in ``nodes[:t]``;
* ``edge_visited[t]``: the edge ``nodes[t-1] -> nodes[t]`` was traversed at an earlier step; a
  ``stay`` step always counts as a known edge (TEM's default ``stay_still_inf = False``: predicting
  the current observation needs no inference);
* ``link_inference[t] = node_visited[t] and not edge_visited[t]``: a previously visited node reached
  via a never-taken edge -- a memoriser of transitions cannot predict it, a model that knows where
  it is can (zero-shot inference).

Step 0 has all three flags ``False``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from core.checks import as_array as _as_array
from core.checks import check_int as _check_int
from core.checks import check_real as _check_real

__all__ = [
    "ACTIONS",
    "ACTION_DISPLACEMENTS",
    "MOVE_ACTIONS",
    "STAY",
    "N_OBJECT_TYPES",
    "action_index",
    "GridWorld",
    "Walk",
    "WalkFlags",
    "new_environment",
    "walk_flags",
    "edge_memorizer_predictions",
    "node_memorizer_predictions",
    "expected_correct",
]

#: Action names, in index order.
ACTIONS = ("N", "E", "S", "W", "stay")
#: Displacement ``(dx, dy)`` of each action in grid-node units (read-only).
ACTION_DISPLACEMENTS = np.array([[0, 1], [1, 0], [0, -1], [-1, 0], [0, 0]], dtype=int)
ACTION_DISPLACEMENTS.flags.writeable = False
#: Indices of the four move actions.
MOVE_ACTIONS = (0, 1, 2, 3)
#: Index of the ``"stay"`` action.
STAY = 4
#: Number of object (sensory) types in TEM's worlds.
N_OBJECT_TYPES = 45

_MOVE_ANGLES = np.arctan2(ACTION_DISPLACEMENTS[:4, 1], ACTION_DISPLACEMENTS[:4, 0])  # rad


def action_index(action) -> int:
    """Index (0..4) of an action given as a name (``"N", "E", "S", "W", "stay"``) or an index."""
    if isinstance(action, str):
        if action not in ACTIONS:
            raise ValueError(f"action = {action!r} is not allowed: choose one of {', '.join(map(repr, ACTIONS))} "
                             f"or an index 0..{len(ACTIONS) - 1}")
        return ACTIONS.index(action)
    return _check_int("action", action, lo=0, hi=len(ACTIONS) - 1)


def world_positions(width, height=None):
    """``(width * height, 2)`` float node positions ``(x, y)`` of a grid world, node order
    ``i = y * width + x`` (as :attr:`GridWorld.positions`), grid-node units.  Also available as
    :func:`hippocampus.grid.world_positions`."""
    width = _check_int("width", width, lo=1)
    height = width if height is None else _check_int("height", height, lo=1)
    i = np.arange(width * height)
    return np.stack([i % width, i // width], axis=1).astype(float)


def _as_rng(rng):
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None:
        raise TypeError("rng = None is not allowed: pass a numpy Generator or an int seed (walks must be "
                        "reproducible)")
    return np.random.default_rng(_check_int("rng", rng, lo=0))


@dataclass(frozen=True)
class Walk:
    """A walk through a :class:`GridWorld`.

    Attributes
    ----------
    nodes : numpy.ndarray of int, shape (T,)
        Node index at each step.
    actions : numpy.ndarray of int, shape (T - 1,)
        ``actions[t]`` (an index into :data:`ACTIONS`) takes ``nodes[t]`` to ``nodes[t + 1]``.
    observations : numpy.ndarray of int, shape (T,)
        Object type observed at each step (``objects[nodes]``).
    """

    nodes: np.ndarray
    actions: np.ndarray
    observations: np.ndarray

    def __post_init__(self):
        for name in ("nodes", "actions", "observations"):
            arr = np.array(getattr(self, name), dtype=int)
            if arr.ndim != 1:
                raise ValueError(f"{name} has shape {arr.shape}: allowed 1-D")
            arr.flags.writeable = False
            object.__setattr__(self, name, arr)
        t = self.nodes.shape[0]
        if t < 1:
            raise ValueError("nodes has shape (0,): allowed at least one step")
        if self.actions.shape != (t - 1,):
            raise ValueError(f"actions has shape {self.actions.shape}: allowed (T - 1,) = ({t - 1},)")
        if self.observations.shape != (t,):
            raise ValueError(f"observations has shape {self.observations.shape}: allowed (T,) = ({t},)")

    def __len__(self):
        return int(self.nodes.shape[0])


@dataclass(frozen=True)
class GridWorld:
    """A rectangular, 4-connected grid world with one object per node.

    Parameters
    ----------
    width, height : int
        Size in nodes (``>= 1``); TEM uses sides 8-11, default 11 x 11.
    objects : array_like of int, shape (width * height,)
        Object type at each node, in ``0 .. n_object_types - 1``.  Use :func:`new_environment`
        to draw a random layout.
    n_object_types : int
        Number of object types (default 45, TEM).
    """

    width: int = 11
    height: int = 11
    objects: np.ndarray = field(default=None, repr=False)
    n_object_types: int = N_OBJECT_TYPES

    def __post_init__(self):
        object.__setattr__(self, "width", _check_int("width", self.width, lo=1))
        object.__setattr__(self, "height", _check_int("height", self.height, lo=1))
        object.__setattr__(self, "n_object_types", _check_int("n_object_types", self.n_object_types, lo=1))
        n = self.width * self.height
        if self.objects is None:
            raise TypeError("objects = None: pass one object type per node, or use new_environment(rng)")
        obj = _as_array("objects", self.objects, ndims=(1,))
        if obj.shape != (n,):
            raise ValueError(f"objects has shape {obj.shape}: allowed (width * height,) = ({n},)")
        if np.any(obj != np.round(obj)) or np.any(obj < 0) or np.any(obj >= self.n_object_types):
            raise ValueError(f"objects must be integers in 0 .. n_object_types - 1 = {self.n_object_types - 1}, "
                             f"got range [{obj.min()}, {obj.max()}]")
        obj = obj.astype(int)
        obj.flags.writeable = False
        object.__setattr__(self, "objects", obj)

    # -- geometry ---------------------------------------------------------------------------
    @property
    def n_nodes(self) -> int:
        """Number of nodes, ``width * height``."""
        return self.width * self.height

    @property
    def positions(self) -> np.ndarray:
        """``(n_nodes, 2)`` float array of node positions ``(x, y)`` in grid-node units
        (:func:`world_positions` of this world's size)."""
        return world_positions(self.width, self.height)

    def node_at(self, x, y) -> int:
        """Index of the node at integer position ``(x, y)``."""
        x = _check_int("x", x, lo=0, hi=self.width - 1)
        y = _check_int("y", y, lo=0, hi=self.height - 1)
        return y * self.width + x

    def _check_node(self, node):
        return _check_int("node", node, lo=0, hi=self.n_nodes - 1)

    def is_valid(self, node, action) -> bool:
        """Whether ``action`` from ``node`` stays inside the world (``"stay"`` always does)."""
        node = self._check_node(node)
        dx, dy = ACTION_DISPLACEMENTS[action_index(action)]
        x, y = node % self.width + dx, node // self.width + dy
        return bool(0 <= x < self.width and 0 <= y < self.height)

    def valid_actions(self, node, include_stay=True) -> tuple:
        """Indices of the actions allowed at ``node`` (moves that stay inside; plus ``stay``)."""
        acts = tuple(a for a in MOVE_ACTIONS if self.is_valid(node, a))
        return acts + ((STAY,) if include_stay else ())

    def step(self, node, action) -> int:
        """Node reached by taking ``action`` at ``node``; a move into a wall **stays in place**."""
        node = self._check_node(node)
        a = action_index(action)
        if not self.is_valid(node, a):
            return node
        dx, dy = ACTION_DISPLACEMENTS[a]
        return node + int(dx) + int(dy) * self.width

    @property
    def n_edges(self) -> int:
        """Number of directed move edges ``(node, action)`` with a valid move (``stay`` excluded)."""
        w, h = self.width, self.height
        return 2 * (w - 1) * h + 2 * w * (h - 1)

    # -- walks ------------------------------------------------------------------------------
    def walk_from_actions(self, start, actions) -> Walk:
        """Deterministic walk from ``start`` taking ``actions`` (names or indices); walls: stay in place."""
        nodes = [self._check_node(start)]
        acts = [action_index(a) for a in actions]
        for a in acts:
            nodes.append(self.step(nodes[-1], a))
        nodes = np.array(nodes, dtype=int)
        return Walk(nodes=nodes, actions=np.array(acts, dtype=int), observations=self.objects[nodes])

    def random_walk(self, n_steps, rng, *, direc_bias=0.25, angle_bias_change=0.4, allow_stay=True,
                    start=None) -> Walk:
        """Random walk biased to move in straight lines (TEM's ``bias_type='angle'`` walk, simplified).

        The walker keeps a heading angle ``theta`` (rad, uniform at the start).  At each step, with
        probability ``direc_bias`` it takes the valid move closest in angle to ``theta``; otherwise
        it picks uniformly among the valid actions (including ``stay`` if ``allow_stay``).  When the
        heading points into a wall (no valid move within 45 deg of ``theta``), ``theta`` is reset to
        the direction of the move just taken (or a random valid move after ``stay``).  Then
        ``theta`` jitters by ``U(-angle_bias_change, angle_bias_change)``.  Only valid actions are
        chosen, so the walk never bumps into a wall.

        Parameters
        ----------
        n_steps : int
            Walk length ``T`` in nodes (``>= 1``); ``T - 1`` actions are taken.
        rng : numpy.random.Generator or int
            Source of randomness (an int is used as a seed); the same seed gives the same walk.
        direc_bias : float, optional
            Probability ``[0, 1]`` of following the heading (TEM default 0.25).
        angle_bias_change : float, optional
            Heading jitter per step in rad, ``>= 0`` (TEM default 0.4).
        allow_stay : bool, optional
            Whether ``stay`` is among the random choices (TEM: ``stay_still = True``).
        start : int or None, optional
            Start node; ``None`` draws it uniformly.

        Returns
        -------
        Walk
        """
        n_steps = _check_int("n_steps", n_steps, lo=1)
        rng = _as_rng(rng)
        direc_bias = _check_real("direc_bias", direc_bias, lo=0.0, hi=1.0)
        angle_bias_change = _check_real("angle_bias_change", angle_bias_change, lo=0.0)
        node = int(rng.integers(self.n_nodes)) if start is None else self._check_node(start)
        theta = rng.uniform(-np.pi, np.pi)
        nodes = np.empty(n_steps, dtype=int)
        actions = np.empty(n_steps - 1, dtype=int)
        nodes[0] = node
        for t in range(n_steps - 1):
            moves = self.valid_actions(node, include_stay=False)
            choices = moves + ((STAY,) if allow_stay or not moves else ())
            if moves:
                diffs = np.abs(np.angle(np.exp(1j * (_MOVE_ANGLES[list(moves)] - theta))))
                best = moves[int(np.argmin(diffs))]
                heading_ok = diffs.min() <= np.pi / 4 + 1e-12
            else:  # 1 x 1 world
                best, heading_ok = STAY, True
            if rng.random() < direc_bias:
                a = best
            else:
                a = choices[int(rng.integers(len(choices)))]
            if not heading_ok:
                ref = a if a != STAY else moves[int(rng.integers(len(moves)))]
                theta = _MOVE_ANGLES[ref]
            theta = theta + rng.uniform(-angle_bias_change, angle_bias_change)
            actions[t] = a
            node = self.step(node, a)
            nodes[t + 1] = node
        return Walk(nodes=nodes, actions=actions, observations=self.objects[nodes])


def new_environment(rng, width=11, height=11, n_object_types=N_OBJECT_TYPES) -> GridWorld:
    """A world with a fresh random object layout (one type per node, uniform with replacement).

    Parameters
    ----------
    rng : numpy.random.Generator or int
        Source of randomness (an int is used as a seed).
    width, height : int, optional
        Size in nodes (default 11 x 11).
    n_object_types : int, optional
        Number of object types (default 45).

    Returns
    -------
    GridWorld
    """
    rng = _as_rng(rng)
    width = _check_int("width", width, lo=1)
    height = _check_int("height", height, lo=1)
    n_object_types = _check_int("n_object_types", n_object_types, lo=1)
    objects = rng.integers(n_object_types, size=width * height)
    return GridWorld(width=width, height=height, objects=objects, n_object_types=n_object_types)


@dataclass(frozen=True)
class WalkFlags:
    """Per-step bookkeeping of a walk (all arrays have shape ``(T,)``; see the module docstring).

    Attributes
    ----------
    node_visited : numpy.ndarray of bool
        Node seen at an earlier step.
    edge_visited : numpy.ndarray of bool
        Edge into this step traversed earlier (``stay`` counts as known).
    link_inference : numpy.ndarray of bool
        ``node_visited & ~edge_visited``.
    node_fraction : numpy.ndarray of float
        Distinct nodes seen in steps ``0..t`` divided by ``n_nodes``.
    edge_fraction : numpy.ndarray of float
        Distinct directed move edges traversed in steps ``1..t`` divided by ``GridWorld.n_edges``
        (``stay`` excluded; 0 for a world without edges).
    """

    node_visited: np.ndarray
    edge_visited: np.ndarray
    link_inference: np.ndarray
    node_fraction: np.ndarray
    edge_fraction: np.ndarray


def _check_walk(walk):
    if not isinstance(walk, Walk):
        raise TypeError(f"walk = {type(walk).__name__} is not allowed: pass a hippocampus.environment.Walk")
    return walk


def walk_flags(world, walk) -> WalkFlags:
    """Node/edge-visited and link-inference flags plus visited fractions for each step of ``walk``.

    Parameters
    ----------
    world : GridWorld
        World the walk lives in (for the node and edge counts).
    walk : Walk

    Returns
    -------
    WalkFlags
    """
    if not isinstance(world, GridWorld):
        raise TypeError(f"world = {type(world).__name__} is not allowed: pass a GridWorld")
    walk = _check_walk(walk)
    nodes = walk.nodes
    if nodes.max() >= world.n_nodes or nodes.min() < 0:
        raise ValueError(f"walk.nodes spans [{nodes.min()}, {nodes.max()}]: allowed 0 .. n_nodes - 1 = "
                         f"{world.n_nodes - 1}")
    t_len = len(walk)
    node_v = np.zeros(t_len, bool)
    edge_v = np.zeros(t_len, bool)
    n_frac = np.zeros(t_len)
    e_frac = np.zeros(t_len)
    seen_nodes = {int(nodes[0])}
    seen_edges = set()
    n_frac[0] = 1.0 / world.n_nodes
    for t in range(1, t_len):
        a, b = int(nodes[t - 1]), int(nodes[t])
        node_v[t] = b in seen_nodes
        edge_v[t] = (a == b) or ((a, b) in seen_edges)
        seen_nodes.add(b)
        if a != b:
            seen_edges.add((a, b))
        n_frac[t] = len(seen_nodes) / world.n_nodes
        e_frac[t] = len(seen_edges) / world.n_edges if world.n_edges else 0.0
    return WalkFlags(node_visited=node_v, edge_visited=edge_v, link_inference=node_v & ~edge_v,
                     node_fraction=n_frac, edge_fraction=e_frac)


def edge_memorizer_predictions(walk) -> np.ndarray:
    """Predictions of a pure transition memoriser (no notion of space).

    At step ``t >= 1`` it predicts the observation only if the edge ``nodes[t-1] -> nodes[t]`` (the
    same ``(node, action)``) was taken before -- it recalls what followed -- or if the action was
    ``stay`` (it repeats the current observation).  Otherwise, and at step 0, it has no prediction.
    It therefore fails on every link-inference step.

    Parameters
    ----------
    walk : Walk

    Returns
    -------
    numpy.ndarray of int, shape (T,)
        Predicted object type, or ``-1`` for "no prediction".
    """
    walk = _check_walk(walk)
    nodes, obs = walk.nodes, walk.observations
    pred = np.full(len(walk), -1, dtype=int)
    memory = {}
    for t in range(1, len(walk)):
        key = (int(nodes[t - 1]), int(nodes[t]))
        if key[0] == key[1]:
            pred[t] = obs[t - 1]
        elif key in memory:
            pred[t] = memory[key]
        memory[key] = int(obs[t])
    return pred


def node_memorizer_predictions(walk) -> np.ndarray:
    """Predictions of an ideal place memoriser that knows its position exactly.

    At step ``t`` it predicts the observation if ``nodes[t]`` was seen at an earlier step (it
    recalls the object stored there); otherwise, and at step 0, it has no prediction.  This is the
    upper bound for a model with perfect path integration and one-shot memory, and solves every
    link-inference step.

    Parameters
    ----------
    walk : Walk

    Returns
    -------
    numpy.ndarray of int, shape (T,)
        Predicted object type, or ``-1`` for "no prediction".
    """
    walk = _check_walk(walk)
    pred = np.full(len(walk), -1, dtype=int)
    memory = {}
    for t, (n, o) in enumerate(zip(walk.nodes.tolist(), walk.observations.tolist())):
        if n in memory:
            pred[t] = memory[n]
        memory[n] = o
    return pred


def expected_correct(predictions, observations, n_object_types=N_OBJECT_TYPES) -> np.ndarray:
    """Per-step expected accuracy: 1 if right, 0 if wrong, ``1/n_object_types`` if no prediction (-1).

    Parameters
    ----------
    predictions : array_like of int, shape (T,)
        Predicted object types, ``-1`` for "no prediction" (a uniform guess).
    observations : array_like of int, shape (T,)
        True object types.
    n_object_types : int, optional
        Number of object types (chance level ``1/n``).

    Returns
    -------
    numpy.ndarray of float, shape (T,)
    """
    pred = _as_array("predictions", predictions, ndims=(1,))
    obs = _as_array("observations", observations, ndims=(1,))
    if pred.shape != obs.shape:
        raise ValueError(f"predictions has shape {pred.shape} but observations has shape {obs.shape}: "
                         f"allowed equal shapes")
    n = _check_int("n_object_types", n_object_types, lo=1)
    return np.where(pred < 0, 1.0 / n, (pred == obs).astype(float))
