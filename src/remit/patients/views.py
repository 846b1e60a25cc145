"""Patient pages: parse, call one selector or service, render."""

from __future__ import annotations

import copy

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from remit.core.http import StaffRequest
from remit.core.permissions import staff_required
from remit.core.roles import CLINICAL_ROLES, DEMOGRAPHIC_ROLES, REGISTRATION_ROLES
from remit.patients.forms import PatientForm
from remit.patients.models import Patient
from remit.patients.selectors import (
    PATIENT_SORTS,
    latest_measurement,
    patient_get_for_staff,
    patient_search,
)
from remit.patients.services import (
    body_measurement_record,
    patient_chart_open,
    patient_create,
    patient_update,
)

# The chart's tabs; later capabilities fill theirs. Clinical tabs need a clinical role.
CHART_TABS = (
    ("overview", "Overview", False),
    ("measures", "Measures", True),
    ("evaluation", "Evaluation", True),
    ("course", "Course", True),
    ("sessions", "Sessions", True),
    ("documents", "Documents", True),
)


@staff_required(DEMOGRAPHIC_ROLES)
def patient_list(request: StaffRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:100]
    sort = request.GET.get("sort", "name")
    if sort not in PATIENT_SORTS:
        sort = "name"
    patients = patient_search(user=request.user, query=query, sort=sort)
    page = Paginator(patients, settings.REMIT_PATIENTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "query": query, "sort": sort}
    if request.htmx:
        return render(request, "patients/_patient_table.html", context)
    return render(request, "patients/patient_list.html", context)


@require_http_methods(["GET", "POST"])
@staff_required(REGISTRATION_ROLES)
def patient_new(request: StaffRequest) -> HttpResponse:
    form = PatientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        weight_kg, height_cm = form.body_size
        patient = patient_create(
            # staff_required has checked that the user belongs to a clinic.
            clinic=request.user.clinic,  # type: ignore[arg-type]
            by=request.user,
            details=form.cleaned_data,
            mrn=form.cleaned_data["mrn"],
            weight_kg=weight_kg,
            height_cm=height_cm,
        )
        messages.success(request, f"Registered {patient.display_name} ({patient.mrn}).")
        return redirect("patients:chart", patient_id=patient.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "patients/patient_form.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
@staff_required(REGISTRATION_ROLES)
def patient_edit(request: StaffRequest, patient_id: int) -> HttpResponse:
    patient = patient_get_for_staff(user=request.user, patient_id=patient_id)
    latest = latest_measurement(patient)
    initial = {"weight_kg": latest.weight_kg, "height_cm": latest.height_cm} if latest else {}
    # The form validates a copy: the service must see the old values to know what changed.
    form = PatientForm(request.POST or None, instance=copy.copy(patient), initial=initial)
    if request.method == "POST" and form.is_valid():
        patient_update(patient=patient, by=request.user, changes=form.cleaned_data)
        weight_kg, height_cm = form.body_size
        if weight_kg is not None and (
            latest is None or (latest.weight_kg, latest.height_cm) != (weight_kg, height_cm)
        ):
            body_measurement_record(
                patient=patient,
                by=request.user,
                weight_kg=weight_kg,
                height_cm=height_cm,
            )
        messages.success(request, "Saved.")
        return redirect("patients:chart", patient_id=patient.pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request, "patients/patient_form.html", {"form": form, "patient": patient}, status=status
    )


@staff_required(DEMOGRAPHIC_ROLES)
def patient_chart(request: StaffRequest, patient_id: int) -> HttpResponse:
    patient: Patient = patient_get_for_staff(user=request.user, patient_id=patient_id)
    clinical = request.user.has_role(*CLINICAL_ROLES)
    tabs = [
        (key, label) for key, label, needs_clinical in CHART_TABS if clinical or not needs_clinical
    ]
    tab = request.GET.get("tab", "overview")
    if tab not in {key for key, _ in tabs}:
        tab = "overview"
    patient_chart_open(patient=patient, by=request.user, section=tab)
    context = {
        "patient": patient,
        "tabs": tabs,
        "tab": tab,
        "clinical": clinical,
        "latest_measurement": latest_measurement(patient),
        "can_edit": request.user.has_role(*REGISTRATION_ROLES),
    }
    template = f"patients/_tab_{tab}.html" if tab == "overview" else "patients/_tab_pending.html"
    if request.htmx:
        return render(request, template, context)
    context["tab_template"] = template
    return render(request, "patients/patient_chart.html", context)
