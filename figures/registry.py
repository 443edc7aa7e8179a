"""Discovers figure modules so that adding a figure never means editing a shared list."""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import figures

_NOT_FIGURES = {"registry", "__main__"}


@dataclass(frozen=True)
class FigureSpec:
    """One regenerable figure."""

    name: str
    protocol: str | None
    description: str
    module: ModuleType

    def make(self, out_dir: Path, results_dir: Path | None = None) -> list[Path]:
        """Draw the figure into ``out_dir``; a protocol figure needs that protocol's ``results_dir``."""
        if self.protocol is not None and results_dir is None:
            raise ValueError(f"figure {self.name} needs a results directory of the {self.protocol} protocol")
        return self.module.make(Path(out_dir), None if results_dir is None else Path(results_dir))


def all_figures() -> dict[str, FigureSpec]:
    """Return every figure, keyed by name, in a stable (sorted) order."""
    specs = {}
    for info in pkgutil.iter_modules(figures.__path__):
        if info.name.startswith("_") or info.name in _NOT_FIGURES:
            continue
        module = importlib.import_module(f"figures.{info.name}")
        if not hasattr(module, "NAME"):
            continue
        specs[module.NAME] = FigureSpec(module.NAME, module.PROTOCOL, module.DESCRIPTION, module)
    return dict(sorted(specs.items()))

