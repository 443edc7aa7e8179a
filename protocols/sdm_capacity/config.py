"""Parameters of ``sdm-capacity`` (Brian2-free): the circuit, the checkpoints and the read schedule."""
from __future__ import annotations

from dataclasses import dataclass

from cerebellum.params.sdm_circuit import SDMCircuitParams
from core.params import nested, param, validate

__all__ = ["SDMCapacityConfig", "M_MAX"]

#: Largest number of stored pairs a run may reach.
M_MAX = 100_000


@dataclass(frozen=True)
class SDMCapacityConfig:
    """Everything ``sdm-capacity`` needs.

    Parameters
    ----------
    circuit : SDMCircuitParams
        Mode, sizes, cells, weights and PF→PC rule timing (:mod:`cerebellum.params.sdm_circuit`).
    m_values : tuple of int
        Checkpoints: numbers of stored pairs at which the memory is read, strictly increasing; the
        last one is the number of pairs written in the run.
    distances : tuple of int
        Query distances (bits from the target address), strictly increasing from 0 (capacity is
        read at distance 0), ``d <= n/2``.
    queries : int
        Queries per checkpoint and distance (targets drawn among the pairs stored so far).
    warmup : int
        Warm-up volleys of random addresses before the first write.
    read_volleys : int
        Volleys (windows) per query; spike counts run over all of them.
    mf_background : rate [Hz]
        Poisson background on every mossy fibre during the whole run.
    mf_jitter : time [ms]
        Standard deviation of an independent Gaussian delay of every address-volley spike.
    dt : time [ms]
        Integration time step of the whole run.
    """

    circuit: SDMCircuitParams = nested(SDMCircuitParams, "the cerebellar circuit read as an SDM")
    m_values: tuple = param((5, 10, 20, 30, 40, 60, 100, 200),
                            "checkpoints: stored pairs at which the memory is read (strictly increasing)",
                            lo=1, hi=M_MAX)
    distances: tuple = param((0, 2, 4, 8),
                             "query distances from the target address in bits (strictly increasing from 0)",
                             lo=0, hi=2048)
    queries: int = param(8, "queries per checkpoint and distance", lo=1, hi=10_000)
    warmup: int = param(3, "warm-up volleys of random addresses before the first write", lo=1, hi=100)
    read_volleys: int = param(2, "volleys per query; spike counts run over all of them", lo=1, hi=100)
    mf_background: object = param(5.0, "Poisson background rate of every mossy fibre during the whole run",
                                  unit="Hz", lo=0, hi=1000)
    mf_jitter: object = param(1.0, "s.d. of the Gaussian jitter of every address-volley spike", unit="ms",
                              lo=0, hi=50)
    dt: object = param(0.1, "integration time step", unit="ms", lo=0.01, hi=1)

    def __post_init__(self):
        validate(self)
        for name in ("m_values", "distances"):
            v = getattr(self, name)
            if any(b <= a for a, b in zip(v, v[1:])):
                raise ValueError(f"{name} = {', '.join(map(str, v))} is out of range: allowed strictly increasing "
                                 f"values")
        if self.distances[0] != 0:  # capacity is read at distance 0
            raise ValueError(f"distances[0] = {self.distances[0]} is out of range: allowed distances[0] = 0 "
                             f"(capacity is read at distance 0)")
        half = self.circuit.n // 2
        for k, dv in enumerate(self.distances):
            if dv > half:
                raise ValueError(f"distances[{k}] = {dv} is out of range: allowed 0 <= distances[{k}] <= "
                                 f"n // 2 = {half}")
