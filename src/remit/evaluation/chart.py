"""The chart's "evaluation" tab: evaluations, the latest decision, REMS and the self-screen."""

from __future__ import annotations

from typing import Any

from remit.core.access import user_can
from remit.core.extensions import ChartTab
from remit.core.http import StaffRequest
from remit.core.roles import Capability
from remit.evaluation.selectors import evaluations_of, rems_enrolment_latest
from remit.intake.selectors import screened_requests_of
from remit.patients.models import Patient


def _context(request: StaffRequest, patient: Patient) -> dict[str, Any]:
    evaluations = evaluations_of(patient)
    return {
        "evaluations": evaluations,
        "has_draft": any(not e.is_signed for e in evaluations),
        "rems": rems_enrolment_latest(patient),
        "screens": screened_requests_of(patient),
        "can_evaluate": user_can(request.user, Capability.SIGN_CLINICAL)
        and patient.clinic_id == request.user.clinic_id,
    }


TABS = [
    ChartTab(
        "evaluation",
        "Evaluation",
        30,
        Capability.VIEW_CLINICAL,
        "evaluation/_tab_evaluation.html",
        _context,
    )
]
