"""Route-walker rows for protocol and treatment-course pages (see tests/test_access_matrix.py)."""

from __future__ import annotations

from remit.scheduling.tests.helpers import access_objects

ROLES = ("prescriber", "nurse", "tms_tech", "intake", "admin", "researcher", "outsider")
CLINICAL = {"prescriber", "nurse", "tms_tech"}


def _only(allowed: set[str], ok: int = 200, **others: int) -> dict[str, int]:
    table = {role: (ok if role in allowed else 403) for role in ROLES}
    table.update(others)
    table["anonymous"] = 302
    return table


def _everyone(status: int) -> dict[str, int]:
    return {role: status for role in (*ROLES, "anonymous")}


PAGES: dict[str, dict[str, int]] = {
    "protocols:list": _only(CLINICAL | {"outsider"}),
    "protocols:detail": _only(CLINICAL, outsider=404),
    "protocols:edit": _only({"prescriber"}, outsider=404),
    "protocols:course_new": _only({"prescriber"}, outsider=404),
    # Schedulers see the course's protocol and dates; clinical staff also its doses.
    "protocols:course": _only(CLINICAL | {"intake"}, outsider=404),
    "protocols:course_book": _everyone(405),
    "protocols:course_extend": _everyone(405),
    "protocols:course_status": _everyone(405),
    "protocols:course_phase": _everyone(405),
}
API: dict[str, dict[str, int]] = {}

ISOLATION_ROUTES: list[tuple[str, str]] = [
    ("GET", "/protocols/{version_id}/"),
    ("GET", "/protocols/{version_id}/edit/"),
    ("POST", "/protocols/{version_id}/edit/"),
    ("GET", "/protocols/courses/new/{patient_id}/"),
    ("POST", "/protocols/courses/new/{patient_id}/"),
    ("GET", "/protocols/courses/{course_id}/"),
    ("POST", "/protocols/courses/{course_id}/book/"),
    ("POST", "/protocols/courses/{course_id}/extend/"),
    ("POST", "/protocols/courses/{course_id}/status/"),
    ("POST", "/protocols/courses/{course_id}/phase/"),
]


def route_values(cast: object) -> dict[str, int]:
    return access_objects(cast)
