"""Discovers protocol packages: every sub-package of ``protocols`` that defines ``NAME`` and ``CONFIG``.

A protocol package's ``__init__`` is light (no Brian2): ``NAME``, ``DESCRIPTION``, ``CONFIG`` (its
parameter dataclass), ``OPTIONS`` (command-line options generated from parameters: option name ->
dotted parameter path) and ``run(config, sim, seed)``, which imports the simulation code when called.
"""
from __future__ import annotations

import importlib
import pkgutil
import sys
from types import ModuleType

import protocols


def all_protocols() -> dict[str, ModuleType]:
    """Protocol packages keyed by CLI name, sorted."""
    found = {}
    for info in pkgutil.iter_modules(protocols.__path__):
        if not info.ispkg or info.name.startswith("_"):
            continue
        try:
            module = importlib.import_module(f"protocols.{info.name}")
        except Exception as err:  # one broken protocol must not take the CLI down with it
            sys.stderr.write(f"warning: protocol package {info.name!r} failed to import: {err}\n")
            continue
        if hasattr(module, "NAME") and hasattr(module, "CONFIG") and hasattr(module, "run"):
            found[module.NAME] = module
    return dict(sorted(found.items()))
