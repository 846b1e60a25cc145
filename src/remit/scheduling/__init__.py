"""Appointments, availability and the series/clinic planner (pure parts).

The re-exports load on first use: Django imports this package for the models of every command,
and the planner pulls in ortools and pandas (~250 ms), which only planning needs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from remit.scheduling.availability import (
        Booking,
        CandidateSlot,
        ClinicHours,
        ClinicSetup,
        PatientTimes,
        Resource,
        StaffMember,
        WeeklyWindow,
        candidate_slots,
        next_valid_slots,
        spacing_violations,
    )
    from remit.scheduling.planner import plan_courses
    from remit.scheduling.planning import CourseRequest, Plan, PlannedSession, Unplaced
    from remit.scheduling.transitions import AppointmentStatus, check_transition

_HOME = {
    "Booking": "availability",
    "CandidateSlot": "availability",
    "ClinicHours": "availability",
    "ClinicSetup": "availability",
    "PatientTimes": "availability",
    "Resource": "availability",
    "StaffMember": "availability",
    "WeeklyWindow": "availability",
    "candidate_slots": "availability",
    "next_valid_slots": "availability",
    "spacing_violations": "availability",
    "plan_courses": "planner",
    "CourseRequest": "planning",
    "Plan": "planning",
    "PlannedSession": "planning",
    "Unplaced": "planning",
    "AppointmentStatus": "transitions",
    "check_transition": "transitions",
}

__all__ = [
    "AppointmentStatus",
    "Booking",
    "CandidateSlot",
    "ClinicHours",
    "ClinicSetup",
    "CourseRequest",
    "PatientTimes",
    "Plan",
    "PlannedSession",
    "Resource",
    "StaffMember",
    "Unplaced",
    "WeeklyWindow",
    "candidate_slots",
    "check_transition",
    "next_valid_slots",
    "plan_courses",
    "spacing_violations",
]


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
