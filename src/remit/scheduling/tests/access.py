"""Route-walker rows for the scheduling pages and API (see tests/test_access_matrix.py)."""

from __future__ import annotations

from remit.scheduling.tests.helpers import access_objects

ROLES = ("prescriber", "nurse", "tms_tech", "intake", "admin", "researcher", "outsider")


def _only(allowed: set[str], ok: int = 200, anonymous: int = 302, **others: int) -> dict[str, int]:
    table = {role: (ok if role in allowed else 403) for role in ROLES}
    table.update(others)
    table["anonymous"] = anonymous
    return table


def _everyone(status: int) -> dict[str, int]:
    return {role: status for role in (*ROLES, "anonymous")}


CALENDAR = {"prescriber", "nurse", "tms_tech", "intake", "admin"}
SCHEDULERS = {"prescriber", "nurse", "intake"}

PAGES: dict[str, dict[str, int]] = {
    "scheduling:calendar": _only(CALENDAR | {"outsider"}),
    "scheduling:appointment": _only(CALENDAR, outsider=404),
    "scheduling:appointment_status": _everyone(405),
    "scheduling:appointment_replace": _everyone(405),
    "scheduling:availability": _only(SCHEDULERS, outsider=404),
    "scheduling:calendar_link": _everyone(405),
    "scheduling:staff_hours": _only({"admin"}),
    "scheduling:staff_hours_delete": _everyone(405),
    "scheduling:planner": _only(SCHEDULERS | {"outsider"}),
    "scheduling:planner_run": _only(SCHEDULERS, outsider=404),
    # A made-up token: every bad calendar link gets the same 404.
    "scheduling:patient_feed": _everyone(404),
    "scheduling:resource_feed": _only(CALENDAR, outsider=404),
}

# The booking runs once per role in this order against the same course and time: the first
# scheduler books it, the next ones are told the time is taken (409), never a second booking.
API: dict[str, dict[str, int]] = {
    "GET /api/v1/scheduling/appointments": _only(CALENDAR | {"outsider"}, anonymous=401),
    "POST /api/v1/scheduling/courses/{course_id}/appointments": {
        "prescriber": 201,
        "nurse": 409,
        "tms_tech": 403,
        "intake": 409,
        "admin": 403,
        "researcher": 403,
        "outsider": 404,
        "anonymous": 401,
    },
}

API_BODIES = {
    "POST /api/v1/scheduling/courses/{course_id}/appointments": {
        "start": "2031-03-04T10:00:00-05:00"
    },
}

ISOLATION_ROUTES: list[tuple[str, str]] = [
    ("GET", "/schedule/appointments/{appointment_id}/"),
    ("POST", "/schedule/appointments/{appointment_id}/status/"),
    ("POST", "/schedule/appointments/{appointment_id}/replace/"),
    ("GET", "/schedule/patients/{patient_id}/availability/"),
    ("POST", "/schedule/patients/{patient_id}/availability/"),
    ("POST", "/schedule/patients/{patient_id}/calendar-link/"),
    ("GET", "/schedule/planner/{run_id}/"),
    ("POST", "/schedule/staff-hours/{hours_id}/delete/"),
    ("GET", "/schedule/resources/{resource_id}.ics"),
    ("GET", "/schedule/?resource={resource_id}"),
    ("POST", "/api/v1/scheduling/courses/{course_id}/appointments"),
]


def route_values(cast: object) -> dict[str, int]:
    return access_objects(cast)
