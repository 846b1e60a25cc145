"""Rows for the route walkers (tests/test_access_matrix.py, tests/test_isolation.py)."""

from __future__ import annotations

from typing import Any

ROLES = ("prescriber", "nurse", "tms_tech", "intake", "admin", "researcher", "outsider")
CLINICAL = {"prescriber", "nurse", "tms_tech"}


def _only(allowed: set[str], *, outsider: int | None = None) -> dict[str, int]:
    table = {role: (200 if role in allowed else 403) for role in ROLES}
    if outsider is not None:
        table["outsider"] = outsider
    table["anonymous"] = 302
    return table


def _everyone(status: int) -> dict[str, int]:
    return {role: status for role in (*ROLES, "anonymous")}


_POST_ONLY = (
    "start",
    "history",
    "trial_add",
    "treatment_add",
    "medication_add",
    "part_remove",
    "diagnosis_add",
    "body",
    "sign",
    "addendum",
    "consent",
    "rems",
)
PAGES: dict[str, dict[str, int]] = {
    # Thresholds are clinical numbers: prescribers (each for their own clinic) set them.
    "evaluation:settings": _only({"prescriber", "outsider"}),
    "evaluation:detail": _only(CLINICAL, outsider=404),
    **{f"evaluation:{name}": _everyone(405) for name in _POST_ONLY},
}
API: dict[str, dict[str, int]] = {}


def route_values(cast: Any) -> dict[str, object]:
    from remit.evaluation.models import Evaluation

    evaluation = Evaluation.objects.filter(patient=cast.patient).first()
    if evaluation is None:
        evaluation = Evaluation.objects.create(
            patient=cast.patient, clinic=cast.clinic, created_by=cast.prescriber
        )
    return {"evaluation_id": evaluation.pk, "patient_id": cast.patient.pk}


ISOLATION_ROUTES = [
    ("GET", "/evaluation/{evaluation_id}/"),
    ("POST", "/evaluation/{evaluation_id}/history/"),
    ("POST", "/evaluation/{evaluation_id}/trials/"),
    ("POST", "/evaluation/{evaluation_id}/medications/"),
    ("POST", "/evaluation/{evaluation_id}/treatments/"),
    ("POST", "/evaluation/{evaluation_id}/remove/"),
    ("POST", "/evaluation/{evaluation_id}/diagnoses/"),
    ("POST", "/evaluation/{evaluation_id}/body/"),
    ("POST", "/evaluation/{evaluation_id}/sign/"),
    ("POST", "/evaluation/{evaluation_id}/addenda/"),
    ("POST", "/evaluation/{evaluation_id}/consent/"),
    ("POST", "/evaluation/{evaluation_id}/rems/"),
    ("POST", "/evaluation/patient/{patient_id}/start/"),
]
