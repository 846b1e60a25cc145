"""Demo charting: a completed session (gate, dose, vital signs, discharge, signed note) for every
fulfilled demo appointment, one session running now, and esketamine REMS forms.

Built on the appointments the scheduling seed made; with none, nothing is made. Doses and alerts
come from the same pure code the pages use (dosing, check_vitals, discharge checklists), values
from `context.rng(...)` keyed on the appointment's patient and start, so a seed always gives the
same record and a second run adds nothing (appointments with a session are skipped).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from remit.accounts.models import StaffUser
from remit.charting import dosing
from remit.charting.discharge import DISCHARGE_CHECKLISTS
from remit.charting.dosing import Modality
from remit.charting.models import (
    RUNNING_STAGES,
    Discharge,
    DoseRecord,
    DosingWeightSetting,
    EsketamineDevice,
    GateCheck,
    RemsForm,
    Session,
    SessionAlert,
    SessionNote,
    SideEffect,
    Stage,
    VitalSigns,
)
from remit.charting.monitoring import Phase, check_vitals
from remit.charting.selectors import (
    appointment_protocol,
    local_today,
    modality_for,
    vitals_interval_for,
)
from remit.charting.services import dose_fields
from remit.core.audit import AuditEntry, audit_record_many
from remit.core.models import AuditAction
from remit.core.seeding import SeedContext
from remit.protocols.definitions import Protocol
from remit.scheduling.models import Appointment, AppointmentStatusChange

# Enough history to look lived-in while staying fast; the most recent appointments first.
MAX_COMPLETED = 400
RUNNING_MINUTES_AGO = 25


@dataclass
class _Built:
    """Rows of one session, before they are bulk-saved."""

    session: Session
    vitals: list[VitalSigns] = field(default_factory=list)
    alerts: list[tuple[int, SessionAlert]] = field(default_factory=list)
    dose: DoseRecord | None = None
    devices: list[EsketamineDevice] = field(default_factory=list)
    effects: list[SideEffect] = field(default_factory=list)
    discharge: Discharge | None = None
    note: SessionNote | None = None
    rems: RemsForm | None = None
    gate: GateCheck | None = None


def _staff(context: SeedContext, role: str, clinic_id: int) -> StaffUser | None:
    found = context.staff.get(role)
    if found is not None:
        return found
    return StaffUser.objects.filter(clinic_id=clinic_id, groups__name=role).order_by("pk").first()


def _reading(rng: random.Random, base: tuple[int, int, int], bump: int = 0) -> dict[str, Any]:
    systolic = base[0] + bump + rng.randint(-6, 8)
    diastolic = min(systolic - 25, base[1] + bump // 2 + rng.randint(-4, 5))
    return {
        "systolic": systolic,
        "diastolic": diastolic,
        "heart_rate": base[2] + rng.randint(-5, 9),
        "spo2": rng.choice([96, 97, 98, 98, 99, 100]),
        "respiratory_rate": rng.randint(12, 18),
    }


def _dose(
    modality: Modality, protocol: Protocol | None, weight: Decimal, rng: random.Random
) -> dict[str, Any]:
    if modality == Modality.IV_KETAMINE:
        minutes = protocol.session.administration_min if protocol else 40
        iv = dosing.iv_ketamine(
            dosing.dosing_weight(basis="actual", actual_weight_kg=weight), "0.5", minutes, 100
        )
        return dose_fields(iv)
    if modality == Modality.IM_KETAMINE:
        im = dosing.im_ketamine(
            dosing.dosing_weight(basis="actual", actual_weight_kg=weight), "0.5"
        )
        return dose_fields(im)
    if modality in (Modality.ORAL_KETAMINE, Modality.SUBLINGUAL_KETAMINE):
        helper = (
            dosing.oral_ketamine
            if modality == Modality.ORAL_KETAMINE
            else dosing.sublingual_ketamine
        )
        mg = protocol.dose_mg[0] if protocol and protocol.dose_mg else Decimal(10)
        fixed = helper(mg)
        return dose_fields(fixed)
    if modality == Modality.ESKETAMINE:
        spray = dosing.esketamine_dose(rng.choice(["56", "84"]))
        return {**dose_fields(spray), "lot": f"DEMO-EK-{rng.randint(100, 999)}"}
    record = dosing.tms_record(
        motor_threshold_pct=rng.randint(40, 65),
        percent_of_mt=120,
        frequency_hz=10,
        pulses=3000,
        trains=75,
        coil="Figure-8",
        target="Left DLPFC",
    )
    return dose_fields(record)


def _offsets(modality: Modality, interval: int | None, observation_min: int) -> list[int]:
    """Minutes after the dose of each set of vital signs after the pre-dose one."""
    if modality == Modality.TMS:
        return []
    if modality == Modality.ESKETAMINE:
        return [40, 80, 120]
    step = interval or 10
    end = max(step, min(observation_min, 90) + 40)
    return list(range(step, end + 1, step))[:9]


def _build(
    context: SeedContext,
    appointment: Appointment,
    protocol: Protocol | None,
    nurse: StaffUser,
    prescriber: StaffUser,
    *,
    running_at: datetime | None = None,
) -> _Built:
    rng = context.rng("charting", appointment.patient.mrn, appointment.start.isoformat())
    modality = modality_for(protocol, appointment.resource.kind)
    interval = vitals_interval_for(protocol, modality)
    start = running_at or appointment.start
    checked_in = start - timedelta(minutes=rng.randint(3, 12))
    dosed = start + timedelta(minutes=protocol.session.preparation_min if protocol else 0)
    observation = protocol.session.observation_min if protocol else 60
    session = Session(
        appointment=appointment,
        clinic_id=appointment.clinic_id,
        patient_id=appointment.patient_id,
        modality=modality.value,
        stage=Stage.MONITORING if running_at else Stage.DISCHARGED,
        vitals_interval_min=interval,
        prescriber_on_site=prescriber if modality == Modality.ESKETAMINE else None,
        checked_in_at=checked_in,
        checked_in_by=nurse,
        gate_passed_at=checked_in + timedelta(minutes=4),
        dosed_at=dosed,
    )
    built = _Built(session)
    built.gate = GateCheck(
        items=[
            {
                "code": "vitals",
                "label": "Blood pressure and vital signs before the dose",
                "status": "pass",
                "detail": "Within the pre-dose limits.",
            }
        ],
        answers={"fasting_confirmed": True, "ride_home_confirmed": True},
        passed=True,
        checked_at=checked_in + timedelta(minutes=4),
        checked_by=nurse,
    )
    weights = list(appointment.patient.measurements.all())
    weight = weights[0].weight_kg if weights else Decimal("72.0")
    built.dose = DoseRecord(
        given_at=dosed,
        given_by=nurse,
        **_dose(modality, protocol, weight, rng),
    )
    device_times = (
        dosed + timedelta(minutes=n * dosing.ESKETAMINE_DEVICE_INTERVAL_MIN)
        for n in range(built.dose.devices or 0)
    )
    built.devices = [
        EsketamineDevice(number=n, given_at=at, given_by=nurse)
        for n, at in enumerate(device_times, start=1)
        if at <= timezone.now()
    ]
    base = (rng.randint(112, 134), rng.randint(70, 84), rng.randint(62, 84))
    if modality != Modality.TMS:
        built.vitals.append(
            VitalSigns(
                phase=Phase.PRE,
                taken_at=checked_in + timedelta(minutes=2),
                taken_by=nurse,
                **_reading(rng, base),
            )
        )
    now = timezone.now()
    minutes = protocol.session.administration_min if protocol else 40
    surge = rng.random() < 0.08  # a few sessions show the ~40 minute BP peak [S83]
    for offset in _offsets(modality, interval, observation):
        at = dosed + timedelta(minutes=offset)
        if at > now:
            break
        bump = 14 if 25 <= offset <= 50 else 4 if offset < 25 else 0
        reading = _reading(rng, base, bump + (55 if surge and offset == 40 else 0))
        reading["diastolic"] = min(
            reading["diastolic"] + (22 if surge and offset == 40 else 0), reading["systolic"] - 20
        )
        phase = Phase.DURING if offset < minutes else Phase.POST
        built.vitals.append(VitalSigns(phase=phase, taken_at=at, taken_by=nurse, **reading))
        for alert in check_vitals(phase=phase, **reading):
            acknowledged = running_at is None or offset < RUNNING_MINUTES_AGO - 10
            built.alerts.append(
                (
                    len(built.vitals) - 1,
                    SessionAlert(
                        level=alert.level.value,
                        vital=alert.vital,
                        reason=alert.reason,
                        source=alert.source,
                        setting_confirmed=alert.confirmed,
                        raised_at=at,
                        acknowledged_at=at + timedelta(minutes=2) if acknowledged else None,
                        acknowledged_by=nurse if acknowledged else None,
                        action_taken="Prescriber informed; rechecked in 5 minutes"
                        if acknowledged
                        else "",
                    ),
                )
            )
    if modality in (Modality.IV_KETAMINE, Modality.ESKETAMINE) and rng.random() < 0.6:
        built.effects.append(
            SideEffect(
                symptom=rng.choice(["dissociation", "dissociation", "dizziness", "nausea"]),
                severity=rng.choice(["mild", "mild", "moderate"]),
                recorded_at=dosed + timedelta(minutes=20),
                recorded_by=nurse,
            )
        )
    if running_at is not None:
        return built
    checklist = DISCHARGE_CHECKLISTS[modality]
    wait = checklist.minimum_observation_min or min(observation, 90)
    discharged = dosed + timedelta(minutes=max(wait, minutes) + rng.randint(5, 20))
    session.discharged_at = discharged
    built.discharge = Discharge(
        criteria={
            c.code: (discharged - timedelta(minutes=3)).isoformat() for c in checklist.criteria
        },
        instructions_given=list(checklist.instructions),
        escort_name="Family member" if checklist.criteria else "",
        discharged_at=discharged,
        discharged_by=nurse,
    )
    dose = built.dose
    text = "\n".join(
        [
            f"Session note: {modality.value.replace('_', ' ')} on {appointment.start:%Y-%m-%d} "
            f"({appointment.resource.name}).",
            "Pre-session checks passed.",
            *(f"  {line}" for line in dose.arithmetic),
            f"{len(built.vitals)} sets of vital signs; {len(built.alerts)} alert(s), "
            "each acknowledged.",
            f"Discharged {discharged:%H:%M} with all criteria met.",
        ]
    )
    built.note = SessionNote(
        text=text,
        signed_by=nurse,
        signed_at=discharged + timedelta(minutes=5),
        cosigned_by=prescriber,
        cosigned_at=discharged + timedelta(hours=2),
    )
    if modality == Modality.ESKETAMINE:
        old = discharged < now - timedelta(days=3)
        built.rems = RemsForm(
            concomitant=rng.choice([[], [], ["benzodiazepines"]]),
            ready_without_rule_at=dosed + timedelta(minutes=rng.randint(60, 100)),
            submitted_at=discharged + timedelta(days=1) if old else None,
            submitted_by=nurse if old else None,
            confirmation=f"DEMO-{rng.randint(10000, 99999)}" if old else "",
        )
    return built


def _walk_in(
    clinic: Any, appointments: Any, related: tuple[str, ...], nurse: StaffUser
) -> Appointment | None:
    """With no infusion booked for today (evening, weekend), the next booked infusion's patient
    comes in now instead, on a chair that is free: a new appointment, so the floor board has a
    session running whenever the demo is opened."""
    upcoming = (
        appointments.filter(
            status="booked", resource__kind="infusion_chair", start__gt=timezone.now()
        )
        .select_related(*related)
        .order_by("start")
        .first()
    )
    if upcoming is None:
        return None
    start = timezone.now() - timedelta(minutes=RUNNING_MINUTES_AGO)
    end = start + (upcoming.end - upcoming.start)
    busy = Appointment.objects.filter(
        clinic=clinic, start__lt=end, end__gt=start, status__in=["booked", "arrived", "fulfilled"]
    ).values_list("resource_id", flat=True)
    chair = (
        upcoming.resource.__class__.objects.filter(
            clinic=clinic, kind="infusion_chair", active=True
        )
        .exclude(pk__in=list(busy))
        .order_by("name")
        .first()
    )
    if chair is None:
        return None
    walk_in = Appointment.objects.create(
        clinic=clinic,
        patient=upcoming.patient,
        course=upcoming.course,
        phase=upcoming.phase,
        session_number=upcoming.session_number,
        resource=chair,
        start=start,
        end=end,
        status="booked",
        created_by=nurse,
    )
    AppointmentStatusChange.objects.create(
        appointment=walk_in, new_status="booked", changed_by=nurse
    )
    return (
        Appointment.objects.select_related(*related)
        .prefetch_related("patient__measurements")
        .get(pk=walk_in.pk)
    )


def _save(built: list[_Built]) -> None:
    sessions = Session.objects.bulk_create([b.session for b in built])
    for b, session in zip(built, sessions, strict=True):
        for row in (b.gate, b.dose, b.discharge, b.note, b.rems, *b.devices, *b.effects, *b.vitals):
            if row is not None:
                row.session = session
    GateCheck.objects.bulk_create([b.gate for b in built if b.gate])
    DoseRecord.objects.bulk_create([b.dose for b in built if b.dose])
    EsketamineDevice.objects.bulk_create([d for b in built for d in b.devices])
    VitalSigns.objects.bulk_create([v for b in built for v in b.vitals])
    alerts = []
    for b in built:
        for index, alert in b.alerts:
            alert.session = b.session
            alert.vitals = b.vitals[index]
            alerts.append(alert)
    SessionAlert.objects.bulk_create(alerts)
    SideEffect.objects.bulk_create([e for b in built for e in b.effects])
    Discharge.objects.bulk_create([b.discharge for b in built if b.discharge])
    SessionNote.objects.bulk_create([b.note for b in built if b.note])
    RemsForm.objects.bulk_create([b.rems for b in built if b.rems])


@transaction.atomic
def seed(context: SeedContext) -> None:
    clinic = context.clinic
    if clinic is None:
        return
    nurse = _staff(context, "nurse", clinic.pk)
    prescriber = _staff(context, "prescriber", clinic.pk)
    if nurse is None or prescriber is None:
        return
    appointments = Appointment.objects.filter(clinic=clinic, charting_session__isnull=True)
    related = ("patient", "resource", "course__protocol_version")
    # The most recent fulfilled appointments (the same ones on every run), less those charted.
    done = [
        a
        for a in Appointment.objects.filter(clinic=clinic, status="fulfilled")
        .select_related(*related, "charting_session")
        .prefetch_related("patient__measurements")
        .order_by("-start")[:MAX_COMPLETED]
        if not hasattr(a, "charting_session")
    ]
    built = [_build(context, a, appointment_protocol(a), nurse, prescriber) for a in done]
    # One session running now: the first of today's booked infusions, checked in early if need be.
    running_exists = Session.objects.filter(clinic=clinic, stage__in=RUNNING_STAGES).exists()
    today, tomorrow = local_today(clinic)
    candidate = (
        appointments.filter(
            status="booked",
            start__gte=today,
            start__lt=tomorrow,
            resource__kind="infusion_chair",
        )
        .select_related(*related)
        .prefetch_related("patient__measurements")
        .order_by("start")
        .first()
    )
    if candidate is None and not running_exists:
        candidate = _walk_in(clinic, appointments, related, nurse)
    if candidate is not None and not running_exists:
        running_at = timezone.now() - timedelta(minutes=RUNNING_MINUTES_AGO)
        built.append(
            _build(
                context,
                candidate,
                appointment_protocol(candidate),
                nurse,
                prescriber,
                running_at=running_at,
            )
        )
        Appointment.objects.filter(pk=candidate.pk).update(status="arrived")
        AppointmentStatusChange.objects.create(
            appointment=candidate, old_status="booked", new_status="arrived", changed_by=nurse
        )
    if not built:
        return
    _save(built)
    patients = {b.session.patient_id for b in built}
    known = set(
        DosingWeightSetting.objects.filter(patient_id__in=patients).values_list(
            "patient_id", flat=True
        )
    )
    now = timezone.now()
    DosingWeightSetting.objects.bulk_create(
        [
            DosingWeightSetting(patient_id=p, basis="actual", set_by=prescriber, set_at=now)
            for p in sorted(patients - known)
        ]
    )
    audit_record_many(
        [
            AuditEntry(
                action=AuditAction.CREATE,
                clinic_id=clinic.pk,
                patient_id=b.session.patient_id,
                object_type="charting.Session",
                object_id=str(b.session.pk),
                detail={"source": "seed"},
            )
            for b in built
        ],
        actor=nurse,
    )
    context.count("charted sessions", len(built))
