"""Solution -> worklists with clock times (Europe/Oslo) and reasons for unplaced work."""

from __future__ import annotations

from datetime import date

from hjemmetjeneste.domain import (
    AsNeededItem,
    DayPlan,
    Explanation,
    Municipality,
    Patient,
    Place,
    PlanKpis,
    PlanResult,
    Task,
    UnplacedReason,
    UnplacedTask,
    Visit,
    Worklist,
    WorklistBreak,
    WorklistPlace,
    WorklistTask,
    WorklistVisit,
)
from hjemmetjeneste.planning.explain import (
    kept_out_why,
    outside_every_shift_why,
    why_dropped,
    word,
)
from hjemmetjeneste.planning.to_problem import BuiltProblem
from hjemmetjeneste.solver import Route, Solution


def assemble(day_plan: DayPlan, built: BuiltProblem, solution: Solution) -> PlanResult:
    """One worklist per caregiver on shift, the unplaced tasks with reasons, and the KPIs."""
    problem, index = built.problem, built.index
    visits = {v.visit_id: v for v in day_plan.visits}
    served_by = solution.served_by()
    partners: dict[int, int] = {}
    for a, b in problem.sync_groups:
        partners[a], partners[b] = b, a

    worklists = []
    for route in solution.routes:
        partner_staff = {
            stop.node: (index.vehicle_staff[served_by[partners[stop.node]]],)
            for stop in route.stops
            if stop.node in partners and partners[stop.node] in served_by
        }
        worklists.append(_worklist(day_plan, built, route, visits, partner_staff))

    unplaced = [
        _unplaced_task(
            t,
            p.visit.visit_id,
            day_plan.patient(p.visit.patient_id),
            p.reason,
            kept_out_why(p, t, built, day_plan.staff),
            day_plan.shift.date,
        )
        for p in built.prefiltered
        for t in p.visit.tasks
    ]
    # One entry per visit: a double-staffed visit has two dropped jobs.
    dropped = {index.job_visit[n]: n for n in reversed(solution.dropped)}
    for visit_id, node in dropped.items():
        visit = visits[visit_id or ""]
        unplaced += _unplaced(day_plan, visit, *why_dropped(built, solution, node, visit))
    unplaced.sort(key=lambda u: (not u.time_critical, u.window_start, u.task_id))

    return PlanResult(
        municipality_id=day_plan.municipality.municipality_id,
        district_id=day_plan.district.district_id,
        date=day_plan.shift.date,
        shift=day_plan.shift.kind,
        shift_start=day_plan.shift.start,
        shift_end=day_plan.shift.end,
        worklists=tuple(worklists),
        unplaced=tuple(unplaced),
        as_needed=tuple(
            AsNeededItem(
                intervention_id=i.intervention_id,
                patient_id=i.patient_id,
                description=i.description,
            )
            for i in day_plan.as_needed
        ),
        kpis=_kpis(day_plan, worklists, unplaced),
        solver_status=solution.status,
        solver_objective=solution.objective,
        solve_seconds=round(solution.wall_s, 3),
    )


def _worklist(
    day_plan: DayPlan,
    built: BuiltProblem,
    route: Route,
    visits: dict[str, Visit],
    partner_staff: dict[int, tuple[str, ...]],
) -> Worklist:
    problem, index = built.problem, built.index
    v = route.vehicle
    staff = day_plan.staff[v]
    day = day_plan.day_of(staff.staff_id)
    travel, distance = problem.travel_for(v), problem.distance_for(v)
    base = int(problem.vehicle_start_node[v])
    stops: list[WorklistVisit] = []
    prev = base
    total_travel = total_distance = total_wait = total_service = 0
    for seq, stop in enumerate(route.stops, start=1):
        visit = visits[index.job_visit[stop.node] or ""]
        patient = day_plan.patient(visit.patient_id)
        service_s = int(problem.service_s[stop.node])
        leg_s, leg_m = int(travel[prev, stop.node]), int(distance[prev, stop.node])
        stops.append(
            WorklistVisit(
                sequence=seq,
                visit_id=visit.visit_id,
                patient_id=patient.patient_id,
                patient_name=patient.display_name,
                address=patient.address,
                location=patient.location,
                key_box_note=patient.key_box_note,
                window_start=visit.window_start,
                window_end=visit.window_end,
                arrival=index.to_instant(stop.arrival_s),
                start=index.to_instant(stop.start_s),
                end=index.to_instant(stop.start_s + service_s),
                travel_s=leg_s,
                distance_m=leg_m,
                partner_staff_ids=partner_staff.get(stop.node, ()),
                tasks=tuple(
                    WorklistTask(
                        task_id=t.task_id,
                        intervention_id=t.intervention_id,
                        description=t.description,
                        problem_area=t.problem_area,
                        duration_min=t.duration_min,
                        time_critical=t.time_critical,
                    )
                    for t in visit.tasks
                ),
            )
        )
        total_travel += leg_s
        total_distance += leg_m
        total_wait += stop.start_s - stop.arrival_s
        total_service += service_s
        prev = stop.node
    end = int(problem.vehicle_end_node[v])
    if route.stops:
        total_travel += int(travel[prev, end])
        total_distance += int(distance[prev, end])
        leave, back = route.depart_s, route.return_s
    else:
        leave = back = int(problem.vehicle_start_s[v])
    breaks = tuple(
        WorklistBreak(start=index.to_instant(b), end=index.to_instant(b + d))
        for b, d in route.breaks
    )
    overtime = max(0, back - int(problem.vehicle_soft_end_s[v])) if route.stops else 0
    return Worklist(
        staff_id=staff.staff_id,
        first_name=staff.first_name,
        competence=staff.competence.value,
        travel_mode=staff.travel_mode.value,
        date=day_plan.shift.date,
        shift=day_plan.shift.kind,
        leave_base=index.to_instant(leave),
        return_base=index.to_instant(back),
        visits=tuple(stops),
        travel_s=total_travel,
        service_s=total_service,
        wait_s=total_wait,
        distance_m=total_distance,
        breaks=breaks,
        overtime_s=overtime,
        start_place=_place(day_plan, day.start_place),
        end_place=_place(day_plan, day.end_place),
    )


def _place(day_plan: DayPlan, place: Place) -> WorklistPlace | None:
    """Where a day starts or ends, on the worklist: None at the district's base; a home
    by its kind only (never its address)."""
    if place.place_id == day_plan.base.base_id:
        return None
    return WorklistPlace(place_id=place.place_id, name=place.name)


def _unplaced(
    day_plan: DayPlan, visit: Visit, reason: UnplacedReason, why: Explanation
) -> list[UnplacedTask]:
    patient = day_plan.patient(visit.patient_id)
    return [
        _unplaced_task(t, visit.visit_id, patient, reason, why, day_plan.shift.date)
        for t in visit.tasks
    ]


def _unplaced_task(
    task: Task,
    visit_id: str,
    patient: Patient | None,
    reason: UnplacedReason,
    why: Explanation,
    day: date,
) -> UnplacedTask:
    """One unplaced task with its facts and their sentence in bokmål (the default; the CLI
    and API re-word it on request); "TIME-CRITICAL." only before a task that is itself
    time-critical."""
    return UnplacedTask(
        task_id=task.task_id,
        visit_id=visit_id,
        intervention_id=task.intervention_id,
        patient_id=task.patient_id,
        patient_name=patient.display_name if patient else "",
        address=patient.address if patient else "",
        description=task.description,
        window_start=task.window_start,
        window_end=task.window_end,
        time_critical=task.time_critical,
        reason=reason,
        explanation=word(why, day, time_critical=task.time_critical),
        why=why,
    )


def outside_every_shift_tasks(
    municipality: Municipality, patients: tuple[Patient, ...], tasks: tuple[Task, ...]
) -> tuple[UnplacedTask, ...]:
    """Tasks no defined shift covers, as unplaced tasks (reason ``outside_every_shift``)."""
    by_id = {p.patient_id: p for p in patients}
    return tuple(
        _unplaced_task(
            t,
            "",
            by_id.get(t.patient_id),
            UnplacedReason.OUTSIDE_EVERY_SHIFT,
            outside_every_shift_why(t, municipality),
            t.date,
        )
        for t in tasks
    )


def _kpis(day_plan: DayPlan, worklists: list[Worklist], unplaced: list[UnplacedTask]) -> PlanKpis:
    days = (day_plan.day_of(s.staff_id) for s in day_plan.staff)
    paid = sum(int((d.end - d.start).total_seconds()) for d in days)
    service = sum(w.service_s for w in worklists)
    travel = sum(w.travel_s for w in worklists)
    tasks_total = sum(len(v.tasks) for v in day_plan.visits)
    unplaced_visits = {u.visit_id for u in unplaced}
    return PlanKpis(
        tasks_total=tasks_total,
        tasks_placed=tasks_total - len(unplaced),
        visits_total=len(day_plan.visits),
        visits_placed=len(day_plan.visits) - len(unplaced_visits),
        time_critical_unplaced=sum(u.time_critical for u in unplaced),
        staff_on_shift=len(day_plan.staff),
        staff_used=sum(1 for w in worklists if w.visits),
        paid_s=paid,
        service_s=service,
        travel_s=travel,
        wait_s=sum(w.wait_s for w in worklists),
        distance_m=sum(w.distance_m for w in worklists),
        patient_time_share=round(service / paid, 4) if paid else 0.0,
        travel_share=round(travel / paid, 4) if paid else 0.0,
    )
