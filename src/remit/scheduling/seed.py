"""Demo calendar: staff hours, patients' available times, and every demo course booked over the
clinic's chairs, esketamine rooms and TMS devices by the planner's own first-fit (so the demo
obeys the same rules a real booking does). Sessions already past are fulfilled; later ones are
booked. Courses marked as waiting stay planned for the clinic planner page."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from remit.accounts.models import StaffUser
from remit.accounts.seed import DEMO_PASSWORD
from remit.accounts.services import staff_user_create
from remit.clinics.models import Clinic
from remit.core.audit import AuditEntry, audit_record_many
from remit.core.models import AuditAction
from remit.core.roles import Role
from remit.core.seeding import SeedContext
from remit.protocols.models import CourseStatusChange, TreatmentCourse
from remit.protocols.selectors import course_session_count
from remit.scheduling.models import (
    Appointment,
    AppointmentStatusChange,
    PatientAvailability,
    StaffHours,
)
from remit.scheduling.planning import CourseRequest, PlannedSession
from remit.scheduling.selectors import clinic_setup, patient_times_by_id, zone
from remit.scheduling.services import course_protocol

# Extra demo staff so six chairs and two rooms can run at once (two patients per nurse).
EXTRA_STAFF = [
    ("demo-nurse-2", "Nell", "Nurse", Role.NURSE),
    ("demo-nurse-3", "Nico", "Nurse", Role.NURSE),
    ("demo-nurse-4", "Nadia", "Nurse", Role.NURSE),
    ("demo-tms-2", "Tara", "Technician", Role.TMS_TECHNICIAN),
]
WEEKDAYS = range(5)
# Local hours: (weekday, from, until); the clinic is open 08-18 on weekdays and 09-13 Saturday.
EARLY = [(d, 8, 14) for d in WEEKDAYS] + [(5, 9, 13)]
LATE = [(d, 12, 18) for d in WEEKDAYS]
ALL_DAY = [(d, 8, 18) for d in WEEKDAYS] + [(5, 9, 13)]
SHIFTS = {
    "demo-nurse": ALL_DAY,
    "demo-nurse-2": ALL_DAY,
    "demo-nurse-3": EARLY,
    "demo-nurse-4": LATE,
    "demo-prescriber": ALL_DAY,
    "demo-tms": EARLY,
    "demo-tms-2": LATE,
}


def _staff(context: SeedContext, clinic: Clinic) -> None:
    for username, first, last, role in EXTRA_STAFF:
        if not StaffUser.objects.filter(username=username).exists():
            staff_user_create(
                username=username,
                password=DEMO_PASSWORD,
                clinic=clinic,
                roles=[role],
                first_name=first,
                last_name=last,
                email=f"{username}@example.org",
            )
            context.count("staff", 1)
    if StaffHours.objects.filter(clinic=clinic).exists():
        return
    users = {u.username: u for u in StaffUser.objects.filter(username__in=list(SHIFTS))}
    StaffHours.objects.bulk_create(
        StaffHours(
            clinic=clinic, staff=users[name], weekday=day, starts_at=time(a), ends_at=time(b)
        )
        for name, shifts in SHIFTS.items()
        if name in users
        for day, a, b in shifts
    )


def _availability(context: SeedContext, courses: Sequence[TreatmentCourse]) -> None:
    """Some patients can come only on some days or at some times, and prefer a part of it."""
    rows = []
    for course in courses:
        # Keyed on the MRN (derived from the seed), never on a database id.
        rng = context.rng("availability", course.patient.mrn)
        # Accelerated iTBS fills whole days, so its patients keep every opening hour.
        if rng.random() < 0.4 or course.phase == "accelerated":
            continue
        tms = course.protocol_version.modality == "tms"
        days = list(WEEKDAYS) if tms else sorted(rng.sample(list(WEEKDAYS), rng.randint(3, 5)))
        start, end = rng.choice([(8, 13), (12, 18), (8, 18), (8, 18)])
        liked = rng.randint(start, end - 3)
        for day in days:
            rows.append(
                PatientAvailability(
                    patient_id=course.patient_id,
                    weekday=day,
                    starts_at=time(start),
                    ends_at=time(end),
                )
            )
            rows.append(
                PatientAvailability(
                    patient_id=course.patient_id,
                    weekday=day,
                    starts_at=time(liked),
                    ends_at=time(liked + 3),
                    preferred=True,
                )
            )
    PatientAvailability.objects.bulk_create(rows)


@transaction.atomic
def seed(context: SeedContext) -> None:
    # Imported here: the planner loads ortools and pandas, which importing this module to list
    # the seed steps should not pay for.
    from remit.scheduling.planner import plan_courses

    clinic = context.clinic
    if clinic is None:
        return
    _staff(context, clinic)
    if not context.new_patient_ids:
        return
    courses = list(
        TreatmentCourse.objects.filter(
            clinic=clinic, patient_id__in=context.new_patient_ids, status="planned"
        )
        .select_related("protocol_version", "patient", "clinic")
        .order_by("id")
    )
    _availability(context, courses)
    today = timezone.now().astimezone(zone(clinic)).date()
    booked = [c for c in courses if c.earliest_start is None or c.earliest_start <= today]
    # First-fit places courses in order: the hardest to fit (many sessions a day) go first.
    booked.sort(key=lambda c: (-course_protocol(c).phase(c.phase).spacing.max_per_day, c.pk))
    if not booked:
        return
    times = patient_times_by_id(c.patient_id for c in booked)
    first_day = min(c.earliest_start or today for c in booked)
    last_day = today + timedelta(days=42)
    plan = plan_courses(
        clinic_setup(clinic, first_day, last_day),
        [
            CourseRequest(
                course_id=str(c.pk),
                patient_id=str(c.patient_id),
                protocol=course_protocol(c),
                phase_code=c.phase,
                patient=times[c.patient_id],
                earliest_start=c.earliest_start,
                session_count=course_session_count(c),
            )
            for c in booked
        ],
        first_day=first_day,
        last_day=last_day,
        method="greedy",
    )
    _store(context, clinic, {str(c.pk): c for c in booked}, plan.sessions)


def _technicians(clinic: Clinic) -> list[StaffUser]:
    return list(
        StaffUser.objects.filter(clinic=clinic, groups__name=Role.TMS_TECHNICIAN.value).order_by(
            "id"
        )
    )


def _store(
    context: SeedContext,
    clinic: Clinic,
    courses: dict[str, TreatmentCourse],
    sessions: Sequence[PlannedSession],
) -> None:
    now = timezone.now()
    nurse = context.staff.get("nurse")
    techs = _technicians(clinic)
    busy: dict[int, list[tuple[datetime, datetime]]] = {t.pk: [] for t in techs}
    appointments = []
    for s in sessions:
        course = courses[s.course_id]
        staff = None
        if course.protocol_version.modality == "tms":
            # TMS technicians run one session at a time; the first free one takes it.
            for tech in techs:
                if all(e <= s.start or s.end <= b for b, e in busy[tech.pk]):
                    busy[tech.pk].append((s.start, s.end))
                    staff = tech
                    break
        appointments.append(
            Appointment(
                clinic=clinic,
                patient_id=course.patient_id,
                course=course,
                phase=course.phase,
                session_number=s.number,
                resource_id=int(s.resource_id),
                staff=staff,
                start=s.start,
                end=s.end,
                status="fulfilled" if s.end <= now else "booked",
                created_by=nurse,
            )
        )
    created = Appointment.objects.bulk_create(appointments, batch_size=500)
    changes = []
    for a in created:
        changes.append(AppointmentStatusChange(appointment=a, new_status="booked"))
        if a.status == "fulfilled":
            changes.append(
                AppointmentStatusChange(
                    appointment=a, old_status="booked", new_status="arrived", changed_by=nurse
                )
            )
            changes.append(
                AppointmentStatusChange(
                    appointment=a, old_status="arrived", new_status="fulfilled", changed_by=nurse
                )
            )
    AppointmentStatusChange.objects.bulk_create(changes, batch_size=1000)
    started = {a.course_id: a.start for a in sorted(created, key=lambda a: a.start, reverse=True)}
    active = [c for c in courses.values() if c.pk in started and started[c.pk] <= now]
    for course in active:
        course.status = "active"
        course.started_at = started[course.pk]
    TreatmentCourse.objects.bulk_update(active, ["status", "started_at"])
    CourseStatusChange.objects.bulk_create(
        CourseStatusChange(course=c, old_status="planned", new_status="active", changed_by=nurse)
        for c in active
    )
    audit_record_many(
        [
            AuditEntry(
                action=AuditAction.CREATE,
                clinic_id=clinic.pk,
                patient_id=a.patient_id,
                object_type=Appointment._meta.label,
                object_id=str(a.pk),
                detail={"fields": ["resource", "start", "end", "status"], "source": "seed"},
            )
            for a in created
        ],
        actor=nurse,
    )
    context.count("appointments", len(created))
