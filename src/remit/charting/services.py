"""Every write of session charting: one transaction each, with its audit row.

The clinical rules are the pure modules' (dosing, monitoring, discharge, gate); these functions
gather the facts, call them, store the result and record who did it. A refused input raises
django's ValidationError with a field-level message and nothing is saved.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from remit.accounts.models import StaffUser
from remit.charting import dosing, gate, integrations
from remit.charting.discharge import DISCHARGE_CHECKLISTS, discharge_blockers
from remit.charting.documents import note_text
from remit.charting.dosing import Modality, WeightBasis
from remit.charting.models import (
    RUNNING_STAGES,
    AdverseEvent,
    ClinicChartingSettings,
    Discharge,
    DoseRecord,
    DosingWeightSetting,
    EsketamineDevice,
    GateCheck,
    GateOverride,
    NoteAddendum,
    RemsForm,
    Session,
    SessionAlert,
    SessionNote,
    SideEffect,
    Stage,
    ThresholdSetting,
    VitalSigns,
)
from remit.charting.monitoring import (
    DEFAULT_THRESHOLDS,
    MONITORING_SCHEDULES,
    ImpossibleReading,
    Phase,
    Threshold,
    check_vitals,
)
from remit.charting.selectors import (
    appointment_protocol,
    clinic_settings,
    local_today,
    modality_for,
    session_protocol,
    thresholds_for,
    vitals_interval_for,
)
from remit.clinics.models import Clinic
from remit.core.access import user_can
from remit.core.audit import audit_record
from remit.core.models import AuditAction
from remit.core.roles import Capability, Role
from remit.patients.models import BodyMeasurement, Diagnosis, Patient
from remit.protocols.definitions import QuestionnaireTiming, StaffRole
from remit.scheduling.models import Appointment

NOT_RUNNING = "This session is no longer running; nothing can be added to it."
SIGNED_NOTE_READ_ONLY = "A signed note cannot be changed. Add an addendum to correct it."


def _audit(action: str, by: StaffUser, obj: Any, session: Session, **detail: Any) -> None:
    audit_record(
        action=action,
        actor=by,
        obj=obj,
        patient_id=session.patient_id,
        clinic_id=session.clinic_id,
        detail=detail,
    )


def _running(session: Session) -> None:
    if session.stage not in RUNNING_STAGES:
        raise ValidationError(NOT_RUNNING)


def _lock(session: Session) -> Session:
    """Re-read the session row under a lock: two tablets never move one session at once."""
    locked = Session.objects.select_for_update().get(pk=session.pk)
    session.stage = locked.stage
    session.dosed_at = locked.dosed_at
    session.gate_passed_at = locked.gate_passed_at
    session.discharged_at = locked.discharged_at
    return session


# --- Check-in -----------------------------------------------------------------------------------


@transaction.atomic
def session_check_in(*, appointment: Appointment, by: StaffUser) -> Session:
    """Open the session for an appointment; a second check-in returns the same session."""
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    existing = Session.objects.filter(appointment=appointment).first()
    if existing is not None:
        return existing
    if appointment.status not in ("booked", "arrived", "checked-in"):
        raise ValidationError(f"A {appointment.status} appointment cannot be checked in.")
    protocol = appointment_protocol(appointment)
    modality = modality_for(protocol, appointment.resource.kind)
    if appointment.status == "booked":
        integrations.appointment_move(appointment=appointment, status="arrived", by=by)
    session = Session(
        appointment=appointment,
        clinic_id=appointment.clinic_id,
        patient_id=appointment.patient_id,
        modality=modality.value,
        vitals_interval_min=vitals_interval_for(protocol, modality),
        checked_in_at=timezone.now(),
        checked_in_by=by,
    )
    session.full_clean(exclude=["appointment", "clinic", "patient"])
    session.save()
    _audit(AuditAction.CREATE, by, session, session, modality=modality.value)
    return session


# --- The pre-session gate -----------------------------------------------------------------------


@dataclass(frozen=True)
class GateAnswers:
    """What the nurse confirms at the chair."""

    fasting_confirmed: bool = False
    ride_home_confirmed: bool = False
    pregnancy_test: str = "not_done"
    new_condition_reported: bool = False
    prescriber_on_site: StaffUser | None = None


def _questionnaires_due(session: Session) -> list[str]:
    protocol = session_protocol(session)
    if protocol is None:
        return []
    first = session.appointment.session_number in (None, 1)
    due = []
    for rule in protocol.questionnaires:
        if rule.timing == QuestionnaireTiming.BEFORE_EACH_SESSION or (
            rule.timing == QuestionnaireTiming.BEFORE_FIRST_SESSION and first
        ):
            due.append(rule.instrument)
    return sorted(set(due))


def _latest_pre_alerts(session: Session) -> list[Any] | None:
    latest = session.vitals.filter(phase=Phase.PRE.value).order_by("-taken_at", "-id").first()
    if latest is None:
        return None
    return check_vitals(
        systolic=latest.systolic,
        diastolic=latest.diastolic,
        heart_rate=latest.heart_rate,
        spo2=latest.spo2,
        respiratory_rate=latest.respiratory_rate,
        phase=Phase.PRE,
        thresholds=thresholds_for(session.clinic_id),
    )


def _could_be_pregnant(patient: Patient) -> bool:
    return patient.sex_at_birth != "male"


def gate_facts(session: Session, answers: GateAnswers) -> gate.GateFacts:
    protocol = session_protocol(session)
    modality = Modality(session.modality)
    settings = clinic_settings(session.clinic)
    now = timezone.now()
    patient = session.patient
    due = _questionnaires_due(session)
    done = (
        integrations.assessment_codes_since(patient, local_today(session.clinic)[0], due)
        if due
        else set()
    )
    safety = integrations.open_safety_alert_count(patient)
    preparation = {p.code for p in protocol.preparation} if protocol else set()
    weight_based = modality in (Modality.IV_KETAMINE, Modality.IM_KETAMINE)
    latest = patient.measurements.order_by("-measured_at").first()
    evaluation = integrations.latest_evaluation_signed_at(patient)
    since = evaluation if isinstance(evaluation, datetime) else None
    new_diagnoses = (
        Diagnosis.objects.filter(patient=patient, recorded_at__gt=since).count() if since else 0
    )
    rems = integrations.rems_enrolment(patient)
    requires_rems = (
        protocol.requires_rems_enrolment if protocol else modality == Modality.ESKETAMINE
    )
    needs_prescriber = (
        protocol.needs_on_site(StaffRole.PRESCRIBER)
        if protocol
        else modality == Modality.ESKETAMINE
    )
    # Clinic policy: the reference sets no pregnancy test for any modality [S54].
    pregnancy_required = modality.value in (settings.pregnancy_test_modalities or [])
    # Without a protocol, every drug session needs a ride home (not TMS).
    ride_home_required = (
        "ride_home" in preparation if protocol is not None else modality != Modality.TMS
    )
    return gate.GateFacts(
        vitals_required=bool(MONITORING_SCHEDULES[modality].planned_checks),
        pre_dose_alerts=_latest_pre_alerts(session),
        questionnaires_due=due,
        questionnaires_done=None if done is integrations.UNAVAILABLE else done,
        open_safety_alerts=None if safety is integrations.UNAVAILABLE else safety,
        fasting_required="fasting" in preparation,
        fasting_confirmed=answers.fasting_confirmed,
        ride_home_required=ride_home_required,
        ride_home_confirmed=answers.ride_home_confirmed,
        weight_required=weight_based,
        weight_age_days=(now - latest.measured_at).days if latest else None,
        weight_max_age_days=settings.weight_max_age_days,
        pregnancy_test_required=pregnancy_required,
        pregnancy_test=answers.pregnancy_test if _could_be_pregnant(patient) else "not_applicable",
        evaluation_signed=None
        if evaluation is integrations.UNAVAILABLE
        else evaluation is not None,
        diagnoses_since_evaluation=new_diagnoses,
        new_condition_reported=answers.new_condition_reported,
        rems_required=requires_rems,
        rems_enrolled=None if rems is integrations.UNAVAILABLE else bool(rems),
        prescriber_required=needs_prescriber,
        prescriber_on_site=answers.prescriber_on_site is not None,
    )


def _overridden(session: Session) -> set[str]:
    return set(session.gate_overrides.values_list("item_code", flat=True))


def _gate_items(check: GateCheck) -> list[gate.GateItem]:
    return [
        gate.GateItem(i["code"], i["label"], gate.ItemStatus(i["status"]), i["detail"])
        for i in check.items
    ]


def _open_if_clear(session: Session, check: GateCheck, by: StaffUser) -> None:
    blockers = gate.gate_blockers(_gate_items(check), _overridden(session))
    if not blockers and session.stage == Stage.GATE:
        session.stage = Stage.READY
        session.gate_passed_at = timezone.now()
        session.save(update_fields=["stage", "gate_passed_at"])
        _audit(AuditAction.CHANGE, by, session, session, fields=["stage"], stage="ready")


@transaction.atomic
def gate_check(*, session: Session, by: StaffUser, answers: GateAnswers) -> GateCheck:
    """Run the gate; with no failed item left (or each overridden) the dose may be given."""
    _lock(session)
    if session.stage not in (Stage.GATE, Stage.READY):
        raise ValidationError("The gate is checked before the dose; the dose is already given.")
    prescriber = answers.prescriber_on_site
    if prescriber is not None and (
        prescriber.clinic_id != session.clinic_id
        or not prescriber.groups.filter(name=Role.PRESCRIBER.value).exists()
    ):
        raise ValidationError({"prescriber_on_site": "Choose a prescriber of this clinic."})
    items = gate.gate_items(gate_facts(session, answers))
    blockers = gate.gate_blockers(items, _overridden(session))
    check = GateCheck.objects.create(
        session=session,
        items=[dataclasses.asdict(i) | {"status": i.status.value} for i in items],
        answers={
            "fasting_confirmed": answers.fasting_confirmed,
            "ride_home_confirmed": answers.ride_home_confirmed,
            "pregnancy_test": answers.pregnancy_test,
            "new_condition_reported": answers.new_condition_reported,
        },
        passed=not blockers,
        checked_at=timezone.now(),
        checked_by=by,
    )
    if prescriber is not None and session.prescriber_on_site_id != prescriber.pk:
        session.prescriber_on_site = prescriber
        session.save(update_fields=["prescriber_on_site"])
    _audit(
        AuditAction.CREATE,
        by,
        check,
        session,
        failed=[i.code for i in items if i.status == gate.ItemStatus.FAIL],
    )
    _open_if_clear(session, check, by)
    return check


@transaction.atomic
def gate_override(*, session: Session, item_code: str, reason: str, by: StaffUser) -> GateOverride:
    """A prescriber lets the dose go ahead despite a failed item, saying why (audited)."""
    if not user_can(by, Capability.SIGN_CLINICAL):
        raise PermissionDenied("Only a prescriber can override a gate item.")
    _lock(session)
    if session.stage not in (Stage.GATE, Stage.READY):
        raise ValidationError("The gate can only be overridden before the dose.")
    check = session.gate_checks.order_by("-checked_at", "-id").first()
    failed = (
        {i.code for i in _gate_items(check) if i.status == gate.ItemStatus.FAIL} if check else set()
    )
    if item_code not in failed:
        raise ValidationError(
            {"item_code": "That item has not failed; there is nothing to override."}
        )
    reason = reason.strip()
    if len(reason) < gate.OVERRIDE_REASON_MIN:
        raise ValidationError({"reason": gate.OVERRIDE_REASON_TOO_SHORT})
    override, created = GateOverride.objects.get_or_create(
        session=session,
        item_code=item_code,
        defaults={"reason": reason, "by": by, "at": timezone.now()},
    )
    if created:
        _audit(AuditAction.CREATE, by, override, session, item=item_code, override=True)
    if check is not None:
        _open_if_clear(session, check, by)
    return override


# --- Dosing -------------------------------------------------------------------------------------


@transaction.atomic
def weight_basis_set(
    *,
    patient: Patient,
    basis: str,
    by: StaffUser,
    adjustment_factor: Decimal = dosing.DEFAULT_ADJUSTMENT_FACTOR,
) -> DosingWeightSetting:
    try:
        basis = WeightBasis(basis).value
    except ValueError:
        raise ValidationError({"weight_basis": "Choose actual, ideal or adjusted."}) from None
    setting = DosingWeightSetting.objects.filter(patient=patient).first()
    if setting is not None and (setting.basis, setting.adjustment_factor) == (
        basis,
        adjustment_factor,
    ):
        return setting
    setting = setting or DosingWeightSetting(patient=patient)
    setting.basis = basis
    setting.adjustment_factor = adjustment_factor
    setting.set_by = by
    setting.set_at = timezone.now()
    setting.full_clean(exclude=["patient"])
    setting.save()
    audit_record(
        action=AuditAction.CHANGE,
        actor=by,
        obj=setting,
        patient_id=patient.pk,
        clinic_id=patient.clinic_id,
        detail={"fields": ["basis", "adjustment_factor"]},
    )
    return setting


@dataclass(frozen=True)
class DoseInput:
    """What the nurse enters; the rest comes from the protocol and the record."""

    mg_per_kg: Decimal | None = None
    dose_mg: Decimal | None = None
    bag_ml: Decimal = Decimal(100)
    concentration_mg_per_ml: Decimal | None = None
    lot: str = ""
    tms: Mapping[str, Any] | None = None


def _refused(field: str, error: ValueError) -> ValidationError:
    return ValidationError({field: str(error)})


def _weight(patient: Patient) -> tuple[BodyMeasurement, DosingWeightSetting]:
    latest = patient.measurements.order_by("-measured_at").first()
    if latest is None:
        raise ValidationError({"mg_per_kg": "No weight recorded: weigh the patient first."})
    setting = DosingWeightSetting.objects.filter(patient=patient).first()
    if setting is None:
        raise ValidationError(
            {"weight_basis": "Choose the weight basis (actual, ideal or adjusted) first."}
        )
    return latest, setting


DoseResult = dosing.IvKetamineDose | dosing.KetamineDose | dosing.EsketamineDose | dosing.TmsRecord


def dose_fields(result: DoseResult) -> dict[str, Any]:
    """The DoseRecord fields of a pure dosing result: the one mapping the service and the demo
    seeder share, so a dose is stored the same way whoever computed it."""
    fields: dict[str, Any] = {"arithmetic": list(result.arithmetic)}
    if isinstance(result, dosing.TmsRecord):
        fields["parameters"] = {
            "motor_threshold_pct": str(result.motor_threshold_pct),
            "percent_of_mt": str(result.percent_of_mt),
            "output_pct": str(result.output_pct),
            "frequency_hz": str(result.frequency_hz),
            "pulses": result.pulses,
            "trains": result.trains,
            "coil": result.coil,
            "target": result.target,
        }
        return fields
    if isinstance(result, dosing.EsketamineDose):
        return {**fields, "dose_mg": result.dose_mg, "devices": result.devices}
    fields.update(
        dose_mg=result.mg,
        weight_kg=result.weight_kg,
        weight_basis=result.weight_basis.value if result.weight_basis else "",
        mg_per_kg=result.mg_per_kg,
    )
    if isinstance(result, dosing.IvKetamineDose):
        return {
            **fields,
            "minutes": int(result.minutes),
            "bag_ml": result.bag_ml,
            "ml_per_hour": result.ml_per_hour,
        }
    return {**fields, "volume_ml": result.volume_ml}


def dose_compute(session: Session, entry: DoseInput) -> dict[str, Any]:
    """The DoseRecord fields for this session's modality, by the pure dosing code."""
    modality = Modality(session.modality)
    protocol = session_protocol(session)
    if modality in (Modality.IV_KETAMINE, Modality.IM_KETAMINE):
        measurement, setting = _weight(session.patient)
        per_kg = entry.mg_per_kg or (
            protocol.dose_mg_per_kg[0] if protocol and protocol.dose_mg_per_kg else None
        )
        if per_kg is None:
            raise ValidationError({"mg_per_kg": "Enter the dose per kilogram."})
        try:
            weight = dosing.dosing_weight(
                basis=setting.basis,
                actual_weight_kg=measurement.weight_kg,
                height_cm=measurement.height_cm,
                sex=session.patient.sex_at_birth,
                adjustment_factor=setting.adjustment_factor,
            )
        except ValueError as error:
            raise _refused("weight_basis", error) from None
        if modality == Modality.IV_KETAMINE:
            minutes = protocol.session.administration_min if protocol else 40
            try:
                iv = dosing.iv_ketamine(weight, per_kg, minutes, entry.bag_ml)
            except ValueError as error:
                raise _refused("mg_per_kg", error) from None
            return dose_fields(iv)
        try:
            im = dosing.im_ketamine(
                weight, per_kg, concentration_mg_per_ml=entry.concentration_mg_per_ml
            )
        except ValueError as error:
            raise _refused("mg_per_kg", error) from None
        return dose_fields(im)
    if modality in (Modality.ORAL_KETAMINE, Modality.SUBLINGUAL_KETAMINE):
        mg = entry.dose_mg or (protocol.dose_mg[0] if protocol and protocol.dose_mg else None)
        if mg is None:
            raise ValidationError({"dose_mg": "Enter the dose in mg."})
        helper = (
            dosing.oral_ketamine
            if modality == Modality.ORAL_KETAMINE
            else dosing.sublingual_ketamine
        )
        try:
            fixed = helper(mg, concentration_mg_per_ml=entry.concentration_mg_per_ml)
        except ValueError as error:
            raise _refused("dose_mg", error) from None
        return dose_fields(fixed)
    if modality == Modality.ESKETAMINE:
        if entry.dose_mg is None:
            raise ValidationError({"dose_mg": "Choose 56 or 84 mg."})
        try:
            spray = dosing.esketamine_dose(entry.dose_mg)
        except ValueError as error:
            raise _refused("dose_mg", error) from None
        if not entry.lot.strip():
            raise ValidationError({"lot": "Enter the lot number (the REMS form asks for it)."})
        return dose_fields(spray)
    values = dict(entry.tms or {})
    try:
        record = dosing.tms_record(
            motor_threshold_pct=values.get("motor_threshold_pct", ""),
            percent_of_mt=values.get("percent_of_mt", ""),
            frequency_hz=values.get("frequency_hz", ""),
            pulses=values.get("pulses", ""),
            trains=values.get("trains", ""),
            coil=str(values.get("coil", "")),
            target=str(values.get("target", "")),
        )
    except ValueError as error:
        raise _refused("tms", error) from None
    return dose_fields(record)


@transaction.atomic
def dose_record(*, session: Session, by: StaffUser, entry: DoseInput) -> DoseRecord:
    _lock(session)
    if session.stage == Stage.GATE:
        raise ValidationError("The pre-session gate has not passed: no dose yet.")
    if DoseRecord.objects.filter(session=session).exists():
        raise ValidationError("The dose of this session is already recorded.")
    _running(session)
    fields = dose_compute(session, entry)
    now = timezone.now()
    dose = DoseRecord(
        session=session,
        given_at=now,
        given_by=by,
        lot=entry.lot.strip(),
        **fields,
    )
    dose.full_clean(exclude=["session"])
    dose.save()
    if dose.devices:
        # The dose is recorded as the first device is given; the others follow 5 minutes apart.
        EsketamineDevice.objects.create(session=session, number=1, given_at=now, given_by=by)
    session.stage = Stage.MONITORING
    session.dosed_at = now
    session.save(update_fields=["stage", "dosed_at"])
    _audit(AuditAction.CREATE, by, dose, session, fields=sorted(fields))
    return dose


@transaction.atomic
def esketamine_device_record(*, session: Session, by: StaffUser, number: int) -> EsketamineDevice:
    """Record the next nasal spray device of the dose. `number` is the device the nurse pressed
    the button for, so a double tap cannot record device 3 in place of a repeated device 2."""
    _lock(session)
    _running(session)
    dose = DoseRecord.objects.filter(session=session).first()
    if dose is None or not dose.devices:
        raise ValidationError("Devices are recorded after an esketamine dose.")
    given = list(session.devices.values_list("given_at", flat=True))
    if number != len(given) + 1:
        raise ValidationError(
            f"Device {number} is already recorded."
            if number <= len(given)
            else f"Record device {len(given) + 1} first."
        )
    now = timezone.now()
    try:
        timing = dosing.esketamine_device_timing(devices=dose.devices, given_at=given, at=now)
    except ValueError as error:
        raise ValidationError(str(error)) from None
    device = EsketamineDevice.objects.create(
        session=session,
        number=timing.number,
        given_at=now,
        given_by=by,
        short_rest=timing.short_rest,
    )
    _audit(AuditAction.CREATE, by, device, session, number=timing.number)
    return device


# --- Vital signs and alerts ---------------------------------------------------------------------


def _phase(session: Session, now: datetime) -> Phase:
    if session.dosed_at is None:
        return Phase.PRE
    protocol = session_protocol(session)
    minutes = protocol.session.administration_min if protocol else 40
    return Phase.DURING if now < session.dosed_at + timedelta(minutes=minutes) else Phase.POST


@transaction.atomic
def vitals_record(
    *,
    session: Session,
    by: StaffUser,
    systolic: int,
    diastolic: int,
    heart_rate: int,
    spo2: int,
    respiratory_rate: int,
    taken_at: datetime | None = None,
) -> tuple[VitalSigns, list[SessionAlert]]:
    """Check and store one set; impossible readings are refused and nothing is saved."""
    _running(session)
    now = taken_at or timezone.now()
    phase = _phase(session, now)
    try:
        found = check_vitals(
            systolic=systolic,
            diastolic=diastolic,
            heart_rate=heart_rate,
            spo2=spo2,
            respiratory_rate=respiratory_rate,
            phase=phase,
            thresholds=thresholds_for(session.clinic_id),
        )
    except ValueError as error:
        field = error.reading if isinstance(error, ImpossibleReading) else "__all__"
        raise ValidationError({field: str(error)}) from None
    vitals = VitalSigns.objects.create(
        session=session,
        phase=phase.value,
        taken_at=now,
        taken_by=by,
        systolic=systolic,
        diastolic=diastolic,
        heart_rate=heart_rate,
        spo2=spo2,
        respiratory_rate=respiratory_rate,
    )
    alerts = SessionAlert.objects.bulk_create(
        [
            SessionAlert(
                session=session,
                vitals=vitals,
                level=a.level.value,
                vital=a.vital,
                reason=a.reason,
                source=a.source,
                setting_confirmed=a.confirmed,
                raised_at=now,
            )
            for a in found
        ]
    )
    _audit(AuditAction.CREATE, by, vitals, session, phase=phase.value, alerts=len(alerts))
    return vitals, alerts


ACTION_MIN = 3


@transaction.atomic
def alert_acknowledge(*, alert: SessionAlert, by: StaffUser, action_taken: str) -> SessionAlert:
    """Acknowledge with the action taken; acknowledging twice changes nothing."""
    alert = SessionAlert.objects.select_for_update().select_related("session").get(pk=alert.pk)
    if alert.acknowledged_at is not None:
        return alert
    action_taken = action_taken.strip()
    if len(action_taken) < ACTION_MIN:
        raise ValidationError(
            {"action_taken": "Say what was done (e.g. infusion paused, BP rechecked)."}
        )
    alert.acknowledged_at = timezone.now()
    alert.acknowledged_by = by
    alert.action_taken = action_taken
    alert.save(update_fields=["acknowledged_at", "acknowledged_by", "action_taken"])
    _audit(AuditAction.CHANGE, by, alert, alert.session, fields=["acknowledged_at", "action_taken"])
    return alert


# --- Side effects, adverse events and ratings ---------------------------------------------------


@transaction.atomic
def side_effect_record(
    *, session: Session, by: StaffUser, symptom: str, severity: str, note: str = ""
) -> SideEffect:
    _running(session)
    effect = SideEffect(
        session=session,
        symptom=symptom,
        severity=severity,
        note=note.strip(),
        recorded_at=timezone.now(),
        recorded_by=by,
    )
    effect.full_clean(exclude=["session"])
    effect.save()
    _audit(AuditAction.CREATE, by, effect, session, symptom=symptom)
    return effect


@transaction.atomic
def adverse_event_record(
    *, session: Session, by: StaffUser, details: Mapping[str, Any]
) -> AdverseEvent:
    if session.stage == Stage.CANCELLED:
        raise ValidationError(NOT_RUNNING)
    event = AdverseEvent(
        session=session,
        description=str(details.get("description", "")).strip(),
        severity=details.get("severity", ""),
        action=details.get("action", ""),
        medicine=str(details.get("medicine", "")).strip(),
        outcome=details.get("outcome", ""),
        serious=bool(details.get("serious")),
        reportable=bool(details.get("reportable")),
        onset_at=details.get("onset_at") or timezone.now(),
        recorded_by=by,
    )
    if event.action == "medicine_given" and not event.medicine:
        raise ValidationError({"medicine": "Name the medicine given."})
    event.full_clean(exclude=["session"])
    event.save()
    _audit(
        AuditAction.CREATE, by, event, session, serious=event.serious, reportable=event.reportable
    )
    return event


RATING_CODES = ("cadss6", "cadss", "moaas")


def rating_record(*, session: Session, by: StaffUser, code: str, answers: dict[str, int]) -> Any:
    """A CADSS-6, CADSS or MOAA/s rating, through the measures capability's service."""
    if code not in RATING_CODES:
        raise ValidationError({"code": "Choose CADSS-6, CADSS or MOAA/s."})
    _running(session)
    saved = integrations.assessment_save(
        patient=session.patient,
        code=code,
        answers=answers,
        by=by,
        course=session.appointment.course,
        appointment=session.appointment,
    )
    if saved is integrations.UNAVAILABLE:
        raise ValidationError(
            "Ratings are stored by the measures capability, which is not installed yet."
        )
    return saved


# --- Discharge and the note ---------------------------------------------------------------------


def _unaccounted_drug(session: Session) -> Decimal:
    from remit.controlled.selectors import session_unaccounted_mg

    return session_unaccounted_mg(session)


@transaction.atomic
def discharge_record(
    *,
    session: Session,
    by: StaffUser,
    criteria: Mapping[str, datetime],
    escort_name: str = "",
) -> Discharge:
    _lock(session)
    if session.stage == Stage.DISCHARGED:
        raise ValidationError("The patient is already discharged.")
    if session.stage != Stage.MONITORING or session.dosed_at is None:
        raise ValidationError("Record the dose before discharge.")
    now = timezone.now()
    minutes = int((now - session.dosed_at).total_seconds() // 60)
    try:
        blockers = discharge_blockers(
            modality=session.modality, criteria_met=list(criteria), minutes_since_dose=minutes
        )
    except ValueError as error:
        raise ValidationError(str(error)) from None
    open_alerts = session.alerts.filter(acknowledged_at__isnull=True).count()
    if open_alerts:
        blockers.append(f"{open_alerts} alert(s) not yet acknowledged")
    unaccounted = _unaccounted_drug(session)
    if unaccounted:
        blockers.append(
            f"{dosing.show(unaccounted)} mg of drawn drug is not yet recorded as given or wasted"
        )
    if blockers:
        raise ValidationError("Not ready for discharge: " + "; ".join(blockers) + ".")
    checklist = DISCHARGE_CHECKLISTS[Modality(session.modality)]
    discharge = Discharge.objects.create(
        session=session,
        criteria={code: at.isoformat() for code, at in criteria.items()},
        instructions_given=list(checklist.instructions),
        escort_name=escort_name.strip(),
        discharged_at=now,
        discharged_by=by,
    )
    session.stage = Stage.DISCHARGED
    session.discharged_at = now
    session.save(update_fields=["stage", "discharged_at"])
    integrations.appointment_move(appointment=session.appointment, status="fulfilled", by=by)
    _audit(AuditAction.CREATE, by, discharge, session, criteria=sorted(criteria))
    return discharge


@transaction.atomic
def note_sign(*, session: Session, by: StaffUser, comment: str = "") -> SessionNote:
    """Generate the note from the record and sign it; a signed note is never rewritten."""
    _lock(session)
    if SessionNote.objects.filter(session=session).exists():
        raise ValidationError(SIGNED_NOTE_READ_ONLY)
    if session.stage != Stage.DISCHARGED:
        raise ValidationError("The note is signed after discharge.")
    note = SessionNote.objects.create(
        session=session,
        text=note_text(session),
        comment=comment.strip(),
        signed_by=by,
        signed_at=timezone.now(),
    )
    _audit(AuditAction.CREATE, by, note, session, signed=True)
    return note


@transaction.atomic
def note_cosign(*, note: SessionNote, by: StaffUser) -> SessionNote:
    if not user_can(by, Capability.SIGN_CLINICAL):
        raise PermissionDenied("Only a prescriber can co-sign a session note.")
    note = SessionNote.objects.select_for_update().select_related("session").get(pk=note.pk)
    if note.cosigned_at is not None:
        return note
    if note.signed_by_id == by.pk:
        raise ValidationError("The co-signer must be a different person from the signer.")
    note.cosigned_by = by
    note.cosigned_at = timezone.now()
    note.save(update_fields=["cosigned_by", "cosigned_at"])
    _audit(AuditAction.CHANGE, by, note, note.session, fields=["cosigned_by", "cosigned_at"])
    return note


def note_edit(*, note: SessionNote, by: StaffUser, text: str) -> None:
    """There is no editing a signed note: every attempt is refused (use an addendum)."""
    raise ValidationError({"text": SIGNED_NOTE_READ_ONLY})


@transaction.atomic
def note_addendum_add(*, note: SessionNote, by: StaffUser, text: str) -> NoteAddendum:
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Write the correction or addition."})
    addendum = NoteAddendum.objects.create(note=note, text=text, by=by, at=timezone.now())
    _audit(AuditAction.CREATE, by, addendum, note.session, addendum=True)
    return addendum


# --- Esketamine REMS form -----------------------------------------------------------------------


@transaction.atomic
def rems_form_save(
    *,
    session: Session,
    by: StaffUser,
    concomitant: list[str],
    ready_without_rule_at: datetime | None,
    submit: bool = False,
    confirmation: str = "",
) -> RemsForm:
    if session.modality != Modality.ESKETAMINE.value:
        raise ValidationError("Only esketamine sessions have a REMS Patient Monitoring Form.")
    form, _ = RemsForm.objects.select_for_update().get_or_create(session=session)
    if form.submitted_at is not None:
        raise ValidationError("This form was submitted; it can no longer be changed.")
    form.concomitant = sorted(set(concomitant))
    form.ready_without_rule_at = ready_without_rule_at
    changed = ["concomitant", "ready_without_rule_at"]
    if submit:
        if session.discharged_at is None:
            raise ValidationError("Submit the form after the session has ended.")
        form.submitted_at = timezone.now()
        form.submitted_by = by
        form.confirmation = confirmation.strip()[:60]
        changed += ["submitted_at", "confirmation"]
    form.save()
    _audit(AuditAction.CHANGE, by, form, session, fields=changed)
    return form


# --- Clinic settings ----------------------------------------------------------------------------


@transaction.atomic
def threshold_set(
    *, clinic: Clinic, by: StaffUser, name: str, value: Decimal, source: str
) -> ThresholdSetting:
    """The medical director sets (and so confirms) one alert limit, with its source."""
    if not user_can(by, Capability.SIGN_CLINICAL) or by.clinic_id != clinic.pk:
        raise PermissionDenied("Only the clinic's prescribers (medical director) confirm limits.")
    if not hasattr(DEFAULT_THRESHOLDS, name):
        raise ValidationError({"name": "Unknown setting."})
    source = source.strip()
    if not source:
        raise ValidationError({"source": "Name the source: the clinic's protocol document."})
    current = thresholds_for(clinic.pk)
    try:
        dataclasses.replace(current, **{name: Threshold(value, source, True)})
    except ValueError as error:
        raise ValidationError({"value": str(error)}) from None
    row = ThresholdSetting.objects.filter(clinic=clinic, name=name).first() or ThresholdSetting(
        clinic=clinic, name=name
    )
    row.value = value
    row.source = source
    row.confirmed = True
    row.confirmed_by = by
    row.confirmed_at = timezone.now()
    row.full_clean(exclude=["clinic"])
    row.save()
    audit_record(
        action=AuditAction.CHANGE,
        actor=by,
        obj=row,
        clinic_id=clinic.pk,
        detail={"fields": ["value", "source", "confirmed"], "setting": name},
    )
    return row


@transaction.atomic
def clinic_settings_update(
    *, clinic: Clinic, by: StaffUser, weight_max_age_days: int, pregnancy_test_modalities: list[str]
) -> ClinicChartingSettings:
    if not user_can(by, Capability.MANAGE_CLINIC) or by.clinic_id != clinic.pk:
        raise PermissionDenied
    unknown = set(pregnancy_test_modalities) - {m.value for m in Modality}
    if unknown:
        raise ValidationError({"pregnancy_test_modalities": "Unknown modality."})
    row, _ = ClinicChartingSettings.objects.get_or_create(clinic=clinic)
    row.weight_max_age_days = weight_max_age_days
    row.pregnancy_test_modalities = sorted(pregnancy_test_modalities)
    row.full_clean(exclude=["clinic"])
    row.save()
    audit_record(
        action=AuditAction.CHANGE,
        actor=by,
        obj=row,
        clinic_id=clinic.pk,
        detail={"fields": ["weight_max_age_days", "pregnancy_test_modalities"]},
    )
    return row
