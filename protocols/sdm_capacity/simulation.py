"""Build the SDM circuit once, write the pairs and read every checkpoint's queries in one run (Brian2)."""
from __future__ import annotations

import numpy as np

from core.units import in_unit
from protocols.sdm_capacity.analysis import analyse
from protocols.sdm_capacity.design import make_capacity_queries, make_capacity_schedule
from protocols.sdm_recall.design import noisy_fixed_length_inputs
from protocols.sdm_recall.simulation import raw_spikes, record, synaptic_event_count

__all__ = ["run", "window_epochs"]


class _Stored:
    """What :func:`protocols.sdm_recall.simulation.record` needs of the patterns: addresses and queries."""

    def __init__(self, addresses, queries):
        self.addresses = addresses
        self.queries = queries


def run(config, sim, seed: int):
    """One ``sdm-capacity`` run on ``sim`` (a :class:`protocols.engine.Simulation`).

    Every random draw (pairs, queries, warm-up addresses, connectivity, initial Purkinje phases, then
    the mossy-fibre noise) comes from one numpy generator seeded with ``seed``. Plasticity is on in
    the write windows only, so the reads of a checkpoint leave the stored weights as they are.

    Returns
    -------
    protocols.engine.RunOutput
    """
    from brian2 import second

    from cerebellum.sdm_circuit import build_sdm_circuit, calibrate
    from protocols.engine import RunOutput

    rng = np.random.default_rng(seed)
    cp = config.circuit
    m_total = int(config.m_values[-1])
    addresses = rng.integers(0, 2, size=(m_total, cp.n), dtype=np.uint8)
    pointers = rng.integers(0, 2, size=(m_total, cp.n_out), dtype=np.uint8)
    queries = make_capacity_queries(addresses, config.m_values, config.distances, config.queries, rng)
    cal = calibrate(cp)
    sch = make_capacity_schedule(cp, cal, addresses, pointers, queries, config.m_values, config.warmup, rng,
                                 config.read_volleys)
    windows = [(s * second, (s + sch.period) * second) for s in sch.write_start]
    circuit = build_sdm_circuit(cp, rng, plastic_windows=windows, total_time=sch.total * second)
    sch, mf_i, mf_t, teacher_i, teacher_t = noisy_fixed_length_inputs(
        sch, cp.n_fibres, m_total, cp.n_out, in_unit(config.mf_background, "Hz"), in_unit(config.mf_jitter, "second"),
        0.0, in_unit(config.dt, "second"), rng)
    circuit.set_inputs(mf_i, mf_t * second, teacher_i, teacher_t * second)
    for length, label in sch.segments:
        sim.run(circuit.network, length * second, label)
    sim.execute()
    rec = record(circuit, _Stored(addresses, queries.queries))
    summary, data = analyse(config, rec, sch, addresses, pointers, queries)
    return RunOutput(summary=summary, data=data, synaptic_events=synaptic_event_count(circuit, sch, rec),
                     spikes=raw_spikes(circuit, sch, rec), epochs=window_epochs(sch, queries.checkpoint))


def window_epochs(sch, query_checkpoint) -> dict:
    """One row per write window and per read window: start and stop (s), kind (``write`` / ``read``),
    pattern index (stored pair or query) and checkpoint index (``-1`` for writes)."""
    starts, kinds, index, check = [], [], [], []
    for k, s in enumerate(np.asarray(sch.write_start, float)):
        starts.append(s)
        kinds.append("write")
        index.append(k)
        check.append(-1)
    for k, s in enumerate(np.asarray(sch.read_start, float)):
        for j in range(sch.read_volleys):
            starts.append(s + j * sch.period)
            kinds.append("read")
            index.append(k)
            check.append(int(query_checkpoint[k]))
    order = np.argsort(starts, kind="stable")
    start = np.asarray(starts, float)[order]
    return {"start_s": start, "stop_s": start + sch.period, "kind": np.asarray(kinds, str)[order],
            "pattern": np.asarray(index, np.int64)[order], "checkpoint": np.asarray(check, np.int64)[order]}
