"""Parameters of ``sdm-noise`` (Brian2-free): the ``sdm-recall`` circuit and data, and the noise grid."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from cerebellum.params.sdm_circuit import MODES, SDMCircuitParams
from core.params import nested, param, validate
from core.units import in_unit
from protocols.sdm_recall.config import SDMRecallConfig

__all__ = ["SDMNoiseConfig", "MODE_SETS"]

#: ``modes`` -> the granule decoders run, in this order.
MODE_SETS = {"both": ("dense", "biological"), "dense": ("dense",), "biological": ("biological",)}


def _as_in_recall(name: str):
    """The declaration of ``sdm-recall``'s field ``name`` (same default, range and meaning)."""
    f = SDMRecallConfig.__dataclass_fields__[name]
    return dataclasses.field(default=f.default, metadata=f.metadata)


@dataclass(frozen=True)
class SDMNoiseConfig:
    """Everything ``sdm-noise`` needs: one ``sdm-recall`` run per mode and noise level.

    Parameters
    ----------
    circuit : SDMCircuitParams
        The circuit of every run; its ``mode`` is replaced by each entry of ``modes``.
    m, queries, warmup, read_volleys, dt
        As in :class:`protocols.sdm_recall.config.SDMRecallConfig`.
    modes : {"both", "dense", "biological"}
        Granule decoders to run.
    backgrounds_hz : tuple of float
        Poisson background rates of every mossy fibre (Hz), one condition each.
    jitters_ms : tuple of float
        Standard deviations of the Gaussian jitter of every volley spike (ms), one condition each
        (every background is combined with every jitter).
    address_window : time [ms]
        Half-width of the window around each volley onset in which a fibre's spikes make up the
        address the noisy abstract SDM reads (``bit_agreement_abstract_noisy``).
    """

    circuit: SDMCircuitParams = nested(SDMCircuitParams, "the cerebellar circuit read as an SDM (mode set by modes)")
    m: int = _as_in_recall("m")
    queries: int = _as_in_recall("queries")
    warmup: int = _as_in_recall("warmup")
    read_volleys: int = _as_in_recall("read_volleys")
    modes: str = param("both", "granule decoders to run (each replaces circuit.mode)", choices=tuple(MODE_SETS))
    backgrounds_hz: tuple = param((0.0, 2.0, 5.0, 10.0, 20.0), "mossy-fibre Poisson background rates of the grid, "
                                  "in Hz", lo=0, hi=1000)
    jitters_ms: tuple = param((0.0, 1.0, 2.0, 5.0), "s.d. of the volley-spike jitter of the grid, in ms", lo=0, hi=50)
    address_window: object = param(5.0, "half-width of the window around a volley onset whose fibre spikes form the "
                                        "noisy abstract SDM's address", unit="ms", lo=0, lo_open=True, hi=1000)
    dt: object = _as_in_recall("dt")

    def __post_init__(self):
        validate(self)
        for name in ("backgrounds_hz", "jitters_ms"):
            values = getattr(self, name)
            if not values:
                raise ValueError(f"{name} = () is out of range: give at least one value")
            if len(set(values)) != len(values):
                raise ValueError(f"{name} = {values!r} is out of range: every value at most once")
        half_period = in_unit(self.circuit.period, "ms") / 2
        window = in_unit(self.address_window, "ms")
        if window >= half_period:
            raise ValueError(f"address_window = {window:g} ms is out of range: allowed 0 ms < "
                             f"address_window < period / 2 = {half_period:g} ms (one volley per window)")
        # every run's parameters are checked here, before anything is built
        for mode in self.mode_list:
            self.recall_config(mode, max(self.backgrounds_hz), max(self.jitters_ms))

    @property
    def mode_list(self) -> tuple:
        """The granule decoders run, in order."""
        return MODE_SETS[self.modes]

    def recall_config(self, mode: str, background_hz: float, jitter_ms: float) -> SDMRecallConfig:
        """The ``sdm-recall`` configuration of one condition.

        Every condition has room for the largest background of the grid in its mossy-fibre arrays
        (``mf_background_capacity``), so all conditions of one mode share one compiled program.

        Raises
        ------
        ValueError
            When ``mode`` does not fit the circuit (e.g. a dense radius ``d >= n``).
        """
        from brian2 import Hz, ms

        if mode not in MODES:
            raise ValueError(f"mode = {mode!r} is not allowed: choose one of {', '.join(MODES)}")
        return SDMRecallConfig(circuit=dataclasses.replace(self.circuit, mode=mode), m=self.m, queries=self.queries,
                               warmup=self.warmup, read_volleys=self.read_volleys,
                               mf_background=float(background_hz) * Hz, mf_jitter=float(jitter_ms) * ms,
                               mf_background_capacity=float(max(self.backgrounds_hz)) * Hz, dt=self.dt)
