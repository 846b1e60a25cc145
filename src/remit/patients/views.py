"""Patient pages: parse, call one selector or service, render."""

from __future__ import annotations

import copy

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from remit.core.access import user_can
from remit.core.extensions import chart_tabs
from remit.core.forms import add_service_errors
from remit.core.http import StaffRequest
from remit.core.permissions import staff_required
from remit.core.roles import Capability
from remit.patients.forms import EmergencyAccessForm, PatientForm
from remit.patients.models import Patient
from remit.patients.selectors import (
    PATIENT_SORTS,
    latest_measurement,
    patient_get_for_edit,
    patient_get_for_staff,
    patient_search,
)
from remit.patients.services import (
    body_measurement_record,
    emergency_access_grant,
    patient_create,
    patient_read_record,
    patient_update,
)


@staff_required(Capability.VIEW_DEMOGRAPHICS)
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
@staff_required(Capability.EDIT_DEMOGRAPHICS)
def patient_new(request: StaffRequest) -> HttpResponse:
    form = PatientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        weight_kg, height_cm = form.body_size
        patient = patient_create(
            clinic=request.user.home_clinic,
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
@staff_required(Capability.EDIT_DEMOGRAPHICS)
def patient_edit(request: StaffRequest, patient_id: int) -> HttpResponse:
    patient = patient_get_for_edit(user=request.user, patient_id=patient_id)
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


@staff_required(Capability.VIEW_DEMOGRAPHICS)
def patient_chart(request: StaffRequest, patient_id: int) -> HttpResponse:
    patient: Patient = patient_get_for_staff(user=request.user, patient_id=patient_id)
    tabs = [tab for tab in chart_tabs() if user_can(request.user, tab.capability)]
    keys = {tab.key: tab for tab in tabs}
    tab = keys.get(request.GET.get("tab", ""), tabs[0])
    patient_read_record(patient=patient, by=request.user, section=tab.key)
    context = {
        "patient": patient,
        "tabs": tabs,
        "tab": tab,
        "clinical": user_can(request.user, Capability.VIEW_CLINICAL),
        "can_edit": user_can(request.user, Capability.EDIT_DEMOGRAPHICS)
        and patient.clinic_id == request.user.clinic_id,
        **tab.context(request, patient),
    }
    if request.htmx:
        return render(request, "patients/_chart_body.html", context)
    return render(request, "patients/patient_chart.html", context)


@require_http_methods(["GET", "POST"])
@staff_required(Capability.BREAK_GLASS)
def emergency_access(request: StaffRequest) -> HttpResponse:
    form = EmergencyAccessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            access = emergency_access_grant(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.warning(
                request,
                f"Emergency access open until {access.expires_at:%H:%M}. Every page you open is "
                "recorded and your administrators have been told.",
            )
            return redirect("patients:chart", patient_id=access.patient_id)
    return render(
        request,
        "patients/emergency_access.html",
        {"form": form},
        status=422 if form.errors else 200,
    )
