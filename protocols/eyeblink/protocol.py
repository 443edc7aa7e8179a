"""Run ``eyeblink``: schedule, simulate, measure, check the targets, assemble the summary."""
from __future__ import annotations

from core.targets import targets_summary
from protocols.eyeblink.analysis import (cf_per_paired_trial, circuit_rates, execute_breakdown, mean_rates,
                                         phase_measures, time_code, time_code_section, trial_data)
from protocols.eyeblink.schedule import schedule_for
from protocols.eyeblink.simulate import epoch_table, raw_spikes, simulate
from protocols.eyeblink.targets import targets

__all__ = ["run"]


def run(config, sim, seed: int):
    """Acquisition, extinction and reacquisition at ``config.isi`` as one scheduled run.

    Returns
    -------
    protocols.engine.RunOutput
        ``data``: :func:`~protocols.eyeblink.analysis.trial_data` and the time-code arrays.
        ``summary``: ``time_code``, ``blocks``, trials to criterion, ``targets`` / ``all_pass``
        (conditioning and time code), ``isi_s``, ``n_trials``, ``mean_rates_hz``,
        ``cf_per_paired_trial`` and ``execute_breakdown_s``.
    """
    from protocols.engine import RunOutput

    schedule = schedule_for(config)
    rec = simulate(config, sim, seed, schedule)
    data = trial_data(config, schedule, rec)
    tc, tc_data = time_code(config, schedule, rec)
    data.update(tc_data)
    measures = phase_measures(data, schedule.us_duration)
    section, tc_checks = time_code_section(tc)
    checks = targets(measures)
    checks.update({f"time_code_{k}": t for k, t in tc_checks.items()})
    summary = {"time_code": section, "blocks": measures["blocks"]}
    if "acquisition" in measures:
        summary["acquisition_trials_to_criterion"] = measures["acquisition"]["trials_to_criterion"]
        if "reacquisition" in measures:
            summary["reacquisition_trials_to_criterion"] = measures["reacquisition"]["trials_to_criterion"]
    summary.update(targets_summary(checks))
    summary["isi_s"] = measures["isi_s"]
    summary["n_trials"] = int(schedule.n_trials)
    summary["mean_rates_hz"] = mean_rates(rec, schedule.duration)
    summary["execute_breakdown_s"] = execute_breakdown(sim, rec.execute_s)
    summary["cf_per_paired_trial"] = cf_per_paired_trial(data)
    summary["circuit_rates_hz"] = circuit_rates(data, schedule.us_duration)
    if "acquisition" in measures:
        summary["probe_timing"] = measures["acquisition"]["probe_timing"]
    return RunOutput(summary=summary, data=data, synaptic_events=rec.events, spikes=raw_spikes(rec, config.n_grc_recorded),
                     epochs=epoch_table(schedule))
