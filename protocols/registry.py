"""Discovers protocol modules (any module of this package that defines ``NAME`` and ``run``)."""
from __future__ import annotations

import importlib
import pkgutil
import sys
from types import ModuleType

import protocols

_ENGINE_MODULES = {"cli", "config", "engine", "progress", "provenance", "registry", "results", "__main__"}


def all_protocols() -> dict[str, ModuleType]:
    """Protocol modules keyed by CLI name, sorted."""
    found = {}
    for info in pkgutil.iter_modules(protocols.__path__):
        if info.name.startswith("_") or info.name in _ENGINE_MODULES:
            continue
        try:
            module = importlib.import_module(f"protocols.{info.name}")
        except Exception as err:  # one broken protocol must not take the CLI down with it
            sys.stderr.write(f"warning: protocol module {info.name!r} failed to import: {err}\n")
            continue
        if hasattr(module, "NAME") and hasattr(module, "run"):
            found[module.NAME] = module
    return dict(sorted(found.items()))
