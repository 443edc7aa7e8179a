"""The cerebellum and hippocampus argument-check modules are twins (the two circuit packages may not
import each other, DESIGN.md): the code of each pair must be identical, only docstrings may differ."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _code_without_docstrings(path: Path) -> str:
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree, include_attributes=False)


@pytest.mark.parametrize("module", ["_checks.py", "validation.py"])
def test_twins_are_identical_apart_from_docstrings(module):
    cer, hip = ROOT / "cerebellum" / module, ROOT / "hippocampus" / module
    assert _code_without_docstrings(cer) == _code_without_docstrings(hip), (
        f"cerebellum/{module} and hippocampus/{module} have drifted apart: change both")


def test_validation_reexports_the_plain_checks():
    import cerebellum._checks
    import cerebellum.validation
    import hippocampus._checks
    import hippocampus.attention
    import hippocampus.validation

    for name in ("check_int", "check_real", "check_choice"):
        assert getattr(cerebellum.validation, name) is getattr(cerebellum._checks, name)
        assert getattr(hippocampus.validation, name) is getattr(hippocampus._checks, name)
    assert hippocampus.attention._check_real is hippocampus._checks.check_real
    assert hippocampus.attention._as_array is hippocampus._checks.as_array


def test_twin_check_detects_a_code_difference(tmp_path):
    a, b = tmp_path / "a.py", tmp_path / "b.py"
    a.write_text('"""Doc A."""\ndef f(x):\n    """one"""\n    return x + 1\n')
    b.write_text('"""Doc B."""\ndef f(x):\n    """two"""\n    return x + 1\n')
    assert _code_without_docstrings(a) == _code_without_docstrings(b)
    b.write_text('"""Doc B."""\ndef f(x):\n    return x + 2\n')
    assert _code_without_docstrings(a) != _code_without_docstrings(b)


def test_unified_messages():
    from brian2 import ms

    from cerebellum._checks import check_choice, check_int, check_real

    with pytest.raises(ValueError, match=r"^d = 70 is out of range: allowed 0 <= d <= n = 64$"):
        check_int("d", 70, lo=0, hi=(64, "n = 64"))
    with pytest.raises(TypeError, match="must be a plain number, not a quantity with units"):
        check_real("x", 3 * ms)
    import numpy as np

    with pytest.raises(ValueError, match=r"^beta = -1\.0 is out of range: allowed 0\.0 < beta$"):
        check_real("beta", np.float64(-1.0), lo=0.0, lo_open=True)
    with pytest.raises(ValueError, match="mode = 'x' is not allowed: choose one of 'a', 'b'"):
        check_choice("mode", "x", ("a", "b"))
    with pytest.raises(ValueError, match="is not allowed"):
        check_choice("mode", np.array(["a"]), ("a", "b"))
