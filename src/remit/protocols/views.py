"""Protocol library and treatment-course pages: parse, call one selector or service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from remit.core.access import user_can
from remit.core.forms import add_service_errors
from remit.core.http import StaffRequest
from remit.core.permissions import staff_required
from remit.core.roles import Capability
from remit.patients.selectors import patient_get_for_staff
from remit.patients.services import patient_read_record
from remit.protocols.forms import CourseForm, ExtendForm, PhaseForm, ProtocolChangeForm, ReasonForm
from remit.protocols.models import TreatmentCourse
from remit.protocols.selectors import (
    course_get_for_staff,
    course_progress,
    protocol_of,
    protocol_version_get,
    protocol_version_is_current,
    protocol_versions_current,
    protocol_versions_for,
)
from remit.protocols.services import (
    course_create,
    course_extend,
    course_phase_change,
    course_status_change,
    protocol_change,
)
from remit.protocols.transitions import allowed_next


@staff_required(Capability.VIEW_CLINICAL)
def protocol_list(request: StaffRequest) -> HttpResponse:
    current = protocol_versions_current(request.user.home_clinic)
    rows = [(v, protocol_of(v)) for v in current]
    return render(request, "protocols/protocol_list.html", {"rows": rows})


@staff_required(Capability.VIEW_CLINICAL)
def protocol_detail(request: StaffRequest, version_id: int) -> HttpResponse:
    version = protocol_version_get(user=request.user, version_id=version_id)
    clinic = request.user.home_clinic
    history = protocol_versions_for(clinic).filter(code=version.code).order_by("-version")
    return render(
        request,
        "protocols/protocol_detail.html",
        {
            "version": version,
            "protocol": protocol_of(version),
            "history": history,
            "is_current": protocol_version_is_current(version, clinic),
            "can_change": user_can(request.user, Capability.SIGN_CLINICAL),
        },
    )


@require_http_methods(["GET", "POST"])
@staff_required(Capability.SIGN_CLINICAL)
def protocol_edit(request: StaffRequest, version_id: int) -> HttpResponse:
    version = protocol_version_get(user=request.user, version_id=version_id)
    protocol = protocol_of(version)
    form = ProtocolChangeForm(request.POST or None, protocol=protocol)
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        if not changes:
            form.add_error(None, "Nothing was changed.")
        else:
            try:
                new = protocol_change(
                    version=version,
                    clinic=request.user.home_clinic,
                    changes=changes,
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    f"Saved as version {new.version}. Running courses keep the version they "
                    "started on.",
                )
                return redirect("protocols:detail", version_id=new.pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "protocols/protocol_edit.html",
        {"form": form, "version": version, "protocol": protocol},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@staff_required(Capability.SIGN_CLINICAL)
def course_new(request: StaffRequest, patient_id: int) -> HttpResponse:
    patient = patient_get_for_staff(user=request.user, patient_id=patient_id)
    if patient.clinic_id != request.user.clinic_id:
        raise PermissionDenied
    form = CourseForm(request.POST or None, versions=protocol_versions_current(patient.clinic_id))
    if request.method == "POST" and form.is_valid():
        version, phase = form.cleaned_data["plan"]
        try:
            course = course_create(
                patient=patient,
                version=version,
                phase=phase,
                earliest_start=form.cleaned_data["earliest_start"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Course planned. Book its sessions from here.")
            return redirect("protocols:course", course_id=course.pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request, "protocols/course_new.html", {"form": form, "patient": patient}, status=status
    )


def _course_for(request: StaffRequest, course_id: int) -> TreatmentCourse:
    if not (
        user_can(request.user, Capability.VIEW_CLINICAL)
        or user_can(request.user, Capability.MANAGE_SCHEDULE)
    ):
        raise PermissionDenied
    return course_get_for_staff(user=request.user, course_id=course_id)


def _own_course(request: StaffRequest, course_id: int) -> TreatmentCourse:
    """The course, for a change: another clinic's staff may read it but never book or decide."""
    course = _course_for(request, course_id)
    if course.clinic_id != request.user.clinic_id:
        raise PermissionDenied
    return course


@staff_required()
def course_detail(request: StaffRequest, course_id: int) -> HttpResponse:
    course = _course_for(request, course_id)
    patient_read_record(patient=course.patient, by=request.user, section="course")
    return render(request, "protocols/course_detail.html", course_context(request, course))


def course_context(request: StaffRequest, course: TreatmentCourse) -> dict[str, Any]:
    protocol = protocol_of(course.protocol_version)
    phase = protocol.phase(course.phase)
    sessions = list(course.appointments.all())
    progress = course_progress(course)
    user = request.user
    own_clinic = course.clinic_id == user.clinic_id
    open_course = course.status in ("planned", "active")
    return {
        "course": course,
        "patient": course.patient,
        "protocol": protocol,
        "phase": phase,
        "sessions": sessions,
        "held_count": progress.held,
        "total": progress.total,
        "remaining": progress.remaining,
        "clinical": user_can(user, Capability.VIEW_CLINICAL),
        "can_book": own_clinic and open_course and user_can(user, Capability.MANAGE_SCHEDULE),
        "can_decide": own_clinic and open_course and user_can(user, Capability.SIGN_CLINICAL),
        "next_statuses": sorted(s.value for s in allowed_next(course.status)),
        "extend_form": ExtendForm(initial={"sessions": phase.extension_step_sessions or 1}),
        "stop_form": ReasonForm(),
        "phase_form": PhaseForm(protocol=protocol, initial={"phase": course.phase}),
    }


@require_POST
@staff_required(Capability.MANAGE_SCHEDULE)
def course_book(request: StaffRequest, course_id: int) -> HttpResponse:
    from remit.scheduling.services import SlotTaken, series_book

    course = _own_course(request, course_id)
    try:
        outcome = series_book(course=course, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except SlotTaken as error:
        messages.error(request, f"{error.message} Nothing was booked; try again.")
    else:
        if outcome.unplaced:
            why = "; ".join(u.message for u in outcome.unplaced)
            if outcome.appointments:
                messages.warning(
                    request, f"Booked {len(outcome.appointments)} session(s); the rest: {why}."
                )
            else:
                messages.error(
                    request, f"The series could not be booked, nothing was booked: {why}."
                )
        else:
            messages.success(request, f"Booked {len(outcome.appointments)} session(s).")
    return redirect("protocols:course", course_id=course.pk)


@require_POST
@staff_required(Capability.SIGN_CLINICAL)
def course_extend_view(request: StaffRequest, course_id: int) -> HttpResponse:
    course = _own_course(request, course_id)
    form = ExtendForm(request.POST)
    if form.is_valid():
        try:
            course_extend(course=course, sessions=form.cleaned_data["sessions"], by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Added {form.cleaned_data['sessions']} session(s).")
    else:
        messages.error(request, "Give the number of sessions to add (1 to 50).")
    return redirect("protocols:course", course_id=course.pk)


@require_POST
@staff_required(Capability.SIGN_CLINICAL)
def course_status_view(request: StaffRequest, course_id: int) -> HttpResponse:
    course = _own_course(request, course_id)
    new_status = request.POST.get("status", "")[:20]
    reason = request.POST.get("reason", "")[:500]
    try:
        course_status_change(course=course, new_status=new_status, reason=reason, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"The course is now {new_status}.")
    return redirect("protocols:course", course_id=course.pk)


@require_POST
@staff_required(Capability.SIGN_CLINICAL)
def course_phase_view(request: StaffRequest, course_id: int) -> HttpResponse:
    course = _own_course(request, course_id)
    form = PhaseForm(request.POST, protocol=protocol_of(course.protocol_version))
    if form.is_valid():
        try:
            course_phase_change(course=course, phase=form.cleaned_data["phase"], by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Phase changed.")
    else:
        messages.error(request, "Choose a phase of this protocol.")
    return redirect("protocols:course", course_id=course.pk)
