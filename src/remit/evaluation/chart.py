"""The chart's "evaluation" tab: evaluations, the latest decision, REMS and the self-screen."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.urls import reverse

from remit.core.access import user_can
from remit.core.extensions import ChartDocument, ChartTab, DocumentSource
from remit.core.http import StaffRequest
from remit.core.roles import Capability
from remit.evaluation.models import Evaluation, EvaluationStatus
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


def _signed_evaluations(patient: Patient) -> list[ChartDocument]:
    evaluations = (
        Evaluation.objects.filter(patient=patient, status=EvaluationStatus.SIGNED)
        .select_related("signed_by")
        .annotate(addenda_count=Count("addenda"))
    )
    return [
        ChartDocument(
            kind="Evaluation",
            title=f"Decision: {evaluation.get_decision_display() or '—'}"
            + (
                f" ({evaluation.get_decision_modality_display()})"
                if evaluation.decision_modality
                else ""
            ),
            signed_at=evaluation.signed_at,
            signed_by=evaluation.signed_by.display_name if evaluation.signed_by else "",
            url=reverse("evaluation:detail", args=[evaluation.pk]),
            addenda=evaluation.addenda_count,
        )
        for evaluation in evaluations
        if evaluation.signed_at is not None
    ]


DOCUMENTS = [DocumentSource(Capability.VIEW_CLINICAL, _signed_evaluations)]

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
