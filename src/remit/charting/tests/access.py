"""Rows of the route walkers (tests/test_access_matrix.py, tests/test_isolation.py)."""

from __future__ import annotations

from typing import Any

ROLES = ("prescriber", "nurse", "tms_tech", "intake", "admin", "researcher", "outsider")


def _only(allowed: set[str], ok: int = 200, **others: int) -> dict[str, int]:
    table = {role: (ok if role in allowed else 403) for role in ROLES}
    table["anonymous"] = 302
    table.update(others)
    return table


def _post_only() -> dict[str, int]:
    return {role: 405 for role in (*ROLES, "anonymous")}


CHARTING = {"prescriber", "nurse", "tms_tech", "outsider"}
CLINICAL = {"prescriber", "nurse", "tms_tech"}

PAGES: dict[str, dict[str, int]] = {
    # The start page now has the running-sessions panel for everyone who charts sessions.
    "home": {
        **{role: 200 for role in ROLES},
        "intake": 302,
        "anonymous": 302,
    },
    "charting:board": _only(CHARTING),
    "charting:board_rows": _only(CHARTING),
    "charting:check_in": _post_only(),
    "charting:session": _only(CLINICAL, outsider=404),
    "charting:gate": _post_only(),
    "charting:gate_override": _post_only(),
    "charting:weight_basis": _post_only(),
    "charting:dose": _post_only(),
    "charting:device": _post_only(),
    "charting:vitals": _post_only(),
    "charting:side_effect": _post_only(),
    "charting:adverse_event": _post_only(),
    "charting:rating": _post_only(),
    "charting:discharge": _post_only(),
    "charting:note_sign": _post_only(),
    "charting:note_cosign": _post_only(),
    "charting:note_addendum": _post_only(),
    "charting:rems_form": _only(CLINICAL, outsider=404),
    "charting:alert_ack": _post_only(),
    "charting:rems_dashboard": _only(CHARTING),
    "charting:thresholds": _only({"prescriber", "admin", "outsider"}),
    "charting:clinic_settings": _post_only(),
    "charting:threshold_set": _post_only(),
}

API: dict[str, dict[str, int]] = {}


def route_values(cast: Any) -> dict[str, object]:
    """An esketamine session of the cast's patient with an open alert (so the REMS form
    exists), and its appointment."""
    from remit.charting import services
    from remit.charting.tests.helpers import ESKETAMINE, NORMAL, checked_in

    session = checked_in(
        clinic=cast.clinic, patient=cast.patient, nurse=cast.nurse, code=ESKETAMINE
    )
    _, alerts = services.vitals_record(
        session=session, by=cast.nurse, **{**NORMAL, "systolic": 185, "diastolic": 110}
    )
    return {
        "session_id": session.pk,
        "session_alert_id": alerts[0].pk,
        "appointment_id": session.appointment_id,
        "threshold_name": "spo2_pause_below",
    }


ISOLATION_ROUTES: list[tuple[str, str]] = [
    ("GET", "/charting/sessions/{session_id}/"),
    ("GET", "/charting/sessions/{session_id}/rems/"),
    ("POST", "/charting/sessions/{session_id}/rems/"),
    ("POST", "/charting/sessions/{session_id}/vitals/"),
    ("POST", "/charting/sessions/{session_id}/gate/"),
    ("POST", "/charting/sessions/{session_id}/gate/override/"),
    ("POST", "/charting/sessions/{session_id}/dose/"),
    ("POST", "/charting/sessions/{session_id}/devices/"),
    ("POST", "/charting/sessions/{session_id}/discharge/"),
    ("POST", "/charting/sessions/{session_id}/note/"),
    ("POST", "/charting/sessions/{session_id}/note/cosign/"),
    ("POST", "/charting/alerts/{session_alert_id}/acknowledge/"),
    ("POST", "/charting/appointments/{appointment_id}/check-in/"),
]
