"""``eyeblink-isi``: eyeblink acquisition at several CS–US intervals — does the Purkinje pause follow the US?

One run holds an independent acquisition per interval (default 150, 250, 400 ms): at the start of
each series the plastic PF→PC and MF→DCN weights return to their initial values (once per trial,
gated by the schedule), so the series share one build. The pause time (minimum of the mean PC
rate over the last 10 trials of a series) is regressed on the interval; the target slope is
0.8–1.2. Circuit, trial timing, simulation and per-trial measures are those of ``eyeblink``
(:mod:`protocols.eyeblink`).
"""
from protocols.eyeblink_isi.config import EyeblinkIsiConfig

NAME = "eyeblink-isi"
DESCRIPTION = "eyeblink acquisition at ISI 150/250/400 ms: Purkinje pause time vs ISI (slope target 0.8-1.2)"
CONFIG = EyeblinkIsiConfig
OPTIONS = {"isis": "isis", "acquisition": "acquisition", "n-grc": "circuit.granular.n_grc"}

__all__ = ["NAME", "DESCRIPTION", "CONFIG", "OPTIONS", "run"]


def run(config, sim, seed):
    """Run the protocol (Brian2 is imported here); see :func:`protocols.eyeblink_isi.protocol.run`."""
    from protocols.eyeblink_isi.protocol import run as _run

    return _run(config, sim, seed)
