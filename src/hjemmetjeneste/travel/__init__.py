"""Travel-time matrices: profiles per travel mode and sources behind one protocol.

numba lives only in :mod:`hjemmetjeneste.travel._kernels`, which also settles
``NUMBA_CACHE_DIR`` (a writable default when unset) before importing numba.
"""

from hjemmetjeneste.travel._kernels import EARTH_RADIUS_M
from hjemmetjeneste.travel.matrix import (
    GreatCircleSource,
    TravelMatrix,
    TravelSource,
    great_circle_distance_m,
    numpy_great_circle_matrix_m,
)
from hjemmetjeneste.travel.profiles import DEFAULT_PROFILES, TravelProfile

__all__ = [
    "DEFAULT_PROFILES",
    "EARTH_RADIUS_M",
    "GreatCircleSource",
    "TravelMatrix",
    "TravelProfile",
    "TravelSource",
    "great_circle_distance_m",
    "numpy_great_circle_matrix_m",
]
