"""The clinic planner: place the new (planned, unbooked) courses of a week or a month together.

A run is queued by the page and executed by the task worker (CP-SAT has a time limit of up to a
minute); the page polls the run's status. Each placed course is booked in its own transaction, so
a course someone booked by hand meanwhile is reported, not lost with the others.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from remit.accounts.models import StaffUser
from remit.clinics.models import Clinic
from remit.core.audit import audit_record
from remit.core.models import AuditAction
from remit.protocols.models import TreatmentCourse
from remit.protocols.selectors import course_session_count, planned_unbooked_courses
from remit.scheduling.models import PlannerRun, PlannerRunStatus
from remit.scheduling.planning import CourseRequest
from remit.scheduling.selectors import clinic_setup, patient_times_by_id
from remit.scheduling.services import (
    SlotTaken,
    course_protocol,
    course_resource,
    course_session_book_at,
)

MAX_PERIOD_DAYS = 35
MAX_TIME_LIMIT_S = 60


@transaction.atomic
def planner_run_start(
    *, clinic: Clinic, first_day: date, last_day: date, time_limit_s: int, by: StaffUser
) -> PlannerRun:
    """Queue a planner run over the period; the worker executes it."""
    from remit.scheduling.tasks import planner_run_execute

    if last_day < first_day:
        raise ValidationError({"last_day": "The period must end on or after its first day."})
    if (last_day - first_day).days + 1 > MAX_PERIOD_DAYS:
        raise ValidationError({"last_day": f"Plan at most {MAX_PERIOD_DAYS} days at a time."})
    if not 1 <= time_limit_s <= MAX_TIME_LIMIT_S:
        raise ValidationError(
            {"time_limit_s": f"The time limit is 1 to {MAX_TIME_LIMIT_S} seconds."}
        )
    run = PlannerRun.objects.create(
        clinic=clinic,
        first_day=first_day,
        last_day=last_day,
        time_limit_s=time_limit_s,
        created_by=by,
    )
    audit_record(
        action=AuditAction.CREATE,
        actor=by,
        obj=run,
        clinic_id=clinic.pk,
        detail={"fields": ["first_day", "last_day", "time_limit_s"]},
    )
    planner_run_execute.enqueue(run.pk)
    return run


def planner_run_execute(run_id: int) -> PlannerRun:
    run = PlannerRun.objects.select_related("clinic", "created_by").get(pk=run_id)
    if run.status != PlannerRunStatus.QUEUED:
        return run
    run.status = PlannerRunStatus.RUNNING
    run.started_at = timezone.now()
    run.save(update_fields=["status", "started_at"])
    try:
        run.result = _plan_and_book(run)
        run.status = PlannerRunStatus.DONE
    except Exception as error:  # noqa: BLE001 (a failed run must say so on the page, not hang)
        run.result = {"error": type(error).__name__}
        run.status = PlannerRunStatus.FAILED
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "result", "finished_at"])
    return run


def _plan_and_book(run: PlannerRun) -> dict[str, object]:
    # Imported here: the planner loads ortools and pandas, needed only when a run executes.
    from remit.scheduling.planner import plan_courses

    tomorrow = timezone.localdate() + timedelta(days=1)
    first_day = max(run.first_day, tomorrow)
    courses = {
        str(c.pk): c
        for c in planned_unbooked_courses(run.clinic).select_related("clinic", "patient")
    }
    times = patient_times_by_id(c.patient_id for c in courses.values())
    requests = []
    for course in courses.values():
        protocol = course_protocol(course)
        requests.append(
            CourseRequest(
                course_id=str(course.pk),
                patient_id=str(course.patient_id),
                protocol=protocol,
                phase_code=course.phase,
                patient=times[course.patient_id],
                earliest_start=max(first_day, course.earliest_start or first_day),
                session_count=course_session_count(course),
            )
        )
    if not requests or run.last_day < first_day:
        return {"courses": 0, "placed": 0, "sessions": 0, "outcomes": []}
    plan = plan_courses(
        clinic_setup(run.clinic, first_day, run.last_day),
        requests,
        first_day=first_day,
        last_day=run.last_day,
        time_limit_s=float(run.time_limit_s),
    )
    outcomes: list[dict[str, object]] = []
    by_course: dict[str, list[object]] = {}
    for session in plan.sessions:
        by_course.setdefault(session.course_id, []).append(session)
    booked_sessions = 0
    for course_id, sessions in by_course.items():
        course = courses[course_id]
        try:
            with transaction.atomic():
                protocol = course_protocol(course)
                for s in sessions:
                    course_session_book_at(
                        course=course,
                        protocol=protocol,
                        start=s.start,  # type: ignore[attr-defined]
                        end=s.end,  # type: ignore[attr-defined]
                        resource=course_resource(course, s.resource_id),  # type: ignore[attr-defined]
                        number=s.number,  # type: ignore[attr-defined]
                        by=run.created_by,
                    )
        except (SlotTaken, ValidationError) as error:
            message = getattr(error, "message", None) or "; ".join(
                getattr(error, "messages", [str(error)])
            )
            outcomes.append({"course": int(course_id), "placed": False, "why": str(message)})
            continue
        booked_sessions += len(sessions)
        outcomes.append({"course": int(course_id), "placed": True, "sessions": len(sessions)})
    for missing in plan.unplaced:
        outcomes.append(
            {
                "course": int(missing.course_id),
                "placed": False,
                "constraint": missing.constraint,
                "why": missing.message,
            }
        )
    return {
        "courses": len(requests),
        "placed": sum(1 for o in outcomes if o["placed"]),
        "sessions": booked_sessions,
        "sessions_requested": plan.sessions_requested,
        "method": plan.method,
        "wall_time_s": round(plan.wall_time_s, 1),
        "utilisation": {kind.value: round(u * 100) for kind, u in plan.utilisation.items()},
        "preferred_hits": plan.preferred_hits,
        "outcomes": sorted(outcomes, key=lambda o: int(str(o["course"]))),
    }


def planner_run_get(*, clinic: Clinic, run_id: int) -> PlannerRun:
    from django.http import Http404

    run = PlannerRun.objects.filter(pk=run_id, clinic=clinic).first()
    if run is None:
        raise Http404("No such planner run")
    return run


def courses_named(clinic: Clinic, ids: list[int]) -> dict[int, TreatmentCourse]:
    return {
        c.pk: c
        for c in TreatmentCourse.objects.filter(clinic=clinic, pk__in=ids).select_related(
            "patient", "protocol_version"
        )
    }
