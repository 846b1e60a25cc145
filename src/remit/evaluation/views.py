"""Evaluation pages: one page per evaluation, with a form per section while it is a draft."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from remit.accounts.models import StaffUser
from remit.core.access import user_can
from remit.core.forms import add_service_errors
from remit.core.http import StaffRequest
from remit.core.permissions import staff_required
from remit.core.roles import Capability
from remit.evaluation.forms import (
    AddendumForm,
    BloodPressureLimitForm,
    BodyForm,
    ConsentForm,
    DiagnosisForm,
    HistoryForm,
    MedicationForm,
    PriorTreatmentForm,
    RemsForm,
    SignForm,
    TrialForm,
)
from remit.evaluation.models import BloodPressureLimitSetting, Evaluation
from remit.evaluation.rules import DEFAULT_BLOOD_PRESSURE_LIMITS, MODALITY_LABELS, Modality
from remit.evaluation.selectors import (
    baseline_assessments,
    evaluation_get_for_staff,
    evaluation_outcome,
    evaluation_settings_from,
    outcome_snapshot,
    rems_enrolment_latest,
)
from remit.evaluation.services import (
    blood_pressure_limit_reset,
    blood_pressure_limit_set,
    evaluation_addendum_add,
    evaluation_body_record,
    evaluation_consent_record,
    evaluation_diagnosis_add,
    evaluation_medication_add,
    evaluation_part_remove,
    evaluation_prior_treatment_add,
    evaluation_sign,
    evaluation_start,
    evaluation_trial_add,
    evaluation_update,
    rems_enrolment_record,
)
from remit.evaluation.suggestion import SuggestionStatus
from remit.patients.selectors import latest_measurement, patient_get_for_staff
from remit.patients.services import patient_read_record

STATUS_TEXT = {
    SuggestionStatus.SUGGESTED: "suggested",
    SuggestionStatus.NEEDS_CONSIDERATION: "needs consideration",
    SuggestionStatus.OUTSIDE_EVIDENCE: "outside the evidence",
    SuggestionStatus.DECLINED: "declined by the patient",
    SuggestionStatus.RULED_OUT: "ruled out",
}


@dataclass(frozen=True)
class Section:
    """One section of the evaluation page: its form, the service it calls, what it says after."""

    form: type[forms.Form]
    act: Callable[[Evaluation, StaffUser, dict[str, Any]], Any]
    done: str


SECTIONS: dict[str, Section] = {
    "history": Section(
        HistoryForm,
        lambda ev, by, data: evaluation_update(evaluation=ev, by=by, changes=data),
        "History and vitals saved.",
    ),
    "trial": Section(
        TrialForm,
        lambda ev, by, data: evaluation_trial_add(evaluation=ev, by=by, data=data),
        "Antidepressant trial added.",
    ),
    "treatment": Section(
        PriorTreatmentForm,
        lambda ev, by, data: evaluation_prior_treatment_add(evaluation=ev, by=by, data=data),
        "Previous treatment added.",
    ),
    "medication": Section(
        MedicationForm,
        lambda ev, by, data: evaluation_medication_add(evaluation=ev, by=by, data=data),
        "Medicine added.",
    ),
    "diagnosis": Section(
        DiagnosisForm,
        lambda ev, by, data: evaluation_diagnosis_add(evaluation=ev, by=by, code=data["code"]),
        "Diagnosis added.",
    ),
    "body": Section(
        BodyForm,
        lambda ev, by, data: evaluation_body_record(
            evaluation=ev, by=by, weight_kg=data["weight_kg"], height_cm=data.get("height_cm")
        ),
        "Weight saved.",
    ),
    "sign": Section(
        SignForm,
        lambda ev, by, data: evaluation_sign(evaluation=ev, by=by, **data),
        "Decision signed. The evaluation is now read-only.",
    ),
    "addendum": Section(
        AddendumForm,
        lambda ev, by, data: evaluation_addendum_add(evaluation=ev, by=by, text=data["text"]),
        "Addendum added.",
    ),
    "consent": Section(
        ConsentForm,
        lambda ev, by, data: evaluation_consent_record(evaluation=ev, by=by, **data),
        "Consent recorded.",
    ),
    "rems": Section(
        RemsForm,
        lambda ev, by, data: rems_enrolment_record(patient=ev.patient, by=by, **data),
        "REMS enrolment recorded.",
    ),
}
FORMS: dict[str, type[forms.Form]] = {key: entry.form for key, entry in SECTIONS.items()}


def _history_initial(evaluation: Evaluation) -> dict[str, Any]:
    return {
        name: getattr(evaluation, name)
        for name in HistoryForm.base_fields
        if hasattr(evaluation, name)
    }


def _findings_table(snapshot: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"label": MODALITY_LABELS[Modality(key)], "findings": found}
        for key, found in snapshot["findings"].items()
    ]


def _render(
    request: StaffRequest,
    evaluation: Evaluation,
    bound: dict[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    patient = evaluation.patient
    outcome = evaluation_outcome(evaluation)
    snapshot = evaluation.signed_outcome if evaluation.is_signed else outcome_snapshot(outcome)
    page_forms: dict[str, forms.Form] = {
        key: form_class(
            initial=_history_initial(evaluation) if key == "history" else None,
            auto_id=f"id_{key}_%s",
        )
        for key, form_class in FORMS.items()
    }
    page_forms.update(bound or {})
    # Staging already assessed every trial, in the same (prefetched) order.
    trials = list(zip(evaluation.trials.all(), outcome.staging.assessments, strict=True))
    # Errors shown at the top: the form-wide ones, and all of them once the section forms are
    # hidden (a signed evaluation); field errors otherwise sit next to their field.
    refused = [
        message
        for form in (bound or {}).values()
        for field, problems in form.errors.items()
        if field == "__all__" or evaluation.is_signed
        for message in problems
    ]
    context = {
        "refused": refused,
        "evaluation": evaluation,
        "patient": patient,
        "forms": page_forms,
        "outcome": outcome,
        "findings_table": _findings_table(snapshot),
        "snapshot": snapshot,
        "trials": trials,
        "baseline": baseline_assessments(patient),
        "measurement": latest_measurement(patient),
        "rems": rems_enrolment_latest(patient),
        "can_sign": user_can(request.user, Capability.SIGN_CLINICAL)
        and patient.clinic_id == request.user.clinic_id,
        "suggested_labels": [MODALITY_LABELS[Modality(m)] for m in snapshot["suggested"]],
        "assessments": [
            (a.modality.label, STATUS_TEXT[a.status], a.reasons)
            for a in outcome.suggestion.assessments
        ],
    }
    return render(request, "evaluation/evaluation_detail.html", context, status=status)


@require_http_methods(["POST"])
@staff_required(Capability.SIGN_CLINICAL)
def start(request: StaffRequest, patient_id: int) -> HttpResponse:
    patient = patient_get_for_staff(user=request.user, patient_id=patient_id)
    evaluation = evaluation_start(patient=patient, by=request.user)
    return redirect("evaluation:detail", evaluation_id=evaluation.pk)


@staff_required(Capability.VIEW_CLINICAL)
def detail(request: StaffRequest, evaluation_id: int) -> HttpResponse:
    evaluation = evaluation_get_for_staff(user=request.user, evaluation_id=evaluation_id)
    patient_read_record(patient=evaluation.patient, by=request.user, section="evaluation")
    return _render(request, evaluation)


@require_http_methods(["POST"])
@staff_required(Capability.SIGN_CLINICAL)
def section(request: StaffRequest, evaluation_id: int, key: str) -> HttpResponse:
    """Parse the section's form, call its service, and go back to the page (or show errors)."""
    part = SECTIONS[key]
    evaluation = evaluation_get_for_staff(user=request.user, evaluation_id=evaluation_id)
    if evaluation.patient.clinic_id != request.user.clinic_id:
        # Emergency access is read-only.
        return _render(request, evaluation, status=403)
    # Each section's fields get their own ids: several forms share a page.
    form = part.form(request.POST, auto_id=f"id_{key}_%s")
    if form.is_valid():
        try:
            part.act(evaluation, request.user, form.cleaned_data)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                add_service_errors(form, error)
            else:
                form.add_error(None, error.messages)
        else:
            messages.success(request, part.done)
            return redirect(reverse("evaluation:detail", args=[evaluation.pk]) + f"#{key}")
    # A refused change may have touched the object in hand: show what is stored.
    evaluation = evaluation_get_for_staff(user=request.user, evaluation_id=evaluation_id)
    return _render(request, evaluation, {key: form}, status=422)


@require_http_methods(["POST"])
@staff_required(Capability.SIGN_CLINICAL)
def part_remove(request: StaffRequest, evaluation_id: int) -> HttpResponse:
    evaluation = evaluation_get_for_staff(user=request.user, evaluation_id=evaluation_id)
    part = request.POST.get("part", "")
    try:
        part_id = int(request.POST.get("part_id", ""))
        evaluation_part_remove(evaluation=evaluation, by=request.user, part=part, part_id=part_id)
    except (ValueError, ValidationError):
        messages.error(request, "That could not be removed.")
        return _render(request, evaluation, status=422)
    messages.success(request, "Removed.")
    return redirect("evaluation:detail", evaluation_id=evaluation.pk)


@require_http_methods(["GET", "POST"])
@staff_required(Capability.SIGN_CLINICAL)
def clinic_settings(request: StaffRequest) -> HttpResponse:
    clinic = request.user.home_clinic
    bound: BloodPressureLimitForm | None = None
    if request.method == "POST":
        name = request.POST.get("name", "")
        if request.POST.get("reset") and name in DEFAULT_BLOOD_PRESSURE_LIMITS:
            blood_pressure_limit_reset(clinic=clinic, by=request.user, name=name)
            messages.success(request, "Back to the reference's default.")
            return redirect("evaluation:settings")
        bound = BloodPressureLimitForm(request.POST)
        if bound.is_valid():
            data = {k: v for k, v in bound.cleaned_data.items() if k != "reset"}
            try:
                blood_pressure_limit_set(clinic=clinic, by=request.user, **data)
            except ValidationError as error:
                add_service_errors(bound, error)
            else:
                messages.success(request, "Saved. Evaluations now use the clinic's own value.")
                return redirect("evaluation:settings")
    stored = list(BloodPressureLimitSetting.objects.filter(clinic=clinic))
    current = evaluation_settings_from(stored)
    own = {row.name: row for row in stored}
    rows = []
    for name, default in DEFAULT_BLOOD_PRESSURE_LIMITS.items():
        form = bound if bound is not None and bound.data.get("name") == name else None
        rows.append(
            {
                "name": name,
                "default": default,
                "current": current.blood_pressure_limits[name],
                "own": own.get(name),
                "form": form
                or BloodPressureLimitForm(
                    initial={
                        "name": name,
                        "systolic_mmhg": current.blood_pressure_limits[name].systolic_mmhg,
                        "diastolic_mmhg": current.blood_pressure_limits[name].diastolic_mmhg,
                        "protocol": own[name].protocol if name in own else "",
                    }
                ),
            }
        )
    return render(
        request,
        "evaluation/settings.html",
        {"rows": rows},
        status=422 if bound is not None and bound.errors else 200,
    )
