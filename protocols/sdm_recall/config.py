"""Parameters of ``sdm-recall`` (Brian2-free): the circuit, the stored data and the read schedule."""
from __future__ import annotations

from dataclasses import dataclass

from cerebellum.params.sdm_circuit import SDMCircuitParams
from core.params import nested, param, validate
from core.units import in_unit

__all__ = ["SDMRecallConfig"]


@dataclass(frozen=True)
class SDMRecallConfig:
    """Everything ``sdm-recall`` needs.

    Parameters
    ----------
    circuit : SDMCircuitParams
        Mode, sizes, cells, weights and PF→PC rule timing (:mod:`cerebellum.params.sdm_circuit`).
    m : int
        Stored address→pointer pairs.
    queries : int
        Read queries, spread evenly over distances ``0 .. n/2`` from random stored addresses.
    warmup : int
        Warm-up volleys of random addresses before the first write (Golgi cells reach their
        periodic regime).
    read_volleys : int
        Volleys (windows) per query; the Purkinje count runs over all of them, so spike-count
        quantisation shrinks as ``1 / read_volleys``.
    mf_background : rate [Hz]
        Poisson background on every mossy fibre during the whole run (spikes of the fibres
        themselves, so every granule and Golgi cell sampling a fibre sees the same train).
    mf_jitter : time [ms]
        Standard deviation of an independent Gaussian delay of every address-volley spike.
    mf_background_capacity : rate [Hz]
        The mossy-fibre spike arrays are padded to one fixed length, room for the background of this
        rate (0: of ``mf_background`` itself; :func:`protocols.sdm_recall.design.pad_spikes`), and
        the teacher arrays to one spike per stored pair and pointer bit: runs with any seed, any
        ``mf_background`` up to the capacity and any ``mf_jitter`` then share one compiled program
        (the spike counts of a Poisson background and of random pointers would otherwise change the
        generated code from run to run).
    dt : time [ms]
        Integration time step of the whole run.
    """

    circuit: SDMCircuitParams = nested(SDMCircuitParams, "the cerebellar circuit read as an SDM")
    m: int = param(12, "stored address->pointer pairs", lo=1, hi=100_000)
    queries: int = param(34, "read queries, spread evenly over distances 0..n/2 from stored addresses",
                         lo=1, hi=100_000)
    warmup: int = param(3, "warm-up volleys of random addresses before the first write", lo=1, hi=100)
    read_volleys: int = param(3, "volleys per query; the Purkinje spike count runs over all of them", lo=1, hi=100)
    mf_background: object = param(5.0, "Poisson background rate of every mossy fibre during the whole run",
                                  unit="Hz", lo=0, hi=1000)
    mf_jitter: object = param(1.0, "s.d. of the Gaussian jitter of every address-volley spike", unit="ms",
                              lo=0, hi=50)
    mf_background_capacity: object = param(0.0, "background rate the mossy-fibre spike arrays have room for, so "
                                                "runs up to it share one program (0: mf_background)", unit="Hz",
                                           lo=0, hi=1000)
    dt: object = param(0.1, "integration time step", unit="ms", lo=0.01, hi=1)

    def __post_init__(self):
        validate(self)
        cap, bg = in_unit(self.mf_background_capacity, "Hz"), in_unit(self.mf_background, "Hz")
        if 0 < cap < bg:
            raise ValueError(f"mf_background_capacity = {cap:g} Hz is out of range: allowed 0 (mf_background) or "
                             f"mf_background = {bg:g} Hz <= mf_background_capacity <= 1000 Hz")
