"""HL7 FHIR R4 exports (``docs/fhir-mapping.md``), split by concern: ``codes`` (systems,
extensions, code tables), ``resources`` (files -> validated resources, helpers),
``timing`` (Timing -> Schedule), ``read`` (resources -> MunicipalityData, cross-references,
worker processes) and ``write`` (the same mapping back, for synthetic exports)."""

from __future__ import annotations

from hjemmetjeneste.formats.fhir.codes import EXT, SUPPORTED_RESOURCES
from hjemmetjeneste.formats.fhir.read import read_fhir
from hjemmetjeneste.formats.fhir.write import fhir_resources, write_fhir_bundle, write_fhir_ndjson

__all__ = [
    "EXT",
    "SUPPORTED_RESOURCES",
    "fhir_resources",
    "read_fhir",
    "write_fhir_bundle",
    "write_fhir_ndjson",
]
