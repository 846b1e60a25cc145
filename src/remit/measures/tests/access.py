"""Rows of the access matrix and isolation tests for the measures routes (not a test module)."""

from __future__ import annotations

from typing import Any

from remit.measures.models import Channel, ScheduleKind
from remit.measures.services import assessment_record, schedule_create

ROLES = ("prescriber", "nurse", "tms_tech", "intake", "admin", "researcher", "outsider")
CLINICAL = {"prescriber", "nurse", "tms_tech"}
DEMOGRAPHIC = CLINICAL | {"intake"}


def _only(allowed: set[str], ok: int = 200, anonymous: int = 302) -> dict[str, int]:
    table = {role: (ok if role in allowed else 403) for role in ROLES}
    table["anonymous"] = anonymous
    return table


def _everyone(status: int) -> dict[str, int]:
    return {role: status for role in (*ROLES, "anonymous")}


PAGES: dict[str, dict[str, int]] = {
    "measures:request_new": {**_only(CLINICAL), "outsider": 404},
    "measures:schedule_new": {**_only(CLINICAL), "outsider": 404},
    "measures:assessment_new": {**_only(CLINICAL), "outsider": 404},
    "measures:schedule_stop": _everyone(405),
    "measures:alert_acknowledge": {**_only({"prescriber"}), "outsider": 404},
    "measures:settings": _only({"admin"}),
    "measures:licensed_text": _only({"admin"}),
    # A questionnaire link is for patients: no sign-in, and a bad link is a 404 for anyone.
    "measures:questionnaire": _everyone(404),
    "measures:questionnaire_save": _everyone(405),
}

API: dict[str, dict[str, int]] = {
    "GET /api/v1/measures/patients/{patient_id}/assessments": {
        **_only(CLINICAL),
        "outsider": 404,
        "anonymous": 401,
    },
    "POST /api/v1/measures/patients/{patient_id}/assessments": {
        **_only(CLINICAL, ok=201),
        "outsider": 404,
        "anonymous": 401,
    },
}

API_BODIES = {
    "POST /api/v1/measures/patients/{patient_id}/assessments": {
        "instrument": "madrs",
        "answers": [2, 2, 1, 1, 0, 1, 2, 1, 1, 0],
    },
}


def route_values(cast: Any) -> dict[str, object]:
    assessment = assessment_record(
        patient=cast.patient, code="phq9", answers=[2, 2, 2, 1, 1, 1, 1, 1, 1], method="clinician"
    )
    schedule = schedule_create(
        patient=cast.patient,
        by=cast.prescriber,
        instruments=["phq9"],
        kind=ScheduleKind.EVERY_N_DAYS,
        channel=Channel.EMAIL if cast.patient.email else Channel.SMS,
    )
    return {
        "patient_id": cast.patient.pk,
        "alert_id": assessment.safety_alert.pk,
        "schedule_id": schedule.pk,
    }


ISOLATION_ROUTES: list[tuple[str, str]] = [
    ("GET", "/measures/patients/{patient_id}/requests/new/"),
    ("POST", "/measures/patients/{patient_id}/requests/new/"),
    ("GET", "/measures/patients/{patient_id}/schedules/new/"),
    ("POST", "/measures/patients/{patient_id}/schedules/new/"),
    ("GET", "/measures/patients/{patient_id}/assessments/new/"),
    ("POST", "/measures/patients/{patient_id}/assessments/new/"),
    ("POST", "/measures/schedules/{schedule_id}/stop/"),
    ("GET", "/measures/alerts/{alert_id}/acknowledge/"),
    ("POST", "/measures/alerts/{alert_id}/acknowledge/"),
    ("GET", "/api/v1/measures/patients/{patient_id}/assessments"),
    ("POST", "/api/v1/measures/patients/{patient_id}/assessments"),
]
