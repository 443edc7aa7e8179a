"""Noise sweep of the navigation protocol: link inference of every predictor against path-integration noise.

Each level of ``noise_levels`` runs the whole navigation protocol (:mod:`protocols.navigation`) on
the same seed, hence the same worlds, walks and error directions, with the path-integration
errors scaled to that level. The errors are a time table of the compiled program, not part of its
code, so every level runs the same compiled program (compiled at most once, taken from the build
cache for the other levels; ``summary["levels"][k]["program_cached"]``). The targets reported are
those of the level equal to ``pi_noise`` (the navigation default).

Modules: :mod:`.config` (parameters), :mod:`.simulation` (the levels and their summary).
"""
from __future__ import annotations

from protocols.navigation_noise.config import NavigationNoiseConfig

NAME = "navigation-noise"
DESCRIPTION = "navigation noise sweep: link inference vs path-integration noise, spiking and abstract predictors"
CONFIG = NavigationNoiseConfig
OPTIONS = {
    "width": "width",
    "steps": "n_steps",
    "steps-env2": "n_steps_env2",
    "copies": "circuit.copies",
    "pi-noise": "pi_noise",
    "noise-levels": "noise_levels",
}

__all__ = ["NAME", "DESCRIPTION", "CONFIG", "OPTIONS", "NavigationNoiseConfig", "run"]


def run(config, sim, seed):
    """Run the sweep (imports Brian2); see :func:`protocols.navigation_noise.simulation.run`."""
    from protocols.navigation_noise.simulation import run as _run

    return _run(config, sim, seed)
