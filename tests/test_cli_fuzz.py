"""Bad input for every protocol: one line, exit 2, no traceback, fast — and names checked before Brian2.

A table of malformed arguments is run through the CLI of every registered protocol (in-process:
nothing is built or simulated when an argument is bad), and random ``--set`` texts through the value
parser (hypothesis), which must answer with an :class:`OverrideError` or a value, never hang or crash.
"""
import subprocess
import sys
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.overrides import OverrideError, parse_value
from core.params import describe
from protocols import cli
from protocols.registry import all_protocols

PROTOCOLS = list(all_protocols())
#: slowest acceptable rejection in-process (Brian2 is imported once per test process).
LIMIT_S = 5.0


def _bad_arguments(name, tmp_path):
    module = all_protocols()[name]
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    bad_toml = tmp_path / "bad.toml"
    bad_toml.write_text("dt = = 1")
    cases = [["--nope"], ["--set", "nope=1"], ["--set", "dt"], ["--set", "=3"], ["--set", "dt=abc"],
             ["--set", "dt=5*ms"], ["--set", "dt=1*Hz"], ["--set", "dt=0.1"], ["--set", "dt=9**9**9*ms"],
             ["--set", "dt=[0]*10**7"], ["--set", "dt=__import__('os')"], ["--set", "dt=" + "(" * 200 + "1"],
             ["--set", "dt=1e308*ms"], ["--set", "dt=-inf*ms"], ["--seed", "-1"], ["--seed", "x"],
             ["--seed", str(2**40)], ["--threads", "-1"], ["--device", "gpu"], ["--out", "/"],
             ["--out", str(a_file)], ["--out", str(a_file / "sub")], ["--config", str(tmp_path / "missing.toml")],
             ["--config", str(bad_toml)], ["--config", str(a_file)], ["--dt", "0"], ["--dt", "zz"]]
    params = describe(module.CONFIG)[0]
    for option, path in module.OPTIONS.items():
        spec = params[path].spec
        flag = f"--{option}"
        cases.append([flag, "zz"])
        owner = path.rsplit(".", 1)[0] if "." in path else ""
        in_use = spec.only_if is None or params[f"{owner}.{spec.only_if[0]}" if owner else spec.only_if[0]] \
            .default == spec.only_if[1]  # a parameter of another mode is not range-checked
        if spec.kind in ("int", "real", "quantity") and in_use:
            cases += [[flag, "1e308"], [flag, "-1e9"]]
        if spec.kind == "int":
            cases.append([flag, "2.5"])
        cases.append(["--set", f"{path}=" + ("x" * 5000)])
    return cases


@pytest.mark.parametrize("name", PROTOCOLS)
def test_every_bad_argument_is_one_line_exit_2_and_fast(name, tmp_path, capsys):
    slowest = 0.0
    for args in _bad_arguments(name, tmp_path):
        started = time.perf_counter()
        code = cli.main([name, *args, "--check"])  # an argument wrongly accepted prints ok, runs nothing
        slowest = max(slowest, time.perf_counter() - started)
        err = capsys.readouterr().err
        assert code == 2, (args, err)
        assert err.count("\n") == 1 and "Traceback" not in err and len(err) < 600, (args, err)
    assert slowest < LIMIT_S


def test_names_and_syntax_are_rejected_before_brian2_is_imported():
    code = ("import sys; from protocols.cli import main; "
            "codes = [main(a) for a in (['nope'], ['{p}', '--set', 'nope=1'], ['{p}', '--set', 'dt=__x__('], "
            "['{p}', '--out', '/'], ['{p}', '--nope'])]; "
            "sys.exit(0 if codes == [2] * 5 and 'brian2' not in sys.modules else 1)").format(p=PROTOCOLS[0])
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert time.perf_counter() - started < 10  # five rejections and the interpreter start, without Brian2


_SPECS = [info.spec for module in all_protocols().values() for info in describe(module.CONFIG)[0].values()]


@settings(max_examples=300, deadline=2000)
@given(text=st.text(max_size=80), spec_index=st.integers(0, len(_SPECS) - 1))
def test_value_parser_answers_every_text_quickly(text, spec_index):
    try:
        parse_value(text, _SPECS[spec_index], "--set x")
    except OverrideError as err:
        assert "\n" not in str(err) and len(str(err)) < 400
