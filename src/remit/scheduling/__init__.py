"""Appointments, availability and the series/clinic planner (pure parts)."""

from __future__ import annotations

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
