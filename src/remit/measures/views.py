"""Measures pages: staff send questionnaires, enter ratings, acknowledge alerts; patients fill in
questionnaires through a link. A view parses, calls one service, renders."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from remit.core.forms import add_service_errors
from remit.core.http import StaffRequest
from remit.core.permissions import staff_required
from remit.core.roles import Capability
from remit.measures.forms import (
    AcknowledgeForm,
    AssessmentForm,
    LicensedTextForm,
    RequestForm,
    ScheduleForm,
    SettingsForm,
    licensable_codes,
)
from remit.measures.instruments import INSTRUMENTS
from remit.measures.models import Method
from remit.measures.scoring import InvalidAnswers
from remit.measures.selectors import (
    alert_get_for_staff,
    item_texts,
    licensed_texts_of,
    measures_settings_of,
    option_texts,
    schedule_get_for_staff,
)
from remit.measures.services import (
    SETTINGS_FIELDS,
    OpenQuestionnaire,
    QuestionnaireClosed,
    alert_acknowledge,
    assessment_record,
    licensed_text_load,
    measures_settings_update,
    questionnaire_open,
    questionnaire_save,
    questionnaire_submit,
    request_create,
    schedule_create,
    schedule_stop,
    token_fingerprint,
)
from remit.patients.models import Patient
from remit.patients.selectors import patient_get_for_staff
from remit.portal.services import (
    LINK_INVALID,
    LinkInvalid,
    link_read_record,
    link_refused_record,
)

_CHART_TAB = "?tab=measures"
_DONE_KEY = "measures_done"


def _own_patient(request: StaffRequest, patient_id: int) -> Patient:
    """A patient the user may change: in scope (else 404) and of their own clinic (emergency
    access reads; it never writes)."""
    patient = patient_get_for_staff(user=request.user, patient_id=patient_id)
    if patient.clinic_id != request.user.clinic_id:
        raise PermissionDenied
    return patient


def _chart(patient: Patient) -> str:
    return reverse("patients:chart", args=[patient.pk]) + _CHART_TAB


@require_http_methods(["GET", "POST"])
@staff_required(Capability.CHART_SESSION)
def request_new(request: StaffRequest, patient_id: int) -> HttpResponse:
    patient = _own_patient(request, patient_id)
    form = RequestForm(request.POST or None, patient=patient)
    if request.method == "POST" and form.is_valid():
        try:
            request_create(
                patient=patient,
                by=request.user,
                instruments=form.cleaned_data["instruments"],
                channel=form.cleaned_data["channel"],
                course=form.cleaned_data["course"],
                max_reminders=form.cleaned_data["max_reminders"],
                reminder_every_h=form.cleaned_data["reminder_every_h"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Questionnaire request created; the link goes out shortly.")
            return redirect(_chart(patient))
    return render(
        request,
        "measures/request_form.html",
        {"form": form, "patient": patient},
        status=422 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@staff_required(Capability.CHART_SESSION)
def schedule_new(request: StaffRequest, patient_id: int) -> HttpResponse:
    patient = _own_patient(request, patient_id)
    form = ScheduleForm(request.POST or None, patient=patient)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ends_at = None
        if data["ends_on"]:
            ends_at = timezone.make_aware(datetime.combine(data["ends_on"], time.max))
        try:
            schedule_create(
                patient=patient,
                by=request.user,
                instruments=data["instruments"],
                kind=data["kind"],
                course=data["course"],
                offset_h=data["offset_h"],
                interval_days=data["interval_days"],
                channel=data["channel"],
                max_reminders=data["max_reminders"],
                reminder_every_h=data["reminder_every_h"],
                ends_at=ends_at,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Schedule saved; the worker sends each questionnaire.")
            return redirect(_chart(patient))
    return render(
        request,
        "measures/schedule_form.html",
        {"form": form, "patient": patient},
        status=422 if form.errors else 200,
    )


@require_POST
@staff_required(Capability.CHART_SESSION)
def schedule_end(request: StaffRequest, schedule_id: int) -> HttpResponse:
    schedule = schedule_get_for_staff(user=request.user, schedule_id=schedule_id)
    schedule_stop(schedule=schedule, by=request.user)
    messages.success(request, "Schedule stopped.")
    return redirect(_chart(schedule.patient))


@require_http_methods(["GET", "POST"])
@staff_required(Capability.CHART_SESSION)
def assessment_new(request: StaffRequest, patient_id: int) -> HttpResponse:
    patient = _own_patient(request, patient_id)
    code = request.GET.get("instrument", "madrs")
    if code not in INSTRUMENTS:
        code = "madrs"
    instrument = INSTRUMENTS[code]
    form = AssessmentForm(
        request.POST or None,
        patient=patient,
        instrument=instrument,
        texts=item_texts(request.user.home_clinic, instrument),
    )
    if request.method == "POST" and form.is_valid():
        try:
            assessment_record(
                patient=patient,
                code=code,
                answers=form.answers(),
                method=Method.CLINICIAN,
                collected_by=request.user,
                course=form.cleaned_data["course"],
                collected_at=form.cleaned_data["collected_at"],
            )
        except InvalidAnswers as error:
            form.add_error(error.link_id if error.link_id in form.fields else None, str(error))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{instrument.short_title} recorded.")
            return redirect(_chart(patient))
    return render(
        request,
        "measures/assessment_form.html",
        {
            "form": form,
            "patient": patient,
            "instrument": instrument,
            "instruments": [(c, i.title) for c, i in INSTRUMENTS.items()],
        },
        status=422 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@staff_required(Capability.SIGN_CLINICAL)
def alert_acknowledge_view(request: StaffRequest, alert_id: int) -> HttpResponse:
    alert = alert_get_for_staff(user=request.user, alert_id=alert_id)
    if alert.clinic_id != request.user.clinic_id:
        raise PermissionDenied
    form = AcknowledgeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            alert_acknowledge(alert=alert, by=request.user, note=form.cleaned_data["note"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Alert acknowledged.")
            if request.POST.get("next") == "home":
                return redirect("home")
            return redirect(_chart(alert.patient))
    return render(
        request,
        "measures/alert_acknowledge.html",
        {
            "form": form,
            "alert": alert,
            "patient": alert.patient,
            "next": request.GET.get("next", request.POST.get("next", "")),
        },
        status=422 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@staff_required(Capability.MANAGE_CLINIC)
def settings_edit(request: StaffRequest) -> HttpResponse:
    current = measures_settings_of(request.user.home_clinic)
    initial = {name: getattr(current, name) for name in SETTINGS_FIELDS}
    form = SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            measures_settings_update(
                clinic=request.user.home_clinic, by=request.user, changes=form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Saved.")
            return redirect("measures:settings")
    return render(
        request,
        "measures/settings_form.html",
        {"form": form},
        status=422 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@staff_required(Capability.MANAGE_CLINIC)
def licensed_text(request: StaffRequest) -> HttpResponse:
    codes = licensable_codes()
    code = request.POST.get("instrument") or request.GET.get("instrument", codes[0])
    if code not in codes:
        code = codes[0]
    instrument = INSTRUMENTS[code]
    clinic = request.user.home_clinic
    current = {
        link_id: text
        for link_id, text in item_texts(clinic, instrument).items()
        if text != instrument.item(link_id).text
    }
    form = LicensedTextForm(request.POST or None, instrument=instrument, current=current)
    if request.method == "POST" and form.is_valid():
        try:
            licensed_text_load(
                clinic=clinic,
                by=request.user,
                instrument=code,
                texts={k: v for k, v in form.texts().items() if v.strip()},
                licence_note=form.cleaned_data["licence_note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Licensed text of {instrument.title} saved.")
            return redirect(reverse("measures:licensed_text") + f"?instrument={code}")
    return render(
        request,
        "measures/licensed_text_form.html",
        {
            "form": form,
            "instrument": instrument,
            "instruments": [(c, INSTRUMENTS[c].title) for c in codes],
            "loaded": licensed_texts_of(clinic),
        },
        status=422 if form.errors else 200,
    )


# --- the patient's side --------------------------------------------------------------------


def _invalid(request: HttpRequest) -> HttpResponse:
    link_refused_record(section="questionnaire")
    return render(request, "portal/link_invalid.html", {"message": LINK_INVALID}, status=404)


def _page(
    request: HttpRequest,
    token: str,
    opened: OpenQuestionnaire,
    *,
    errors: dict[str, str] | None = None,
    raw: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    current = opened.current
    if current is None:
        return _invalid(request)
    saved = opened.request.partial_answers.get(current.code, {})
    values = {k: str(v).lower() for k, v in saved.items()}
    if raw is not None:
        values.update({k: str(v).lower() for k, v in raw.items() if k in current.link_ids})
    texts = item_texts(opened.link.patient.clinic, current)
    licensed_options = option_texts(opened.link.patient.clinic, current)
    items = []
    for item in current.items:
        if item.kind == "boolean":
            options = [("true", "Yes"), ("false", "No")]
        else:
            wording = licensed_options.get(item.link_id, {})
            options = [
                (str(o.value), wording.get(str(o.value)) or o.label or str(o.value))
                for o in item.options
            ]
        items.append(
            {
                "item": item,
                "text": texts[item.link_id],
                "options": options,
                "value": values.get(item.link_id, ""),
                "error": (errors or {}).get(item.link_id, ""),
                "critical": any(c.link_id == item.link_id for c in current.critical_items),
            }
        )
    position = len(opened.done) + 1
    total = len(opened.request.instruments)
    return render(
        request,
        "measures/questionnaire.html",
        {
            "token": token,
            "instrument": current,
            "title": current.short_title,
            "items": items,
            "position": position,
            "count": total,
            "progress_percent": round((position - 1) * 100 / total),
            "crisis": opened.crisis,
            "crisis_text": opened.clinic_settings.crisis_text,
            "errors": errors or {},
            "clinic": opened.link.patient.clinic.name,
        },
        status=status,
    )


def _thanks(request: HttpRequest, *, crisis: bool, crisis_text: str) -> HttpResponse:
    return render(
        request, "measures/questionnaire_done.html", {"crisis": crisis, "crisis_text": crisis_text}
    )


@require_http_methods(["GET", "POST"])
def questionnaire(request: HttpRequest, token: str) -> HttpResponse:
    """The patient's questionnaire page: one instrument after another."""
    if request.method == "POST":
        return _questionnaire_post(request, token)
    try:
        opened = questionnaire_open(token)
    except (LinkInvalid, QuestionnaireClosed):
        return _invalid(request)
    if opened.current is None:
        return _invalid(request)
    link_read_record(link=opened.link, section="questionnaire")
    return _page(request, token, opened)


def _questionnaire_post(request: HttpRequest, token: str) -> HttpResponse:
    code = request.POST.get("instrument", "")
    raw = {key: request.POST.get(key, "") for key in request.POST if key != "csrfmiddlewaretoken"}
    try:
        result = questionnaire_submit(token=token, code=code, raw=raw)
    except (LinkInvalid, QuestionnaireClosed):
        # A double submit of the last questionnaire: this browser just finished it.
        done = request.session.get(_DONE_KEY, {})
        finished = done.get(token_fingerprint(token))
        if finished is not None:
            return _thanks(request, crisis=finished["crisis"], crisis_text=finished["text"])
        return _invalid(request)
    if result.error is not None:
        opened = questionnaire_open(token)
        errors = {result.error.link_id or "": str(result.error)}
        return _page(request, token, opened, errors=errors, raw=raw, status=422)
    if result.finished:
        crisis = any(a.alerts for a in result.request.assessments.all())
        text = measures_settings_of(result.request.patient.clinic).crisis_text
        done = request.session.get(_DONE_KEY, {})
        done[token_fingerprint(token)] = {"crisis": crisis, "text": text}
        request.session[_DONE_KEY] = done
        return _thanks(request, crisis=crisis, crisis_text=text)
    return redirect("measures:questionnaire", token=token)


@require_POST
def questionnaire_autosave(request: HttpRequest, token: str) -> HttpResponse:
    """HTMX: keep the answers given so far and show crisis resources at once if needed."""
    code = request.POST.get("instrument", "")
    raw = {key: request.POST.get(key, "") for key in request.POST if key != "csrfmiddlewaretoken"}
    try:
        opened = questionnaire_save(token=token, code=code, raw=raw)
    except (LinkInvalid, QuestionnaireClosed):
        return _invalid(request)
    return render(
        request,
        "measures/_crisis.html",
        {"crisis": opened.crisis, "crisis_text": opened.clinic_settings.crisis_text},
    )
