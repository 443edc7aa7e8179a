"""Run every condition of ``sdm-noise`` as an ``sdm-recall`` run and gather one row per condition (Brian2)."""
from __future__ import annotations

import numpy as np

from core.jsonio import to_jsonable
from core.targets import targets_summary
from core.units import in_unit
from protocols.sdm_noise.analysis import ROW_KEYS, condition_row
from protocols.sdm_noise.targets import RECALL_THRESHOLDS, targets

__all__ = ["run"]


def run(config, sim, seed: int):
    """One ``sdm-noise`` run on ``sim`` (a :class:`protocols.engine.Simulation`).

    Each condition (mode x background x jitter) is a part of ``sim`` (:meth:`Simulation.part`) running
    :func:`protocols.sdm_recall.simulation.run` with the same seed: every condition of a mode has the
    same patterns, queries and connectivity and differs only in its mossy-fibre noise, and every
    condition of a mode runs the same compiled program (the noise is data: spike arrays of one
    length, see ``mf_background_capacity``).

    Returns
    -------
    protocols.engine.RunOutput
        ``data``: one row per condition (:data:`protocols.sdm_noise.analysis.ROW_KEYS`).
    """
    from protocols.engine import RunOutput
    from protocols.sdm_recall.simulation import run as recall_run

    rows = []
    events = 0
    half_width = in_unit(config.address_window, "second")
    for mode in config.mode_list:
        for background in config.backgrounds_hz:
            for jitter in config.jitters_ms:
                rc = config.recall_config(mode, background, jitter)
                with sim.part(f"{mode} {background:g} Hz {jitter:g} ms") as part:
                    out = recall_run(rc, part, seed)
                cp = rc.circuit
                row = condition_row(out.summary, out.arrays(), mode, background, jitter, half_width, cp.n,
                                    cp.d if mode == "dense" else None, cp.grc_theta if mode == "biological" else None)
                loop = part.program.get("loop_s", part.run_time_s) if part.program else part.run_time_s
                row.update(simulated_time_s=part.simulated_time_s, loop_time_s=float(loop),
                           synaptic_events=int(out.synaptic_events))
                events += out.synaptic_events
                rows.append(row)
    data = {k: np.array([r[k] for r in rows]) for k in ROW_KEYS}
    data["mode"] = data["mode"].astype(str)
    claims = targets(rows, config.mode_list, config.backgrounds_hz, config.jitters_ms)
    summary = {
        "modes": list(config.mode_list), "backgrounds_hz": list(config.backgrounds_hz),
        "jitters_ms": list(config.jitters_ms), "address_window_ms": in_unit(config.address_window, "ms"),
        "n": config.circuit.n, "n_out": config.circuit.n_out, "r": config.circuit.r, "m": config.m,
        "queries": config.queries, "read_volleys": config.read_volleys,
        **targets_summary(claims),
        "recall_thresholds": RECALL_THRESHOLDS,
        "conditions": rows,
        "programs_per_mode_note": "every condition of a mode runs one compiled program: cost.program.keys "
                                  "lists them, cost.program.compiled counts the compiles of this run",
    }
    return RunOutput(summary=to_jsonable(summary), data=data, synaptic_events=events)
