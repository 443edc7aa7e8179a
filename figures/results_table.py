"""The measured numbers the README quotes, generated from saved results (``python -m figures --results-table``).

For every protocol, the runs under ``results/NAME/`` that used the protocol's default parameters (no
``--set``, no options) — the newest run per seed — give one row each: every target's value and verdict,
and the cost (loop seconds per simulated second, synaptic events per second, machine). Sweeps under
``results/sweeps/*/sweep.json`` give mean ± SD and pass counts per target. The tables go to
``docs/results.md`` and replace the part of ``README.md`` between ``<!-- results:begin -->`` and
``<!-- results:end -->``, so no measured number in the README is typed by hand.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"
PROTOCOLS_BEGIN, PROTOCOLS_END = "<!-- protocols:begin -->", "<!-- protocols:end -->"
BENCH_BEGIN, BENCH_END = "<!-- bench:begin -->", "<!-- bench:end -->"
FIGURES_BEGIN, FIGURES_END = "<!-- figures:begin -->", "<!-- figures:end -->"


def figure_gallery(output: Path) -> list[str]:
    """Every registered figure drawn into ``output`` (the committed ``figures/output/``): its
    description, the protocol it is drawn from, and the image, grouped by protocol."""
    from figures.registry import all_figures

    lines: list[str] = []
    groups: dict[str, list] = {}
    for spec in all_figures().values():
        if (output / f"{spec.name}.png").is_file():
            groups.setdefault(spec.protocol or "theory", []).append(spec)
    for group in sorted(groups, key=lambda g: (g != "theory", g)):
        title = "Theory (no simulation)" if group == "theory" else f"`python -m protocols {group}`"
        lines += [f"### {title}", ""]
        for spec in groups[group]:
            lines += [f"`{spec.name}` — {spec.description}.", "",
                      f"![{spec.name}](figures/output/{spec.name}.png)", ""]
    return lines


def replace_block(text: str, begin: str, end: str, body: str) -> str:
    """``text`` with the part between the markers ``begin`` and ``end`` replaced by ``body``."""
    if begin not in text or end not in text:
        raise ValueError(f"the README lacks the markers {begin} … {end}")
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{begin}\n{body.rstrip()}\n{end}{tail}"


def _fmt(v) -> str:
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, (int, float)):
        if not math.isfinite(v):
            return str(v)
        return f"{v:.3g}" if isinstance(v, float) else str(v)
    if isinstance(v, dict):
        return ", ".join(f"{k} {_fmt(x)}" for k, x in v.items())
    if isinstance(v, list):
        return "[" + ", ".join(_fmt(x) for x in v) + "]"
    return str(v)


def _default_config(protocol: str):
    """The protocol's default parameters as saved in ``params.json`` (None for an unknown protocol)."""
    from core.jsonio import to_jsonable
    from protocols.registry import all_protocols

    module = all_protocols().get(protocol)
    return None if module is None else to_jsonable(module.CONFIG())


def _default_runs(protocol_dir: Path) -> dict[int, Path]:
    """Newest standalone run per seed whose parameters are the protocol's defaults."""
    default = _default_config(protocol_dir.name)
    runs: dict[int, tuple[str, Path]] = {}
    for params_path in protocol_dir.glob("*/params.json"):
        try:
            params = json.loads(params_path.read_text())
            summary = json.loads((params_path.parent / "summary.json").read_text())
        except (OSError, ValueError):
            continue
        if params.get("config") != default or params.get("device") != "standalone" or "targets" not in summary:
            continue
        created = params.get("provenance", {}).get("created_utc", "")
        seed = int(params.get("seed", 0))
        if seed not in runs or created > runs[seed][0]:
            runs[seed] = (created, params_path.parent)
    return {seed: path for seed, (_, path) in sorted(runs.items())}


def protocol_section(name: str, runs: dict[int, Path]) -> list[str]:
    summaries = {s: json.loads((p / "summary.json").read_text()) for s, p in runs.items()}
    params = {s: json.loads((p / "params.json").read_text()) for s, p in runs.items()}
    targets = sorted({t for sm in summaries.values() for t in sm.get("targets", {})})
    seeds = list(runs)
    lines = [f"### `{name}` (default parameters; seeds {', '.join(map(str, seeds))})", "",
             "| target | bounds | " + " | ".join(f"seed {s}" for s in seeds) + " |",
             "|---|---|" + "---|" * len(seeds)]
    for t in targets:
        first = next(sm["targets"][t] for sm in summaries.values() if t in sm.get("targets", {}))
        unit = first.get("unit") or ""
        bounds = f"{_fmt(first.get('lo'))} … {_fmt(first.get('hi'))} {unit}".strip() \
            if first.get("lo") is not None or first.get("hi") is not None else first.get("description", "")[:60]
        cells = []
        for s in seeds:
            tt = summaries[s].get("targets", {}).get(t)
            cells.append("—" if tt is None else f"{_fmt(tt.get('value'))} {'✓' if tt.get('pass') else '✗'}")
        lines.append(f"| {t} | {bounds} | " + " | ".join(cells) + " |")
    lines.append("| **all targets** | | " + " | ".join("✓" if summaries[s].get("all_pass") else "✗" for s in seeds) + " |")
    costs = []
    for s in seeds:
        c = summaries[s].get("cost", {})
        machine = params[s].get("provenance", {}).get("machine", {})
        costs.append(f"seed {s}: {_fmt(c.get('realtime_factor'))} s per simulated s "
                     f"({_fmt(c.get('simulated_time_s'))} s simulated), "
                     f"{_fmt(c.get('synaptic_events_per_s'))} synaptic events/s, wall {_fmt(c.get('wall_time_s'))} s"
                     f" — {machine.get('cpu', '?')}, {machine.get('cores', '?')} cores")
    lines += ["", "Cost: " + "; ".join(costs[:1]) + ("" if len(costs) == 1 else f" (and {len(costs) - 1} more seeds in "
                                                      "docs/results.md)"), ""]
    return lines, costs


def sweep_section(path: Path) -> list[str]:
    doc = json.loads(path.read_text())
    lines = [f"### sweep `{path.parent.name}`: `{doc['protocol']}`, seeds {doc['seeds'][0]}–{doc['seeds'][-1]} "
             f"({doc['counts']['complete']} complete, {doc['counts']['failed']} failed)", ""]
    for point in doc["points"]:
        grid = ", ".join(f"{k}={v}" for k, v in point["grid"].items()) or "defaults"
        lines += [f"{grid}: {point['all_pass_count']}/{point['n_runs']} runs meet every target", "",
                  "| target | mean ± SD | 95 % CI | pass |", "|---|---|---|---|"]
        for name, st in point["targets"].items():
            ms = "—" if st["mean"] is None else f"{_fmt(st['mean'])} ± {_fmt(st['sd'])}"
            ci = "—" if not st["ci95"] else f"{_fmt(st['ci95'][0])} … {_fmt(st['ci95'][1])}"
            lines.append(f"| {name} | {ms} | {ci} | {st['pass_count']}/{st['n']} |")
        lines.append("")
    return lines


def bench_section(path: Path) -> list[str]:
    """Table of ``bench/bench_eyeblink.py --json`` rows: cost of the eyeblink network per granule-cell count."""
    rows = json.loads(path.read_text())
    machine = rows[0].get("machine", {}) if rows else {}
    lines = [f"`bench/bench_eyeblink.py` ({rows[0]['trials'] if rows else '?'} paired trials, cpp_standalone, one thread) "
             f"on {machine.get('cpu', 'an unrecorded CPU')}, {machine.get('cores', '?')} cores:", "",
             "| granule cells | synapses | simulated s | wall s per simulated s | loop CPU s per simulated s | "
             "synaptic events/s | ns per GrC-step | peak memory MiB | load average before |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        peak = r.get("program", {}).get("peak_memory_mib")
        lines.append(f"| {r['n_grc']} | {r['synapses']} | {_fmt(r['simulated_time_s'])} | {_fmt(r['realtime_factor'])} | "
                     f"{_fmt(r.get('cpu_s_per_sim_s'))} | {_fmt(r['synaptic_events_per_s'])} | "
                     f"{_fmt(r['ns_per_grc_step'])} | {_fmt(peak)} | {_fmt(r.get('load_before'))} |")
    return lines


def write_results_table(results_root: Path, docs: Path, readme: Path | None) -> Path:
    """Write ``docs/results.md`` and the README section; return the docs file."""
    readme_lines, doc_lines = [], ["# Measured results", "",
                                   "Generated by `python -m figures --results-table` from the runs under "
                                   f"`{results_root}/`; do not edit by hand.", ""]
    for protocol_dir in sorted(p for p in Path(results_root).glob("*") if p.is_dir() and p.name != "sweeps"):
        runs = _default_runs(protocol_dir)
        if runs:
            lines, costs = protocol_section(protocol_dir.name, runs)
            readme_lines += lines
            doc_lines += lines[:-3] + ["", *[f"* {c}" for c in costs], ""]
    for sweep in sorted(Path(results_root).glob("sweeps/*/sweep.json")):
        lines = sweep_section(sweep)
        readme_lines += lines
        doc_lines += lines
    docs.mkdir(parents=True, exist_ok=True)
    out = docs / "results.md"
    out.write_text("\n".join(doc_lines).rstrip() + "\n")
    from protocols.catalog import protocol_table, protocols_doc

    (docs / "protocols.md").write_text(protocols_doc())
    if readme is not None and readme.is_file():
        body = "\n".join(["", "*Generated from saved runs by `python -m figures --results-table`.*", "",
                          *readme_lines])
        text = replace_block(readme.read_text(), BEGIN, END, body)
        text = replace_block(text, PROTOCOLS_BEGIN, PROTOCOLS_END, protocol_table())
        text = replace_block(text, FIGURES_BEGIN, FIGURES_END,
                             "\n".join(figure_gallery(Path(readme).parent / "figures" / "output")))
        bench = Path(readme).parent / "bench" / "measured" / "eyeblink.json"
        if bench.is_file():
            text = replace_block(text, BENCH_BEGIN, BENCH_END, "\n".join(bench_section(bench)))
        readme.write_text(text)
    return out
