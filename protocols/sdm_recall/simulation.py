"""Build the SDM circuit, schedule writes and reads on the simulation, run, and hand the recordings
to :mod:`protocols.sdm_recall.analysis` (Brian2)."""
from __future__ import annotations

import numpy as np

from core.units import in_unit
from protocols.sdm_recall.analysis import Recording, analyse
from protocols.sdm_recall.design import Schedule, make_patterns, make_schedule, noisy_fixed_length_inputs

__all__ = ["run", "record", "synaptic_event_count", "raw_spikes", "window_epochs"]


def run(config, sim, seed: int):
    """One ``sdm-recall`` run on ``sim`` (a :class:`protocols.engine.Simulation`).

    Every random draw (patterns, queries, warm-up addresses, connectivity, initial Purkinje phases,
    then the mossy-fibre noise) comes from one numpy generator seeded with ``seed``, so the network
    does not depend on the device, and runs that differ only in their noise share patterns and
    connectivity.

    Returns
    -------
    protocols.engine.RunOutput
    """
    from brian2 import second

    from cerebellum.sdm_circuit import build_sdm_circuit, calibrate
    from protocols.engine import RunOutput

    rng = np.random.default_rng(seed)
    cp = config.circuit
    pat = make_patterns(config.m, cp.n, cp.n_out, config.queries, rng)
    cal = calibrate(cp)
    sch = make_schedule(cp, cal, pat.addresses, pat.pointers, pat.queries, config.warmup, rng, config.read_volleys)
    windows = [(s * second, (s + sch.period) * second) for s in sch.write_start]
    circuit = build_sdm_circuit(cp, rng, plastic_windows=windows, total_time=sch.total * second)
    sch, mf_i, mf_t, teacher_i, teacher_t = noisy_fixed_length_inputs(
        sch, cp.n_fibres, config.m, cp.n_out, in_unit(config.mf_background, "Hz"), in_unit(config.mf_jitter, "second"),
        in_unit(config.mf_background_capacity, "Hz"), in_unit(config.dt, "second"), rng)
    circuit.set_inputs(mf_i, mf_t * second, teacher_i, teacher_t * second)
    for length, label in sch.segments:
        sim.run(circuit.network, length * second, label)
    sim.execute()
    rec = record(circuit, pat)
    summary, data = analyse(config, rec, sch, pat)
    return RunOutput(summary=summary, data=data, synaptic_events=synaptic_event_count(circuit, sch, rec),
                     spikes=raw_spikes(circuit, sch, rec), epochs=window_epochs(sch))


def raw_spikes(circuit, sch: Schedule, rec: Recording) -> dict:
    """Every recorded spike and the input trains, as ``RunOutput.spikes`` wants them:
    ``{population: (indices, times s, n_cells)}`` (granule, Golgi, Purkinje, olive, nuclei, mossy
    fibres, teacher)."""
    out = {name: (i, t, int(circuit.monitors[name].source.N)) for name, (i, t) in rec.spikes.items()}
    out["mf"] = (sch.mf_i, sch.mf_t, int(circuit.params.n_fibres))
    out["teacher"] = (sch.teacher_i, sch.teacher_t, int(circuit.params.n_out))
    return out


def window_epochs(sch: Schedule) -> dict:
    """One row per write window and per read window: start and stop (s), kind (``write`` /
    ``read``) and pattern index (stored pair or query)."""
    starts, kinds, index = [], [], []
    for kind, first in (("write", sch.write_start), ("read", sch.read_start)):
        for k, s in enumerate(np.asarray(first, float)):
            n = 1 if kind == "write" else sch.read_volleys
            starts += [s + j * sch.period for j in range(n)]
            kinds += [kind] * n
            index += [k] * n
    start = np.asarray(starts, float)
    return {"start_s": start, "stop_s": start + sch.period, "kind": np.asarray(kinds, str),
            "pattern": np.asarray(index, np.int64)}


def record(circuit, pat) -> Recording:
    """Read the monitors and the realised connectivity of a simulated circuit into numpy arrays."""
    from brian2 import second, siemens

    def spikes(mon):
        return np.asarray(mon.i, dtype=np.int64), np.asarray(mon.t / second, dtype=float)

    rule = circuit.plasticity
    dense = circuit.params.mode == "dense"
    return Recording(
        spikes={name: spikes(circuit.monitors[name]) for name in ("grc", "pc", "io", "dcn", "goc")},
        pc_group=circuit.pc_groups(),
        expected_write=circuit.expected_active(pat.addresses),
        expected_read=circuit.expected_active(pat.queries),
        granule_addresses=circuit.granule_addresses if dense else None,
        mf_to_grc=None if dense else circuit.mf_to_grc,
        contacts=circuit.contacts,
        pf_weights=np.asarray(circuit.synapses["pf_pc"].w[:] / siemens, dtype=float),
        A_plus=float(rule.A_plus / siemens), w0=float(rule.w0 / siemens), w_max=float(rule.w_max / siemens),
        pf_delay=float(rule.pf_delay / second),
        golgi_count=circuit.params.golgi_count,
        calibration=circuit.calibration,
    )


def synaptic_event_count(circuit, sch: Schedule, rec: Recording) -> int:
    """Synaptic events of the whole run: spikes x out-degree of every pathway (the Purkinje→nuclear
    and nuclear bit↔reference pathways included), plus the PF→PC updates of each climbing-fibre
    event (one pass over its Purkinje cells' PF synapses)."""
    from protocols.engine import synaptic_events

    p = circuit.params
    gi = rec.spikes["grc"][0]
    oi = rec.spikes["goc"][0]
    pi = rec.spikes["pc"][0]
    ii = rec.spikes["io"][0]
    mf_counts = np.bincount(sch.mf_i, minlength=p.n_fibres)
    grc_counts = np.bincount(gi, minlength=p.r)
    goc_counts = np.bincount(oi, minlength=p.golgi_count)
    pc_counts = np.bincount(pi, minlength=(p.n_out + 1) * p.pcs_per_bit)
    io_counts = np.bincount(ii, minlength=p.n_out)
    dcn_counts = np.bincount(rec.spikes["dcn"][0], minlength=len(circuit.dcn))
    total = synaptic_events(mf_counts, circuit.mf_to_grc.ravel())
    total += synaptic_events(mf_counts, circuit.mf_to_goc.ravel())
    total += int(grc_counts.sum()) * (p.n_out + 1) * p.pcs_per_bit  # every GrC reaches every PC
    total += synaptic_events(grc_counts, circuit.grc_to_goc[0])
    total += synaptic_events(goc_counts, circuit.goc_to_grc[0])
    k = p.pcs_per_bit
    total += int(io_counts.sum()) * k + len(sch.teacher_i)  # climbing fibres, teacher -> IO
    total += synaptic_events(pc_counts, circuit.pc_to_dcn[0])
    total += synaptic_events(dcn_counts, circuit.dcn_lateral[0])
    total += int(io_counts.sum()) * k * p.r  # each CF event is one pass over its PCs' PF synapses
    return int(total)
