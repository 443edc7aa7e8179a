"""The trial schedule of ``eyeblink``: acquisition (paired), extinction (CS alone), reacquisition (paired).

Times are converted to seconds here; :func:`cerebellum.eyeblink_schedule.make_schedule` turns the
phases into per-trial arrays (numpy only).
"""
from __future__ import annotations

from cerebellum.eyeblink_schedule import Schedule, make_schedule
from core.units import in_unit

__all__ = ["PHASES", "schedule_for"]

#: Phase labels, in schedule order.
PHASES = ("acquisition", "extinction", "reacquisition")


def schedule_for(config) -> Schedule:
    """The three phases of ``config`` (an :class:`~protocols.eyeblink.config.EyeblinkConfig`) at its ISI.

    Phases with 0 trials are left out; every paired trial of a phase has the US (except probes).
    """
    isi = in_unit(config.isi, "second")
    paired = {"acquisition": True, "extinction": False, "reacquisition": True}
    phases = [(name, getattr(config, name), paired[name], isi, False) for name in PHASES]
    t = config.trial
    return make_schedule([p for p in phases if p[1] > 0], period=config.period,
                         cs_onset=in_unit(t.cs_onset, "second"), us_duration=in_unit(t.us_duration, "second"),
                         probe_every=t.probe_every,
                         probe_extension=in_unit(t.probe_extension, "second"))
