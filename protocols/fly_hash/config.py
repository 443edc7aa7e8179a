"""Parameters of the fly-hash protocol (Brian2-free declarations; quantities built on construction)."""
from __future__ import annotations

from dataclasses import dataclass

from core.params import derived, nested, param, validate
from core.units import check_multiple_of_dt
from mushroom_body.params import MushroomBodyParams

__all__ = ["FlyHashConfig"]


@dataclass(frozen=True)
class FlyHashConfig:
    """Odour set, presentation windows and the read-out of the KC code.

    Parameters
    ----------
    circuit : MushroomBodyParams
        The spiking mushroom body (the output compartment is not built by this protocol).
    n_families : int
        Odour families; each has a base odour and ``variants`` morphs towards fresh random odours.
    variants : int
        Morphs per family besides its base (mixing fractions spread evenly over ``mix_min..mix_max``).
    mix_min, mix_max : float
        Smallest and largest mixing fraction of a morph, ``x = (1 - f) base + f other``.
    concentrations : tuple of float
        Further concentrations at which every base odour is presented (unit concentration always).
    top_fraction : float
        KC fraction kept by the abstract FlyHash at its nominal hash length.
    min_spikes : int
        Spikes in the read window that make a KC count as active (the same for every odour).
    n_neighbours : int
        True input-space neighbours per query in the nearest-neighbour search (mAP).
    settle, read, gap : Quantity [ms]
        Odour onset to read window, read window, and odour-free gap after each presentation.
    step : Quantity [ms]
        Time step of the PN rate schedule (divides settle, read and gap).
    dt : Quantity [ms]
        Integration time step.
    """

    circuit: MushroomBodyParams = nested(MushroomBodyParams, "spiking mushroom body")
    n_families: int = param(16, "odour families", lo=1, hi=1000)
    variants: int = param(7, "morphs per family besides its base", lo=1, hi=100)
    mix_min: float = param(0.05, "smallest mixing fraction of a morph towards a fresh odour", lo=0, hi=1)
    mix_max: float = param(0.95, "largest mixing fraction of a morph towards a fresh odour", lo="mix_min", hi=1)
    concentrations: tuple = param((0.5, 2.0), "further concentrations of every base odour (unit always shown)",
                                  lo=0.05, hi=20)
    top_fraction: float = param(0.1, "KC fraction kept by the abstract FlyHash (nominal hash length)", lo=0,
                                lo_open=True, hi=0.5)
    min_spikes: int = param(2, "spikes in the read window that make a KC active", lo=1, hi=1000)
    n_neighbours: int = param(4, "true input-space neighbours per query (mAP)", lo=1, hi=1000)
    settle: object = param(50.0, "odour onset to read window", unit="ms", lo=0, hi=10000)
    read: object = param(1200.0, "read window of each odour presentation", unit="ms", lo=0, lo_open=True, hi=10000)
    gap: object = param(150.0, "odour-free gap after each presentation", unit="ms", lo=0, hi=10000)
    step: object = param(50.0, "time step of the PN rate schedule", unit="ms", lo=0.1, hi=10000)
    dt: object = param(0.1, "integration time step", unit="ms", lo=0.01, hi=1)

    def __post_init__(self):
        validate(self)
        n = self.n_odours
        if self.n_neighbours >= n:
            raise ValueError(f"n_neighbours = {self.n_neighbours} is out of range: allowed n_neighbours < "
                             f"n_families * (variants + 1) = {n}")
        for name in ("settle", "read", "gap"):
            check_multiple_of_dt(name, getattr(self, name), self.step)
        check_multiple_of_dt("step", self.step, self.dt)

    @derived("n_families", "variants")
    def n_odours(self) -> int:
        """odours at unit concentration, n_families * (variants + 1)"""
        return self.n_families * (self.variants + 1)

    @derived("settle", "read", "gap")
    def period(self):
        """length of one presentation, settle + read + gap"""
        return self.settle + self.read + self.gap
