"""Booking, moving and cancelling appointments, and booking whole series with the planner.

No double-booking, ever: every booking goes through ``appointment_book``, which checks for an
overlapping appointment that holds the same resource, staff member or patient inside its own
transaction and then inserts. On SQLite the transaction begins IMMEDIATE (see settings), so two
bookings are serialised and the second sees the first. On PostgreSQL exclusion constraints
(migration 0003) refuse the second of two racing inserts; the refusal becomes ``SlotTaken``.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from remit.accounts.models import StaffUser
from remit.clinics.models import Clinic
from remit.clinics.models import Resource as ResourceRow
from remit.core.audit import audit_record
from remit.core.models import AuditAction
from remit.patients.models import Patient
from remit.protocols.definitions import Protocol, StaffRole
from remit.protocols.models import TreatmentCourse
from remit.protocols.selectors import course_session_count, protocol_of
from remit.protocols.transitions import CourseStatus
from remit.scheduling.availability import (
    DEFAULT_PATIENTS_PER_STAFF,
    CandidateSlot,
    next_valid_slots,
    spacing_violations,
    weekly_ranges,
    zone_of,
)
from remit.scheduling.models import (
    Appointment,
    AppointmentStatusChange,
    PatientAvailability,
    StaffHours,
)
from remit.scheduling.planning import CourseRequest, Plan, Unplaced
from remit.scheduling.selectors import (
    HOLDING,
    clinic_hours,
    clinic_setup,
    course_held_sessions,
    free_one_to_one_staff,
    patient_times,
)
from remit.scheduling.transitions import (
    AppointmentStatus,
    AppointmentTransitionError,
    check_transition,
)

S = AppointmentStatus
# Statuses that show the patient came: the course they belong to becomes active.
ATTENDED = frozenset({S.ARRIVED, S.CHECKED_IN, S.FULFILLED})
# How long before a session its reminder goes out (a clinic policy, not a clinical value).
DEFAULT_REMINDER_LEAD_H = 24
# Time limit for booking one course's series from its page (the page waits for it).
SERIES_TIME_LIMIT_S = 5.0
# Valid starts examined when offering replacements (then thinned to one a day).
REPLACEMENT_SEARCH = 400


class SlotTaken(Exception):
    """The resource, staff member or patient is already booked then (HTTP 409 on the API)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RemsEnrolmentMissing(ValidationError):
    """Esketamine needs the patient enrolled in the REMS before their first dose is booked."""


def _rems_enrolled(patient: Patient) -> bool:
    # The evaluation app owns REMS enrolment; imported here so the two apps stay loosely tied.
    from remit.evaluation.selectors import rems_enrolled

    return bool(rems_enrolled(patient))


def course_protocol(course: TreatmentCourse) -> Protocol:
    """The course's protocol, with its phase stretched to hold any extension: the window grows
    in proportion to the extra sessions, and the count limit allows them."""
    protocol = protocol_of(course.protocol_version)
    if not course.extra_sessions:
        return protocol
    phase = protocol.phase(course.phase)
    total = phase.session_count + course.extra_sessions
    window = math.ceil(phase.spacing.window_days * total / phase.session_count)
    stretched = dataclasses.replace(
        phase,
        max_sessions=max(phase.max_sessions, total),
        spacing=dataclasses.replace(phase.spacing, window_days=window),
    )
    return dataclasses.replace(
        protocol, phases=tuple(stretched if p.code == phase.code else p for p in protocol.phases)
    )


def _audit(appointment: Appointment, by: StaffUser | None, action: str, **detail: object) -> None:
    audit_record(
        action=action,
        actor=by,
        obj=appointment,
        patient_id=appointment.patient_id,
        clinic_id=appointment.clinic_id,
        detail=dict(detail),
    )


def _conflict(
    *,
    resource: ResourceRow,
    patient: Patient,
    staff: StaffUser | None,
    start: datetime,
    end: datetime,
    exclude_id: int | None = None,
) -> str | None:
    overlapping = Appointment.objects.filter(status__in=HOLDING, start__lt=end, end__gt=start)
    if exclude_id is not None:
        overlapping = overlapping.exclude(pk=exclude_id)
    if overlapping.filter(resource=resource).exists():
        return f"{resource.name} is already booked at that time."
    if staff is not None and overlapping.filter(staff=staff).exists():
        return f"{staff.get_full_name() or staff.username} is already booked at that time."
    if overlapping.filter(patient=patient).exists():
        return "The patient already has an appointment at that time."
    return None


def _within_opening_hours(resource: ResourceRow, start: datetime, end: datetime) -> bool:
    hours = clinic_hours(resource.clinic)
    zone = zone_of(hours.time_zone)
    day = start.astimezone(zone).date()
    ranges = weekly_ranges(hours.weekly, day - timedelta(days=1), day + timedelta(days=1), zone)
    return any(r.start <= start and end <= r.end for r in ranges)


def _needs_rems(course: TreatmentCourse | None) -> bool:
    return course is not None and protocol_of(course.protocol_version).requires_rems_enrolment


def _check_rems(patient: Patient, course: TreatmentCourse | None) -> None:
    if _needs_rems(course) and not _rems_enrolled(patient):
        raise RemsEnrolmentMissing(
            {
                "__all__": (
                    "Esketamine cannot be scheduled before the patient is enrolled in the "
                    "Spravato REMS [S71]. Record the enrolment first."
                )
            }
        )


def _reminder_lead() -> timedelta:
    return timedelta(hours=getattr(settings, "REMIT_REMINDER_LEAD_H", DEFAULT_REMINDER_LEAD_H))


def _schedule_reminder(appointment: Appointment) -> None:
    from remit.scheduling.tasks import appointment_reminder_send

    if not appointment.patient.email:
        return
    run_after = max(timezone.now(), appointment.start - _reminder_lead())
    if run_after >= appointment.start:
        return
    appointment_reminder_send.using(run_after=run_after).enqueue(
        appointment.pk, appointment.start.isoformat()
    )


@transaction.atomic
def appointment_book(
    *,
    patient: Patient,
    resource: ResourceRow,
    start: datetime,
    end: datetime,
    by: StaffUser | None,
    course: TreatmentCourse | None = None,
    phase: str = "",
    session_number: int | None = None,
    staff: StaffUser | None = None,
) -> Appointment:
    """Book one appointment; raises ``SlotTaken`` if anything it needs is already booked."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValidationError({"start": "Give the time with its time zone."})
    if end <= start:
        raise ValidationError({"end": "The appointment must end after it starts."})
    if resource.clinic_id != patient.clinic_id or not resource.active:
        raise ValidationError({"resource": "Choose a chair, room or device in use at the clinic."})
    if course is not None and course.patient_id != patient.pk:
        raise ValidationError({"course": "That course belongs to another patient."})
    if course is not None and course.status not in (CourseStatus.PLANNED, CourseStatus.ACTIVE):
        raise ValidationError({"course": f"A {course.status} course takes no new sessions."})
    if staff is not None and staff.clinic_id != patient.clinic_id:
        raise ValidationError({"staff": "Choose a member of this clinic's staff."})
    if not _within_opening_hours(resource, start, end):
        raise ValidationError({"start": "The clinic is not open for the whole appointment."})
    _check_rems(patient, course)
    problem = _conflict(resource=resource, patient=patient, staff=staff, start=start, end=end)
    if problem is not None:
        raise SlotTaken(problem)
    appointment = Appointment(
        clinic_id=patient.clinic_id,
        patient=patient,
        course=course,
        phase=phase,
        session_number=session_number,
        resource=resource,
        staff=staff,
        start=start,
        end=end,
        status=S.BOOKED.value,
        created_by=by,
    )
    # The related rows were just loaded and checked above, so full_clean skips their existence
    # queries (five per booking); the end-after-start constraint was checked above too.
    appointment.full_clean(
        exclude=["clinic", "patient", "course", "resource", "staff", "created_by"],
        validate_constraints=False,
    )
    try:
        # A savepoint, so PostgreSQL's refusal leaves the outer transaction usable.
        with transaction.atomic():
            appointment.save()
    except IntegrityError as error:
        if "no_double_booking" in str(error):
            raise SlotTaken(
                f"{resource.name} was booked by someone else a moment ago; choose another time."
            ) from None
        raise
    AppointmentStatusChange.objects.create(
        appointment=appointment, old_status="", new_status=S.BOOKED.value, changed_by=by
    )
    _audit(
        appointment,
        by,
        AuditAction.CREATE,
        fields=["resource", "start", "end", "status", "course", "staff"],
    )
    _schedule_reminder(appointment)
    return appointment


@transaction.atomic
def appointment_status_change(
    *, appointment: Appointment, new_status: str, by: StaffUser | None, reason: str = ""
) -> Appointment:
    """Move an appointment along the FHIR transition table, with a status-change row."""
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    try:
        target = check_transition(appointment.status, new_status, reason=reason)
    except AppointmentTransitionError as error:
        raise ValidationError({error.field: str(error)}) from None
    old = appointment.status
    appointment.status = target.value
    appointment.save(update_fields=["status"])
    AppointmentStatusChange.objects.create(
        appointment=appointment,
        old_status=old,
        new_status=target.value,
        reason=reason.strip(),
        changed_by=by,
    )
    _audit(appointment, by, AuditAction.CHANGE, fields=["status"], status=target.value)
    if target in ATTENDED and appointment.course_id is not None:
        course = TreatmentCourse.objects.get(pk=appointment.course_id)
        if course.status == CourseStatus.PLANNED:
            from remit.protocols.services import course_status_change

            course_status_change(course=course, new_status=CourseStatus.ACTIVE.value, by=by)
    return appointment


def _phase_protocol(course: TreatmentCourse) -> tuple[Protocol, str]:
    return course_protocol(course), course.phase


def replacement_slots(
    *, appointment: Appointment, count: int = 5, earliest: datetime | None = None
) -> tuple[CandidateSlot, ...]:
    """The next slots where this course session could happen instead, keeping the protocol's
    spacing with the course's other sessions (for a cancelled or to-be-moved session)."""
    if appointment.course_id is None or appointment.course is None:
        return ()
    course = appointment.course
    protocol, phase = _phase_protocol(course)
    kept = [a.start for a in course_held_sessions(course.pk, phase).exclude(pk=appointment.pk)]
    found = _offers(course, protocol, phase, kept, earliest, [appointment.pk], REPLACEMENT_SEARCH)
    # One offer per day (its earliest valid time), so the choice spans days; the day the
    # session was on comes last, as whoever cancelled it is unlikely to want that day again.
    tz = zone_of(course.clinic.time_zone)
    own_day = appointment.start.astimezone(tz).date() if appointment.start else None
    first_per_day: dict[date, CandidateSlot] = {}
    for slot in found:
        first_per_day.setdefault(slot.start.astimezone(tz).date(), slot)
    ordered = sorted(first_per_day.items(), key=lambda item: (item[0] == own_day, item[0]))
    return tuple(slot for _, slot in ordered[:count])


def _offers(
    course: TreatmentCourse,
    protocol: Protocol,
    phase: str,
    kept: Sequence[datetime],
    earliest: datetime | None,
    exclude_ids: Sequence[int],
    count: int,
) -> tuple[CandidateSlot, ...]:
    now = timezone.now()
    first = _next_slot_start(max(now, earliest or now))
    tz = zone_of(course.clinic.time_zone)
    if course.earliest_start is not None:
        not_before = datetime.combine(course.earliest_start, datetime.min.time(), tzinfo=tz)
        first = max(first, not_before)
    first_day = first.astimezone(tz).date()
    window = protocol.phase(phase).spacing.window_days
    setup = clinic_setup(
        course.clinic, first_day, first_day + timedelta(days=window), exclude_ids=exclude_ids
    )
    return next_valid_slots(
        setup,
        protocol,
        phase,
        patient_times(course.patient),
        kept_session_starts=kept,
        earliest=first,
        patient_id=str(course.patient_id),
        count=count,
    )


def _next_slot_start(moment: datetime, slot_min: int = 15) -> datetime:
    moment = moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
    extra = (-moment.minute) % slot_min
    return moment + timedelta(minutes=extra)


def _one_to_one_role(protocol: Protocol) -> StaffRole | None:
    """The staff role booked one-to-one for a session (TMS technician), if any."""
    for need in protocol.staff_needed:
        if not need.on_site_only and DEFAULT_PATIENTS_PER_STAFF.get(need.role) == 1:
            return need.role
    return None


def course_resource(course: TreatmentCourse, resource_id: int | str) -> ResourceRow:
    resource = (
        ResourceRow.objects.select_related("clinic")
        .filter(pk=int(resource_id), clinic_id=course.clinic_id)
        .first()
    )
    if resource is None:
        raise ValidationError({"resource": "Choose a chair, room or device of this clinic."})
    return resource


def course_session_book_at(
    *,
    course: TreatmentCourse,
    protocol: Protocol,
    start: datetime,
    end: datetime,
    resource: ResourceRow,
    number: int,
    by: StaffUser | None,
) -> Appointment:
    role = _one_to_one_role(protocol)
    staff = free_one_to_one_staff(course.clinic, role, start, end) if role else None
    return appointment_book(
        patient=course.patient,
        resource=resource,
        start=start,
        end=end,
        by=by,
        course=course,
        phase=course.phase,
        session_number=number,
        staff=staff,
    )


@transaction.atomic
def course_session_book(
    *,
    course: TreatmentCourse,
    start: datetime,
    by: StaffUser | None,
    resource_id: int | None = None,
    session_number: int | None = None,
    replacing: Appointment | None = None,
) -> Appointment:
    """Book one session of a course at ``start``, only if the time keeps the protocol's spacing
    and fits the clinic's hours, staff and the patient's times."""
    course = TreatmentCourse.objects.select_related("clinic", "patient", "protocol_version").get(
        pk=course.pk
    )
    protocol, phase = _phase_protocol(course)
    held = list(course_held_sessions(course.pk, phase))
    if replacing is not None:
        held = [a for a in held if a.pk != replacing.pk]
    number = session_number
    if number is None:
        if len(held) >= course_session_count(course):
            raise ValidationError(
                {"start": "Every session of this phase is booked; extend the course first."}
            )
        taken = {a.session_number for a in held}
        number = next(n for n in range(1, len(held) + 2) if n not in taken)
    elif any(a.session_number == number for a in held):
        raise ValidationError({"start": f"Session {number} is already booked."})
    end = start + timedelta(minutes=protocol.session.occupancy_min)
    if (
        Appointment.objects.filter(
            patient_id=course.patient_id, status__in=HOLDING, start__lt=end, end__gt=start
        )
        .exclude(pk__in=[replacing.pk] if replacing is not None else [])
        .exists()
    ):
        raise SlotTaken("The patient already has an appointment at that time.")
    violations = spacing_violations(
        protocol.phase(phase),
        [*(a.start for a in held), start],
        time_zone=course.clinic.time_zone,
        occupancy_min=protocol.session.occupancy_min,
    )
    if violations:
        raise ValidationError({"start": "; ".join(v.message for v in violations)})
    offered = _slots_at(course, protocol, phase, held, start, exclude=replacing)
    if not offered:
        raise ValidationError(
            {
                "start": "That time is outside opening hours, staff cover or the patient's "
                "times, or no chair, room or device of the right kind is free."
            }
        )
    resource = course_resource(
        course, resource_id if resource_id is not None else offered[0].resource_id
    )
    return course_session_book_at(
        course=course,
        protocol=protocol,
        start=start,
        end=end,
        resource=resource,
        number=number,
        by=by,
    )


def _slots_at(
    course: TreatmentCourse,
    protocol: Protocol,
    phase: str,
    held: Sequence[Appointment],
    start: datetime,
    *,
    exclude: Appointment | None,
) -> tuple[CandidateSlot, ...]:
    tz = zone_of(course.clinic.time_zone)
    day = start.astimezone(tz).date()
    setup = clinic_setup(
        course.clinic, day, day, exclude_ids=[exclude.pk] if exclude is not None else []
    )
    found = next_valid_slots(
        setup,
        protocol,
        phase,
        patient_times(course.patient),
        kept_session_starts=[a.start for a in held],
        earliest=start,
        patient_id=str(course.patient_id),
        count=1,
        search_days=0,
    )
    return tuple(s for s in found if s.start == start)


@transaction.atomic
def appointment_cancel(
    *, appointment: Appointment, reason: str, by: StaffUser | None
) -> Appointment:
    return appointment_status_change(
        appointment=appointment, new_status=S.CANCELLED.value, reason=reason, by=by
    )


@transaction.atomic
def appointment_replace(
    *,
    appointment: Appointment,
    start: datetime,
    by: StaffUser | None,
    resource_id: int | None = None,
    reason: str = "",
) -> Appointment:
    """Move a course session to ``start``: cancel it (if it still holds its slot) and book the
    same session number there, re-checking the spacing. Both happen or neither does."""
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("course", "course__clinic", "course__protocol_version", "patient")
        .get(pk=appointment.pk)
    )
    if appointment.course_id is None or appointment.course is None:
        raise ValidationError({"start": "Only course sessions can be moved here."})
    if appointment.status in HOLDING:
        if appointment.status not in (S.BOOKED, S.PENDING, S.PROPOSED):
            raise ValidationError({"start": "A session that has begun cannot be moved."})
        appointment_cancel(appointment=appointment, reason=reason.strip() or "Rescheduled", by=by)
    elif appointment.status not in (S.CANCELLED, S.NOSHOW):
        raise ValidationError({"start": "This appointment cannot be replaced."})
    return course_session_book(
        course=appointment.course,
        start=start,
        by=by,
        resource_id=resource_id,
        session_number=appointment.session_number,
        replacing=appointment,
    )


@dataclass(frozen=True)
class SeriesOutcome:
    appointments: tuple[Appointment, ...]
    unplaced: tuple[Unplaced, ...]
    plan: Plan | None = None

    @property
    def booked(self) -> bool:
        return bool(self.appointments) and not self.unplaced


def _series_first_day(course: TreatmentCourse, first_day: date | None) -> date:
    tz = zone_of(course.clinic.time_zone)
    tomorrow = timezone.now().astimezone(tz).date() + timedelta(days=1)
    return max(d for d in (tomorrow, course.earliest_start, first_day) if d is not None)


@transaction.atomic
def series_book(
    *,
    course: TreatmentCourse,
    by: StaffUser | None,
    first_day: date | None = None,
    time_limit_s: float = SERIES_TIME_LIMIT_S,
) -> SeriesOutcome:
    """Book every session of the course's phase still unbooked, in one step.

    With nothing booked yet, the planner (CP-SAT, greedy baseline) places the whole series over
    the clinic's real resources, staff and bookings; a series that does not fit is explained
    (which constraint) and nothing is booked. Sessions added later (an extension, a
    replacement) are placed one by one at the next slot that keeps the spacing.
    """
    course = TreatmentCourse.objects.select_related("clinic", "patient", "protocol_version").get(
        pk=course.pk
    )
    if course.status not in (CourseStatus.PLANNED, CourseStatus.ACTIVE):
        raise ValidationError({"__all__": f"A {course.status} course takes no new sessions."})
    protocol, phase = _phase_protocol(course)
    held = list(course_held_sessions(course.pk, phase))
    total = course_session_count(course)
    if len(held) >= total:
        raise ValidationError({"__all__": "Every session of this phase is already booked."})
    _check_rems(course.patient, course)
    start_day = _series_first_day(course, first_day)
    if held:
        return _book_remaining(course, protocol, phase, held, total, by)
    # Imported here: the planner loads ortools and pandas, which no other booking path needs.
    from remit.scheduling.planner import plan_courses

    window = protocol.phase(phase).spacing.window_days
    last_day = start_day + timedelta(days=window + 6)
    request = CourseRequest(
        course_id=str(course.pk),
        patient_id=str(course.patient_id),
        protocol=protocol,
        phase_code=phase,
        patient=patient_times(course.patient),
        earliest_start=start_day,
        session_count=total,
    )
    plan = plan_courses(
        clinic_setup(course.clinic, start_day, last_day),
        [request],
        first_day=start_day,
        last_day=last_day,
        time_limit_s=time_limit_s,
    )
    if plan.unplaced:
        return SeriesOutcome((), plan.unplaced, plan)
    booked = tuple(
        course_session_book_at(
            course=course,
            protocol=protocol,
            start=s.start,
            end=s.end,
            resource=course_resource(course, s.resource_id),
            number=s.number,
            by=by,
        )
        for s in plan.sessions
    )
    return SeriesOutcome(booked, (), plan)


def _book_remaining(
    course: TreatmentCourse,
    protocol: Protocol,
    phase: str,
    held: list[Appointment],
    total: int,
    by: StaffUser | None,
) -> SeriesOutcome:
    booked: list[Appointment] = []
    taken = {a.session_number for a in held}
    numbers = [n for n in range(1, total + len(held) + 1) if n not in taken][: total - len(held)]
    for number in numbers:
        sessions = [*held, *booked]
        last = max(a.end for a in sessions)
        offers = _offers(course, protocol, phase, [a.start for a in sessions], last, [], 1)
        if not offers:
            return SeriesOutcome(
                tuple(booked),
                (
                    Unplaced(
                        str(course.pk),
                        "spacing",
                        f"no slot keeps the protocol's spacing for session {number} within "
                        f"{protocol.phase(phase).spacing.window_days} days of the first",
                    ),
                ),
            )
        slot = offers[0]
        booked.append(
            course_session_book_at(
                course=course,
                protocol=protocol,
                start=slot.start,
                end=slot.end,
                resource=course_resource(course, slot.resource_id),
                number=number,
                by=by,
            )
        )
    return SeriesOutcome(tuple(booked), ())


@transaction.atomic
def course_future_sessions_cancel(
    *, course: TreatmentCourse, reason: str, by: StaffUser | None
) -> int:
    """Cancel the course's sessions that have not started (when the course is stopped)."""
    upcoming = Appointment.objects.filter(
        course=course,
        status__in=[S.BOOKED.value, S.PENDING.value, S.PROPOSED.value],
        start__gt=timezone.now(),
    )
    count = 0
    for appointment in upcoming:
        appointment_cancel(appointment=appointment, reason=reason[:500], by=by)
        count += 1
    return count


@transaction.atomic
def patient_availability_set(
    *,
    patient: Patient,
    weekdays: Sequence[int],
    available: tuple[time, time],
    preferred: tuple[time, time] | None,
    by: StaffUser,
) -> list[PatientAvailability]:
    """Replace the patient's weekly times: available on ``weekdays`` in one window, with an
    optional preferred window inside it."""
    start, end = available
    if not weekdays:
        raise ValidationError({"weekdays": "Choose at least one day."})
    if end <= start:
        raise ValidationError({"available_to": "The window must end after it starts."})
    if preferred is not None:
        p_start, p_end = preferred
        if p_end <= p_start:
            raise ValidationError(
                {"preferred_to": "The preferred window must end after it starts."}
            )
        if p_start < start or p_end > end:
            raise ValidationError(
                {"preferred_from": "The preferred window must lie inside the available one."}
            )
    PatientAvailability.objects.filter(patient=patient).delete()
    rows = []
    for day in sorted(set(weekdays)):
        rows.append(PatientAvailability(patient=patient, weekday=day, starts_at=start, ends_at=end))
        if preferred is not None:
            rows.append(
                PatientAvailability(
                    patient=patient,
                    weekday=day,
                    starts_at=preferred[0],
                    ends_at=preferred[1],
                    preferred=True,
                )
            )
    # The patient is loaded and both windows were checked to end after they start above.
    for row in rows:
        row.full_clean(exclude=["patient"], validate_constraints=False)
    created = PatientAvailability.objects.bulk_create(rows)
    audit_record(
        action=AuditAction.CHANGE,
        actor=by,
        obj=patient,
        patient_id=patient.pk,
        clinic_id=patient.clinic_id,
        detail={"fields": ["availability"]},
    )
    return created


@transaction.atomic
def staff_hours_add(
    *,
    clinic: Clinic,
    staff: StaffUser,
    weekdays: Sequence[int],
    starts_at: time,
    ends_at: time,
    by: StaffUser,
) -> list[StaffHours]:
    if staff.clinic_id != clinic.pk:
        raise ValidationError({"staff": "Choose a member of this clinic's staff."})
    if not weekdays:
        raise ValidationError({"weekdays": "Choose at least one day."})
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": "Working hours must end after they start."})
    existing = StaffHours.objects.filter(staff=staff, weekday__in=weekdays)
    for row in existing:
        if row.starts_at < ends_at and starts_at < row.ends_at:
            raise ValidationError(
                {
                    "starts_at": f"These hours overlap {row.get_weekday_display()} "
                    f"{row.starts_at:%H:%M}-{row.ends_at:%H:%M} already entered."
                }
            )
    rows = [
        StaffHours(clinic=clinic, staff=staff, weekday=d, starts_at=starts_at, ends_at=ends_at)
        for d in sorted(set(weekdays))
    ]
    # Clinic and staff are loaded and the hours were checked to end after they start above.
    for row in rows:
        row.full_clean(exclude=["clinic", "staff"], validate_constraints=False)
    created = StaffHours.objects.bulk_create(rows)
    audit_record(
        action=AuditAction.CREATE,
        actor=by,
        obj=staff,
        clinic_id=clinic.pk,
        detail={"fields": ["working_hours"], "days": len(rows)},
    )
    return created


@transaction.atomic
def staff_hours_delete(*, hours: StaffHours, by: StaffUser) -> None:
    audit_record(
        action=AuditAction.DELETE,
        actor=by,
        obj=hours,
        clinic_id=hours.clinic_id,
        detail={"fields": ["working_hours"]},
    )
    hours.delete()


CALENDAR_LINK_DAYS = 365


def patient_calendar_link_issue(*, patient: Patient, by: StaffUser) -> str:
    """A signed link to the patient's own appointment feed (times and the clinic's name only)."""
    from remit.portal.models import LinkPurpose
    from remit.portal.services import link_issue

    _, token = link_issue(
        patient=patient,
        purpose=LinkPurpose.CALENDAR,
        lifetime=timedelta(days=CALENDAR_LINK_DAYS),
        single_use=False,
        by=by,
    )
    return token
