"""The trial schedule of ``eyeblink-isi``: one acquisition series per interval, weights reset at each start."""
from __future__ import annotations

from cerebellum.eyeblink_schedule import Schedule, make_schedule
from core.units import in_unit

__all__ = ["phase_label", "schedule_for"]


def phase_label(isi_ms: float) -> str:
    """Phase label of the series at ``isi_ms`` (``"isi 150 ms"``)."""
    return f"isi {isi_ms:g} ms"


def schedule_for(config) -> Schedule:
    """``config.acquisition`` paired trials per interval of ``config.isis``, in order; the plastic
    weights return to their initial values at the first trial of each series."""
    phases = [(phase_label(v), config.acquisition, True, v / 1000.0, True) for v in config.isis]
    t = config.trial
    return make_schedule(phases, period=config.period, cs_onset=in_unit(t.cs_onset, "second"),
                         us_duration=in_unit(t.us_duration, "second"), probe_every=t.probe_every,
                         probe_extension=in_unit(t.probe_extension, "second"))
