"""Persistence of municipalities' plans, staff and rosters (SQLAlchemy; SQLite or PostgreSQL).

``open_store(url)`` migrates the schema and returns a :class:`Store`;
``Store.save_export`` imports one export in one transaction and returns an
:class:`ImportSummary`; ``Store.load_municipality`` gives the data back as
``MunicipalityData``. This package never imports polars, OR-Tools or numba.
"""

from hjemmetjeneste.store import (  # tables registered on TableBase
    actuals,
    audit,
    events,
    feeds,
    periods,
    runs,
)
from hjemmetjeneste.store.catalogue import CatalogueEntry
from hjemmetjeneste.store.digest import database_digest
from hjemmetjeneste.store.engine import create_store_engine, migrate, normalise_url
from hjemmetjeneste.store.repository import (
    KINDS,
    ImportSummary,
    KindCounts,
    Store,
    StoreError,
    choose_municipality,
    export_digest,
    open_store,
)

__all__ = [
    "KINDS",
    "CatalogueEntry",
    "ImportSummary",
    "KindCounts",
    "Store",
    "StoreError",
    "actuals",
    "audit",
    "choose_municipality",
    "create_store_engine",
    "database_digest",
    "events",
    "export_digest",
    "feeds",
    "migrate",
    "normalise_url",
    "open_store",
    "periods",
    "runs",
]
