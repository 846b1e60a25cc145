"""Reads of protocol versions and treatment courses, scoped to what the asking staff may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from remit.accounts.models import StaffUser
from remit.clinics.models import Clinic
from remit.patients.models import Patient
from remit.patients.selectors import patients_visible_to
from remit.protocols.definitions import Protocol, load_protocol
from remit.protocols.models import CourseStatusChange, ProtocolVersion, TreatmentCourse

_ProtocolKey = tuple[int, str, int, datetime]
# Per key, the definition the protocol was parsed from and the parsed protocol.
_PROTOCOLS: dict[_ProtocolKey, tuple[Any, Protocol]] = {}
_PROTOCOLS_MAX = 256


def protocol_of(version: ProtocolVersion) -> Protocol:
    """The validated protocol a version row stores. A stored row is frozen (a change is a new
    version), so the row's identity keys the cache: serialising the definition to build a key
    cost more than the lookup saved. A definition that fails validation raises every time."""
    if version.pk is None or version.created_at is None:
        return load_protocol(version.definition)
    key = (version.pk, version.code, version.version, version.created_at)
    held = _PROTOCOLS.get(key)
    # A rolled-back transaction (a test, under a frozen clock) can hand the same key to another
    # definition; comparing the dicts is ~25x cheaper than the json.dumps key it replaces.
    if held is not None and held[0] == version.definition:
        return held[1]
    protocol = load_protocol(version.definition)
    if len(_PROTOCOLS) >= _PROTOCOLS_MAX:
        _PROTOCOLS.clear()
    _PROTOCOLS[key] = (version.definition, protocol)
    return protocol


def protocol_versions_for(clinic: Clinic | int) -> QuerySet[ProtocolVersion]:
    """Every version a clinic may use or read: the shipped library and its own versions."""
    clinic_id = clinic if isinstance(clinic, int) else clinic.pk
    return ProtocolVersion.objects.filter(Q(clinic__isnull=True) | Q(clinic_id=clinic_id))


def protocol_versions_current(clinic: Clinic | int) -> list[ProtocolVersion]:
    """The version a new course starts on, per protocol code: the clinic's own latest version
    if it has changed the protocol, else the library's latest."""
    from remit.protocols.services import protocol_library_ensure

    protocol_library_ensure()
    current: dict[str, ProtocolVersion] = {}
    for version in protocol_versions_for(clinic).order_by("code", "version"):
        held = current.get(version.code)
        if held is None or version.clinic_id is not None or held.clinic_id is None:
            current[version.code] = version
    return sorted(current.values(), key=lambda v: v.title)


def protocol_version_get(*, user: StaffUser, version_id: int) -> ProtocolVersion:
    version = protocol_versions_for(user.home_clinic_id).filter(pk=version_id).first()
    if version is None:
        raise Http404("No such protocol")
    return version


def protocol_version_is_current(version: ProtocolVersion, clinic: Clinic | int) -> bool:
    return any(v.pk == version.pk for v in protocol_versions_current(clinic))


def _course_appointments() -> Prefetch[str]:
    from remit.scheduling.models import Appointment

    return Prefetch(
        "appointments",
        queryset=Appointment.objects.select_related("resource", "staff").order_by("start", "id"),
    )


def courses_for_patient(patient: Patient) -> QuerySet[TreatmentCourse]:
    return (
        TreatmentCourse.objects.filter(patient=patient)
        .select_related("protocol_version")
        .prefetch_related(_course_appointments())
        .order_by("-created_at", "-id")
    )


def course_get_for_staff(*, user: StaffUser, course_id: int) -> TreatmentCourse:
    """The course, or 404 whether it does not exist or its patient is outside the user's scope."""
    course = (
        TreatmentCourse.objects.filter(pk=course_id, patient__in=patients_visible_to(user))
        .select_related("protocol_version", "patient", "patient__clinic", "clinic")
        .prefetch_related(
            _course_appointments(),
            Prefetch("status_changes", queryset=_status_changes()),
        )
        .first()
    )
    if course is None:
        raise Http404("No such course")
    return course


def _status_changes() -> QuerySet[CourseStatusChange]:
    return CourseStatusChange.objects.select_related("changed_by").order_by("changed_at", "id")


def course_session_count(course: TreatmentCourse) -> int:
    """Sessions the course's current phase asks for: the protocol's count plus extensions."""
    phase = protocol_of(course.protocol_version).phase(course.phase)
    return phase.session_count + course.extra_sessions


@dataclass(frozen=True)
class CourseProgress:
    """Sessions of the course's current phase that hold a slot, of how many it asks for."""

    held: int
    total: int

    @property
    def remaining(self) -> int:
        return max(0, self.total - self.held)


def course_progress(course: TreatmentCourse) -> CourseProgress:
    """Reads ``course.appointments.all()``: prefetch them (the course selectors above do)."""
    from remit.scheduling.selectors import HOLDING

    held = sum(
        1 for a in course.appointments.all() if a.phase == course.phase and a.status in HOLDING
    )
    return CourseProgress(held, course_session_count(course))


def planned_unbooked_courses(clinic: Clinic) -> QuerySet[TreatmentCourse]:
    """Planned courses of a clinic that have no appointment holding a slot yet."""
    from remit.scheduling.transitions import HOLDS_RESOURCE

    return (
        TreatmentCourse.objects.filter(clinic=clinic, status="planned")
        .exclude(appointments__status__in=[s.value for s in HOLDS_RESOURCE])
        .select_related("protocol_version", "patient")
        .order_by("created_at", "id")
    )
