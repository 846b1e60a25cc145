"""The chart's "Course" tab: the patient's treatment courses, their sessions and the booking
action. Shown to everyone who opens the chart; what it holds depends on the role (schedulers
see protocols and dates, clinical staff also doses and reasons)."""

from __future__ import annotations

from typing import Any

from remit.core.access import user_can
from remit.core.extensions import ChartTab
from remit.core.http import StaffRequest
from remit.core.roles import Capability
from remit.patients.models import Patient
from remit.protocols.selectors import course_progress, courses_for_patient, protocol_of


def _course_tab(request: StaffRequest, patient: Patient) -> dict[str, Any]:
    user = request.user
    allowed = user_can(user, Capability.VIEW_CLINICAL) or user_can(user, Capability.MANAGE_SCHEDULE)
    rows = []
    if allowed:
        for course in courses_for_patient(patient):
            protocol = protocol_of(course.protocol_version)
            progress = course_progress(course)
            rows.append(
                {
                    "course": course,
                    "phase": protocol.phase(course.phase),
                    "sessions": list(course.appointments.all()),
                    "held": progress.held,
                    "total": progress.total,
                }
            )
    own = patient.clinic_id == user.clinic_id
    return {
        "course_rows": rows,
        "course_allowed": allowed,
        "can_plan": own and user_can(user, Capability.SIGN_CLINICAL),
        "can_book": own and user_can(user, Capability.MANAGE_SCHEDULE),
    }


TABS = [
    ChartTab(
        "course",
        "Course",
        40,
        Capability.VIEW_DEMOGRAPHICS,
        "protocols/_tab_course.html",
        _course_tab,
    ),
]
