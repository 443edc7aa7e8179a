"""Parameters of the hopfield-recall protocol (Brian2-free declarations; quantities built on construction)."""
from __future__ import annotations

from dataclasses import dataclass

from core.params import derived, nested, param, validate
from core.units import check_multiple_of_dt
from hippocampus.params import CodeParams, MemoryCircuitParams

__all__ = ["HopfieldRecallConfig"]


@dataclass(frozen=True)
class HopfieldRecallConfig:
    """All parameters of the protocol: blocks of queries, codes and the spiking memory circuit.

    Parameters
    ----------
    circuit : MemoryCircuitParams
        The spiking memory circuit.
    code : CodeParams
        Grid code of the keys (MEC) and sensory code of the values (LEC).
    n_slots : int
        Slots in each memory pool (a fixed pool; an unused slot is silent: its gate never opens).
    n_memories : int
        Memories stored per block (``n_memories <= n_slots`` and ``<= world_width**2``).
    beta : float
        Inverse temperature of the normalisation block, the reference of the share targets.
    betas : tuple of float
        Inverse temperatures of the beta sweep (at least one).
    recall_beta : float
        Inverse temperature of the recall-vs-noise block and the capacity sweep.
    noise_levels : tuple of float
        Fractions of flipped bits in the recall cues (at least one).
    partial_levels : tuple of float
        Partial cues: fraction of the pattern's active MEC cells silenced (empty: none).
    cues_per_memory : int
        Cues per memory and noise (or partial) level.
    shifts : tuple of float
        Tonic drive levels of the normalisation block (exponent units, down and up; empty: no block).
    world_width : int
        Side of the grid world the grid keys are drawn from (nodes).
    settle, read : Quantity [ms]
        Settling time and read window of each query (multiples of ``dt``).
    capacity_memories : tuple of int
        Memory counts of the abstract capacity sweep (modern vs classical).
    dt : Quantity [ms]
        Integration time step.
    """

    circuit: MemoryCircuitParams = nested(MemoryCircuitParams, "spiking memory circuit")
    code: CodeParams = nested(CodeParams, "grid (MEC) and sensory (LEC) codes")
    n_slots: int = param(20, "slots in each memory pool", lo=1, hi=10000)
    n_memories: int = param(16, "memories stored per block", lo=1, hi="n_slots")
    beta: float = param(10.0, "inverse temperature of the normalisation block and share targets", lo=0,
                        lo_open=True, hi=1000)
    betas: tuple = param((2.0, 4.0, 6.0, 8.0, 10.0, 14.0, 20.0, 30.0), "inverse temperatures of the beta sweep",
                         lo=0, lo_open=True, hi=1000)
    recall_beta: float = param(20.0, "inverse temperature of the recall-vs-noise block", lo=0, lo_open=True,
                               hi=1000)
    noise_levels: tuple = param((0.0, 0.1, 0.2, 0.3, 0.4), "recall cue noise: fractions of flipped bits",
                                lo=0, hi=0.5)
    partial_levels: tuple = param((0.25, 0.5, 0.75), "partial cues: fractions of active cells silenced",
                                  lo=0, hi=0.95)
    cues_per_memory: int = param(1, "cues per memory and noise level", lo=1, hi=100)
    shifts: tuple = param((-2.0, -1.0, 0.0, 1.0, 2.0, 3.0, 4.5),
                          "tonic drive levels of the normalisation block (exponent units)", lo=-20, hi=20)
    world_width: int = param(11, "side of the grid world the grid keys are drawn from (nodes)", lo=2, hi=100)
    settle: object = param(60.0, "settling time of each query", unit="ms", lo=0, hi=10000)
    read: object = param(200.0, "read window of each query", unit="ms", lo=0, lo_open=True, hi=10000)
    capacity_memories: tuple = param((2, 4, 6, 8, 12, 16, 24, 32, 48),
                                     "memory counts of the abstract capacity sweep", lo=1, hi=10000)
    dt: object = param(0.1, "integration time step", unit="ms", lo=0.01, hi=1)

    def __post_init__(self):
        validate(self)
        for name in ("betas", "noise_levels"):
            if not getattr(self, name):
                raise ValueError(f"{name} = () is not allowed: give at least one value")
        if self.n_memories > self.world_width ** 2:
            raise ValueError(f"n_memories = {self.n_memories} is out of range: allowed n_memories <= "
                             f"world_width**2 = {self.world_width ** 2} (distinct positions)")
        check_multiple_of_dt("settle", self.settle, self.dt)
        check_multiple_of_dt("read", self.read, self.dt)

    @derived("settle", "read")
    def period(self):
        """length of one query window, settle + read"""
        return self.settle + self.read
