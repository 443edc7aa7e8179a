"""Parameters of the fly-conditioning protocol (Brian2-free declarations; quantities built on construction)."""
from __future__ import annotations

from dataclasses import dataclass

from core.params import derived, nested, param, validate
from core.units import check_multiple_of_dt
from mushroom_body.params import MushroomBodyParams

__all__ = ["FlyConditioningConfig"]


@dataclass(frozen=True)
class FlyConditioningConfig:
    """Odours, trial schedule and DAN timing of one differential conditioning experiment.

    Parameters
    ----------
    circuit : MushroomBodyParams
        The spiking mushroom body with its MBON/DAN output compartment.
    n_morphs : int
        Probe odours mixed from CS+ towards fresh random odours (mixing fractions spread evenly over
        ``mix_min..mix_max``); with CS+ itself and CS- they form the probe set of every test block.
    mix_min, mix_max : float
        Smallest and largest mixing fraction of a probe, ``x = (1 - f) CS+ + f other``.
    n_training : int
        Paired CS+ trials (and as many unpaired CS- trials, alternating).
    n_extinction : int
        CS+ trials without DAN after the first test.
    settle, read, gap : Quantity [ms]
        Odour onset to read window, read window (odour stays on through it), odour-free gap after a trial.
    dan_delay : Quantity [ms]
        Odour onset to DAN onset on paired trials; the DANs fire until the odour ends.
    min_spikes : int
        Spikes in a pre-test read window that make a KC part of the measured code.
    step : Quantity [ms]
        Time step of the PN and DAN rate schedule (divides settle, read, gap and dan_delay).
    dt : Quantity [ms]
        Integration time step.
    """

    circuit: MushroomBodyParams = nested(MushroomBodyParams, "spiking mushroom body with MBONs and DANs")
    n_morphs: int = param(8, "probe odours morphed from CS+ towards fresh odours", lo=1, hi=100)
    mix_min: float = param(0.1, "smallest mixing fraction of a probe away from CS+", lo=0, hi=1)
    mix_max: float = param(1.0, "largest mixing fraction of a probe away from CS+", lo="mix_min", hi=1)
    n_training: int = param(6, "paired CS+ trials (and unpaired CS- trials)", lo=1, hi=1000)
    n_extinction: int = param(40, "CS+ trials without DAN after the first test", lo=0, hi=1000)
    settle: object = param(50.0, "odour onset to read window", unit="ms", lo=0, hi=10000)
    read: object = param(1000.0, "read window of each trial", unit="ms", lo=0, lo_open=True, hi=10000)
    gap: object = param(3000.0, "odour-free gap after each trial", unit="ms", lo=0, hi=100000)
    dan_delay: object = param(500.0, "odour onset to DAN onset on paired trials", unit="ms", lo=0, hi=10000)
    min_spikes: int = param(2, "spikes in a pre-test read window that make a KC part of the code", lo=1, hi=1000)
    step: object = param(50.0, "time step of the PN and DAN rate schedule", unit="ms", lo=0.1, hi=10000)
    dt: object = param(0.1, "integration time step", unit="ms", lo=0.01, hi=1)

    def __post_init__(self):
        validate(self)
        for name in ("settle", "read", "gap", "dan_delay"):
            check_multiple_of_dt(name, getattr(self, name), self.step)
        check_multiple_of_dt("step", self.step, self.dt)
        from core.units import in_unit

        if in_unit(self.dan_delay, "ms") >= in_unit(self.settle, "ms") + in_unit(self.read, "ms"):
            raise ValueError("dan_delay must fall inside the odour (dan_delay < settle + read)")

    @derived("n_morphs")
    def n_probes(self) -> int:
        """odours of a test block: CS+, the morphs and CS-, n_morphs + 2"""
        return self.n_morphs + 2

    @derived("settle", "read", "gap")
    def period(self):
        """length of one trial, settle + read + gap"""
        return self.settle + self.read + self.gap
