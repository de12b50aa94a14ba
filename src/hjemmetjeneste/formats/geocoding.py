"""Coordinates for addresses: offline from Kartverket's address register, or a service.

Exports often carry an address without coordinates. Two geocoders fill them in (see
``docs/addresses.md``):

- :class:`AddressRegister`: a local copy of Kartverket's open address dataset
  ("Matrikkelen - Adresse", CSV, ``;``-separated, UTF-8), whose points are UTM zone 33
  (EPSG:25833) ``nord``/``øst`` metres, converted to WGS84 with pyproj.
- :class:`ServiceGeocoder`: a Nominatim or Photon server the municipality runs, via geopy.

Both answer None for an address they cannot resolve unambiguously; the importer turns that
into an error naming the row.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from hjemmetjeneste.domain import GeoPoint
from hjemmetjeneste.errors import InputIssue, PlanInputError, reason_of
from hjemmetjeneste.i18n import N_

__all__ = [
    "REGISTER_COLUMNS",
    "AddressQuery",
    "AddressRegister",
    "Geocoder",
    "ServiceGeocoder",
    "parse_street_address",
    "utm_to_wgs84",
]

#: Columns of Kartverket's address CSV this reader uses (matched ignoring case).
REGISTER_COLUMNS = (
    "kommunenummer",
    "adressenavn",
    "nummer",
    "bokstav",
    "postnummer",
    "nord",
    "øst",
)
_EPSG_COLUMN = "epsg-kode"
_DEFAULT_EPSG = 25833  # UTM zone 33N on ETRS89, Kartverket's national projection

_STREET_RE = re.compile(r"^(?P<name>.*?\D)\s*(?P<number>\d+)\s*(?P<letter>[A-Za-zÆØÅæøå]?)$")
_POSTCODE_RE = re.compile(r"\b(\d{4})\b")


@dataclass(frozen=True)
class AddressQuery:
    """An address to resolve: the street line, and what narrows it down if known."""

    address: str
    postal_code: str | None = None
    municipality_number: str | None = None


class Geocoder(Protocol):
    """Anything that turns an address into WGS84 coordinates, or None when it cannot."""

    def geocode(self, query: AddressQuery) -> GeoPoint | None:
        """The coordinates of ``query``, or None when unknown or ambiguous."""
        ...

    def describe(self) -> str:
        """A short description for error messages (no addresses in it)."""
        ...


def utm_to_wgs84(
    easting: Iterable[float], northing: Iterable[float], epsg: int = _DEFAULT_EPSG
) -> list[tuple[float, float]]:
    """(lat, lon) in WGS84 degrees of projected points (EPSG:25833 by default)."""
    from pyproj import Transformer

    transformer = Transformer.from_crs(f"EPSG:{epsg}", "EPSG:4326", always_xy=True)
    lons, lats = transformer.transform(list(easting), list(northing))
    return [(float(lat), float(lon)) for lat, lon in zip(lats, lons, strict=True)]


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFC", text).lower().strip()
    return re.sub(r"\s+", " ", text)


def parse_street_address(address: str) -> tuple[str, int, str, str | None] | None:
    """(street name, number, letter, postal code) of ``"Storgata 10B, 7030 Trondheim"``.

    Everything after the first comma may hold a postal code; None when the street line has
    no house number.
    """
    street, _, rest = address.partition(",")
    postal = _POSTCODE_RE.search(rest)
    match = _STREET_RE.match(street.strip())
    if match is None:
        return None
    return (
        _fold(match["name"]),
        int(match["number"]),
        match["letter"].upper(),
        postal.group(1) if postal else None,
    )


class AddressRegister:
    """Offline geocoding against a local copy of Kartverket's address register (CSV)."""

    def __init__(
        self, entries: dict[tuple[str, int, str], list[tuple[str, str, GeoPoint]]]
    ) -> None:
        self._entries = entries

    @classmethod
    def from_csv(
        cls, path: Path, municipality_numbers: Iterable[str] | None = None
    ) -> AddressRegister:
        """Read the register (``;``-separated UTF-8 CSV), keeping only the given municipalities.

        Raises :class:`PlanInputError` naming the file when a needed column is missing.
        """
        import polars as pl

        path = Path(path)
        try:
            lazy = pl.scan_csv(path, separator=";", infer_schema=False, encoding="utf8")
            names = lazy.collect_schema().names()
        except Exception as exc:
            raise PlanInputError(
                [
                    InputIssue.of(
                        path.name,
                        None,
                        None,
                        N_("cannot read the address register: {detail}"),
                        detail=reason_of(exc),
                    )
                ]
            ) from None
        by_lower = {n.replace("\ufeff", "").strip().lower(): n for n in names}
        missing = [c for c in REGISTER_COLUMNS if c not in by_lower]
        if missing:
            raise PlanInputError(
                [
                    InputIssue.of(path.name, 0, c, N_("column missing from the address register"))
                    for c in missing
                ]
            )
        columns = [pl.col(by_lower[c]).alias(c) for c in REGISTER_COLUMNS]
        if _EPSG_COLUMN in by_lower:
            columns.append(pl.col(by_lower[_EPSG_COLUMN]).alias("epsg"))
        else:
            columns.append(pl.lit(str(_DEFAULT_EPSG)).alias("epsg"))
        lazy = lazy.select(columns)
        if municipality_numbers is not None:
            wanted = [m.zfill(4) for m in municipality_numbers]
            lazy = lazy.filter(pl.col("kommunenummer").str.zfill(4).is_in(wanted))
        frame = lazy.filter(pl.col("nummer").str.strip_chars() != "").collect()
        entries: dict[tuple[str, int, str], list[tuple[str, str, GeoPoint]]] = {}
        for epsg_text in frame["epsg"].unique().to_list():
            part = frame.filter(pl.col("epsg") == epsg_text)
            points = utm_to_wgs84(
                part["øst"].cast(pl.Float64).to_list(),
                part["nord"].cast(pl.Float64).to_list(),
                int(epsg_text or _DEFAULT_EPSG),
            )
            for row, (lat, lon) in zip(part.iter_rows(named=True), points, strict=True):
                key = (
                    _fold(row["adressenavn"]),
                    int(row["nummer"]),
                    (row["bokstav"] or "").upper(),
                )
                entries.setdefault(key, []).append(
                    (
                        (row["postnummer"] or "").zfill(4),
                        (row["kommunenummer"] or "").zfill(4),
                        GeoPoint(lat=lat, lon=lon),
                    )
                )
        return cls(entries)

    def __len__(self) -> int:
        return sum(len(v) for v in self._entries.values())

    def describe(self) -> str:
        """Shown in errors."""
        return "the local address register"

    def geocode(self, query: AddressQuery) -> GeoPoint | None:
        """The register's point for the address, narrowed by postal code or municipality."""
        parsed = parse_street_address(query.address)
        if parsed is None:
            return None
        name, number, letter, postal_in_text = parsed
        candidates = self._entries.get((name, number, letter), [])
        postal = query.postal_code or postal_in_text
        if postal:
            candidates = [c for c in candidates if c[0] == postal.zfill(4)]
        elif query.municipality_number and query.municipality_number.isdigit():
            candidates = [c for c in candidates if c[1] == query.municipality_number.zfill(4)]
        points = {(round(c[2].lat, 7), round(c[2].lon, 7)) for c in candidates}
        if len(points) != 1:
            return None  # unknown, or the same street address in several places
        return candidates[0][2]


class ServiceGeocoder:
    """Geocoding through a Nominatim or Photon server the municipality runs (via geopy)."""

    def __init__(self, url: str, kind: str = "nominatim", *, timeout_s: float = 10.0) -> None:
        from geopy.geocoders import Nominatim, Photon

        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"geocoder URL must be http(s)://host[:port], found {url!r}")
        domain = parts.netloc + parts.path.rstrip("/")
        self.url = url
        self.kind = kind
        if kind == "nominatim":
            self._geocoder = Nominatim(
                domain=domain, scheme=parts.scheme, user_agent="hjemmetjeneste", timeout=timeout_s
            )
        elif kind == "photon":
            self._geocoder = Photon(domain=domain, scheme=parts.scheme, timeout=timeout_s)
        else:
            raise ValueError(f"geocoder kind must be 'nominatim' or 'photon', found {kind!r}")
        self._cache: dict[AddressQuery, GeoPoint | None] = {}

    def describe(self) -> str:
        """Shown in errors."""
        return f"the {self.kind} service at {self.url}"

    def geocode(self, query: AddressQuery) -> GeoPoint | None:
        """The service's first answer for the address (postal code appended when known)."""
        if query in self._cache:
            return self._cache[query]
        from geopy.exc import GeopyError

        text = query.address
        if query.postal_code and query.postal_code not in text:
            text = f"{text}, {query.postal_code}"
        try:
            if self.kind == "nominatim":
                found = self._geocoder.geocode(text, exactly_one=True, country_codes="no")
            else:
                found = self._geocoder.geocode(text, exactly_one=True)
        except GeopyError:
            found = None
        point = None if found is None else GeoPoint(lat=found.latitude, lon=found.longitude)
        self._cache[query] = point
        return point
