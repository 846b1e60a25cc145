"""Scheduling operations of the JSON API; the same selectors and services as the pages.

A booking that collides with another (the same chair, room, device, one-to-one staff member or
patient at an overlapping time) is refused with 409 and a message saying what is taken.
"""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from remit.api import ErrorPublic, staff_auth, staff_user
from remit.core.access import user_can
from remit.core.roles import Capability
from remit.protocols.selectors import course_get_for_staff
from remit.scheduling.models import Appointment
from remit.scheduling.selectors import calendar_appointments, zone
from remit.scheduling.services import SlotTaken, course_session_book

API_PREFIX = "/scheduling"
router = Router(auth=staff_auth, tags=["scheduling"])
ERRORS = {401: ErrorPublic, 403: ErrorPublic, 404: ErrorPublic, 409: ErrorPublic, 422: ErrorPublic}


class AppointmentPublic(Schema):
    id: int
    patient_id: int | None
    course_id: int | None
    phase: str
    session_number: int | None
    resource_id: int
    resource_name: str
    staff_id: int | None
    start: datetime
    end: datetime
    status: str


def _public(appointment: Appointment, *, with_patient: bool) -> AppointmentPublic:
    return AppointmentPublic(
        id=appointment.pk,
        patient_id=appointment.patient_id if with_patient else None,
        course_id=appointment.course_id,
        phase=appointment.phase,
        session_number=appointment.session_number,
        resource_id=appointment.resource_id,
        resource_name=appointment.resource.name,
        staff_id=appointment.staff_id,
        start=appointment.start,
        end=appointment.end,
        status=appointment.status,
    )


class DayQuery(Schema):
    day: date | None = Field(None, description="Local day in the clinic's time zone; today.")
    resource_id: int | None = Field(None, ge=1, le=2**31 - 1)


@router.get("/appointments", response={200: list[AppointmentPublic], **ERRORS})
def list_appointments(request: HttpRequest, query: Query[DayQuery]) -> list[AppointmentPublic]:
    user = staff_user(request, Capability.VIEW_CALENDAR)
    clinic = user.home_clinic
    day = query.day or timezone.now().astimezone(zone(clinic)).date()
    if not date(2000, 1, 1) <= day <= date(2100, 12, 31):
        raise ValidationError({"day": "Give a day between 2000 and 2100."})
    rows = calendar_appointments(
        clinic=clinic, first_day=day, last_day=day, resource_id=query.resource_id
    )
    with_patient = user_can(user, Capability.VIEW_DEMOGRAPHICS)
    return [_public(a, with_patient=with_patient) for a in rows]


class SessionBook(Schema):
    start: datetime | None = Field(None, description="Start with its UTC offset.")
    resource_id: int | None = Field(None, ge=1, le=2**31 - 1)


@router.post("/courses/{course_id}/appointments", response={201: AppointmentPublic, **ERRORS})
def book_session(
    request: HttpRequest, course_id: int, payload: SessionBook
) -> Status[AppointmentPublic]:
    """Book the course's next session at ``start`` (409 if anything it needs is taken)."""
    user = staff_user(request, Capability.MANAGE_SCHEDULE)
    course = course_get_for_staff(user=user, course_id=course_id)
    if course.clinic_id != user.clinic_id:
        raise PermissionDenied
    if payload.start is None or payload.start.tzinfo is None:
        raise ValidationError({"start": "Give the start with its UTC offset."})
    if not date(2000, 1, 1) <= payload.start.date() <= date(2100, 12, 31):
        raise ValidationError({"start": "Give a start between 2000 and 2100."})
    try:
        appointment = course_session_book(
            course=course, start=payload.start, resource_id=payload.resource_id, by=user
        )
    except SlotTaken as error:
        raise HttpError(409, error.message) from None
    return Status(201, _public(appointment, with_patient=True))
