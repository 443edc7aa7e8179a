"""Parameters of the navigation protocol (Brian2-free declarations; quantities built on construction)."""
from __future__ import annotations

from dataclasses import dataclass

from core.params import derived, nested, param, validate
from core.units import check_multiple_of_dt
from hippocampus.params import CodeParams, MemoryCircuitParams

__all__ = ["NavigationConfig"]


@dataclass(frozen=True)
class NavigationConfig:
    """All parameters of the navigation protocol.

    Parameters
    ----------
    circuit : MemoryCircuitParams
        The spiking memory circuit; fewer neurons per slot and per MEC unit than the circuit's
        defaults (``copies=4, mec_copies=20``): only the argmax memory matters here and there is
        one slot per step (about 1000).
    code : CodeParams
        Grid code of the keys (MEC) and sensory code of the observations (LEC).
    width : int
        World side (nodes).
    n_steps : int
        Steps in environment 1; 0 = until every node has been visited (at most ``max_steps``).
    max_steps : int
        Longest automatic walk; with ``n_steps_env2`` it sets the fixed slot pool.
    n_steps_env2 : int
        Steps in the second environment (0 = none).
    beta : float
        Inverse temperature of the attention. The rate keys of the 11 x 11 world have minimum
        separation Delta = 0.362 (:func:`hippocampus.codes.key_separation`): beta 20 gives
        beta * Delta = 7.2, just below log(121) + 3 = 7.8 (reported in the summary).
    direc_bias : float
        Probability of going straight (0.25 in TEM, Whittington et al. 2020, Cell 183:1249).
    pi_noise : float
        Path-integration noise: SD of the phase error added to each grid module per step and per
        spatial dimension, in units of the module's period (drawn from the run's seed;
        :mod:`hippocampus.pathint`). Without landmarks the phase wanders by
        ``pi_noise * sqrt(n)`` periods after ``n`` steps (Burak & Fiete 2009, PLoS Comput. Biol.
        5:e1000291; Hardcastle, Ganguli & Giocomo 2015, Neuron 86:827).
    match_min : float
        Sensory correction: smallest key-query overlap ``k . q`` of a memory that may re-anchor
        the grid phase (1 = perfect match of the grid rate code).
    min_share : float
        Sensory correction: smallest share of the attention (spiking: of the memory spikes in the
        read window) on memories matching the observation and the query for a re-anchoring.
    correction_gain : float
        Weight of the retrieved phase in the blend of unit vectors (1: replace;
        0: no correction).
    settle, read : Quantity [ms]
        Settling time and read window of each step (multiples of ``dt``).
    dt : Quantity [ms]
        Integration time step.
    """

    circuit: MemoryCircuitParams = nested(MemoryCircuitParams, "spiking memory circuit", copies=4, mec_copies=20)
    code: CodeParams = nested(CodeParams, "grid (MEC) and sensory (LEC) codes")
    width: int = param(11, "world side (nodes)", lo=2, hi=50)
    max_steps: int = param(1500, "longest automatic walk in environment 1 (sizes the slot pool)", lo=2, hi=20000)
    n_steps: int = param(0, "steps in environment 1 (0: until every node is visited)", lo=0, hi="max_steps")
    n_steps_env2: int = param(200, "steps in the second environment (0: none)", lo=0, hi=20000)
    beta: float = param(20.0, "inverse temperature of the attention", lo=0, lo_open=True, hi=1000)
    direc_bias: float = param(0.25, "probability of going straight in the random walk", lo=0, hi=1)
    pi_noise: float = param(0.02, "path-integration phase noise per step (SD, in module periods)", lo=0, hi=1)
    match_min: float = param(0.65, "sensory correction: smallest key-query overlap of a re-anchoring memory",
                             lo=0, hi=1)
    min_share: float = param(0.5, "sensory correction: smallest attention share on matching memories", lo=0,
                             lo_open=True, hi=1)
    correction_gain: float = param(1.0, "sensory correction: weight of the retrieved phase in the blend", lo=0, hi=1)
    settle: object = param(50.0, "settling time of each step", unit="ms", lo=0, hi=10000)
    read: object = param(40.0, "read window of each step", unit="ms", lo=0, lo_open=True, hi=10000)
    dt: object = param(0.1, "integration time step", unit="ms", lo=0.01, hi=1)

    def __post_init__(self):
        validate(self)
        check_multiple_of_dt("settle", self.settle, self.dt)
        check_multiple_of_dt("read", self.read, self.dt)

    @derived("settle", "read")
    def period(self):
        """length of one step's window, settle + read"""
        return self.settle + self.read

    @derived("n_steps", "max_steps", "n_steps_env2")
    def pool_size(self) -> int:
        """memory slots (windows the program is sized for): longest walk of both environments"""
        return (self.n_steps if self.n_steps > 0 else self.max_steps) + self.n_steps_env2
