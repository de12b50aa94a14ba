"""Reading and writing exports: one entry point for every format, the canonical CSV writer."""

from __future__ import annotations

from hjemmetjeneste.formats.auto import read_export
from hjemmetjeneste.formats.canonical import write_export

__all__ = ["read_export", "write_export"]
