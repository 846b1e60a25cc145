"""Shared set-up for scheduling tests: a clinic open on weekdays with chairs, rooms and devices."""

from __future__ import annotations

from datetime import time

from remit.accounts.models import StaffUser
from remit.clinics.models import Clinic, OpeningHours, Resource, ResourceKind
from remit.patients.models import Patient
from remit.protocols.models import ProtocolVersion, TreatmentCourse
from remit.protocols.selectors import protocol_versions_current
from remit.protocols.services import course_create


def open_weekdays(clinic: Clinic, opens: int = 8, closes: int = 18) -> None:
    OpeningHours.objects.bulk_create(
        OpeningHours(clinic=clinic, weekday=day, opens_at=time(opens), closes_at=time(closes))
        for day in range(5)
    )


def equip(clinic: Clinic, chairs: int = 2, rooms: int = 1, devices: int = 1) -> list[Resource]:
    rows = (
        [(ResourceKind.INFUSION_CHAIR, f"Chair {n}") for n in range(1, chairs + 1)]
        + [(ResourceKind.ESKETAMINE_ROOM, f"Esketamine room {n}") for n in range(1, rooms + 1)]
        + [(ResourceKind.TMS_DEVICE, f"TMS device {n}") for n in range(1, devices + 1)]
    )
    return [Resource.objects.create(clinic=clinic, kind=kind, name=name) for kind, name in rows]


def version(clinic: Clinic, code: str) -> ProtocolVersion:
    return next(v for v in protocol_versions_current(clinic) if v.code == code)


def new_course(
    patient: Patient, by: StaffUser, code: str = "iv-ketamine-induction", phase: str = "induction"
) -> TreatmentCourse:
    return course_create(patient=patient, version=version(patient.clinic, code), phase=phase, by=by)


def access_objects(cast: object) -> dict[str, int]:
    """Objects of the cast's first clinic for the route walkers, made once per cast: a course
    with one booked session, a clinic version of a protocol, staff hours and a planner run."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from remit.protocols.services import protocol_change
    from remit.scheduling.models import PlannerRun, StaffHours
    from remit.scheduling.services import appointment_book

    cached: dict[str, int] | None = getattr(cast, "_scheduling_objects", None)
    if cached is not None:
        return cached
    clinic = cast.clinic  # type: ignore[attr-defined]
    if not OpeningHours.objects.filter(clinic=clinic).exists():
        open_weekdays(clinic)
    chair = Resource.objects.create(
        clinic=clinic, kind=ResourceKind.INFUSION_CHAIR, name="Access chair"
    )
    course = new_course(cast.patient, cast.prescriber)  # type: ignore[attr-defined]
    start = datetime(2031, 3, 6, 10, tzinfo=ZoneInfo(clinic.time_zone))
    appointment = appointment_book(
        patient=course.patient,
        resource=chair,
        start=start,
        end=start + timedelta(minutes=130),
        by=cast.nurse,  # type: ignore[attr-defined]
        course=course,
        phase="induction",
        session_number=1,
    )
    changed = protocol_change(
        version=version(clinic, "im-ketamine"),
        clinic=clinic,
        changes={"session.observation_min": 100},
        reason="Clinic policy: longer observation",
        by=cast.prescriber,  # type: ignore[attr-defined]
    )
    hours = StaffHours.objects.create(
        clinic=clinic,
        staff=cast.nurse,  # type: ignore[attr-defined]
        weekday=1,
        starts_at=time(8),
        ends_at=time(18),
    )
    run = PlannerRun.objects.create(
        clinic=clinic, first_day=start.date(), last_day=start.date(), status="done"
    )
    cached = {
        "patient_id": cast.patient.pk,  # type: ignore[attr-defined]
        "course_id": course.pk,
        "appointment_id": appointment.pk,
        "version_id": changed.pk,
        "hours_id": hours.pk,
        "run_id": run.pk,
        "resource_id": chair.pk,
    }
    cast._scheduling_objects = cached  # type: ignore[attr-defined]
    return cached
