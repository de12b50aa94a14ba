"""Importers: reading exports (one entry point, every format), writing the canonical CSV,
and the synthetic demo municipality."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hjemmetjeneste.importers.auto import read_export
from hjemmetjeneste.importers.canonical import write_export

if TYPE_CHECKING:
    from hjemmetjeneste.importers.demo_generator import generate_demo

__all__ = ["generate_demo", "read_export", "write_export"]


def __getattr__(name: str) -> Any:
    # generate_demo is imported lazily so that `python -m hjemmetjeneste.importers.demo_generator`
    # does not import the module twice (runpy warns when the package already imported it).
    if name == "generate_demo":
        from hjemmetjeneste.importers.demo_generator import generate_demo

        return generate_demo
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
