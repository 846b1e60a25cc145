"""Session charting pages: parse, call one service, render. Every POST answers an HTMX request
with the part of the page it changed (422 and the messages when refused) and a plain browser
with a redirect, so the page works with and without JavaScript."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from remit.charting import services
from remit.charting.discharge import DISCHARGE_CHECKLISTS
from remit.charting.documents import rems_content
from remit.charting.dosing import Modality, esketamine_device_due
from remit.charting.forms import (
    AcknowledgeForm,
    AddendumForm,
    AdverseEventForm,
    Cadss6Form,
    ClinicSettingsForm,
    DeviceForm,
    DischargeForm,
    DoseForm,
    GateForm,
    MoaasForm,
    NoteSignForm,
    OverrideForm,
    RemsAnswersForm,
    SideEffectForm,
    ThresholdForm,
    VitalsForm,
    WeightBasisForm,
)
from remit.charting.models import (
    RUNNING_STAGES,
    DoseRecord,
    DosingWeightSetting,
    RemsForm,
    Session,
    SessionNote,
    Stage,
)
from remit.charting.monitoring import (
    MONITORING_SCHEDULES,
    threshold_settings,
    unconfirmed_thresholds,
)
from remit.charting.selectors import (
    alert_get_for_charting,
    appointment_get_for_check_in,
    appointments_to_check_in,
    board_rows,
    clinic_settings,
    next_vitals_due,
    rems_forms,
    session_alerts,
    session_get_for_charting,
    session_get_for_staff,
    session_protocol,
    session_vitals,
    thresholds_for,
)
from remit.core.access import user_can
from remit.core.audit import audit_record
from remit.core.forms import add_service_errors
from remit.core.http import StaffRequest
from remit.core.models import AuditAction
from remit.core.permissions import staff_required
from remit.core.roles import Capability
from remit.patients.services import patient_read_record

# --- The session page ---------------------------------------------------------------------------


def vitals_context(
    request: StaffRequest,
    session: Session,
    form: VitalsForm | None = None,
    ack_forms: dict[int, AcknowledgeForm] | None = None,
) -> dict[str, Any]:
    vitals = session_vitals(session)
    alerts = session_alerts(session)
    due = next_vitals_due(session, vitals[-1].taken_at if vitals else None)
    return {
        "session": session,
        "vitals": vitals,
        "last_vitals": vitals[-1] if vitals else None,
        "alerts": alerts,
        "open_alerts": [a for a in alerts if a.acknowledged_at is None],
        "next_due": due,
        "schedule": MONITORING_SCHEDULES[Modality(session.modality)],
        "vitals_form": form or VitalsForm(),
        "ack_forms": ack_forms or {},
        "running": session.stage in RUNNING_STAGES,
        "can_chart": user_can(request.user, Capability.CHART_SESSION)
        and session.clinic_id == request.user.clinic_id,
    }


def _devices_context(dose: DoseRecord | None, form: DeviceForm | None) -> dict[str, Any]:
    """Esketamine devices given so far and, while some remain, when the next one is due."""
    if dose is None or not dose.devices:
        return {"devices": [], "next_device": None}
    devices = list(dose.session.devices.select_related("given_by"))
    remaining = len(devices) < dose.devices
    return {
        "devices": devices,
        "next_device": len(devices) + 1 if remaining else None,
        "next_device_due": esketamine_device_due(devices[-1].given_at)
        if remaining and devices
        else None,
        "device_form": form,
    }


def session_context(request: StaffRequest, session: Session, **forms: Any) -> dict[str, Any]:
    user = request.user
    protocol = session_protocol(session)
    modality = Modality(session.modality)
    zone = ZoneInfo(session.clinic.time_zone)
    gate = session.gate_checks.order_by("-checked_at", "-id").first()
    overrides = {o.item_code: o for o in session.gate_overrides.select_related("by")}
    failed = [i for i in (gate.items if gate else []) if i["status"] == "fail"]
    dose = getattr(session, "dose", None)
    note = (
        SessionNote.objects.filter(session=session)
        .select_related("signed_by", "cosigned_by")
        .first()
    )
    context = {
        **vitals_context(request, session, forms.get("vitals_form"), forms.get("ack_forms")),
        "patient": session.patient,
        "protocol": protocol,
        "modality": modality,
        "gate": gate,
        "overrides": overrides,
        "override_items": [i for i in failed if i["code"] not in overrides],
        "gate_form": forms.get("gate_form") or GateForm(clinic_id=session.clinic_id),
        "override_form": forms.get("override_form") or OverrideForm(),
        "weight_setting": DosingWeightSetting.objects.filter(patient=session.patient).first(),
        "latest_weight": session.patient.measurements.order_by("-measured_at").first(),
        "weight_form": forms.get("weight_form") or WeightBasisForm(),
        "dose": dose,
        "dose_form": forms.get("dose_form") or DoseForm(modality=modality, protocol=protocol),
        **_devices_context(dose, forms.get("device_form")),
        "side_effects": list(session.side_effects.all()),
        "side_effect_form": forms.get("side_effect_form") or SideEffectForm(),
        "adverse_events": list(session.adverse_events.all()),
        "adverse_event_form": forms.get("adverse_event_form") or AdverseEventForm(),
        "cadss_form": forms.get("cadss_form") or Cadss6Form(),
        "moaas_form": forms.get("moaas_form") or MoaasForm(),
        "rating_message": forms.get("rating_message", ""),
        "checklist": DISCHARGE_CHECKLISTS[modality],
        "discharge": getattr(session, "discharge", None),
        "discharge_form": forms.get("discharge_form")
        or DischargeForm(modality=modality, zone=zone),
        "note": note,
        "addenda": list(note.addenda.select_related("by")) if note else [],
        "note_form": forms.get("note_form") or NoteSignForm(),
        "addendum_form": forms.get("addendum_form") or AddendumForm(),
        "can_sign": user_can(user, Capability.SIGN_CLINICAL),
        "can_handle_controlled": user_can(user, Capability.HANDLE_CONTROLLED)
        and session.clinic_id == user.clinic_id
        and modality != Modality.TMS,
        "page_error": forms.get("page_error", ""),
        "stages": [
            ("Check-in", True),
            ("Gate", session.stage != Stage.GATE),
            ("Dose", dose is not None),
            ("Monitoring", session.stage in (Stage.DISCHARGED,)),
            ("Discharge", session.discharged_at is not None),
            ("Note", note is not None),
        ],
    }
    if context["can_handle_controlled"]:
        from remit.controlled.views import session_ledger_context

        context.update(session_ledger_context(request, session, forms))
    return context


def respond(
    request: StaffRequest, session: Session, *, status: int = 200, **forms: Any
) -> HttpResponse:
    """The session body for HTMX; a redirect (or the page with its errors) otherwise."""
    if request.htmx:
        return render(
            request,
            "charting/_session_body.html",
            session_context(request, session, **forms),
            status=status,
        )
    if status < 400:
        return redirect("charting:session", session_id=session.pk)
    return render(
        request, "charting/session.html", session_context(request, session, **forms), status=status
    )


@staff_required(Capability.VIEW_CLINICAL)
def session_page(request: StaffRequest, session_id: int) -> HttpResponse:
    session = session_get_for_staff(user=request.user, session_id=session_id)
    patient_read_record(patient=session.patient, by=request.user, section="session")
    return render(request, "charting/session.html", session_context(request, session))


def _charting(request: StaffRequest, session_id: int) -> Session:
    return session_get_for_charting(user=request.user, session_id=session_id)


@require_http_methods(["POST"])
@staff_required(Capability.CHART_SESSION)
def check_in(request: StaffRequest, appointment_id: int) -> HttpResponse:
    appointment = appointment_get_for_check_in(user=request.user, appointment_id=appointment_id)
    try:
        session = services.session_check_in(appointment=appointment, by=request.user)
    except ValidationError as error:
        return render(
            request,
            "charting/board.html",
            _board_context(request, error=" ".join(error.messages)),
            status=422,
        )
    return redirect("charting:session", session_id=session.pk)


@require_http_methods(["POST"])
@staff_required(Capability.CHART_SESSION)
def gate_check(request: StaffRequest, session_id: int) -> HttpResponse:
    session = _charting(request, session_id)
    form = GateForm(request.POST, clinic_id=session.clinic_id)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.gate_check(
                session=session,
                by=request.user,
                answers=services.GateAnswers(
                    fasting_confirmed=data["fasting_confirmed"],
                    ride_home_confirmed=data["ride_home_confirmed"],
                    pregnancy_test=data["pregnancy_test"],
                    new_condition_reported=data["new_condition_reported"],
                    prescriber_on_site=data.get("prescriber_on_site"),
                ),
            )
            return respond(request, session)
        except ValidationError as error:
            add_service_errors(form, error)
    return respond(request, session, status=422, gate_form=form)


@require_http_methods(["POST"])
@staff_required(Capability.CHART_SESSION, Capability.SIGN_CLINICAL)
def gate_override(request: StaffRequest, session_id: int) -> HttpResponse:
    session = _charting(request, session_id)
    form = OverrideForm(request.POST)
    if form.is_valid():
        try:
            services.gate_override(
                session=session,
                item_code=form.cleaned_data["item_code"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
            return respond(request, session)
        except ValidationError as error:
            add_service_errors(form, error)
    return respond(request, session, status=422, override_form=form)


@require_http_methods(["POST"])
@staff_required(Capability.CHART_SESSION)
def weight_basis(request: StaffRequest, session_id: int) -> HttpResponse:
    session = _charting(request, session_id)
    form = WeightBasisForm(request.POST)
    if form.is_valid():
        try:
            services.weight_basis_set(
                patient=session.patient, basis=form.cleaned_data["weight_basis"], by=request.user
            )
            return respond(request, session)
        except ValidationError as error:
            add_service_errors(form, error)
    return respond(request, session, status=422, weight_form=form)


def _tms(data: dict[str, Any]) -> dict[str, Any]:
    names = ("motor_threshold_pct", "percent_of_mt", "frequency_hz", "pulses", "trains")
    return {
        **{n: data.get(n) for n in names},
        "coil": data.get("coil"),
        "target": data.get("target"),
    }


@require_http_methods(["POST"])
@staff_required(Capability.CHART_SESSION)
def dose(request: StaffRequest, session_id: int) -> HttpResponse:
    session = _charting(request, session_id)
    form = DoseForm(
        request.POST, modality=Modality(session.modality), protocol=session_protocol(session)
    )
    if form.is_valid():
        data = form.cleaned_data
        entry = services.DoseInput(
            mg_per_kg=Decimal(data["mg_per_kg"]) if data.get("mg_per_kg") else None,
            dose_mg=Decimal(str(data["dose_mg"])) if data.get("dose_mg") else None,
            bag_ml=data.get("bag_ml") or Decimal(100),
            concentration_mg_per_ml=data.get("concentration_mg_per_ml"),
            lot=data.get("lot", ""),
            tms=_tms(data) if session.modality == Modality.TMS else None,
        )
        try:
            services.dose_record(session=session, by=request.user, entry=entry)
            return respond(request, session)
        except ValidationError as error:
            add_service_errors(form, error)
    return respond(request, session, status=422, dose_form=form)


@require_http_methods(["POST"])
@staff_required(Capability.CHART_SESSION)
def esketamine_device(request: StaffRequest, session_id: int) -> HttpResponse:
    """The next nasal spray device was given now."""
    session = _charting(request, session_id)
    form = DeviceForm(request.POST)
    if form.is_valid():
        try:
            services.esketamine_device_record(
                session=session, by=request.user, number=form.cleaned_data["number"]
            )
            return respond(request, session)
        except ValidationError as error:
            add_service_errors(form, error)
    return respond(request, session, status=422, device_form=form)


def _vitals_fragment(
    request: StaffRequest, session: Session, status: int = 200, **forms: Any
) -> HttpResponse:
    if not request.htmx:
        return respond(request, session, status=status, **forms)
    return render(
        request,
        "charting/_vitals.html",
        vitals_context(request, session, forms.get("vitals_form"), forms.get("ack_forms")),
        status=status,
    )


@require_http_methods(["POST"])
@staff_required(Capability.CHART_SESSION)
def vitals(request: StaffRequest, session_id: int) -> HttpResponse:
    """One set of vital signs; the alerts it raises come back in the same answer."""
    session = _charting(request, session_id)
    form = VitalsForm(request.POST)
    if form.is_valid():
        try:
            services.vitals_record(session=session, by=request.user, **form.cleaned_data)
            return _vitals_fragment(request, session)
        except ValidationError as error:
            add_service_errors(form, error)
    return _vitals_fragment(request, session, status=422, vitals_form=form)


@require_http_methods(["POST"])
@staff_required(Capability.CHART_SESSION)
def alert_acknowledge(request: StaffRequest, session_alert_id: int) -> HttpResponse:
    alert = alert_get_for_charting(user=request.user, alert_id=session_alert_id)
    session = session_get_for_charting(user=request.user, session_id=alert.session_id)
    form = AcknowledgeForm(request.POST)
    if form.is_valid():
        try:
            services.alert_acknowledge(
                alert=alert, by=request.user, action_taken=form.cleaned_data["action_taken"]
            )
            return _vitals_fragment(request, session)
        except ValidationError as error:
            add_service_errors(form, error)
    return _vitals_fragment(request, session, status=422, ack_forms={alert.pk: form})


@require_http_methods(["POST"])
@staff_required(Capability.CHART_SESSION)
def side_effect(request: StaffRequest, session_id: int) -> HttpResponse:
    session = _charting(request, session_id)
    form = SideEffectForm(request.POST)
    if form.is_valid():
        try:
            services.side_effect_record(session=session, by=request.user, **form.cleaned_data)
            return respond(request, session)
        except ValidationError as error:
            add_service_errors(form, error)
    return respond(request, session, status=422, side_effect_form=form)


@require_http_methods(["POST"])
@staff_required(Capability.CHART_SESSION)
def adverse_event(request: StaffRequest, session_id: int) -> HttpResponse:
    session = _charting(request, session_id)
    form = AdverseEventForm(request.POST)
    if form.is_valid():
        try:
            services.adverse_event_record(
                session=session, by=request.user, details=form.cleaned_data
            )
            return respond(request, session)
        except ValidationError as error:
            add_service_errors(form, error)
    return respond(request, session, status=422, adverse_event_form=form)


@require_http_methods(["POST"])
@staff_required(Capability.CHART_SESSION)
def rating(request: StaffRequest, session_id: int) -> HttpResponse:
    session = _charting(request, session_id)
    code = request.POST.get("code", "")
    form: Cadss6Form | MoaasForm = (
        MoaasForm(request.POST) if code == "moaas" else Cadss6Form(request.POST)
    )
    key = "moaas_form" if code == "moaas" else "cadss_form"
    if form.is_valid():
        answers = (
            form.answers()
            if isinstance(form, Cadss6Form)
            else {"moaas": form.cleaned_data["moaas"]}
        )
        try:
            services.rating_record(
                session=session, by=request.user, code=code or "cadss6", answers=answers
            )
            return respond(request, session, rating_message="Rating saved.")
        except ValidationError as error:
            add_service_errors(form, error)
    return respond(request, session, status=422, **{key: form})


@require_http_methods(["POST"])
@staff_required(Capability.CHART_SESSION)
def discharge(request: StaffRequest, session_id: int) -> HttpResponse:
    session = _charting(request, session_id)
    form = DischargeForm(
        request.POST, modality=Modality(session.modality), zone=ZoneInfo(session.clinic.time_zone)
    )
    if form.is_valid():
        try:
            services.discharge_record(
                session=session,
                by=request.user,
                criteria=form.met(),
                escort_name=form.cleaned_data["escort_name"],
            )
            return respond(request, session)
        except ValidationError as error:
            add_service_errors(form, error)
    return respond(request, session, status=422, discharge_form=form)


@require_http_methods(["POST"])
@staff_required(Capability.CHART_SESSION)
def note_sign(request: StaffRequest, session_id: int) -> HttpResponse:
    session = _charting(request, session_id)
    form = NoteSignForm(request.POST)
    if form.is_valid():
        try:
            services.note_sign(
                session=session, by=request.user, comment=form.cleaned_data["comment"]
            )
            return respond(request, session)
        except ValidationError as error:
            add_service_errors(form, error)
    return respond(request, session, status=422, note_form=form)


@require_http_methods(["POST"])
@staff_required(Capability.SIGN_CLINICAL)
def note_cosign(request: StaffRequest, session_id: int) -> HttpResponse:
    session = _charting(request, session_id)
    note = SessionNote.objects.filter(session=session).first()
    if note is None:
        return respond(request, session, status=422, page_error="There is no signed note yet.")
    try:
        services.note_cosign(note=note, by=request.user)
    except ValidationError as error:
        return respond(request, session, status=422, page_error=" ".join(error.messages))
    return respond(request, session)


@require_http_methods(["POST"])
@staff_required(Capability.CHART_SESSION)
def note_addendum(request: StaffRequest, session_id: int) -> HttpResponse:
    session = _charting(request, session_id)
    note = SessionNote.objects.filter(session=session).first()
    form = AddendumForm(request.POST)
    if note is None:
        form.add_error(None, "There is no signed note yet.")
    elif form.is_valid():
        try:
            services.note_addendum_add(note=note, by=request.user, text=form.cleaned_data["text"])
            return respond(request, session)
        except ValidationError as error:
            add_service_errors(form, error)
    return respond(request, session, status=422, addendum_form=form)


# --- The floor board ----------------------------------------------------------------------------


def _rows_context(request: StaffRequest) -> dict[str, Any]:
    # One reverse for all rows (a link per row would reverse fifty times on every refresh).
    base = reverse("charting:session", args=[0])
    return {
        "rows": board_rows(request.user.home_clinic_id),
        "now": timezone.now(),
        "session_url": base[: -len("0/")],
    }


def _board_context(request: StaffRequest, error: str = "") -> dict[str, Any]:
    return {
        **_rows_context(request),
        "to_check_in": list(appointments_to_check_in(request.user)),
        "error": error,
    }


@staff_required(Capability.CHART_SESSION)
def board(request: StaffRequest) -> HttpResponse:
    context = _board_context(request)
    # One audit row per opening of the board (not per refresh): it shows who is in which chair.
    audit_record(
        action=AuditAction.VIEW,
        actor=request.user,
        clinic_id=request.user.home_clinic_id,
        detail={"section": "floor_board", "sessions": len(context["rows"])},
    )
    return render(request, "charting/board.html", context)


@staff_required(Capability.CHART_SESSION)
def board_rows_fragment(request: StaffRequest) -> HttpResponse:
    return render(request, "charting/_board_rows.html", _rows_context(request))


# --- Esketamine REMS ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@staff_required(Capability.VIEW_CLINICAL)
def rems_form(request: StaffRequest, session_id: int) -> HttpResponse:
    session = session_get_for_staff(user=request.user, session_id=session_id)
    if session.modality != Modality.ESKETAMINE.value:
        raise Http404("No REMS form for this session")
    zone = ZoneInfo(session.clinic.time_zone)
    saved = RemsForm.objects.filter(session=session).first()
    initial = {}
    if saved is not None:
        initial = {
            "concomitant": saved.concomitant,
            "ready_without_rule": saved.ready_without_rule_at.astimezone(zone).time()
            if saved.ready_without_rule_at
            else None,
            "confirmation": saved.confirmation,
        }
    form = RemsAnswersForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if (
            not user_can(request.user, Capability.CHART_SESSION)
            or session.clinic_id != request.user.clinic_id
        ):
            raise PermissionDenied
        if form.is_valid():
            clock = form.cleaned_data["ready_without_rule"]
            day = (session.dosed_at or session.checked_in_at).astimezone(zone).date()
            try:
                services.rems_form_save(
                    session=session,
                    by=request.user,
                    concomitant=form.cleaned_data["concomitant"],
                    ready_without_rule_at=datetime.combine(day, clock, tzinfo=zone)
                    if clock
                    else None,
                    submit="submit" in request.POST,
                    confirmation=form.cleaned_data["confirmation"],
                )
                return redirect("charting:rems_form", session_id=session.pk)
            except ValidationError as error:
                add_service_errors(form, error)
        status = 422
    patient_read_record(patient=session.patient, by=request.user, section="rems_form")
    earlier = (
        Session.objects.filter(
            patient=session.patient,
            modality=session.modality,
            dosed_at__lt=session.dosed_at or timezone.now(),
        )
        .exclude(pk=session.pk)
        .exists()
    )
    context = {
        "session": session,
        "content": rems_content(session, first_treatment=not earlier),
        "saved": saved,
        "form": form,
    }
    return render(request, "charting/rems_form.html", context, status=status)


@staff_required(Capability.VIEW_CLINICAL)
def rems_dashboard(request: StaffRequest) -> HttpResponse:
    rows = rems_forms(request.user)
    return render(
        request,
        "charting/rems_dashboard.html",
        {
            "due": [r for r in rows if not r.submitted],
            "submitted": [r for r in rows if r.submitted],
            "now": timezone.now(),
        },
    )


# --- Monitoring limits (the medical director confirms) ------------------------------------------


def _may_see_limits(request: StaffRequest) -> bool:
    return user_can(request.user, Capability.MANAGE_CLINIC) or user_can(
        request.user, Capability.SIGN_CLINICAL
    )


def _limits_context(request: StaffRequest, **extra: Any) -> dict[str, Any]:
    clinic = request.user.home_clinic
    current = thresholds_for(clinic.pk)
    settings_row = clinic_settings(clinic)
    return {
        "settings": threshold_settings(current),
        "unconfirmed": unconfirmed_thresholds(current),
        "can_confirm": user_can(request.user, Capability.SIGN_CLINICAL),
        "can_manage": user_can(request.user, Capability.MANAGE_CLINIC),
        "clinic_settings": settings_row,
        "settings_form": extra.get("settings_form")
        or ClinicSettingsForm(
            initial={
                "weight_max_age_days": settings_row.weight_max_age_days,
                "pregnancy_test_modalities": settings_row.pregnancy_test_modalities,
            }
        ),
        "errors": extra.get("errors", {}),
        "schedules": list(MONITORING_SCHEDULES.values()),
    }


@staff_required()
def thresholds(request: StaffRequest) -> HttpResponse:
    if not _may_see_limits(request):
        raise PermissionDenied
    return render(request, "charting/thresholds.html", _limits_context(request))


@require_http_methods(["POST"])
@staff_required(Capability.SIGN_CLINICAL)
def threshold_set(request: StaffRequest, threshold_name: str) -> HttpResponse:
    form = ThresholdForm(request.POST)
    if form.is_valid():
        try:
            services.threshold_set(
                clinic=request.user.home_clinic,
                by=request.user,
                name=threshold_name,
                value=form.cleaned_data["value"],
                source=form.cleaned_data["source"],
            )
            return redirect("charting:thresholds")
        except ValidationError as error:
            add_service_errors(form, error)
    errors = {threshold_name: [e for errs in form.errors.values() for e in errs]}
    return render(
        request, "charting/thresholds.html", _limits_context(request, errors=errors), status=422
    )


@require_http_methods(["POST"])
@staff_required(Capability.MANAGE_CLINIC)
def clinic_settings_save(request: StaffRequest) -> HttpResponse:
    form = ClinicSettingsForm(request.POST)
    if form.is_valid():
        try:
            services.clinic_settings_update(
                clinic=request.user.home_clinic, by=request.user, **form.cleaned_data
            )
            return redirect("charting:thresholds")
        except ValidationError as error:
            add_service_errors(form, error)
    return render(
        request,
        "charting/thresholds.html",
        _limits_context(request, settings_form=form),
        status=422,
    )
