"""The reduced granular-layer + PF→PC/MLI network in this project's engine, Brian2 runtime and NEST.

Run ``python bench/bench_peers.py [--sizes 30000 100000] [--threads 1 2] [--duration 2]
[--engines standalone runtime nest-aeif nest-cond nest-psc] [--json FILE]``; a smoke run (about a
minute once compiled) is ``--sizes 3000 --duration 0.2 --repeat 1``. NEST comes with the optional
extra: ``pip install 'spiking-memory[peers]'``; without it the NEST rows say so and the rest runs.
Method, model choices and measured numbers: ``docs/benchmarks-peers.md``.

The network (same cell counts, in-degrees, conductances, time constants, delays and input rates in
every engine; parameters from :class:`cerebellum.params.eyeblink_circuit.EyeblinkParams` at the
given granule-cell count):

* mossy fibres (MFs): Poisson, 5 Hz background plus the eyeblink CS (phasic / rising / decaying
  fibres, :func:`cerebellum.granular_layer.cs_rate_table`) on the eyeblink trial schedule
  (CS 100 ms after each trial start, 270 ms long, one trial every 0.67 s);
* granule cells (GrCs, 4 MFs and 4 Golgi cells each) ⇄ Golgi cells (GoCs), the granular layer of
  :mod:`cerebellum.granular_layer`: conductance-based LIF cells with exponential AMPA, NMDA-like,
  fast and slow GABA conductances;
* parallel fibres (the GrC axons) onto 20 Purkinje cells (PCs) and 40 molecular-layer interneurons
  (MLIs), MLI → PC inhibition; PF→PC synapses are *static* (weight ``w0`` of the PF→PC rule)
  because NEST has no climbing-fibre-timed eligibility rule; engine ``standalone-plastic`` adds
  the project's plastic PF→PC rule and the GrC eligibility chain (without climbing fibres: LTP per
  PF spike only) to show what the rule costs.

Engines (one row per engine, size and thread count; each row in a fresh process):

* ``standalone``: the project's builders run by :class:`protocols.engine.Simulation` as one
  compiled ``cpp_standalone`` program (1 thread = OpenMP off, the project default; 2 = OpenMP);
* ``runtime``: the same Brian2 network on the runtime device with Cython code generation, after
  a short warm-up that compiles the code objects (single-threaded only);
* ``nest-aeif``: ``aeif_cond_beta_multisynapse`` with ``Delta_T = 0`` and ``a = b = 0`` (a LIF
  neuron with one conductance per channel, every channel of the Brian2 cells carried);
* ``nest-cond``: ``iaf_cond_exp`` (two conductances per cell: channels merged where a cell has
  more, keeping their charge);
* ``nest-psc``: ``iaf_psc_exp`` (two exponential currents: conductances times a fixed driving
  force, merged like ``nest-cond``).

Only the simulation loop is timed (standalone: the program's own loop clock; runtime: Brian2's
clock of the time-step loop; NEST: ``nest.Run`` after ``nest.Prepare``); building, compiling and
connecting are reported separately, and a NEST row stops after ``--budget`` seconds of loop (it
reports the simulated time it reached). Rows whose loop is short are run up to ``--repeat`` times
and the fastest is kept. Rates of every population are reported, over each row's own simulated
time and over the window that all rows of a size reached, so a reader can see that the networks
behave alike. The 1-minute load average is recorded before and after every row: on a shared
machine the numbers are pessimistic.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.params import replace_path  # noqa: E402
from core.units import in_unit, unit  # noqa: E402
from protocols.provenance import cpu_model  # noqa: E402

ENGINES = ("standalone", "runtime", "nest-aeif", "nest-cond", "nest-psc", "standalone-plastic")
DEFAULT_ENGINES = ENGINES[:5]
NEST_MODELS = {"nest-aeif": "aeif_cond_beta_multisynapse", "nest-cond": "iaf_cond_exp", "nest-psc": "iaf_psc_exp"}
NEST_MISSING = "nest-simulator not installed: pip install 'spiking-memory[peers]'"
POPULATIONS = ("mf", "grc", "goc", "pc", "mli")
#: Biological time (s) the runtime engine simulates first to compile its Cython code objects.
RUNTIME_WARMUP_S = 0.01
#: Width (s) of the bins of population spike counts each row returns (rates over a common window).
BIN_S = 0.01
#: Biological time (s) per ``nest.Run`` call (the wall budget is checked between calls).
NEST_CHUNK_S = 0.1


# --------------------------------------------------------------------------------------------
# The network, described once from the project's parameters (plain floats: ms, nS, mV, pA, pF)
# --------------------------------------------------------------------------------------------
def bench_config(n_grc: int, dt_ms: float, duration_s: float):
    """Eyeblink configuration at ``n_grc`` granule cells and the trial schedule covering ``duration_s``."""
    from protocols.eyeblink.config import EyeblinkConfig
    from protocols.eyeblink.schedule import schedule_for

    probe = EyeblinkConfig()
    trials = max(1, math.ceil(duration_s / probe.period - 1e-9))
    config = EyeblinkConfig(acquisition=trials, extinction=0, reacquisition=0)
    config = replace_path(config, "circuit.granular.n_grc", n_grc)
    config = replace_path(config, "dt", dt_ms * unit("ms"))
    return config, schedule_for(config)


def cell_values(cp) -> dict:
    """A :class:`~cerebellum.params.CellParams` as plain numbers (pF, nS, mV, ms, pA)."""
    return {"C_m": in_unit(cp.C_m, "pF"), "g_L": in_unit(cp.g_L, "nS"), "E_L": in_unit(cp.E_L, "mV"),
            "V_th": in_unit(cp.V_th, "mV"), "V_reset": in_unit(cp.V_reset, "mV"), "t_ref": in_unit(cp.t_ref, "ms"),
            "I_e": in_unit(cp.I_e, "pA")}


def network_spec(circuit) -> dict:
    """Cells, channels and pathways of the benchmark network, read from ``circuit`` (EyeblinkParams).

    Returns
    -------
    dict with
        ``counts``: cells per population;
        ``cells``: per cell type, membrane values and ``channels`` = {name: (tau ms, E_rev mV)},
        the conductance channels that the Brian2 cell integrates and that receive input;
        ``pathways``: (name, source, target, in-degree, [(channel, weight nS), ...], delay ms);
        ``heterogeneity``: bias spread of PCs and MLIs (fraction of ``I_e``).
    """
    g = circuit.granular
    rule = circuit.pf_pc_rule
    ms_, ns_ = (lambda q: in_unit(q, "ms")), (lambda q: in_unit(q, "nS"))
    grc, goc, pc, mli = g.grc, g.goc, circuit.pc, circuit.mli
    cells = {
        "grc": {**cell_values(grc), "channels": {
            "ampa": (ms_(grc.tau_exc), in_unit(grc.E_exc, "mV")), "nmda": (ms_(g.tau_nmda), 0.0),
            "gaba_fast": (ms_(g.tau_gaba_fast), in_unit(grc.E_inh, "mV")),
            "gaba_slow": (ms_(g.tau_gaba_slow), -80.0)}},
        "goc": {**cell_values(goc), "channels": {
            "mf": (ms_(goc.tau_exc), in_unit(goc.E_exc, "mV")), "pf": (ms_(g.tau_grc_goc), 0.0)}},
        "pc": {**cell_values(pc), "channels": {
            "pf": (ms_(circuit.tau_pf), 0.0), "mli": (ms_(pc.tau_inh), in_unit(pc.E_inh, "mV"))}},
        "mli": {**cell_values(mli), "channels": {"pf": (ms_(mli.tau_exc), in_unit(mli.E_exc, "mV"))}},
    }
    pathways = [
        ("mf_grc", "mf", "grc", g.mf_per_grc, [("ampa", ns_(g.w_mf_ampa)), ("nmda", ns_(g.w_mf_nmda))], 0.0),
        ("goc_grc", "goc", "grc", g.goc_per_grc,
         [("gaba_fast", ns_(g.w_goc_fast)), ("gaba_slow", ns_(g.w_goc_slow))], ms_(g.goc_delay)),
        ("grc_goc", "grc", "goc", g.grc_per_goc, [("pf", ns_(g.w_grc_goc))], 0.0),
        ("mf_goc", "mf", "goc", g.mf_per_goc, [("mf", ns_(g.w_mf_goc))], 0.0),
        ("pf_pc", "grc", "pc", circuit.pf_per_pc, [("pf", ns_(rule.w0))], ms_(rule.pf_delay)),
        ("pf_mli", "grc", "mli", circuit.pf_per_mli, [("pf", ns_(circuit.w_pf_mli))], ms_(rule.pf_delay)),
        ("mli_pc", "mli", "pc", circuit.mli_per_pc, [("mli", ns_(circuit.w_mli_pc))], 1.0),
    ]
    counts = {"mf": g.n_mf, "grc": g.n_grc, "goc": g.n_goc, "pc": circuit.n_pc, "mli": circuit.n_mli}
    return {"counts": counts, "cells": cells, "pathways": pathways, "heterogeneity": circuit.heterogeneity}


def mf_rate_matrix(granular, schedule, kinds, taus, duration_s: float) -> np.ndarray:
    """MF rates (Hz) on the schedule's 1-ms grid over ``duration_s``; shape (n_ms, n_mf).

    The same function of time as the Brian2 ``PoissonGroup`` of the granular layer:
    ``mf_rate_bg + cs_gate(t) * cs_rate_table(cs_time(t))``.
    """
    from cerebellum.granular_layer import cs_rate_table

    gates = schedule.gates()
    n = int(round(duration_s * 1000))
    gate, since = gates["cs_gate"][:n], gates["cs_time"][:n]
    return in_unit(granular.mf_rate_bg, "Hz") + gate[:, None] * cs_rate_table(granular, kinds, taus, since)


def count_events(counts: dict, pathways: dict) -> int:
    """Synaptic events: spikes x out-degree summed over pathways ``{name: (pre_index, source)}``."""
    from protocols.engine import synaptic_events

    return int(sum(synaptic_events(counts[src], pre) for pre, src in pathways.values()))


def rates(counts: dict, simulated_s: float) -> dict:
    """Mean rate (Hz) of every population over the simulated time."""
    return {f"rate_{pop}_hz": round(float(np.mean(c)) / simulated_s, 3) if simulated_s else None
            for pop, c in counts.items()}


def binned(times_s: np.ndarray, simulated_s: float) -> list[int]:
    """Population spike counts in consecutive ``BIN_S`` bins of ``[0, simulated_s)``."""
    n = int(math.ceil(simulated_s / BIN_S - 1e-9))
    k = np.floor(np.asarray(times_s) / BIN_S + 1e-9).astype(np.int64)
    return np.bincount(k[k < n], minlength=n).tolist()


def window_rates(row: dict, window_s: float) -> dict:
    """Mean rate (Hz) of every population of ``row`` over ``[0, window_s)`` from its binned counts."""
    n_bins = int(round(window_s / BIN_S))
    return {pop: sum(b[:n_bins]) / (row["cells"][pop] * n_bins * BIN_S) for pop, b in row["bins"].items()}


# --------------------------------------------------------------------------------------------
# (a), (b): Brian2 with the project's builders
# --------------------------------------------------------------------------------------------
def build_brian2(config, schedule, rng, plastic: bool):
    """The benchmark network from the project's builders; returns (objects, groups, pathways)."""
    from brian2 import mV, ms, second

    from cerebellum.cells import connect, connect_channel, make_cells
    from cerebellum.granular_layer import build_granular_layer, fixed_indegree
    from cerebellum.plasticity import pf_pc_synapses

    circuit = config.circuit
    tc, rule = circuit.granular, circuit.pf_pc_rule
    signals = schedule.timed_arrays()
    max_cs = (float(np.max(schedule.isi)) + schedule.us_duration + 0.002) * second
    layer = build_granular_layer(tc, rng, signals["cs_gate"], signals["cs_time"],
                                 eligibility=rule if plastic else None, max_cs=max_cs)
    pc_p, mli_p = circuit.pc, circuit.mli
    pc = make_cells(pc_p, circuit.n_pc, name="pc", channels={"pf": (circuit.tau_pf, 0 * mV)}, cf_event=plastic)
    pc.v = pc_p.V_reset + rng.random(circuit.n_pc) * (pc_p.V_th - pc_p.V_reset)
    mli = make_cells(mli_p, circuit.n_mli, name="mli")
    mli.v = mli_p.V_reset + rng.random(circuit.n_mli) * (mli_p.V_th - mli_p.V_reset)
    h = circuit.heterogeneity
    for group, cp in ((pc, pc_p), (mli, mli_p)):
        group.I_ext = cp.I_e * h * (2 * rng.random(len(group)) - 1)
    syn, pathways = {}, {k: (v, layer.source[k]) for k, v in layer.pre_index.items()}
    i, j = fixed_indegree(rng, tc.n_grc, circuit.n_pc, circuit.pf_per_pc)
    if plastic:
        syn["pf_pc"] = pf_pc_synapses(layer.grc, pc, pc_p, i, j, rule, channel="pf", name="pf_pc")
    else:
        syn["pf_pc"] = connect_channel(layer.grc, pc, pc_p, i, j, rule.w0, channel="pf", delay=rule.pf_delay,
                                       name="pf_pc")
    pathways["pf_pc"] = (i, "grc")
    i, j = fixed_indegree(rng, tc.n_grc, circuit.n_mli, circuit.pf_per_mli)
    syn["pf_mli"] = connect(layer.grc, mli, i, j, "g_exc_post += w_pm", model="", delay=rule.pf_delay,
                            namespace={"w_pm": circuit.w_pf_mli}, name="pf_mli")
    pathways["pf_mli"] = (i, "grc")
    i, j = fixed_indegree(rng, circuit.n_mli, circuit.n_pc, circuit.mli_per_pc)
    syn["mli_pc"] = connect(mli, pc, i, j, "g_inh_post += w_mp", model="", delay=1 * ms,
                            namespace={"w_mp": circuit.w_mli_pc}, name="mli_pc")
    pathways["mli_pc"] = (i, "mli")
    groups = {"mf": layer.mf, "grc": layer.grc, "goc": layer.goc, "pc": pc, "mli": mli}
    return [*layer.objects, pc, mli, *syn.values()], groups, pathways


def run_brian2(row: dict) -> dict:
    """One Brian2 row: ``standalone`` / ``standalone-plastic`` (compiled) or ``runtime`` (Cython)."""
    import brian2
    from brian2 import Network, SpikeMonitor, second

    from protocols.engine import Simulation

    engine, duration = row["engine"], row["duration_s"]
    config, schedule = bench_config(row["n_grc"], row["dt_ms"], duration)
    rng = np.random.default_rng(row["seed"])
    standalone = engine.startswith("standalone")
    kwargs = dict(device="standalone", threads=0 if row["threads"] == 1 else row["threads"]) if standalone \
        else dict(device="runtime", runtime_target="cython")
    started = time.perf_counter()
    out = {}
    with Simulation(name=f"bench_peers_{engine}_{row['n_grc']}", seed=row["seed"], progress=False,
                    dt_ms=row["dt_ms"], **kwargs) as sim:
        objects, groups, pathways = build_brian2(config, schedule, rng, plastic=engine == "standalone-plastic")
        # Spike times of every cell: at these rates (< 2e5 spikes per second of network time) the
        # monitors cost far less than the network; they give per-cell counts and the binned rates.
        mons = {pop: SpikeMonitor(g, name=f"spikes_{pop}") for pop, g in groups.items()}
        net = Network(*objects, *mons.values())
        if standalone:
            sim.run(net, duration * second, "bench")
            before = _children_cpu()
            sim.execute()
            # CPU time of the compiled program (load + loop + write-out); the compiler's when it compiled
            program_cpu_s = _children_cpu() - before
        else:
            net.store("start")
            warm = time.perf_counter()
            net.run(RUNTIME_WARMUP_S * second)  # compiles every Cython code object
            out["warmup_wall_s"] = round(time.perf_counter() - warm, 3)
            net.restore("start")
            cpu = time.process_time()
            sim.run(net, duration * second, "bench")
            runtime_cpu_s = time.process_time() - cpu
            # Brian2's own clock of the time-step loop, without the code-object set-up of run()
            out["before_run_s"] = round(sim.run_time_s - brian2.get_device()._last_run_time, 3)
            runtime_loop_s = brian2.get_device()._last_run_time
        counts = {pop: np.asarray(m.count[:]) for pop, m in mons.items()}
        bins = {pop: binned(np.asarray(m.t_[:]), duration) for pop, m in mons.items()}
        events = count_events(counts, pathways)
        cost = sim.cost(events, time.perf_counter() - started)
    loop = cost["loop_time_s"] if standalone else round(runtime_loop_s, 3)
    out.update(simulated_s=cost["simulated_time_s"], loop_s=loop, setup_s=round(cost["wall_time_s"] - loop, 3),
               compile_s=cost.get("program", {}).get("compile_s"), synaptic_events=events, bins=bins,
               model="conductance LIF, exponential synapses (cerebellum.cells)", **rates(counts, cost["simulated_time_s"]))
    if standalone:
        program = cost.get("program") or {}
        out["program"] = program
        if program.get("cached"):
            # the whole program and its supervisor process (start-up, write-out): an upper bound
            # of the loop's CPU time, loose for short runs (the supervisor alone takes ~0.2 s)
            out["program_cpu_s"] = round(program_cpu_s, 3)
    else:
        out["loop_cpu_s"] = round(runtime_cpu_s, 3)
    return out


def _children_cpu() -> float:
    """User + system CPU time (s) of this process's finished child processes."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


# --------------------------------------------------------------------------------------------
# (c) NEST
# --------------------------------------------------------------------------------------------
def beta_peak(tau_rise: float, tau_decay: float) -> float:
    """Maximum of ``exp(-t/tau_decay) - exp(-t/tau_rise)``."""
    t = tau_rise * tau_decay / (tau_decay - tau_rise) * math.log(tau_decay / tau_rise)
    return math.exp(-t / tau_decay) - math.exp(-t / tau_rise)


def spike_charge(spec: dict, cell: str) -> dict:
    """Conductance time integral one presynaptic spike delivers on each channel of ``cell`` (nS ms)."""
    ch = spec["cells"][cell]["channels"]
    out = dict.fromkeys(ch, 0.0)
    for _, _, target, _, channels, _ in spec["pathways"]:
        if target == cell:
            for name, w in channels:
                out[name] += w * ch[name][0]
    return out


def two_port_layout(model: str, cell: str, spec: dict) -> dict:
    """Which channel defines the excitatory / inhibitory port of a two-port NEST model.

    Channels are excitatory when ``E_rev > V_th``. On each side the channel with the largest charge
    per spike defines the port (time constant, reversal potential); the others merge into it. In
    ``iaf_cond_exp`` a cell without inhibitory channels (the Golgi cell here) puts its second
    excitatory channel on the inhibitory port, whose reversal potential is then that channel's.

    Returns
    -------
    dict with ``ex`` and ``in`` (defining channel or None) and ``port`` (channel -> "ex" / "in")
    """
    c = spec["cells"][cell]
    charge = spike_charge(spec, cell)
    by_charge = sorted(c["channels"], key=lambda n: -charge[n])
    exc = [n for n in by_charge if c["channels"][n][1] > c["V_th"]]
    inh = [n for n in by_charge if c["channels"][n][1] <= c["V_th"]]
    port = {n: "ex" for n in exc} | {n: "in" for n in inh}
    if model == "iaf_cond_exp" and not inh and len(exc) > 1:
        inh = [exc.pop(1)]
        port[inh[0]] = "in"
    return {"ex": exc[0] if exc else None, "in": inh[0] if inh else None, "port": port}


def nest_ports(model: str, cell: str, spec: dict, tau_rise_max: float) -> tuple[dict, dict]:
    """NEST parameters of ``cell`` and, per Brian2 channel, ``(receptor, sign, weight factor)``.

    * ``aeif_cond_beta_multisynapse``: one receptor per channel; rise time ``min(tau_rise_max,
      tau_decay / 10)`` and a weight factor that gives the beta conductance (peak-normalised by
      NEST) the charge ``w * tau_decay`` of the exponential one.
    * ``iaf_cond_exp`` / ``iaf_psc_exp``: an excitatory and an inhibitory port
      (:func:`two_port_layout`); a merged channel gets the weight factor ``tau_channel / tau_port``
      (same charge per spike).
    * ``iaf_psc_exp``: weights are currents, ``w * |E_rev - V_drive|`` (pA), with the driving force
      taken at ``V_drive = (E_L + V_th) / 2``, the middle of the subthreshold range.
    """
    c = spec["cells"][cell]
    ch = c["channels"]
    base = {"C_m": c["C_m"], "E_L": c["E_L"], "V_th": c["V_th"], "V_reset": c["V_reset"], "t_ref": c["t_ref"],
            "I_e": c["I_e"]}
    if model == "aeif_cond_beta_multisynapse":
        names = list(ch)
        tau_d = [ch[n][0] for n in names]
        tau_r = [min(tau_rise_max, td / 10) for td in tau_d]
        params = {**base, "g_L": c["g_L"], "Delta_T": 0.0, "a": 0.0, "b": 0.0, "V_peak": c["V_th"],
                  "E_rev": [ch[n][1] for n in names], "tau_decay": tau_d, "tau_rise": tau_r}
        ports = {n: (k + 1, 1, beta_peak(tr, td) * td / (td - tr))
                 for k, (n, td, tr) in enumerate(zip(names, tau_d, tau_r))}
        return params, ports
    layout = two_port_layout(model, cell, spec)
    # a port without input keeps NEST-like defaults (2 ms, -80 mV); nothing reaches it
    tau = {p: ch[layout[p]][0] if layout[p] else 2.0 for p in ("ex", "in")}
    e_rev = {p: ch[layout[p]][1] if layout[p] else -80.0 for p in ("ex", "in")}
    sign = {"ex": 1, "in": -1}
    ports = {n: (0, sign[p], ch[n][0] / tau[p]) for n, p in layout["port"].items()}
    if model == "iaf_cond_exp":
        params = {**base, "g_L": c["g_L"], "E_ex": e_rev["ex"], "E_in": e_rev["in"],
                  "tau_syn_ex": tau["ex"], "tau_syn_in": tau["in"]}
        return params, ports
    v_drive = (c["E_L"] + c["V_th"]) / 2
    params = {**base, "tau_m": c["C_m"] / c["g_L"], "tau_syn_ex": tau["ex"], "tau_syn_in": tau["in"]}
    ports = {n: (r, s, f * abs(ch[n][1] - v_drive)) for n, (r, s, f) in ports.items()}
    return params, ports


def run_nest(row: dict) -> dict:
    """One NEST row: build the network with ``row['engine']``'s neuron model, time ``nest.Run``."""
    os.environ.setdefault("PYNEST_QUIET", "1")
    import nest

    from cerebellum.granular_layer import draw_cs_profiles, fixed_indegree

    model = NEST_MODELS[row["engine"]]
    duration, dt = row["duration_s"], row["dt_ms"]
    config, schedule = bench_config(row["n_grc"], dt, duration)
    circuit = config.circuit
    spec = network_spec(circuit)
    rng = np.random.default_rng(row["seed"])
    started = time.perf_counter()
    nest.ResetKernel()
    nest.verbosity = nest.VerbosityLevel.ERROR
    nest.SetKernelStatus({"resolution": dt, "local_num_threads": row["threads"], "rng_seed": row["seed"] + 1})

    # mossy fibres: one inhomogeneous Poisson generator per fibre, relayed by a parrot neuron so
    # that every target of a fibre sees the same spike train (as in the Brian2 PoissonGroup)
    kinds, taus = draw_cs_profiles(circuit.granular, rng)
    table = mf_rate_matrix(circuit.granular, schedule, kinds, taus, duration)
    times = np.arange(table.shape[0], dtype=float)
    times[0] = dt  # NEST accepts only future times: the first millisecond starts one step late
    gens = nest.Create("inhomogeneous_poisson_generator", spec["counts"]["mf"])
    settings = []
    for k in range(table.shape[1]):
        r = table[:, k]
        keep = np.r_[True, r[1:] != r[:-1]]  # only the times where the rate changes
        settings.append({"rate_times": times[keep], "rate_values": r[keep]})
    gens.set(settings)
    pops = {"mf": nest.Create("parrot_neuron", spec["counts"]["mf"])}
    nest.Connect(gens, pops["mf"], "one_to_one")

    ports = {}
    for cell in ("grc", "goc", "pc", "mli"):
        params, ports[cell] = nest_ports(model, cell, spec, row["nest_tau_rise_ms"])
        n = spec["counts"][cell]
        pops[cell] = nest.Create(model, n, params=params)
        c = spec["cells"][cell]
        v0 = np.full(n, c["E_L"]) if cell == "grc" else c["V_reset"] + rng.random(n) * (c["V_th"] - c["V_reset"])
        pops[cell].set([{"V_m": float(v)} for v in v0])
        if cell in ("pc", "mli"):
            bias = c["I_e"] * (1 + spec["heterogeneity"] * (2 * rng.random(n) - 1))
            pops[cell].set([{"I_e": float(b)} for b in bias])

    pathways = {}
    n_conn = 0
    for name, src, tgt, k, channels, delay in spec["pathways"]:
        i, j = fixed_indegree(rng, spec["counts"][src], spec["counts"][tgt], k)
        pathways[name] = (i, src)
        if not i.size:
            continue
        pre = np.asarray(pops[src].tolist())[i]
        post = np.asarray(pops[tgt].tolist())[j]
        merged = {}  # NEST connection per (receptor, sign): weights of merged channels add
        for ch, w in channels:
            receptor, sign, factor = ports[tgt][ch]
            merged[(receptor, sign)] = merged.get((receptor, sign), 0.0) + w * factor
        for (receptor, sign), w in merged.items():
            syn = {"synapse_model": "static_synapse", "weight": np.full(i.size, sign * w),
                   "delay": np.full(i.size, max(delay, dt))}
            if receptor:
                syn["receptor_type"] = np.full(i.size, receptor, dtype=np.int64)
            nest.Connect(pre, post, "one_to_one", syn)
            n_conn += i.size
    recorders = {}
    for pop, nodes in pops.items():
        recorders[pop] = nest.Create("spike_recorder")
        nest.Connect(nodes, recorders[pop])
    nest.Prepare()
    setup_s = time.perf_counter() - started

    # simulation loop, in chunks so that a wall budget can stop a very slow model early
    loop_s, loop_cpu_s, simulated = 0.0, 0.0, 0.0
    chunk = min(NEST_CHUNK_S, duration)
    while simulated < duration - 1e-9:
        step = min(chunk, duration - simulated)
        t, cpu = time.perf_counter(), time.process_time()
        nest.Run(step * 1000)
        loop_s += time.perf_counter() - t
        loop_cpu_s += time.process_time() - cpu
        simulated += step
        if row["budget_s"] and loop_s > row["budget_s"]:
            break
    nest.Cleanup()
    counts, bins = {}, {}
    for pop, rec in recorders.items():
        senders = np.asarray(rec.events["senders"], dtype=np.int64) - pops[pop][0].global_id
        counts[pop] = np.bincount(senders, minlength=len(pops[pop]))
        bins[pop] = binned(np.asarray(rec.events["times"]) / 1000, simulated)
    events = count_events(counts, pathways)
    return {"simulated_s": round(simulated, 6), "loop_s": round(loop_s, 3), "loop_cpu_s": round(loop_cpu_s, 3),
            "setup_s": round(setup_s, 3),
            "compile_s": None, "synaptic_events": events, "bins": bins, "nest_connections": int(n_conn),
            "model": model, "nest_version": nest.__version__, **rates(counts, simulated)}


# --------------------------------------------------------------------------------------------
# Driver: one process per row
# --------------------------------------------------------------------------------------------
def run_row(row: dict) -> dict:
    """Run one row in this process (called in the child)."""
    out = run_nest(row) if row["engine"] in NEST_MODELS else run_brian2(row)
    steps = round(out["simulated_s"] * 1000 / row["dt_ms"])
    counts = network_spec(bench_config(row["n_grc"], row["dt_ms"], row["duration_s"])[0].circuit)["counts"]
    neurons = sum(v for k, v in counts.items() if k != "mf")  # integrated cells (MFs are Poisson sources)
    loop = out["loop_s"]
    sim_s = out["simulated_s"]
    peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    cpu = out.get("loop_cpu_s")
    program_cpu = out.get("program_cpu_s")
    out.update(wall_per_sim_s=round(loop / sim_s, 4) if sim_s else None,
               cpu_per_sim_s=round(cpu / sim_s, 4) if cpu is not None and sim_s else None,
               program_cpu_per_sim_s=round(program_cpu / sim_s, 4) if program_cpu is not None and sim_s else None,
               ns_per_neuron_step=round(loop / (neurons * steps) * 1e9, 2) if steps else None,
               events_per_s=round(out["synaptic_events"] / loop) if loop else None,
               neurons=neurons, cells=counts, peak_rss_mib=round(peak / 1024, 1))
    return out


def launch_row(row: dict, omp_wait_policy: str = "unset", repeat: int = 1, repeat_under_s: float = 0.0) -> dict:
    """Run ``row`` in fresh processes; a row whose loop took under ``repeat_under_s`` runs up to
    ``repeat`` times and the fastest run is kept (others' loop times in ``loop_s_all``).

    Other people's jobs on a shared machine slow a run by a varying amount; the fastest of a few
    runs is the least disturbed one. Rows above the threshold (slow NEST models) run once.
    """
    best, loops = None, []
    for _ in range(max(1, repeat)):
        result = launch_once(row, omp_wait_policy)
        if result.get("error"):
            return result
        loops.append(result["loop_s"])
        if best is None or result["loop_s"] < best["loop_s"]:
            best = result
        if result["loop_s"] >= repeat_under_s:
            break
    best["loop_s_all"] = loops
    return best


def launch_once(row: dict, omp_wait_policy: str = "unset") -> dict:
    """Run ``row`` once in a fresh Python process (its own Brian2 device / NEST kernel and memory).

    ``omp_wait_policy`` ("passive", "active" or "unset") sets ``OMP_WAIT_POLICY`` for the row:
    spinning waits at OpenMP barriers cost a scheduler time slice each when the cores are shared
    (measured here: 2-thread standalone rows 30x slower with spinning than with passive waits).
    """
    result = {**row, "load_1min_start": round(os.getloadavg()[0], 2)}
    if row["engine"] in NEST_MODELS and importlib.util.find_spec("nest") is None:
        return {**result, "error": NEST_MISSING}
    if row["engine"] == "runtime" and row["threads"] != 1:
        return {**result, "error": "Brian2 runtime is single-threaded"}
    with tempfile.TemporaryDirectory(prefix="bench_peers_") as tmp:
        out_file = Path(tmp) / "row.json"
        started = time.perf_counter()
        env = {**os.environ, "PYNEST_QUIET": "1"}
        if omp_wait_policy == "unset":
            env.pop("OMP_WAIT_POLICY", None)
        else:
            env["OMP_WAIT_POLICY"] = omp_wait_policy
        proc = subprocess.run([sys.executable, __file__, "--row", json.dumps(row), "--row-out", str(out_file)],
                              capture_output=True, text=True, env=env)
        result["row_wall_s"] = round(time.perf_counter() - started, 1)
        result["load_1min_end"] = round(os.getloadavg()[0], 2)
        if proc.returncode or not out_file.exists():
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
            return {**result, "error": f"exit {proc.returncode}: {' | '.join(tail)}"}
        return {**result, **json.loads(out_file.read_text())}


def _fmt(v, spec=".3g"):
    return "–" if v is None else format(v, spec)


def markdown_table(rows: list[dict]) -> str:
    """The results as a markdown table; ``× (a)`` is wall per simulated second over that of the
    standalone engine at 1 thread and the same size."""
    base = {r["n_grc"]: r["wall_per_sim_s"] for r in rows
            if r["engine"] == "standalone" and r["threads"] == 1 and r.get("wall_per_sim_s")}
    head = ("| engine | model | GrC | threads | sim s | setup s | loop s | wall / sim s | × (a) 1 thr | cpu / sim s | "
            "ns / neuron-step | events / s | MF Hz | GrC Hz | GoC Hz | PC Hz | MLI Hz | load 1 min |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        label = {"standalone": "(a) standalone", "standalone-plastic": "(a) standalone, plastic PF→PC",
                 "runtime": "(b) runtime cython"}.get(r["engine"], f"(c) {r['engine']}")
        if r.get("error"):
            lines.append(f"| {label} | {r['error']} | {r['n_grc']} | {r['threads']} |" + " |" * 14)
            continue
        ratio = r["wall_per_sim_s"] / base[r["n_grc"]] if r["n_grc"] in base else None
        cpu = _fmt(r.get("cpu_per_sim_s"))
        if r.get("cpu_per_sim_s") is None and r.get("program_cpu_per_sim_s") is not None:
            cpu = "≤ " + _fmt(r["program_cpu_per_sim_s"])  # whole compiled program: an upper bound
        model = r["model"] if r["engine"] in NEST_MODELS else "Brian2 " + ("cpp_standalone" if
                                                                         r["engine"] != "runtime" else "runtime")
        lines.append(
            f"| {label} | {model} | {r['n_grc']} | {r['threads']} | {r['simulated_s']:.2f} | {_fmt(r['setup_s'], '.1f')} | "
            f"{r['loop_s']:.2f} | {_fmt(r['wall_per_sim_s'])} | {_fmt(ratio, '.3g')} | {cpu} | "
            f"{_fmt(r['ns_per_neuron_step'])} | "
            f"{_fmt(r['events_per_s'], '.3g')} | {_fmt(r['rate_mf_hz'], '.1f')} | {_fmt(r['rate_grc_hz'], '.2f')} | "
            f"{_fmt(r['rate_goc_hz'], '.1f')} | {_fmt(r['rate_pc_hz'], '.1f')} | {_fmt(r['rate_mli_hz'], '.1f')} | "
            f"{r['load_1min_start']:.1f}→{r['load_1min_end']:.1f} |")
    return "\n".join(lines)


def common_window_table(rows: list[dict]) -> tuple[str, dict]:
    """Rates of every row over the time all rows of its size reached (a budget can stop NEST early).

    Returns the markdown table and ``{n_grc: window in s}``.
    """
    ok = [r for r in rows if not r.get("error")]
    windows = {}
    for r in ok:
        windows[r["n_grc"]] = min(windows.get(r["n_grc"], math.inf), r["simulated_s"])
    windows = {n: math.floor(w / BIN_S + 1e-9) * BIN_S for n, w in windows.items()}
    lines = ["| engine | GrC | threads | window s | MF Hz | GrC Hz | GoC Hz | PC Hz | MLI Hz |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in ok:
        w = windows[r["n_grc"]]
        if w <= 0:
            continue
        rw = window_rates(r, w)
        lines.append(f"| {r['engine']} | {r['n_grc']} | {r['threads']} | {w:.2f} | {rw['mf']:.1f} | {rw['grc']:.2f} | "
                     f"{rw['goc']:.1f} | {rw['pc']:.1f} | {rw['mli']:.1f} |")
    return "\n".join(lines), windows


def machine() -> dict:
    try:
        mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        mem = None
    versions = {}
    for dist in ("brian2", "nest-simulator", "numpy", "cython"):
        try:
            from importlib.metadata import version
            versions[dist] = version(dist)
        except Exception:  # noqa: BLE001 - a missing package is reported as None
            versions[dist] = None
    return {"platform": platform.platform(), "cpu": cpu_model(), "cores": os.cpu_count(),
            "memory_gib": round(mem, 1) if mem else None, "python": platform.python_version(), "versions": versions}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[30000, 100000], help="granule-cell counts")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2], help="thread counts")
    parser.add_argument("--engines", nargs="+", default=list(DEFAULT_ENGINES), choices=ENGINES)
    parser.add_argument("--duration", type=float, default=2.0, help="simulated time per row (s)")
    parser.add_argument("--dt", type=float, default=None, help="time step (ms; default: the eyeblink protocol's)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--budget", type=float, default=100.0,
                        help="NEST: stop a row after this much loop wall time (s; 0 = no limit); the row "
                             "reports the simulated time it reached")
    parser.add_argument("--nest-tau-rise", type=float, default=0.1,
                        help="largest rise time of the aeif_cond_beta_multisynapse conductances (ms)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="run a row up to this many times and keep the fastest (rows under --repeat-under)")
    parser.add_argument("--repeat-under", type=float, default=30.0,
                        help="repeat only rows whose loop took less than this (s)")
    parser.add_argument("--omp-wait-policy", choices=("passive", "active", "unset"), default="passive",
                        help="OMP_WAIT_POLICY of every row (Brian2 OpenMP and NEST threads); 'passive' "
                             "(default) keeps waiting threads from spinning on a shared, loaded machine")
    parser.add_argument("--json", type=Path, default=None, help="write all rows and settings here")
    parser.add_argument("--row", help=argparse.SUPPRESS)
    parser.add_argument("--row-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.row:
        args.row_out.write_text(json.dumps(run_row(json.loads(args.row))))
        return 0

    for name, value, lo in (("--duration", args.duration, 0.0), ("--budget", args.budget, -1e-12),
                            ("--nest-tau-rise", args.nest_tau_rise, 0.0)):
        if not value > lo:
            parser.error(f"{name} = {value} is out of range: allowed {name} > {max(lo, 0)}")
    for n in args.sizes:
        if n < 100:
            parser.error(f"--sizes {n} is out of range: allowed >= 100 granule cells")
    for t in args.threads:
        if t < 1:
            parser.error(f"--threads {t} is out of range: allowed >= 1")
    if args.dt is None:
        from protocols.eyeblink.config import EyeblinkConfig
        args.dt = in_unit(EyeblinkConfig().dt, "ms")

    info = {"machine": machine(), "settings": {
        "sizes": args.sizes, "threads": args.threads, "engines": args.engines, "duration_s": args.duration,
        "dt_ms": args.dt, "seed": args.seed, "budget_s": args.budget, "nest_tau_rise_ms": args.nest_tau_rise,
        "runtime_warmup_s": RUNTIME_WARMUP_S, "omp_wait_policy": args.omp_wait_policy,
        "repeat": args.repeat, "repeat_under_s": args.repeat_under}}
    print(json.dumps(info))
    rows = []
    for n in args.sizes:
        for engine in args.engines:
            for t in args.threads:
                if engine == "runtime" and t != 1:
                    continue  # Brian2's runtime device is single-threaded
                row = {"engine": engine, "n_grc": n, "threads": t, "duration_s": args.duration, "dt_ms": args.dt,
                       "seed": args.seed, "budget_s": args.budget, "nest_tau_rise_ms": args.nest_tau_rise}
                result = launch_row(row, args.omp_wait_policy, args.repeat, args.repeat_under)
                rows.append(result)
                print(json.dumps(result), flush=True)
    table = markdown_table(rows)
    common, windows = common_window_table(rows)
    print(table)
    print("\nRates over the time every row of a size reached:\n" + common)
    if args.json:
        args.json.write_text(json.dumps({**info, "rows": rows, "table": table, "common_window_s": windows,
                                         "common_window_table": common}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
