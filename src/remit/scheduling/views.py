"""Calendar, appointment, availability, staff-hours and planner pages, and calendar feeds."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from remit.core.access import user_can
from remit.core.audit import audit_record
from remit.core.forms import add_service_errors
from remit.core.http import StaffRequest
from remit.core.models import AuditAction
from remit.core.permissions import staff_required
from remit.core.roles import Capability
from remit.patients.services import patient_read_record
from remit.portal.models import LinkPurpose
from remit.portal.services import LinkInvalid, link_open, link_read_record
from remit.scheduling.forms import AvailabilityForm, PlannerForm, StaffHoursForm, parse_start
from remit.scheduling.ical import CalendarEvent, calendar_text
from remit.scheduling.models import StaffHours
from remit.scheduling.planner_runs import courses_named, planner_run_get, planner_run_start
from remit.scheduling.selectors import (
    HOLDING,
    appointment_get_for_staff,
    calendar_appointments,
    clinic_resources,
    clinic_staff,
    patient_appointments,
    patient_availability,
    patient_get_for_scheduling,
    staff_hours,
    zone,
)
from remit.scheduling.services import (
    SlotTaken,
    appointment_replace,
    appointment_status_change,
    patient_availability_set,
    patient_calendar_link_issue,
    replacement_slots,
    staff_hours_add,
    staff_hours_delete,
)
from remit.scheduling.transitions import AppointmentStatus, allowed_next

S = AppointmentStatus
# Moves the chair-side staff make; cancelling and withdrawing belong to scheduling.
CHAIRSIDE = frozenset({S.ARRIVED, S.CHECKED_IN, S.FULFILLED, S.NOSHOW})
STATUS_LABELS = {
    S.ARRIVED: "Arrived",
    S.CHECKED_IN: "Checked in",
    S.FULFILLED: "Fulfilled",
    S.NOSHOW: "No-show",
}


def _can_move(user: Any, status: AppointmentStatus) -> bool:
    if status in CHAIRSIDE:
        return user_can(user, Capability.MANAGE_SCHEDULE) or user_can(
            user, Capability.CHART_SESSION
        )
    return user_can(user, Capability.MANAGE_SCHEDULE)


def _int_param(request: HttpRequest, name: str) -> int | None:
    raw = request.GET.get(name, "")
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


@require_GET
@staff_required(Capability.VIEW_CALENDAR)
def calendar(request: StaffRequest) -> HttpResponse:
    clinic = request.user.home_clinic
    tz = zone(clinic)
    view = "day" if request.GET.get("view") == "day" else "week"
    try:
        day = date.fromisoformat(request.GET.get("date", "")[:10])
    except ValueError:
        day = timezone.now().astimezone(tz).date()
    first = day if view == "day" else day - timedelta(days=day.weekday())
    days = [first + timedelta(days=n) for n in range(1 if view == "day" else 7)]
    resources = list(clinic_resources(clinic))
    staff = list(clinic_staff(clinic))
    resource_id, staff_id = _int_param(request, "resource"), _int_param(request, "staff")
    if resource_id is not None and not any(r.pk == resource_id for r in resources):
        raise Http404("No such resource")
    if staff_id is not None and not any(s.pk == staff_id for s in staff):
        raise Http404("No such staff member")
    appointments = list(
        calendar_appointments(
            clinic=clinic,
            first_day=days[0],
            last_day=days[-1],
            resource_id=resource_id,
            staff_id=staff_id,
        )
    )
    shown = [r for r in resources if resource_id is None or r.pk == resource_id]
    cells: dict[tuple[int, date], list[Any]] = {}
    for a in appointments:
        cells.setdefault((a.resource_id, a.start.astimezone(tz).date()), []).append(a)
    rows = [
        {"resource": r, "cells": [cells.get((r.pk, d), []) for d in days]}
        for r in shown
        if staff_id is None or any(cells.get((r.pk, d)) for d in days)
    ]
    names = user_can(request.user, Capability.VIEW_DEMOGRAPHICS)
    if names and appointments:
        audit_record(
            action=AuditAction.VIEW,
            actor=request.user,
            clinic_id=clinic.pk,
            detail={
                "section": "calendar",
                "channel": "page",
                "patients": sorted({a.patient_id for a in appointments}),
            },
        )
    step = timedelta(days=1 if view == "day" else 7)
    context = {
        "view": view,
        "days": days,
        "day": day,
        "rows": rows,
        "resources": resources,
        "staff": staff,
        "resource_id": resource_id,
        "staff_id": staff_id,
        "previous": (first - step).isoformat(),
        "next": (first + step).isoformat(),
        "today": timezone.now().astimezone(tz).date().isoformat(),
        "names": names,
        "detail": user_can(request.user, Capability.VIEW_CLINICAL)
        or user_can(request.user, Capability.MANAGE_SCHEDULE),
        "clinic": clinic,
        "count": len(appointments),
        "links": [
            (label, reverse(name))
            for label, name, capability in (
                ("Clinic planner", "scheduling:planner", Capability.MANAGE_SCHEDULE),
                ("Protocols", "protocols:list", Capability.VIEW_CLINICAL),
                ("Staff hours", "scheduling:staff_hours", Capability.MANAGE_CLINIC),
            )
            if user_can(request.user, capability)
        ],
    }
    return render(request, "scheduling/calendar.html", context)


@require_GET
@staff_required(Capability.VIEW_CALENDAR)
def appointment_detail(request: StaffRequest, appointment_id: int) -> HttpResponse:
    appointment = appointment_get_for_staff(user=request.user, appointment_id=appointment_id)
    user = request.user
    names = user_can(user, Capability.VIEW_DEMOGRAPHICS)
    if names:
        patient_read_record(patient=appointment.patient, by=user, section="appointment")
    status = AppointmentStatus(appointment.status)
    moves = [
        (s.value, STATUS_LABELS[s])
        for s in sorted(allowed_next(status), key=lambda s: list(S).index(s))
        if s in CHAIRSIDE and _can_move(user, s)
    ]
    can_schedule = user_can(user, Capability.MANAGE_SCHEDULE)
    offers: tuple[Any, ...] = ()
    replaced = False
    wants_offers = status in (S.CANCELLED, S.NOSHOW) or request.GET.get("move") == "1"
    if can_schedule and appointment.course_id is not None and wants_offers:
        replaced = (
            status not in HOLDING
            and appointment.course is not None
            and appointment.course.appointments.filter(
                phase=appointment.phase,
                session_number=appointment.session_number,
                status__in=HOLDING,
            ).exists()
        )
        if (
            not replaced
            and appointment.course is not None
            and appointment.course.status
            in (
                "planned",
                "active",
            )
        ):
            offers = replacement_slots(appointment=appointment)
    resources = {str(r.pk): r for r in clinic_resources(appointment.clinic)}
    context = {
        "appointment": appointment,
        "names": names,
        "detail": user_can(user, Capability.VIEW_CLINICAL) or can_schedule,
        "moves": moves,
        "can_cancel": can_schedule and S.CANCELLED in allowed_next(status),
        "can_move": can_schedule
        and appointment.course_id is not None
        and status in (S.BOOKED, S.PENDING, S.PROPOSED),
        "offers": [(o, resources.get(o.resource_id)) for o in offers],
        "replaced": replaced,
        "wants_offers": wants_offers,
        "tz": appointment.clinic.time_zone,
    }
    return render(request, "scheduling/appointment_detail.html", context)


@require_POST
@staff_required(Capability.VIEW_CALENDAR)
def appointment_status(request: StaffRequest, appointment_id: int) -> HttpResponse:
    appointment = appointment_get_for_staff(user=request.user, appointment_id=appointment_id)
    new_status = request.POST.get("status", "")[:20]
    reason = request.POST.get("reason", "")[:500]
    try:
        target = AppointmentStatus(new_status)
    except ValueError:
        target = None
    if target is None or not _can_move(request.user, target):
        raise PermissionDenied
    try:
        appointment_status_change(
            appointment=appointment, new_status=target.value, reason=reason, by=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if target == S.CANCELLED and appointment.course_id is not None:
            messages.success(request, "Cancelled. Valid replacement times are below.")
        else:
            messages.success(request, f"Marked {target.value}.")
    return redirect("scheduling:appointment", appointment_id=appointment.pk)


@require_POST
@staff_required(Capability.MANAGE_SCHEDULE)
def appointment_replace_view(request: StaffRequest, appointment_id: int) -> HttpResponse:
    appointment = appointment_get_for_staff(user=request.user, appointment_id=appointment_id)
    start = parse_start(request.POST.get("start", "")[:40])
    raw_resource = request.POST.get("resource", "")
    resource_id = int(raw_resource) if raw_resource.isdigit() and len(raw_resource) < 12 else None
    if start is None:
        messages.error(request, "Choose one of the offered times.")
        return redirect("scheduling:appointment", appointment_id=appointment.pk)
    try:
        new = appointment_replace(
            appointment=appointment,
            start=start,
            resource_id=resource_id,
            reason=request.POST.get("reason", "")[:500],
            by=request.user,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except SlotTaken as error:
        messages.error(request, f"{error.message} Choose another time.")
    else:
        local = new.start.astimezone(zone(new.clinic))
        messages.success(
            request, f"Session {new.session_number} booked for {local:%a %d %b, %H:%M}."
        )
        return redirect("scheduling:appointment", appointment_id=new.pk)
    return redirect("scheduling:appointment", appointment_id=appointment.pk)


@require_http_methods(["GET", "POST"])
@staff_required(Capability.MANAGE_SCHEDULE)
def availability(request: StaffRequest, patient_id: int) -> HttpResponse:
    patient = patient_get_for_scheduling(user=request.user, patient_id=patient_id)
    rows = list(patient_availability(patient))
    general = [r for r in rows if not r.preferred]
    liked = [r for r in rows if r.preferred]
    initial: dict[str, Any] = {}
    if general:
        initial = {
            "weekdays": [str(r.weekday) for r in general],
            "available_from": general[0].starts_at,
            "available_to": general[0].ends_at,
        }
        if liked:
            initial |= {"preferred_from": liked[0].starts_at, "preferred_to": liked[0].ends_at}
    form = AvailabilityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        preferred = (
            (data["preferred_from"], data["preferred_to"]) if data.get("preferred_from") else None
        )
        try:
            patient_availability_set(
                patient=patient,
                weekdays=[int(d) for d in data["weekdays"]],
                available=(data["available_from"], data["available_to"]),
                preferred=preferred,
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Saved the patient's times.")
            return redirect(f"{reverse('patients:chart', args=[patient.pk])}?tab=course")
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "scheduling/availability.html",
        {"form": form, "patient": patient, "rows": rows},
        status=status,
    )


@require_POST
@staff_required(Capability.MANAGE_SCHEDULE)
def calendar_link(request: StaffRequest, patient_id: int) -> HttpResponse:
    patient = patient_get_for_scheduling(user=request.user, patient_id=patient_id)
    token = patient_calendar_link_issue(patient=patient, by=request.user)
    url = request.build_absolute_uri(reverse("scheduling:patient_feed", args=[token]))
    return render(request, "scheduling/calendar_link.html", {"patient": patient, "url": url})


@require_http_methods(["GET", "POST"])
@staff_required(Capability.MANAGE_CLINIC)
def staff_hours_page(request: StaffRequest) -> HttpResponse:
    clinic = request.user.home_clinic
    # Groups prefetched: each option's label lists the member's roles.
    form = StaffHoursForm(
        request.POST or None, staff=clinic_staff(clinic).prefetch_related("groups")
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            staff_hours_add(
                clinic=clinic,
                staff=data["staff"],
                weekdays=[int(d) for d in data["weekdays"]],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Working hours added.")
            return redirect("scheduling:staff_hours")
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "scheduling/staff_hours.html",
        {"form": form, "rows": staff_hours(clinic)},
        status=status,
    )


@require_POST
@staff_required(Capability.MANAGE_CLINIC)
def staff_hours_delete_view(request: StaffRequest, hours_id: int) -> HttpResponse:
    hours = StaffHours.objects.filter(pk=hours_id, clinic_id=request.user.home_clinic_id).first()
    if hours is None:
        raise Http404("No such working hours")
    staff_hours_delete(hours=hours, by=request.user)
    messages.success(request, "Working hours removed.")
    return redirect("scheduling:staff_hours")


@require_http_methods(["GET", "POST"])
@staff_required(Capability.MANAGE_SCHEDULE)
def planner(request: StaffRequest) -> HttpResponse:
    from remit.protocols.selectors import planned_unbooked_courses

    clinic = request.user.home_clinic
    tomorrow = timezone.now().astimezone(zone(clinic)).date() + timedelta(days=1)
    form = PlannerForm(request.POST or None, initial={"first_day": tomorrow})
    if request.method == "POST" and form.is_valid():
        first, last = form.period_days()
        try:
            run = planner_run_start(
                clinic=clinic,
                first_day=first,
                last_day=last,
                time_limit_s=form.cleaned_data["time_limit_s"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("scheduling:planner_run", run_id=run.pk)
    waiting = list(planned_unbooked_courses(clinic)[:200])
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "scheduling/planner.html",
        {"form": form, "waiting": waiting, "names": True},
        status=status,
    )


@require_GET
@staff_required(Capability.MANAGE_SCHEDULE)
def planner_run(request: StaffRequest, run_id: int) -> HttpResponse:
    run = planner_run_get(clinic=request.user.home_clinic, run_id=run_id)
    outcomes = run.result.get("outcomes", []) if isinstance(run.result, dict) else []
    courses = courses_named(run.clinic, [int(o["course"]) for o in outcomes])
    rows = [(o, courses.get(int(o["course"]))) for o in outcomes]
    context = {"run": run, "rows": rows, "finished": run.status in ("done", "failed")}
    template = "scheduling/_planner_run.html" if request.htmx else "scheduling/planner_run.html"
    return render(request, template, context)


def _feed(name: str, events: list[CalendarEvent]) -> HttpResponse:
    response = HttpResponse(
        calendar_text(name, events, now=timezone.now()), content_type="text/calendar"
    )
    response["Content-Disposition"] = 'inline; filename="appointments.ics"'
    return response


@require_GET
def patient_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The patient's own appointments from a signed link: times and the clinic's name only."""
    try:
        link = link_open(token, purpose=LinkPurpose.CALENDAR)
    except LinkInvalid:
        raise Http404("This link has expired or is not valid.") from None
    link_read_record(link=link, section="calendar_feed")
    since = timezone.now() - timedelta(days=30)
    clinic = link.patient.clinic
    events = [
        CalendarEvent(
            uid=f"appointment-{a.pk}@remit",
            start=a.start,
            end=a.end,
            summary=f"Appointment at {clinic.name}",
            cancelled=a.status not in HOLDING,
        )
        for a in patient_appointments(link.patient).filter(end__gte=since)
        if a.status != S.ENTERED_IN_ERROR
    ]
    return _feed(f"{clinic.name} appointments", events)


@require_GET
@staff_required(Capability.VIEW_CALENDAR)
def resource_feed(request: StaffRequest, resource_id: int) -> HttpResponse:
    """A chair's, room's or device's bookings for staff calendars (no patient details)."""
    resource = clinic_resources(request.user.home_clinic).filter(pk=resource_id).first()
    if resource is None:
        raise Http404("No such resource")
    since = timezone.now() - timedelta(days=30)
    events = [
        CalendarEvent(
            uid=f"appointment-{a.pk}@remit",
            start=a.start,
            end=a.end,
            summary=f"Booked: {resource.name}",
            url=request.build_absolute_uri(reverse("scheduling:appointment", args=[a.pk])),
        )
        for a in calendar_appointments(
            clinic=resource.clinic,
            first_day=since.date(),
            last_day=since.date() + timedelta(days=400),
            resource_id=resource.pk,
        )
        if a.status in HOLDING
    ]
    return _feed(resource.name, events)
