"""Rows for the route walkers (tests/test_access_matrix.py, tests/test_isolation.py)."""

from __future__ import annotations

from typing import Any

ROLES = ("prescriber", "nurse", "tms_tech", "intake", "admin", "researcher", "outsider")


def _only(allowed: set[str], *, outsider: int | None = None) -> dict[str, int]:
    table = {role: (200 if role in allowed else 403) for role in ROLES}
    if outsider is not None:
        table["outsider"] = outsider
    table["anonymous"] = 302
    return table


def _everyone(status: int) -> dict[str, int]:
    return {role: status for role in (*ROLES, "anonymous")}


PAGES: dict[str, dict[str, int]] = {
    # Public pages: no login for anyone.
    "intake:screen": _everyone(200),
    "intake:request": _everyone(200),
    "intake:thanks": _everyone(200),
    # The outsider is a prescriber of another clinic: their own queue, never this clinic's rows.
    "intake:queue": _only({"prescriber", "intake", "outsider"}),
    "intake:detail": _only({"prescriber", "intake"}, outsider=404),
    "intake:transition": _everyone(405),
    "intake:convert": _everyone(405),
}
API: dict[str, dict[str, int]] = {}


def route_values(cast: Any) -> dict[str, object]:
    from remit.intake.models import ConsultationRequest
    from remit.intake.tests.factories import consultation_request

    request = ConsultationRequest.objects.filter(clinic=cast.clinic).first()
    if request is None:
        request = consultation_request(cast.clinic)
    return {"clinic_id": cast.clinic.pk, "request_id": request.pk}


ISOLATION_ROUTES = [
    ("GET", "/intake/requests/{request_id}/"),
    ("POST", "/intake/requests/{request_id}/status/"),
    ("POST", "/intake/requests/{request_id}/convert/"),
]
