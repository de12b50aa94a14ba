"""Synthetic municipalities (no real person): the seeded demo and large-scale exports."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hjemmetjeneste.synthetic.large import generate_synthetic

if TYPE_CHECKING:
    from hjemmetjeneste.synthetic.demo import generate_demo

__all__ = ["generate_demo", "generate_synthetic"]


def __getattr__(name: str) -> Any:
    # generate_demo is imported lazily so that `python -m hjemmetjeneste.synthetic.demo`
    # does not import the module twice (runpy warns when the package already imported it).
    if name == "generate_demo":
        from hjemmetjeneste.synthetic.demo import generate_demo

        return generate_demo
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
