"""The product's processes, one module each (see registry.py for what a module declares).

`load_all` imports every module of this package, and each registers itself: adding a process is adding its
module here (plus its BPMN, forms, templates, services and a migration), with no list to edit elsewhere.
"""
from __future__ import annotations

import importlib
import pkgutil

from . import registry


def load_all() -> list[registry.ProcessModule]:
    """Import (and so register) every process module; safe to call again."""
    for info in pkgutil.iter_modules(__path__):
        if info.name != "registry" and not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}")
    return registry.all()
