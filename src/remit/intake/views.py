"""Intake pages: the public self-screen and request form (no login), and the staff queue."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from remit.clinics.models import Clinic
from remit.core.forms import add_service_errors
from remit.core.http import StaffRequest
from remit.core.middleware import client_ip
from remit.core.permissions import staff_required
from remit.core.roles import Capability
from remit.intake.comparison import COMPARISON, FOOTNOTES, ROWS
from remit.intake.forms import (
    ConsultationRequestForm,
    ConvertForm,
    ScreenForm,
    TransitionForm,
    screen_from_token,
    screen_token,
)
from remit.intake.models import ConsultationRequest
from remit.intake.screening import DEFAULT_CRISIS_RESOURCES, screen_result
from remit.intake.selectors import (
    QUEUE_FILTERS,
    intake_counts,
    intake_queue,
    possible_duplicates,
    request_get_for_staff,
)
from remit.intake.services import (
    RateLimited,
    consultation_request_convert,
    consultation_request_read_record,
    consultation_request_submit,
    consultation_request_transition,
    public_submission_admit,
    screen_answers_dict,
    screen_answers_from,
)
from remit.intake.transitions import STATUS_LABELS, RequestStatus, next_statuses

# --- Public pages: no login, no session needed, work without JavaScript. ---------------------


def _public_clinic(clinic_id: int) -> Clinic:
    clinic = Clinic.objects.filter(pk=clinic_id).first()
    if clinic is None:
        raise Http404("No such clinic")
    return clinic


def _risk_signal(form: ScreenForm) -> bool:
    """A sign of acute risk in the raw answers, even when the form is incomplete."""
    return form.data.get("thoughts_of_ending_life") == "yes" or form.data.get("phq9_9") not in (
        None,
        "",
        "0",
    )


@require_http_methods(["GET", "POST"])
def screen(request: HttpRequest, clinic_id: int) -> HttpResponse:
    clinic = _public_clinic(clinic_id)
    form = ScreenForm(request.POST or None)
    context = {"clinic": clinic, "form": form, "crisis_resources": DEFAULT_CRISIS_RESOURCES}
    if request.method == "POST":
        if form.is_valid():
            answers = form.answers()
            result = screen_result(answers)
            return render(
                request,
                "intake/screen_result.html",
                {
                    **context,
                    "result": result,
                    "token": screen_token(screen_answers_dict(answers)),
                    "comparison": [
                        {
                            "name": column.name,
                            "cells": [(ROWS[key], cell) for key, cell in column.cells().items()],
                        }
                        for column in COMPARISON
                    ],
                    "footnotes": FOOTNOTES,
                },
            )
        context["risk_signal"] = _risk_signal(form)
        return render(request, "intake/screen.html", context, status=422)
    return render(request, "intake/screen.html", context)


@require_http_methods(["GET", "POST"])
def request_form(request: HttpRequest, clinic_id: int) -> HttpResponse:
    clinic = _public_clinic(clinic_id)
    token = request.POST.get("screen") or request.GET.get("screen", "")
    stored = screen_from_token(token)
    form = ConsultationRequestForm(
        request.POST or None, initial={"screen": token if stored else ""}
    )
    status = 200
    if request.method == "POST":
        if form.is_bot:
            # Look like success, save nothing: telling a bot it was caught only teaches it.
            return redirect("intake:thanks", clinic_id=clinic.pk)
        if form.is_valid():
            try:
                public_submission_admit(address=client_ip(request) or "unknown")
            except RateLimited:
                return render(request, "intake/rate_limited.html", {"clinic": clinic}, status=429)
            try:
                screen_answers = screen_answers_from(stored) if stored else None
            except ValueError:
                screen_answers = None
            data = {k: v for k, v in form.cleaned_data.items() if k not in ("website", "screen")}
            try:
                created = consultation_request_submit(
                    clinic=clinic, data=data, screen=screen_answers
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                response = redirect("intake:thanks", clinic_id=clinic.pk)
                if created.urgent:
                    response["Location"] += "?urgent=1"
                return response
        status = 422
    return render(
        request,
        "intake/request_form.html",
        {"clinic": clinic, "form": form, "has_screen": bool(stored)},
        status=status,
    )


def thanks(request: HttpRequest, clinic_id: int) -> HttpResponse:
    clinic = _public_clinic(clinic_id)
    return render(
        request,
        "intake/thanks.html",
        {
            "clinic": clinic,
            "urgent": request.GET.get("urgent") == "1",
            "crisis_resources": DEFAULT_CRISIS_RESOURCES,
        },
    )


# --- Staff pages ------------------------------------------------------------------------------


@staff_required(Capability.WORK_INTAKE)
def queue(request: StaffRequest) -> HttpResponse:
    show = request.GET.get("show", "open")
    if show not in QUEUE_FILTERS:
        show = "open"
    requests = intake_queue(user=request.user, show=show)
    page = Paginator(requests, 25).get_page(request.GET.get("page"))
    counts = intake_counts(request.user)
    open_count = sum(counts[s] for s in QUEUE_FILTERS["open"])
    filters = [("open", "Open", open_count)] + [
        (s.value, STATUS_LABELS[s], counts[s.value]) for s in RequestStatus
    ]
    return render(
        request,
        "intake/queue.html",
        {
            "page": page,
            "show": show,
            "filters": filters,
            "counts": counts,
        },
    )


def _detail(
    request: StaffRequest,
    found: ConsultationRequest,
    *,
    transition_form: TransitionForm | None = None,
    convert_form: ConvertForm | None = None,
    status: int = 200,
) -> HttpResponse:
    choices = next_statuses(found.status)
    return render(
        request,
        "intake/request_detail.html",
        {
            "item": found,
            "status_label": STATUS_LABELS[RequestStatus(found.status)],
            "duplicates": possible_duplicates(found),
            "transition_form": transition_form or TransitionForm(choices=choices),
            "convert_form": convert_form or ConvertForm.for_request(found),
            "can_move": bool(choices),
            "can_convert": found.patient_id is None
            and found.status not in (RequestStatus.DECLINED, RequestStatus.BECAME_PATIENT),
            "screen": found.screen_result or None,
            "answers": found.screen_answers or None,
        },
        status=status,
    )


@staff_required(Capability.WORK_INTAKE)
def detail(request: StaffRequest, request_id: int) -> HttpResponse:
    found = request_get_for_staff(user=request.user, request_id=request_id)
    consultation_request_read_record(request=found, by=request.user)
    return _detail(request, found)


@require_http_methods(["POST"])
@staff_required(Capability.WORK_INTAKE)
def transition(request: StaffRequest, request_id: int) -> HttpResponse:
    found = request_get_for_staff(user=request.user, request_id=request_id)
    form = TransitionForm(request.POST, choices=next_statuses(found.status))
    if form.is_valid():
        try:
            consultation_request_transition(
                request=found,
                by=request.user,
                new_status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Status changed.")
            return redirect("intake:detail", request_id=found.pk)
    return _detail(request, found, transition_form=form, status=422)


@require_http_methods(["POST"])
@staff_required(Capability.WORK_INTAKE, Capability.EDIT_DEMOGRAPHICS)
def convert(request: StaffRequest, request_id: int) -> HttpResponse:
    found = request_get_for_staff(user=request.user, request_id=request_id)
    form = ConvertForm.for_request(found, request.POST)
    if form.is_valid():
        try:
            patient = consultation_request_convert(
                request=found, by=request.user, details=form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Registered {patient.display_name} ({patient.mrn}).")
            return redirect("patients:chart", patient_id=patient.pk)
    return _detail(request, found, convert_form=form, status=422)
