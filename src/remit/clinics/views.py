from __future__ import annotations

import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from remit.clinics.forms import ClinicSettingsForm, ResourceForm
from remit.clinics.models import Resource
from remit.clinics.services import clinic_settings_update, resource_add, resource_set_active
from remit.core.http import StaffRequest
from remit.core.permissions import staff_required
from remit.core.roles import Capability


@require_http_methods(["GET", "POST"])
@staff_required(Capability.MANAGE_CLINIC)
def clinic_settings(request: StaffRequest) -> HttpResponse:
    clinic = request.user.home_clinic
    form = ClinicSettingsForm(request.POST or None, instance=copy.copy(clinic))
    if request.method == "POST" and form.is_valid():
        clinic_settings_update(clinic=clinic, by=request.user, **form.cleaned_data)
        messages.success(request, "Clinic settings saved.")
        return redirect("clinic_settings")
    return render(
        request,
        "clinics/clinic_settings.html",
        {"form": form, "clinic": clinic, "hours": clinic.opening_hours.all()},
        status=422 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@staff_required(Capability.MANAGE_CLINIC)
def resource_list(request: StaffRequest) -> HttpResponse:
    form = ResourceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            resource_add(clinic=request.user.home_clinic, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Resource added.")
            return redirect("resource_list")
    resources = Resource.objects.filter(clinic_id=request.user.home_clinic_id)
    return render(
        request,
        "clinics/resource_list.html",
        {"form": form, "resources": resources},
        status=422 if form.errors else 200,
    )


@require_POST
@staff_required(Capability.MANAGE_CLINIC)
def resource_toggle(request: StaffRequest, resource_id: int) -> HttpResponse:
    resource = get_object_or_404(Resource, pk=resource_id, clinic_id=request.user.home_clinic_id)
    resource_set_active(resource=resource, by=request.user, active=not resource.active)
    return redirect("resource_list")
