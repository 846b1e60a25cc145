"""Rows of the route walkers for the controlled-substance ledger."""

from __future__ import annotations

import uuid
from typing import Any

ROLES = ("prescriber", "nurse", "tms_tech", "intake", "admin", "researcher", "outsider")
HANDLERS = {"prescriber", "nurse", "outsider"}


def _only(allowed: set[str], **others: int) -> dict[str, int]:
    table = {role: (200 if role in allowed else 403) for role in ROLES}
    table["anonymous"] = 302
    table.update(others)
    return table


def _post_only() -> dict[str, int]:
    return {role: 405 for role in (*ROLES, "anonymous")}


PAGES: dict[str, dict[str, int]] = {
    "controlled:ledger": _only(HANDLERS),
    "controlled:receive": _post_only(),
    "controlled:export": _only(HANDLERS),
    "controlled:vial": _only(HANDLERS, outsider=404),
    "controlled:count": _post_only(),
    "controlled:reconcile": _post_only(),
    "controlled:vial_waste": _post_only(),
    "controlled:draw": _post_only(),
    "controlled:give": _post_only(),
    "controlled:waste": _post_only(),
}

API: dict[str, dict[str, int]] = {}


def route_values(cast: Any) -> dict[str, object]:
    from remit.charting.tests.helpers import ESKETAMINE, checked_in
    from remit.controlled.tests.helpers import received

    # The same kind of session as charting's rows (the key session_id is shared).
    session = checked_in(
        clinic=cast.clinic, patient=cast.patient, nurse=cast.nurse, code=ESKETAMINE
    )
    vial = received(cast, label=f"K-{uuid.uuid4().hex[:8]}")
    return {"vial_id": vial.pk, "session_id": session.pk}


ISOLATION_ROUTES: list[tuple[str, str]] = [
    ("GET", "/controlled/vials/{vial_id}/"),
    ("POST", "/controlled/vials/{vial_id}/count/"),
    ("POST", "/controlled/vials/{vial_id}/reconcile/"),
    ("POST", "/controlled/vials/{vial_id}/waste/"),
    ("POST", "/controlled/sessions/{session_id}/draw/"),
    ("POST", "/controlled/sessions/{session_id}/give/"),
    ("POST", "/controlled/sessions/{session_id}/waste/"),
]
