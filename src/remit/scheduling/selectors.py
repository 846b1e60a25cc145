"""Reads of appointments and the clinic's planning data, scoped to the asking staff member.

``clinic_setup`` and ``patient_times`` turn the clinic's rows (opening hours, resources, staff
hours, existing bookings, patients' times) into the plain data the pure planner takes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.http import Http404

from remit.accounts.models import StaffUser
from remit.clinics.models import Clinic, OpeningHours
from remit.clinics.models import Resource as ResourceRow
from remit.patients.models import Patient
from remit.patients.selectors import patients_visible_to
from remit.protocols.definitions import ResourceKind, StaffRole
from remit.protocols.selectors import protocol_of
from remit.scheduling.availability import (
    Booking,
    ClinicHours,
    ClinicSetup,
    PatientTimes,
    Resource,
    StaffMember,
    WeeklyWindow,
)
from remit.scheduling.models import Appointment, PatientAvailability, StaffHours
from remit.scheduling.transitions import HOLDS_RESOURCE

HOLDING = tuple(s.value for s in HOLDS_RESOURCE)
PLANNED_KINDS = {kind.value for kind in ResourceKind}
# Who looks after a session booked without a course, by the kind of resource it holds.
DEFAULT_ROLE_BY_KIND = {
    ResourceKind.INFUSION_CHAIR: StaffRole.NURSE,
    ResourceKind.ESKETAMINE_ROOM: StaffRole.NURSE,
    ResourceKind.TMS_DEVICE: StaffRole.TMS_TECHNICIAN,
}
STAFF_ROLES = {role.value for role in StaffRole}
WHOLE_DAY = tuple(WeeklyWindow(day, time(0), time(0)) for day in range(7))


def zone(clinic: Clinic) -> ZoneInfo:
    return ZoneInfo(clinic.time_zone)


def local_day_bounds(clinic: Clinic, day: date) -> tuple[datetime, datetime]:
    """The real instants of local midnight at the start and end of ``day`` (DST-safe)."""
    tz = zone(clinic)
    start = datetime.combine(day, time(0), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    return start, end


def appointments_with_detail() -> QuerySet[Appointment]:
    return Appointment.objects.select_related(
        "patient", "resource", "staff", "course", "course__protocol_version"
    )


def todays_sessions(clinic: Clinic, day: date) -> QuerySet[Appointment]:
    """The day's appointments that hold a slot, with patient, resource, staff and the course's
    protocol version selected (the charting app builds the session at the chair on these)."""
    start, end = local_day_bounds(clinic, day)
    return (
        appointments_with_detail()
        .filter(clinic=clinic, start__lt=end, end__gt=start, status__in=HOLDING)
        .order_by("start", "resource__name", "id")
    )


def calendar_appointments(
    *,
    clinic: Clinic,
    first_day: date,
    last_day: date,
    resource_id: int | None = None,
    staff_id: int | None = None,
) -> QuerySet[Appointment]:
    start, _ = local_day_bounds(clinic, first_day)
    _, end = local_day_bounds(clinic, last_day)
    found = (
        appointments_with_detail()
        .filter(clinic=clinic, start__lt=end, end__gt=start)
        .exclude(status="entered-in-error")
    )
    if resource_id is not None:
        found = found.filter(resource_id=resource_id)
    if staff_id is not None:
        found = found.filter(staff_id=staff_id)
    return found.order_by("start", "resource__name", "id")


def appointment_get_for_staff(*, user: StaffUser, appointment_id: int) -> Appointment:
    """The appointment, or 404 whether it does not exist or is outside the user's clinic."""
    appointment = (
        appointments_with_detail()
        .filter(pk=appointment_id, clinic_id=user.home_clinic_id)
        .prefetch_related("status_changes", "status_changes__changed_by")
        .first()
    )
    if appointment is None:
        raise Http404("No such appointment")
    return appointment


def patient_appointments(patient: Patient) -> QuerySet[Appointment]:
    return appointments_with_detail().filter(patient=patient).order_by("start", "id")


def patient_get_for_scheduling(*, user: StaffUser, patient_id: int) -> Patient:
    patient = patients_visible_to(user).filter(pk=patient_id, clinic_id=user.home_clinic_id).first()
    if patient is None:
        raise Http404("No such patient")
    return patient


def clinic_resources(clinic: Clinic) -> QuerySet[ResourceRow]:
    return ResourceRow.objects.filter(clinic=clinic, active=True).order_by("kind", "name")


def clinic_staff(clinic: Clinic) -> QuerySet[StaffUser]:
    return (
        StaffUser.objects.filter(clinic=clinic, is_active=True, groups__name__in=STAFF_ROLES)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def clinic_hours(clinic: Clinic) -> ClinicHours:
    rows = OpeningHours.objects.filter(clinic=clinic)
    return ClinicHours(
        clinic.time_zone,
        tuple(WeeklyWindow(r.weekday, r.opens_at, r.closes_at) for r in rows),
    )


def _staff_members(clinic: Clinic, hours: ClinicHours) -> tuple[StaffMember, ...]:
    """Staff on duty from their working hours; a clinic that has entered none is assumed to
    have each clinical staff member on duty whenever it is open."""
    staff = list(clinic_staff(clinic).prefetch_related("groups"))
    rows = list(StaffHours.objects.filter(clinic=clinic))
    by_user: dict[int, list[WeeklyWindow]] = {}
    for row in rows:
        by_user.setdefault(row.staff_id, []).append(
            WeeklyWindow(row.weekday, row.starts_at, row.ends_at)
        )
    members = []
    for user in staff:
        names = {g.name for g in user.groups.all()} & STAFF_ROLES
        weekly = tuple(by_user.get(user.pk, [])) if rows else hours.weekly
        for name in sorted(names):
            members.append(StaffMember(str(user.pk), StaffRole(name), weekly))
    return tuple(members)


def _booking_roles(appointment: Appointment) -> tuple[StaffRole, ...]:
    if appointment.course_id is not None and appointment.course is not None:
        protocol = protocol_of(appointment.course.protocol_version)
        return tuple(n.role for n in protocol.staff_needed if not n.on_site_only)
    kind = appointment.resource.kind
    role = DEFAULT_ROLE_BY_KIND.get(ResourceKind(kind)) if kind in PLANNED_KINDS else None
    return (role,) if role is not None else ()


def held_bookings(
    clinic: Clinic, start: datetime, end: datetime, *, exclude_ids: Iterable[int] = ()
) -> list[Appointment]:
    return list(
        Appointment.objects.filter(clinic=clinic, status__in=HOLDING, start__lt=end, end__gt=start)
        .exclude(pk__in=list(exclude_ids))
        .select_related("resource", "course", "course__protocol_version")
    )


def clinic_setup(
    clinic: Clinic, first_day: date, last_day: date, *, exclude_ids: Iterable[int] = ()
) -> ClinicSetup:
    """The clinic as the planner sees it over a period: hours, resources, staff, bookings."""
    hours = clinic_hours(clinic)
    resources = tuple(
        Resource(str(r.pk), ResourceKind(r.kind))
        for r in clinic_resources(clinic)
        if r.kind in PLANNED_KINDS
    )
    start, _ = local_day_bounds(clinic, first_day - timedelta(days=1))
    _, end = local_day_bounds(clinic, last_day + timedelta(days=1))
    bookings = tuple(
        Booking(
            start=a.start,
            end=a.end,
            resource_id=str(a.resource_id),
            patient_id=str(a.patient_id),
            staff_roles=_booking_roles(a),
        )
        for a in held_bookings(clinic, start, end, exclude_ids=exclude_ids)
    )
    return ClinicSetup(
        hours=hours,
        resources=resources,
        staff=_staff_members(clinic, hours),
        bookings=bookings,
    )


def patient_times(patient: Patient) -> PatientTimes:
    """The patient's weekly times; a patient who has given none can come whenever it is open."""
    return _times_from(list(PatientAvailability.objects.filter(patient=patient)))


def patient_times_by_id(patient_ids: Iterable[int]) -> dict[int, PatientTimes]:
    """``patient_times`` for many patients in one query (the planner run and the seed plan
    every waiting course at once)."""
    wanted = set(patient_ids)
    rows: dict[int, list[PatientAvailability]] = {pk: [] for pk in wanted}
    for row in PatientAvailability.objects.filter(patient_id__in=wanted):
        rows[row.patient_id].append(row)
    return {pk: _times_from(found) for pk, found in rows.items()}


def _times_from(rows: list[PatientAvailability]) -> PatientTimes:
    if not rows:
        return PatientTimes(available=WHOLE_DAY)
    return PatientTimes(
        available=tuple(WeeklyWindow(r.weekday, r.starts_at, r.ends_at) for r in rows),
        preferred=tuple(
            WeeklyWindow(r.weekday, r.starts_at, r.ends_at) for r in rows if r.preferred
        ),
    )


def free_one_to_one_staff(
    clinic: Clinic, role: StaffRole, start: datetime, end: datetime
) -> StaffUser | None:
    """A staff member of ``role`` on duty for the whole session and not booked one-to-one
    elsewhere then (TMS technicians look after one patient at a time)."""
    candidates = [u for u in clinic_staff(clinic).filter(groups__name=role.value)]
    if not candidates:
        return None
    busy = set(
        Appointment.objects.filter(
            staff__in=candidates, status__in=HOLDING, start__lt=end, end__gt=start
        ).values_list("staff_id", flat=True)
    )
    rows = list(StaffHours.objects.filter(clinic=clinic))
    tz = zone(clinic)
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    for user in candidates:
        if user.pk in busy:
            continue
        if not rows:
            return user
        for row in rows:
            if (
                row.staff_id == user.pk
                and row.weekday == local_start.weekday()
                and local_end.date() == local_start.date()
                and row.starts_at <= local_start.time()
                and local_end.time() <= row.ends_at
            ):
                return user
    return None


def patient_availability(patient: Patient) -> QuerySet[PatientAvailability]:
    return PatientAvailability.objects.filter(patient=patient).order_by("weekday", "starts_at")


def staff_hours(clinic: Clinic) -> QuerySet[StaffHours]:
    return (
        StaffHours.objects.filter(clinic=clinic)
        .select_related("staff")
        .order_by("staff__last_name", "staff_id", "weekday", "starts_at")
    )


def course_held_sessions(course_id: int, phase: str) -> QuerySet[Appointment]:
    return Appointment.objects.filter(
        course_id=course_id, phase=phase, status__in=HOLDING
    ).order_by("start", "id")
