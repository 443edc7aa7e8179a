"""``sdm-recall``: write address→pointer pairs into the spiking cerebellar SDM, read noisy queries,
and check every read against the abstract SDM (reference/sdm.md, reference/cerebellum.md §8).

Schedule (one standalone program; every window lasts ``period``, one mossy-fibre volley at
5 ms into each window):

1. ``baseline``: one silent window — Purkinje tonic rate (``pc_rate_baseline``);
2. ``warm-up``: ``warmup`` volleys of random addresses, so Golgi cells reach their periodic regime;
3. ``write``: one window per pair, plasticity on; teacher spikes make IO ``j`` fire so that the
   climbing fibre reaches PC ``j`` at the eligibility peak of the volley's PF spikes when
   pointer bit ``j`` is 1;
4. ``read``: ``read_volleys`` consecutive windows per query (the same address each time), plasticity
   off; each pointer bit's rate is the mean spike count of its Purkinje cells over those windows
   (from the arrival of the first PF volley), compared with the unwritten reference PCs.

Metrics (``summary.json``, see :mod:`cerebellum.sdm_metrics`): Jaccard of spiking vs abstract
active sets, co-activation vs ``(r/2^n) I(n, d, dv)`` (dense) or, in biological mode, the exact
expectation for the realised synapse strengths and threshold
(:func:`cerebellum.sdm.weighted_coordinate_intersection`; ``r C(n-dv, K)/C(n, K) 2^-K`` with equal
synapses) with a binomial 3-sigma test, PC readout vs the pattern-view read from the recorded
co-activation (Pearson, bit agreement), normalised co-activation vs ``softmax(beta cos)``, and
recall curves (spiking vs abstract on the same stored data).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

NAME = "sdm-recall"
DESCRIPTION = "cerebellar SDM: write pairs through CF plasticity, read queries, compare with abstract SDM"

TARGETS = {"jaccard": 0.95, "pearson": 0.95, "bit_agreement": 0.95,
           "active_fraction_bio": (0.01, 0.05), "pc_baseline_hz": (45.0, 90.0)}


def _circuit_default():
    from cerebellum.sdm_circuit import SDMCircuitParams

    return SDMCircuitParams()


@dataclass(frozen=True)
class SDMRecallConfig:
    """Everything ``sdm-recall`` needs.

    Parameters
    ----------
    circuit : SDMCircuitParams
        Mode, sizes, cells, weights (see :mod:`cerebellum.sdm_circuit`).
    m : int
        Stored address→pointer pairs.
    queries : int
        Read queries, spread evenly over distances ``0 .. n/2`` from random stored addresses.
    warmup : int
        Warm-up volleys before the first write.
    read_volleys : int
        Volleys (windows) per query; the PC count runs over all of them, so spike-count
        quantisation shrinks as ``1 / read_volleys``.
    """

    circuit: object = field(default_factory=_circuit_default)
    m: int = 12
    queries: int = 34
    warmup: int = 3
    read_volleys: int = 3

    def __post_init__(self):
        from cerebellum.sdm_circuit import SDMCircuitParams
        from cerebellum.validation import check_int

        if not isinstance(self.circuit, SDMCircuitParams):
            raise TypeError(f"circuit = {self.circuit!r} must be an SDMCircuitParams")
        check_int("m", self.m, lo=1, hi=100_000)
        check_int("queries", self.queries, lo=1, hi=100_000)
        check_int("warmup", self.warmup, lo=1, hi=100)
        check_int("read_volleys", self.read_volleys, lo=1, hi=100)


def add_arguments(parser) -> None:
    g = parser.add_argument_group("sdm-recall")
    g.add_argument("--mode", choices=("dense", "biological"), help="granule decoder (default biological)")
    g.add_argument("--n", type=int, help="address bits (default 32)")
    g.add_argument("--n-out", type=int, help="pointer bits = plastic Purkinje cells (default 32)")
    g.add_argument("--d", type=int, help="Hamming radius, dense mode (default 10)")
    g.add_argument("--K", type=int, help="mossy fibres per granule cell, biological mode (default 4)")
    g.add_argument("--contacts-max", type=int,
                   help="biological mode: MF->GrC synapse strength uniform on 1..this many units (default 3)")
    g.add_argument("--grc-theta", type=int,
                   help="biological mode: summed units a granule cell needs to fire (default 9 -> 3.3%% active)")
    g.add_argument("--r", type=int, help="granule cells = hard locations (default 8000)")
    g.add_argument("--m", type=int, help="stored pairs (default 12)")
    g.add_argument("--queries", type=int, help="read queries over distances 0..n/2 (default 34)")


def make_config(args) -> SDMRecallConfig:
    circuit = {}
    for arg, name in (("mode", "mode"), ("n", "n"), ("n_out", "n_out"), ("d", "d"), ("K", "K"), ("r", "r"),
                      ("contacts_max", "contacts_max"), ("grc_theta", "grc_theta")):
        value = getattr(args, arg, None)
        if value is not None:
            circuit[name] = value
    top = {k: getattr(args, k) for k in ("m", "queries") if getattr(args, k, None) is not None}
    from cerebellum.sdm_circuit import SDMCircuitParams

    if "n" in circuit and "n_out" not in circuit:
        circuit["n_out"] = circuit["n"]
    return SDMRecallConfig(circuit=SDMCircuitParams(**circuit), **top)


# -- inputs ----------------------------------------------------------------------------------------

def make_queries(addresses, n_queries: int, rng: np.random.Generator):
    """Queries at distances ``0 .. n/2`` (evenly repeated) from random stored addresses.

    Returns
    -------
    queries (q, n) uint8, query_target (q,) int, query_distance (q,) int
    """
    from cerebellum.validation import check_int

    a = np.asarray(addresses)
    m, n = a.shape
    n_queries = check_int("queries", n_queries, lo=1)
    dist = np.sort(np.arange(n_queries) % (n // 2 + 1))
    target = rng.integers(0, m, n_queries)
    queries = a[target].copy()
    for k, (t, dv) in enumerate(zip(target, dist)):
        flip = rng.choice(n, dv, replace=False)
        queries[k, flip] ^= 1
    return queries.astype(np.uint8), target.astype(np.int64), dist.astype(np.int64)


@dataclass
class Schedule:
    """Window times (s) and spike trains of one ``sdm-recall`` run."""

    period: float
    volley_offset: float
    write_start: np.ndarray
    read_start: np.ndarray
    total: float
    mf_i: np.ndarray
    mf_t: np.ndarray
    teacher_i: np.ndarray
    teacher_t: np.ndarray
    segments: list
    read_volleys: int = 1


def make_schedule(params, calibration: dict, plasticity, addresses, pointers, queries, warmup: int,
                  rng: np.random.Generator, read_volleys: int = 1) -> Schedule:
    """Lay out baseline, warm-up, write and read windows and their mossy-fibre / teacher spikes.

    Raises ``ValueError`` for patterns whose shapes do not match the circuit.
    """
    from brian2 import second

    from cerebellum.sdm_circuit import active_fibres
    from cerebellum.validation import check_int

    n, n_out = params.n, params.n_out
    a = np.asarray(addresses)
    p = np.asarray(pointers)
    q = np.asarray(queries)
    if a.ndim != 2 or a.shape[1] != n:
        raise ValueError(f"addresses has shape {a.shape}: must be (m, n = {n})")
    if p.shape != (a.shape[0], n_out):
        raise ValueError(f"pointers has shape {p.shape}: must be (m = {a.shape[0]}, n_out = {n_out})")
    if q.ndim != 2 or q.shape[1] != n:
        raise ValueError(f"queries has shape {q.shape}: must be (q, n = {n})")
    for name, x in (("addresses", a), ("pointers", p), ("queries", q)):
        if x.size and not np.all((x == 0) | (x == 1)):
            raise ValueError(f"{name} must contain only 0 and 1")
    warmup = check_int("warmup", warmup, lo=0)
    read_volleys = check_int("read_volleys", read_volleys, lo=1)
    T = float(params.period / second)
    off = 0.005
    m = a.shape[0]
    warm = rng.integers(0, 2, size=(warmup, n))
    sequence = np.concatenate([warm, a, np.repeat(q, read_volleys, axis=0)]).astype(np.uint8)
    starts = T * (1 + np.arange(len(sequence)))
    fib = active_fibres(sequence)
    mf_i = fib.ravel()
    mf_t = np.repeat(starts + off, n)
    write_start = starts[warmup:warmup + m]
    read_start = starts[warmup + m::read_volleys]
    # climbing fibre at the eligibility peak of the PF spikes evoked by the volley
    lat = 0.5 * (calibration["latency_theta"] + calibration["latency_max"]) * 1e-3
    t_cf = write_start + off + lat + float(plasticity.eligibility_peak / second)
    t_teach = t_cf - float(plasticity.cf_delay / second) - calibration["io_latency"] * 1e-3
    mu, j = np.nonzero(p)
    teacher_i = j.astype(np.int64)
    teacher_t = t_teach[mu]
    total = T * (1 + len(sequence))
    segments = [(T, "baseline"), (T * warmup, "warm-up"), (T * m, "write"), (T * len(q) * read_volleys, "read")]
    return Schedule(T, off, write_start, read_start, total, mf_i, mf_t, teacher_i, teacher_t, segments,
                    read_volleys)


# -- run -------------------------------------------------------------------------------------------

def _window_matrix(spike_i, spike_t, starts, length, n_cells):
    """Boolean (windows, cells): cell spiked inside ``[start, start + length)``."""
    return _window_counts(spike_i, spike_t, starts, length, n_cells) > 0


def _window_counts(spike_i, spike_t, starts, length, n_cells):
    """Spike counts (windows, cells) inside ``[start, start + length)`` (sorted, non-overlapping starts)."""
    out = np.zeros((len(starts), n_cells), dtype=np.int64)
    if len(starts) == 0 or spike_t.size == 0:
        return out
    k = np.searchsorted(starts, spike_t, side="right") - 1
    ok = (k >= 0) & (spike_t < starts[np.clip(k, 0, None)] + length)
    np.add.at(out, (k[ok], spike_i[ok]), 1)
    return out


def run(config: SDMRecallConfig, sim, seed: int):
    from brian2 import second

    from cerebellum.sdm_circuit import build_sdm_circuit, calibrate

    rng = np.random.default_rng(seed)
    cp = config.circuit
    addresses = rng.integers(0, 2, size=(config.m, cp.n), dtype=np.uint8)
    pointers = rng.integers(0, 2, size=(config.m, cp.n_out), dtype=np.uint8)
    queries, query_target, query_distance = make_queries(addresses, config.queries, rng)
    cal = calibrate(cp)
    plast = cp.derived_plasticity()
    sch = make_schedule(cp, cal, plast, addresses, pointers, queries, config.warmup, rng, config.read_volleys)
    windows = [(s * second, (s + sch.period) * second) for s in sch.write_start]
    circuit = build_sdm_circuit(cp, rng, plastic_windows=windows, total_time=sch.total * second)
    circuit.set_inputs(sch.mf_i, sch.mf_t * second, sch.teacher_i, sch.teacher_t * second)
    for length, label in sch.segments:
        sim.run(circuit.network, length * second, label)
    sim.execute()
    return analyse(config, circuit, sch, addresses, pointers, queries, query_target, query_distance)


def _spikes(mon):
    from brian2 import second

    return np.asarray(mon.i, dtype=np.int64), np.asarray(mon.t / second, dtype=float)


def analyse(config, circuit, sch: Schedule, addresses, pointers, queries, query_target, query_distance):
    """Read the monitors, compute every metric, and return the :class:`RunOutput`."""
    from brian2 import second

    from cerebellum import sdm
    from cerebellum import sdm_metrics as M
    from protocols.engine import RunOutput, synaptic_events

    cp = config.circuit
    n, r, n_out, T = cp.n, cp.r, cp.n_out, sch.period
    gi, gt = _spikes(circuit.monitors["grc"])
    pi, pt = _spikes(circuit.monitors["pc"])
    ii, it = _spikes(circuit.monitors["io"])
    di, dt_ = _spikes(circuit.monitors["dcn"])
    oi, ot = _spikes(circuit.monitors["goc"])
    write_counts = _window_counts(gi, gt, sch.write_start, T, r)
    active_write = write_counts > 0
    V = sch.read_volleys
    active_read = _window_matrix(gi, gt, sch.read_start, T * V, r)
    per_volley = np.stack([_window_matrix(gi, gt, sch.read_start + v * T, T, r) for v in range(V)])
    read_consistent = float(np.mean(np.all(per_volley == per_volley[:1], axis=0)))
    pf_delay = float(circuit.plasticity.pf_delay / second)
    rw = T * V
    read_t0 = sch.read_start + sch.volley_offset + pf_delay
    k = cp.pcs_per_bit
    group = circuit.pc_groups()

    def group_rate(counts):  # (windows, cells) -> (windows, n_out + 1): mean over each bit's PCs
        return np.stack([counts[:, group == b].mean(axis=1) for b in range(n_out + 1)], axis=1)

    pc_rates = group_rate(_window_counts(pi, pt, read_t0, rw, (n_out + 1) * k)) / rw
    pc_rate_read = pc_rates[:, :n_out]
    pc_rate_ref = pc_rates[:, n_out]
    base_len = T - 0.05
    pc_rate_baseline = group_rate(_window_counts(pi, pt, np.array([0.05]), base_len, (n_out + 1) * k))[0] / base_len
    dcn_rate_read = _window_counts(di, dt_, read_t0, rw, n_out) / rw
    io_write = _window_counts(ii, it, sch.write_start, T, n_out)

    # abstract counterparts from the realised connectivity
    exp_write = circuit.expected_active(addresses)
    exp_read = circuit.expected_active(queries)
    jw = M.jaccard_rows(active_write, exp_write)
    jr = M.jaccard_rows(active_read, exp_read)
    counts = M.coactivation(active_write, active_read)
    dv = sdm.hamming_distances(queries, addresses)
    if cp.mode == "dense":
        def expected(v):
            return sdm.expected_intersection(n, cp.d, v, r)
        abstract_w = sdm.intersection_weights(dv, n, cp.d)
        beta = sdm.fit_beta(n, cp.d)
        beta_note = "fit_beta(n, d), published convention, window dv = 0..d-1"
        limit_bits = sdm.pattern_view_read(queries, addresses, pointers, n, cp.d)
    else:
        # one exact intersection curve over every distance serves all the comparisons below
        curve = np.asarray(sdm.weighted_coordinate_intersection(n, circuit.contacts, cp.grc_theta,
                                                                np.arange(n + 1)))

        def expected(v):
            return r * curve[np.asarray(v)]
        abstract_w = M.curve_weights(curve, dv)
        window = np.arange(0, n // 2 + 1)
        ok = curve[window] > 0
        beta, _ = sdm.fit_log_linear(sdm.hamming_to_cosine(window[ok], n), curve[window][ok])
        beta_note = ("log-linear fit of the selected-coordinate intersection (realised contacts, "
                     "threshold) over dv = 0..n/2 where it is > 0 (published convention)")
        with np.errstate(invalid="ignore"):
            limit_bits = ((abstract_w @ pointers.astype(float)) > 0.5).astype(np.uint8)
    coact = M.coactivation_check(counts, dv, expected, r)
    readout = M.readout_metrics(pc_rate_read, pc_rate_ref, counts, pointers)
    # DCN output (report only): disinhibited where the PCs were depressed
    readout["dcn_pearson_bipolar"] = M.pearson(dcn_rate_read, M.abstract_reads(counts, pointers)["bipolar"])
    link = M.attention_link(counts, dv, n, abstract_w, beta)
    link["beta_note"] = beta_note
    spk_bits = M.bits_from_rates(pc_rate_read, pc_rate_ref)
    finite_bits = M.abstract_reads(M.coactivation(exp_write, exp_read), pointers)["bits"]
    curves = {"spiking": M.recall_curve(spk_bits, pointers, query_target, query_distance),
              "abstract_same_locations": M.recall_curve(finite_bits, pointers, query_target, query_distance),
              "abstract_limit": M.recall_curve(limit_bits, pointers, query_target, query_distance)}
    curve_gap = float(np.max(np.abs(np.array(curves["spiking"]["fraction_correct"])
                                    - np.array(curves["abstract_same_locations"]["fraction_correct"]))))
    frac_w = active_write.mean(axis=1)
    frac_r = active_read.mean(axis=1)
    w = np.asarray(circuit.synapses["pf_pc"].w[:] / circuit.plasticity.A_plus)
    wmax = float(circuit.plasticity.w_max / circuit.plasticity.A_plus)
    n_ones = pointers.sum(axis=1)
    goc_rate = oi.size / (sch.total * circuit.params.golgi_count)

    def target(value, lo=None, hi=None):
        ok = (lo is None or value >= lo) and (hi is None or value <= hi)
        return {"value": value, "target": [lo, hi], "pass": bool(ok)}

    targets = {
        "jaccard_write_mean": target(float(jw.mean()), TARGETS["jaccard"]),
        "jaccard_read_mean": target(float(jr.mean()), TARGETS["jaccard"]),
        "coactivation_3sigma": {"value": coact["fraction_within_3sigma"],
                                "target": ">= 95% of tested counts (dv with E >= 10) within the binomial "
                                          "E +- 3 sigma, and each dv's mean within E +- 3 single-count sigma",
                                "max_abs_z_single_count": coact["max_abs_z"],
                                "max_abs_z_of_mean_iid": coact["max_abs_z_iid"],
                                "strict_mean_pass_report_only": coact["strict_mean_pass"],
                                "pass": coact["pass"]},
        "readout_pearson_bipolar": target(readout["pearson_bipolar"], TARGETS["pearson"]),
        "readout_pearson_ratio": target(readout["pearson_ratio"], TARGETS["pearson"]),
        "bit_agreement": target(readout["bit_agreement"], TARGETS["bit_agreement"]),
        "pc_baseline_hz": target(float(pc_rate_baseline[:n_out].mean()), *TARGETS["pc_baseline_hz"]),
    }
    if cp.mode == "biological":
        targets["active_fraction"] = target(float(frac_r.mean()), *TARGETS["active_fraction_bio"])
        targets["active_fraction"]["theory"] = cp.expected_active_fraction
        if not targets["active_fraction"]["pass"] and cp.contacts_max == 1:
            targets["active_fraction"]["note"] = (
                f"with bipolar ON/OFF pairs and equal synapses a GrC sampling K = {cp.K} bits fires "
                f"for exactly 2^-K = {2.0 ** -cp.K:.4f} of addresses; unequal synapses "
                f"(contacts_max > 1) with a higher grc_theta set a lower coding level")
    summary = {
        "mode": cp.mode, "n": n, "n_out": n_out, "r": r, "m": config.m, "queries": int(len(queries)),
        "radius" if cp.mode == "dense" else "K": cp.d if cp.mode == "dense" else cp.K,
        **({"contacts_max": cp.contacts_max, "grc_theta": cp.grc_theta} if cp.mode == "biological" else {}),
        "all_pass": all(t["pass"] for t in targets.values()),
        "targets": targets,
        "jaccard": {"write_mean": float(jw.mean()), "write_min": float(jw.min()),
                    "read_mean": float(jr.mean()), "read_min": float(jr.min()),
                    "exact_windows": int(np.sum(jw == 1) + np.sum(jr == 1)),
                    "windows": int(jw.size + jr.size)},
        "coactivation": coact,
        "readout": readout,
        "attention_link": link,
        "recall_curve": curves,
        "recall_curve_max_gap_spiking_vs_abstract": curve_gap,
        "activity": {
            "grc_active_fraction_write_mean": float(frac_w.mean()),
            "grc_active_fraction_read_mean": float(frac_r.mean()),
            "grc_active_fraction_read_range": [float(frac_r.min()), float(frac_r.max())],
            "grc_expected_fraction": cp.expected_active_fraction,
            "grc_read_identical_across_volleys": read_consistent,
            "grc_spikes_per_active_cell_write": float(
                write_counts.sum() / max(1, active_write.sum())),
            "goc_rate_hz": goc_rate,
            "pc_rate_baseline_mean_hz": float(pc_rate_baseline[:n_out].mean()),
            "pc_rate_read_mean_hz": float(pc_rate_read.mean()),
            "pc_rate_reference_mean_hz": float(pc_rate_ref.mean()),
            "dcn_rate_read_mean_hz": float(dcn_rate_read.mean()),
            "io_spikes_per_cf_bit": float(io_write.sum() / max(1, n_ones.sum())),
            "io_spikes_without_teacher": int(np.sum(io_write[pointers == 0])),
        },
        "weights": {"A_plus_nS": float(circuit.plasticity.A_plus / 1e-9 / second * second),
                    "w0_in_A_plus": float(circuit.plasticity.w0 / circuit.plasticity.A_plus),
                    "fraction_at_bounds": float(np.mean((w <= 1e-9) | (w >= wmax - 1e-9))),
                    "min_in_A_plus": float(w.min()), "max_in_A_plus": float(w.max()),
                    "note": "weights at w_min = 0 are clipped counters (net LTD > w0_steps): a deviation "
                            "from Kanerva's unbounded bipolar counters that the abstract read ignores"},
        "synaptic_events_note": "includes r PF->PC synapse updates per CF event per Purkinje cell "
                                "(one on_post pass) besides spike deliveries",
        "calibration": circuit.calibration,
    }
    data = {"addresses": addresses, "pointers": pointers, "queries": queries, "query_target": query_target,
            "query_distance": query_distance, "granule_active_write": active_write,
            "granule_active_read": active_read, "pc_rate_read": pc_rate_read,
            "pc_rate_baseline": pc_rate_baseline[:n_out], "pc_rate_reference": pc_rate_ref,
            "dcn_rate_read": dcn_rate_read, "coactivation": counts,
            "expected_active_write": exp_write, "expected_active_read": exp_read,
            "abstract_ratio": M.abstract_reads(counts, pointers)["ratio"]}
    if cp.mode == "dense":
        data["granule_addresses"] = circuit.granule_addresses
        data["radius"] = np.array(cp.d)
    else:
        data["mf_to_grc"] = circuit.mf_to_grc
        data["grc_contacts"] = circuit.contacts
    data.update(_raster(circuit, sch, gi, gt, oi, ot, pi, pt, ii, it, di, dt_))
    events = _events(circuit, sch, gi, oi, pi, ii)
    return RunOutput(summary=_jsonable(summary), data=data, synaptic_events=events)


def _raster(circuit, sch, gi, gt, oi, ot, pi, pt, ii, it, di, dt_) -> dict:
    """Spikes of the first write and the first read window (GrCs: the first 400 cells)."""
    wins = np.array([[sch.write_start[0], sch.write_start[0] + sch.period],
                     [sch.read_start[0], sch.read_start[0] + sch.period]])
    out = {"raster_windows": wins}
    pops = {"mf": (sch.mf_i, sch.mf_t), "grc": (gi, gt), "goc": (oi, ot), "pc": (pi, pt), "io": (ii, it),
            "dcn": (di, dt_)}
    for name, (i, t) in pops.items():
        sel = np.zeros(t.shape, bool)
        for a, b in wins:
            sel |= (t >= a) & (t < b)
        if name == "grc":
            sel &= i < 400
        out[f"raster_{name}_i"] = i[sel]
        out[f"raster_{name}_t"] = t[sel]
    return out


def _events(circuit, sch, gi, oi, pi, ii) -> int:
    from protocols.engine import synaptic_events

    syn = circuit.synapses
    p = circuit.params
    mf_counts = np.bincount(sch.mf_i, minlength=p.n_fibres)
    grc_counts = np.bincount(gi, minlength=p.r)
    goc_counts = np.bincount(oi, minlength=p.golgi_count)
    pc_counts = np.bincount(pi, minlength=(p.n_out + 1) * p.pcs_per_bit)
    io_counts = np.bincount(ii, minlength=p.n_out)
    total = synaptic_events(mf_counts, circuit.mf_to_grc.ravel())
    total += synaptic_events(mf_counts, circuit.mf_to_goc.ravel())
    total += int(grc_counts.sum()) * (p.n_out + 1) * p.pcs_per_bit  # every GrC reaches every PC
    total += synaptic_events(grc_counts, circuit.grc_to_goc[0])
    total += synaptic_events(goc_counts, circuit.goc_to_grc[0])
    k = p.pcs_per_bit
    total += int(pc_counts[: p.n_out * k].sum()) + int(io_counts.sum()) * k + len(sch.teacher_i)
    total += int(io_counts.sum()) * k * p.r  # each CF event is one pass over its PCs' PF synapses
    return int(total)


def _jsonable(obj):
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, float) and not np.isfinite(obj):
        return None if np.isnan(obj) else str(obj)
    return obj
