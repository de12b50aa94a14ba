"""A municipality's whole planning data, as one import delivers it."""

from __future__ import annotations

from pydantic import model_validator

from hjemmetjeneste.domain.common import Frozen
from hjemmetjeneste.domain.organisation import Base, District, Municipality
from hjemmetjeneste.domain.people import Patient, Staff
from hjemmetjeneste.domain.plans import CarePlan
from hjemmetjeneste.domain.roster import HOME, Roster


class MunicipalityData(Frozen):
    """Municipality, districts, bases, patients, care plans, staff and roster, consistent."""

    municipality: Municipality
    districts: tuple[District, ...]
    bases: tuple[Base, ...]
    patients: tuple[Patient, ...]
    care_plans: tuple[CarePlan, ...]
    staff: tuple[Staff, ...]
    roster: Roster

    @model_validator(mode="after")
    def _references_resolve(self) -> MunicipalityData:
        base_ids = {b.base_id for b in self.bases}
        district_ids = {d.district_id for d in self.districts}
        patient_ids = {p.patient_id for p in self.patients}
        staff_ids = {s.staff_id for s in self.staff}
        problems: list[str] = []
        problems += [
            f"district {d.district_id} names unknown base {d.base_id}"
            for d in self.districts
            if d.base_id not in base_ids
        ]
        problems += [
            f"patient {p.patient_id} names unknown district {p.district_id}"
            for p in self.patients
            if p.district_id not in district_ids
        ]
        problems += [
            f"staff {s.staff_id} names unknown district {s.district_id}"
            for s in self.staff
            if s.district_id not in district_ids
        ]
        problems += [
            f"care plan {c.care_plan_id} names unknown patient {c.patient_id}"
            for c in self.care_plans
            if c.patient_id not in patient_ids
        ]
        problems += [
            f"roster entry {e.date} {e.shift} names unknown staff {e.staff_id}"
            for e in self.roster.entries
            if e.staff_id not in staff_ids
        ]
        problems += self._roster_day_problems(base_ids)
        if problems:
            raise ValueError("; ".join(problems[:10]))
        return self

    def _roster_day_problems(self, base_ids: set[str]) -> list[str]:
        """Own hours that make no working day; start and end places that name no base, or
        home for a caregiver without a home location."""
        problems: list[str] = []
        homes = {s.staff_id for s in self.staff if s.home is not None}
        kinds = {d.kind: d for d in self.municipality.shifts}
        for e in self.roster.entries:
            if e.is_plain:
                continue
            where = f"roster entry {e.staff_id} {e.date} {e.shift}"
            if e.shift in kinds and (why := e.hours_problem(kinds[e.shift])):
                problems.append(f"{where}: {why}")
            for name, place in (("start_place", e.start_place), ("end_place", e.end_place)):
                if place is None or place in base_ids:
                    continue
                if place != HOME:
                    problems.append(f"{where}: {name} {place!r} is neither a base nor {HOME!r}")
                elif e.staff_id not in homes:
                    problems.append(f"{where}: {name} is {HOME!r} but the caregiver has no home")
        return problems

    def district(self, district_id: str) -> District:
        """The district with this id; KeyError when there is none."""
        for d in self.districts:
            if d.district_id == district_id:
                return d
        raise KeyError(district_id)

    def base(self, base_id: str) -> Base:
        """The base with this id; KeyError when there is none."""
        for b in self.bases:
            if b.base_id == base_id:
                return b
        raise KeyError(base_id)
