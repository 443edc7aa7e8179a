"""``eyeblink``: delay eyeblink conditioning — acquisition, extinction, reacquisition in one run.

The CS is a mossy-fibre input driving the granular-layer time code; the US is a climbing-fibre
burst ``isi`` after CS onset, co-terminating with the CS (Medina et al. 2000). The whole schedule
(phases, probe trials) is one scheduled run, so plasticity carries across phases. Scoring: CR per
trial from the DCN rate, % CR per 10-trial block, CR onset, Purkinje pause time, savings; the
granular time code is measured on a recorded subset of granule cells.

Modules: :mod:`~protocols.eyeblink.config` (parameters), :mod:`~protocols.eyeblink.schedule`
(phases), :mod:`~protocols.eyeblink.simulate` (circuit and recordings, shared with
``eyeblink-isi``), :mod:`~protocols.eyeblink.analysis` (measures), :mod:`~protocols.eyeblink.targets`
(thresholds), :mod:`~protocols.eyeblink.protocol` (one run, start to end).
"""
from protocols.eyeblink.config import EyeblinkConfig

NAME = "eyeblink"
DESCRIPTION = "delay eyeblink conditioning: acquisition, extinction, reacquisition (CR %, pause timing, savings)"
CONFIG = EyeblinkConfig
OPTIONS = {
    "isi": "isi",
    "acquisition": "acquisition",
    "extinction": "extinction",
    "reacquisition": "reacquisition",
    "probe-every": "trial.probe_every",
    "n-grc": "circuit.granular.n_grc",
}

__all__ = ["NAME", "DESCRIPTION", "CONFIG", "OPTIONS", "run"]


def run(config, sim, seed):
    """Run the protocol (Brian2 is imported here); see :func:`protocols.eyeblink.protocol.run`."""
    from protocols.eyeblink.protocol import run as _run

    return _run(config, sim, seed)
