"""Geocoding: UTM33 to WGS84, the offline address register, and a Nominatim/Photon service."""

from __future__ import annotations

import json
import math
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import polars as pl
import pytest
from import_corpus import CORPUS

from hjemmetjeneste.errors import PlanInputError
from hjemmetjeneste.formats.geocoding import (
    AddressQuery,
    AddressRegister,
    ServiceGeocoder,
    parse_street_address,
    utm_to_wgs84,
)
from hjemmetjeneste.formats.tabular import read_tabular

_A = 6_378_137.0  # GRS80 semi-major axis (m)
_E2 = 0.00669438002290  # GRS80 first eccentricity squared
_K0 = 0.9996  # UTM scale on the central meridian


def _meridian_arc(lat_deg: float) -> float:
    """Metres from the equator along a meridian (the textbook series), a slow reference."""
    phi = math.radians(lat_deg)
    e2, e4, e6 = _E2, _E2**2, _E2**3
    return _A * (
        (1 - e2 / 4 - 3 * e4 / 64 - 5 * e6 / 256) * phi
        - (3 * e2 / 8 + 3 * e4 / 32 + 45 * e6 / 1024) * math.sin(2 * phi)
        + (15 * e4 / 256 + 45 * e6 / 1024) * math.sin(4 * phi)
        - (35 * e6 / 3072) * math.sin(6 * phi)
    )


def _latitude_on_central_meridian(northing: float) -> float:
    """Invert k0 * arc(lat) = northing by bisection."""
    low, high = 0.0, 89.0
    for _ in range(80):
        mid = (low + high) / 2
        if _K0 * _meridian_arc(mid) < northing:
            low = mid
        else:
            high = mid
    return (low + high) / 2


@pytest.mark.parametrize("northing", [0.0, 6_600_000.0, 7_040_000.0, 7_900_000.0])
def test_utm33_central_meridian_points_match_the_meridian_arc(northing: float):
    """On zone 33's central meridian (E 500000) the point is at 15°E and the arc's latitude."""
    lat, lon = utm_to_wgs84([500_000.0], [northing])[0]
    assert lon == pytest.approx(15.0, abs=1e-9)
    assert lat == pytest.approx(_latitude_on_central_meridian(northing), abs=1e-7)


def test_utm33_roundtrip_through_trondheim():
    """A Trondheim point (63.4305 N, 10.3951 E) survives WGS84 -> UTM33 -> WGS84."""
    from pyproj import Transformer

    forward = Transformer.from_crs("EPSG:4326", "EPSG:25833", always_xy=True)
    east, north = forward.transform(10.3951, 63.4305)
    assert 250_000 < east < 300_000 and 7_030_000 < north < 7_050_000  # west of 15°E
    lat, lon = utm_to_wgs84([east], [north])[0]
    assert (lat, lon) == (pytest.approx(63.4305, abs=1e-7), pytest.approx(10.3951, abs=1e-7))


REGISTER_HEADER = (
    "lokalid;kommunenummer;kommunenavn;adressetype;adressenavn;nummer;bokstav;"
    "adresseTekst;EPSG-kode;Nord;Øst;postnummer;poststed"
)


def _register(tmp_path: Path) -> Path:
    trd, bodo = "5001;TRONDHEIM;vegadresse", "1804;BODØ;vegadresse"
    rows = [
        f"1;{trd};Bjørkevegen;12;;Bjørkevegen 12;25833;7040000.0;270000.0;7030;TRONDHEIM",
        f"2;{trd};Bjørkevegen;12;B;Bjørkevegen 12B;25833;7040010.0;270005.0;7030;TRONDHEIM",
        f"3;{trd};Sjøgata;3;;Sjøgata 3;25833;7041000.0;271000.0;7010;TRONDHEIM",
        f"4;{bodo};Sjøgata;3;;Sjøgata 3;25833;7460000.0;474000.0;8006;BODØ",
    ]
    path = tmp_path / "adresser.csv"
    path.write_text("\n".join([REGISTER_HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_register_resolves_street_number_and_letter(tmp_path: Path):
    """'Bjørkevegen 12B' finds the lettered entrance, converted from UTM33."""
    register = AddressRegister.from_csv(_register(tmp_path))
    assert len(register) == 4
    plain = register.geocode(AddressQuery("Bjørkevegen 12"))
    lettered = register.geocode(AddressQuery("bjørkevegen 12 b, 7030 Trondheim"))
    assert plain is not None and lettered is not None and plain != lettered
    expected = utm_to_wgs84([270005.0], [7040010.0])[0]
    assert (lettered.lat, lettered.lon) == pytest.approx(expected)


def test_register_needs_postcode_or_municipality_when_the_street_repeats(tmp_path: Path):
    """'Sjøgata 3' exists in two municipalities: ambiguous alone, found with either key."""
    register = AddressRegister.from_csv(_register(tmp_path))
    assert register.geocode(AddressQuery("Sjøgata 3")) is None
    by_postcode = register.geocode(AddressQuery("Sjøgata 3", postal_code="8006"))
    by_municipality = register.geocode(AddressQuery("Sjøgata 3", municipality_number="5001"))
    assert by_postcode is not None and by_postcode.lat > 66  # Bodø
    assert by_municipality is not None and by_municipality.lat < 64  # Trondheim


def test_register_without_a_needed_column_is_rejected(tmp_path: Path):
    """A register file lacking 'nord' is an error naming the column."""
    path = tmp_path / "adresser.csv"
    path.write_text("kommunenummer;adressenavn;nummer;bokstav;postnummer;Øst\n", encoding="utf-8")
    with pytest.raises(PlanInputError) as caught:
        AddressRegister.from_csv(path)
    assert [i.field for i in caught.value.issues] == ["nord"]


def test_street_address_parsing():
    """Street, number, letter and a postal code after the comma are split out."""
    assert parse_street_address("Kirkebakken 7a, 7030 Trondheim") == ("kirkebakken", 7, "A", "7030")
    assert parse_street_address("Postboks uten nummer") is None


def _export_without_coordinates(tmp_path: Path, address: str) -> Path:
    folder = tmp_path / "export"
    shutil.copytree(CORPUS / "valid_csv", folder)
    frame = pl.read_csv(folder / "patients.csv", infer_schema=False)
    frame = frame.with_columns(
        pl.when(pl.int_range(pl.len()) == 1).then(pl.lit("")).otherwise(pl.col(c)).alias(c)
        for c in ("lat", "lon")
    ).with_columns(
        pl.when(pl.int_range(pl.len()) == 1)
        .then(pl.lit(address))
        .otherwise(pl.col("address"))
        .alias("address")
    )
    frame.write_csv(folder / "patients.csv")
    return folder


def test_import_geocodes_rows_without_coordinates(tmp_path: Path):
    """A patient with an address and no coordinates gets the register's point."""
    register = AddressRegister.from_csv(_register(tmp_path))
    data = read_tabular(_export_without_coordinates(tmp_path, "Bjørkevegen 12"), geocoder=register)
    point = register.geocode(AddressQuery("Bjørkevegen 12"))
    assert data.patients[1].location == point


def test_unresolvable_address_is_an_error_naming_the_row(tmp_path: Path):
    """An address the register does not know is an import error at that row's address."""
    register = AddressRegister.from_csv(_register(tmp_path))
    with pytest.raises(PlanInputError) as caught:
        read_tabular(_export_without_coordinates(tmp_path, "Finnesikke 99"), geocoder=register)
    assert [(i.file, i.row, i.field) for i in caught.value.issues] == [
        ("patients.csv", 2, "address")
    ]


class _FakeGeocoder(BaseHTTPRequestHandler):
    """Answers Nominatim's /search and Photon's /api for one known street."""

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = parse_qs(url.query).get("q", [""])[0]
        known = query.lower().startswith("granlia 4")
        if url.path == "/search":
            body = [{"lat": "63.41", "lon": "10.45", "display_name": "Granlia 4"}] if known else []
        else:
            features = [
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [10.45, 63.41]},
                    "properties": {"name": "Granlia 4"},
                }
            ]
            body = {"type": "FeatureCollection", "features": features if known else []}
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        """Silence the default request log (it would print the addresses)."""


@pytest.fixture
def fake_service() -> Iterator[str]:
    """A tiny geocoding server on 127.0.0.1, stopped after the test."""
    server = HTTPServer(("127.0.0.1", 0), _FakeGeocoder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.mark.parametrize("kind", ["nominatim", "photon"])
def test_service_geocoder_resolves_known_and_refuses_unknown(fake_service: str, kind: str):
    """Through geopy, the service's answer becomes the point; no answer is None."""
    geocoder = ServiceGeocoder(fake_service, kind)
    point = geocoder.geocode(AddressQuery("Granlia 4", postal_code="7030"))
    assert point is not None and (point.lat, point.lon) == (63.41, 10.45)
    assert geocoder.geocode(AddressQuery("Finnesikke 99")) is None


def test_service_geocoder_fills_an_export(fake_service: str, tmp_path: Path):
    """A whole import geocodes through the service, and reports what it cannot resolve."""
    geocoder = ServiceGeocoder(fake_service, "nominatim")
    data = read_tabular(_export_without_coordinates(tmp_path, "Granlia 4"), geocoder=geocoder)
    assert (data.patients[1].location.lat, data.patients[1].location.lon) == (63.41, 10.45)


def test_missing_coordinates_without_a_geocoder_say_how_to_fix_it(tmp_path: Path):
    """With no geocoder configured, a row without coordinates is one error at its address."""
    with pytest.raises(PlanInputError) as caught:
        read_tabular(_export_without_coordinates(tmp_path, "Granlia 4"))
    assert [(i.file, i.row, i.field) for i in caught.value.issues] == [
        ("patients.csv", 2, "address")
    ]
    assert "no geocoder configured" in caught.value.issues[0].message


def test_fhir_patient_without_geolocation_is_geocoded_from_its_address(tmp_path: Path):
    """A FHIR Patient with address lines and postcode, no geolocation: the register's point."""
    from hjemmetjeneste.formats.fhir import read_fhir

    bundle = json.loads((CORPUS / "valid_fhir.json").read_text(encoding="utf-8"))
    patient = next(
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"
    )
    patient["address"] = [{"line": ["Bjørkevegen 12B"], "postalCode": "7030", "city": "Trondheim"}]
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    register = AddressRegister.from_csv(_register(tmp_path))
    data = read_fhir(path, geocoder=register)
    found = next(p for p in data.patients if p.patient_id == patient["id"])
    assert found.location == register.geocode(AddressQuery("Bjørkevegen 12B", postal_code="7030"))
    assert found.address == "Bjørkevegen 12B, 7030 Trondheim"
    patient["address"] = [{"line": ["Finnesikke 99"], "postalCode": "7030"}]
    path.write_text(json.dumps(bundle), encoding="utf-8")
    with pytest.raises(PlanInputError) as caught:
        read_fhir(path, geocoder=register)
    assert [i.field for i in caught.value.issues] == [f"Patient/{patient['id']} address[0]"]


def test_cli_import_uses_the_configured_address_register(tmp_path: Path, monkeypatch):
    """HJEMMETJENESTE_ADDRESS_REGISTER makes `import` geocode rows without coordinates."""
    from typer.testing import CliRunner

    from hjemmetjeneste.cli import app
    from hjemmetjeneste.store import open_store

    export = _export_without_coordinates(tmp_path, "Bjørkevegen 12")
    url = f"sqlite:///{tmp_path / 'geo.db'}"
    without = CliRunner().invoke(
        app, ["import", "--lang", "en", str(export), "--database-url", url]
    )
    assert without.exit_code == 2 and "no geocoder configured" in without.output
    monkeypatch.setenv("HJEMMETJENESTE_ADDRESS_REGISTER", str(_register(tmp_path)))
    result = CliRunner().invoke(app, ["import", str(export), "--database-url", url])
    assert result.exit_code == 0, result.output
    store = open_store(url)
    expected = AddressRegister.from_csv(_register(tmp_path)).geocode(AddressQuery("Bjørkevegen 12"))
    assert store.load_municipality().patients[1].location == expected
    store.close()
