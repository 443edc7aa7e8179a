"""The protocol CLI end to end, with a toy protocol: results layout, provenance, errors, exit codes."""
import dataclasses
import json
import subprocess
import sys
import types

import numpy as np
import pytest
from brian2 import Hz, ms

from cerebellum.params import CELL_TYPES, CellParams
from core.params import nested, param, validate
from protocols import cli
from protocols.engine import RunOutput, monitor_spikes, synaptic_events


@dataclasses.dataclass(frozen=True)
class ToyConfig:
    rate: object = param(50.0, "Poisson rate of the toy cells", unit="Hz", lo=0, hi=1000)
    duration: object = param(100.0, "simulated time", unit="ms", lo=0, lo_open=True, hi=10_000)
    dt: object = param(0.1, "integration time step", unit="ms", lo=0.001, hi=1)
    cell: CellParams = nested(CellParams, "a cell whose parameters are only listed", **CELL_TYPES["grc"])

    def __post_init__(self):
        validate(self)


def _toy_run(config, sim, seed):
    from brian2 import Network, PoissonGroup, SpikeMonitor, second

    group = PoissonGroup(10, config.rate)
    mon = SpikeMonitor(group)
    net = Network(group, mon)
    sim.run(net, config.duration, "only phase")
    sim.execute()
    counts = np.asarray(mon.count)
    half = float(config.duration / second) / 2
    return RunOutput(summary={"spikes": int(counts.sum())}, data={"counts": counts},
                     synaptic_events=synaptic_events(counts, np.arange(10)), spikes={"toy": monitor_spikes(mon)},
                     epochs={"start_s": [0.0, half], "stop_s": [half, 2 * half], "phase": ["first", "second"]})


@pytest.fixture
def toy_protocol(monkeypatch):
    module = types.SimpleNamespace(NAME="toy", DESCRIPTION="toy protocol for CLI tests (100% toy)",
                                   CONFIG=ToyConfig, OPTIONS={"rate": "rate"}, run=_toy_run)
    monkeypatch.setattr(cli, "all_protocols", lambda: {"toy": module})
    return module


def _main(args, capsys):
    code = cli.main(args)
    return code, capsys.readouterr()


def test_run_writes_results_params_and_cost(toy_protocol, tmp_path, capsys):
    out = tmp_path / "res"
    code, io = _main(["toy", "--device", "runtime", "--out", str(out), "--seed", "5",
                      "--set", "rate=80*Hz", "--no-progress"], capsys)
    assert code == 0, io.err
    summary = json.loads((out / "summary.json").read_text())
    params = json.loads((out / "params.json").read_text())
    assert summary["spikes"] > 0
    assert summary["cost"]["simulated_time_s"] == pytest.approx(0.1)
    assert summary["cost"]["synaptic_events"] == summary["spikes"]
    assert params["seed"] == 5 and params["config"]["rate"] == "80.0*Hz"
    assert params["provenance"]["versions"]["brian2"].startswith("2.")
    assert "counts" in np.load(out / "data.npz").files


def test_same_seed_same_result(toy_protocol, tmp_path, capsys):
    for name in ("a", "b"):
        assert _main(["toy", "--device", "runtime", "--out", str(tmp_path / name), "--no-progress"], capsys)[0] == 0
    a, b = (np.load(tmp_path / n / "data.npz")["counts"] for n in ("a", "b"))
    assert np.array_equal(a, b)


@pytest.mark.parametrize("argv, message", [
    (["toy", "--set", "rate=-3*Hz"], "rate = -3 Hz is out of range: allowed 0 Hz <= rate <= 1000 Hz"),
    (["toy", "--set", "rate=3"], "--set rate=3: needs units of Hz"),
    (["toy", "--rate", "-3"], "rate = -3 Hz is out of range"),
    (["toy", "--set", "cell.tau_m=3*ms"], "derived parameter (membrane time constant C_m / g_L), computed from "
                                           "cell.C_m and cell.g_L"),
    (["toy", "--set", "cell.g_L=0.3*psiemens*nope"], "unknown unit nope"),
    (["toy", "--set", "nope=3"], "--set nope: unknown parameter"),
    (["toy", "--device", "gpu"], "invalid choice: 'gpu'"),
    (["toy", "--seed", "x"], "invalid int value: 'x'"),
    (["toy", "--seed", "-1"], "--seed -1: must be in 0 <= seed < 2**32"),
    (["toy", "--seed", "99999999999"], "must be in 0 <= seed < 2**32"),
    (["toy", "--dt", "5"], "dt = 5 ms is out of range: allowed 0.001 ms <= dt <= 1 ms"),
    (["unknown"], "invalid choice: 'unknown'"),
])
def test_bad_input_is_one_line_and_exit_2(toy_protocol, argv, message, capsys):
    code, io = _main(argv, capsys)
    assert code == 2
    assert message in io.err and io.err.count("\n") == 1 and "Traceback" not in io.err


def test_existing_results_are_never_overwritten_without_force(toy_protocol, tmp_path, capsys):
    out = tmp_path / "res"
    out.mkdir()
    (out / "summary.json").write_text('{"earlier": true}')
    code, io = _main(["toy", "--device", "runtime", "--out", str(out), "--no-progress"], capsys)
    assert code == 2 and "pass --force" in io.err
    assert (out / "summary.json").read_text() == '{"earlier": true}'
    assert _main(["toy", "--device", "runtime", "--out", str(out), "--force", "--no-progress"], capsys)[0] == 0
    assert "earlier" not in (out / "summary.json").read_text() and (out / "params.json").exists()
    other = tmp_path / "not-results"
    other.mkdir()
    (other / "thesis.tex").write_text("keep")
    code, io = _main(["toy", "--device", "runtime", "--out", str(other), "--force", "--no-progress"], capsys)
    assert code == 2 and "not a results directory" in io.err  # --force replaces results only
    assert (other / "thesis.tex").read_text() == "keep"


def test_help_lists_protocols_and_exits_0(toy_protocol, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--help"])
    assert exit_info.value.code == 0
    assert "toy protocol for CLI tests" in capsys.readouterr().out


def test_impossible_out_fails_before_simulating(toy_protocol, tmp_path, capsys, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    ran = []
    monkeypatch.setattr(toy_protocol, "run", lambda *a: ran.append(1))
    code, io = _main(["toy", "--device", "runtime", "--out", str(blocker / "res"), "--no-progress"], capsys)
    assert code == 2 and "is not a directory" in io.err and io.err.count("\n") == 1
    assert ran == []  # failed before any simulation


def test_unknown_figure_exits_2_with_one_line():
    proc = subprocess.run([sys.executable, "-m", "figures", "no_such_figure"], capture_output=True, text=True)
    assert proc.returncode == 2 and "known figures:" in proc.stderr and proc.stderr.count("\n") == 1


def test_list_params_prints_every_parameter_with_unit_range_and_meaning(toy_protocol, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["toy", "--list-params"])
    out = capsys.readouterr().out
    assert exit_info.value.code == 0
    rows = {line.split()[0]: line for line in out.splitlines()[2:] if line and not line.startswith(" ")}
    assert "0.29" in rows["cell.g_L"] and "nS" in rows["cell.g_L"] and "leak conductance" in rows["cell.g_L"]
    assert "50 " in rows["rate"] and "0 Hz <= rate <= 1000 Hz" in rows["rate"]
    assert "cell.tau_m = membrane time constant C_m / g_L  [from cell.C_m, cell.g_L]" in out


def test_dotted_cell_parameter_and_toml_config_reach_the_run(toy_protocol, tmp_path, capsys):
    (tmp_path / "c.toml").write_text('rate = "20*Hz"\n[cell]\nt_ref = "2*ms"\n')
    out = tmp_path / "res"
    code, io = _main(["toy", "--device", "runtime", "--out", str(out), "--no-progress", "--config",
                      str(tmp_path / "c.toml"), "--set", "grc.g_L=0.3*nS", "--set", "cell.g_L=0.31*nS"], capsys)
    assert code == 2 and "ambiguous" not in io.err  # grc is not a path here: unknown name
    code, io = _main(["toy", "--device", "runtime", "--out", str(out), "--no-progress", "--config",
                      str(tmp_path / "c.toml"), "--set", "cell.g_L=0.31*nS", "--set", "g_L=0.32*nS"], capsys)
    assert code == 0, io.err
    config = json.loads((out / "params.json").read_text())["config"]
    assert config["rate"] == "20.0*Hz" and config["cell"]["t_ref"] == "2.0*ms"
    assert config["cell"]["g_L"] == "0.32*nS"  # later --set wins


def test_params_json_repeats_a_run_exactly(toy_protocol, tmp_path, capsys):
    first = tmp_path / "first"
    assert _main(["toy", "--device", "runtime", "--out", str(first), "--seed", "7", "--rate", "120",
                  "--no-progress"], capsys)[0] == 0
    again = tmp_path / "again"
    code, io = _main(["toy", "--out", str(again), "--config", str(first / "params.json"), "--no-progress"], capsys)
    assert code == 0, io.err
    p1, p2 = (json.loads((d / "params.json").read_text()) for d in (first, again))
    assert p2["seed"] == 7 and p2["device"] == "runtime" and p2["config"] == p1["config"]
    assert np.array_equal(np.load(first / "data.npz")["counts"], np.load(again / "data.npz")["counts"])


def test_spikes_and_epochs_are_saved_and_export_to_valid_nwb(toy_protocol, tmp_path, capsys):
    pynwb = pytest.importorskip("pynwb")
    out = tmp_path / "res"
    assert _main(["toy", "--device", "runtime", "--out", str(out), "--no-progress"], capsys)[0] == 0
    data = np.load(out / "data.npz")
    assert data["spikes_toy_n"] == 10 and data["spikes_toy_i"].size == data["counts"].sum()
    assert data["epochs_phase"].tolist() == ["first", "second"]
    code, io = _main(["export-nwb", str(out), "--out", str(tmp_path / "run.nwb")], capsys)
    assert code == 0, io.err
    with pynwb.NWBHDF5IO(str(tmp_path / "run.nwb"), "r") as nwb_io:
        assert pynwb.validate(io=nwb_io) == []
        nwb = nwb_io.read()
        units = nwb.units.to_dataframe()
        counts = [len(units["spike_times"][k]) for k in range(len(units))]
        assert counts == data["counts"].tolist()  # spike counts per unit round-trip
        assert list(units["population"]) == ["toy"] * 10
        assert nwb.trials["phase"][:].tolist() == ["first", "second"]
        assert json.loads(nwb.notes)["protocol"] == "toy"
    code, io = _main(["export-nwb", str(tmp_path / "nowhere")], capsys)
    assert code == 2 and io.err.count("\n") == 1
