"""``python -m figures`` on damaged or incomplete results: one line naming the file, exit 2."""
import json
import subprocess
import sys

import numpy as np
import pytest


def _results(tmp_path, summary='{"protocol": "hopfield-recall"}', params='{"protocol": "hopfield-recall"}',
             data=None):
    d = tmp_path / "run"
    d.mkdir()
    (d / "summary.json").write_text(summary)
    (d / "params.json").write_text(params)
    if data is None:
        np.savez(d / "data.npz", unrelated=np.arange(3))  # valid file, none of the arrays a figure needs
    else:
        (d / "data.npz").write_bytes(data)
    return d


def _valid_npz(tmp_path) -> bytes:
    np.savez(tmp_path / "x.npz", a=np.arange(1000))
    return (tmp_path / "x.npz").read_bytes()


CASES = {
    "data truncated": lambda t: _results(t, data=_valid_npz(t)[:200]),
    "data empty": lambda t: _results(t, data=b""),
    "data garbage": lambda t: _results(t, data=b"not a zip file at all" * 10),
    "data lacks arrays": lambda t: _results(t),
    "summary invalid": lambda t: _results(t, summary="{not json"),
    "summary empty": lambda t: _results(t, summary=""),
    "summary a list": lambda t: _results(t, summary="[1, 2]"),
    "params invalid": lambda t: _results(t, params="{"),
    "params empty": lambda t: _results(t, params=""),
    "params a list": lambda t: _results(t, params="[]"),
    "params lack protocol": lambda t: _results(t, params='{"seed": 1}'),
}


@pytest.mark.parametrize("case", list(CASES))
def test_damaged_results_give_one_line_and_exit_2(tmp_path, case):
    results = CASES[case](tmp_path)
    proc = subprocess.run([sys.executable, "-m", "figures", "--results", str(results), "--out", str(tmp_path / "f")],
                          capture_output=True, text=True)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert str(results) in proc.stderr  # names the file


def test_out_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "taken").write_text("x")
    proc = subprocess.run([sys.executable, "-m", "figures", "circle_vs_softmax", "--out", str(tmp_path / "taken")],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "is not a directory" in proc.stderr and proc.stderr.count("\n") == 1
