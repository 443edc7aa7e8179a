"""Run ``eyeblink-isi``: one acquisition per interval in one run, then pause time against interval."""
from __future__ import annotations

import numpy as np

from core.targets import targets_summary
from protocols.eyeblink.analysis import execute_breakdown, time_code, time_code_section, trial_data
from protocols.eyeblink.simulate import epoch_table, raw_spikes, simulate
from protocols.eyeblink_isi.analysis import pause_series
from protocols.eyeblink_isi.schedule import schedule_for
from protocols.eyeblink_isi.targets import targets

__all__ = ["run"]


def run(config, sim, seed: int):
    """Acquisition series at every interval of ``config.isis`` (weights reset between series).

    Returns
    -------
    protocols.engine.RunOutput
        ``data``: the per-trial arrays of ``eyeblink`` plus ``isis`` (s) and ``pause_time`` (s).
        ``summary``: ``time_code`` (measures and their targets, reported but not part of
        ``all_pass``), the pause series (``isis_s``, ``pause_time_s``, ``pause_rate_min_hz``,
        ``pc_baseline_hz``, ``last_block_percent_cr``, ``slope``, ``intercept_s``),
        ``targets`` / ``all_pass`` and ``execute_breakdown_s``.
    """
    from protocols.engine import RunOutput

    schedule = schedule_for(config)
    rec = simulate(config, sim, seed, schedule, reset=True)
    data = trial_data(config, schedule, rec)
    tc, tc_data = time_code(config, schedule, rec)
    data.update(tc_data)
    series = pause_series(config.isis, data)
    data["isis"] = np.asarray(series["isis_s"])
    data["pause_time"] = np.asarray(series["pause_time_s"])
    summary = {"time_code": time_code_section(tc)[0], **series}
    summary.update(targets_summary(targets(config.isis, series)))
    summary["execute_breakdown_s"] = execute_breakdown(sim, rec.execute_s)
    return RunOutput(summary=summary, data=data, synaptic_events=rec.events, spikes=raw_spikes(rec, config.n_grc_recorded),
                     epochs=epoch_table(schedule))
