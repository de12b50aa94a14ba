"""HL7 FHIR R4 exports (``docs/fhir-mapping.md``): reading them into MunicipalityData and
writing the same mapping (synthetic exports, round trips)."""

from __future__ import annotations

from hjemmetjeneste.formats.fhir.read import (
    EXT,
    SUPPORTED_RESOURCES,
    fhir_resources,
    read_fhir,
    write_fhir_bundle,
    write_fhir_ndjson,
)

__all__ = [
    "EXT",
    "SUPPORTED_RESOURCES",
    "fhir_resources",
    "read_fhir",
    "write_fhir_bundle",
    "write_fhir_ndjson",
]
