"""Parameters of the navigation noise sweep: the navigation parameters plus the noise levels."""
from __future__ import annotations

from dataclasses import dataclass

from core.params import param
from protocols.navigation.config import NavigationConfig

__all__ = ["NavigationNoiseConfig"]


@dataclass(frozen=True)
class NavigationNoiseConfig(NavigationConfig):
    """All parameters of :class:`protocols.navigation.config.NavigationConfig`, plus the noise levels.

    Parameters
    ----------
    noise_levels : tuple of float
        Path-integration noise levels (SD of the phase error per step and dimension, in module
        periods), each run as a whole navigation protocol; ``pi_noise`` must be one of them (its
        run's targets are the sweep's targets).
    """

    noise_levels: tuple = param((0.0, 0.01, 0.02, 0.03, 0.04), "path-integration noise levels (module periods "
                                "per step)", lo=0, hi=1)

    def __post_init__(self):
        super().__post_init__()
        if not self.noise_levels:
            raise ValueError("noise_levels = () is not allowed: give at least one value")
        if not any(abs(x - self.pi_noise) < 1e-12 for x in self.noise_levels):
            raise ValueError(f"pi_noise = {self.pi_noise} is not one of noise_levels = {tuple(self.noise_levels)}: "
                             f"allowed a value of noise_levels (its run gives the targets)")
