"""The one module that imports numba; kernel modules take ``njit``, ``prange`` and
``get_num_threads`` from here.

numba's ``cache=True`` raises when a kernel is defined and no writable cache location
exists (for example a read-only installed package with an unwritable home).
:func:`ensure_cache_dir` settles ``NUMBA_CACHE_DIR`` first; it runs when numba is first
needed (the first kernel is defined), never as a side effect of importing an unrelated
module, and an explicit ``NUMBA_CACHE_DIR`` is always honoured.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["ensure_cache_dir", "njit"]  # and prange, get_num_threads (see __getattr__)


def ensure_cache_dir() -> str | None:
    """Point ``NUMBA_CACHE_DIR`` at a writable directory unless the user already set it.

    Otherwise the first writable directory of ``$XDG_CACHE_HOME/hjemmetjeneste/numba``
    (default ``~/.cache/...``) and ``<tempdir>/hjemmetjeneste-numba-<user>`` is used. Returns
    the directory in effect, or None when none could be created (numba then applies its own
    rules).
    """
    current = os.environ.get("NUMBA_CACHE_DIR")
    if current:
        return current
    cache_home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    user = os.environ.get("USER") or str(os.getuid() if hasattr(os, "getuid") else "user")
    candidates = (
        Path(cache_home) / "hjemmetjeneste" / "numba",
        Path(tempfile.gettempdir()) / f"hjemmetjeneste-numba-{user}",
    )
    for candidate in candidates:
        try:
            candidate.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        if os.access(candidate, os.W_OK | os.X_OK):
            os.environ["NUMBA_CACHE_DIR"] = str(candidate)
            return str(candidate)
    return None


def _numba() -> Any:
    """numba, imported once the cache directory is settled."""
    cache_dir = ensure_cache_dir()
    import numba

    if cache_dir and not numba.config.CACHE_DIR:
        # numba was imported by someone else before the cache directory was settled.
        numba.config.CACHE_DIR = cache_dir
    return numba


def njit(*args: Any, **kwargs: Any) -> Callable[..., Any]:
    """``numba.njit``, with the cache directory settled first."""
    return _numba().njit(*args, **kwargs)


def __getattr__(name: str) -> Any:
    # prange and get_num_threads must be numba's own objects (numba recognises prange by
    # identity inside kernels); they are looked up when a kernel module imports them.
    if name in ("prange", "get_num_threads"):
        return getattr(_numba(), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
