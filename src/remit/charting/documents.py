"""Documents generated from a session's record: the session note and the esketamine REMS
Patient Monitoring Form's content. Reads only what the caller has loaded; writes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from remit.charting.discharge import DISCHARGE_CHECKLISTS
from remit.charting.dosing import Modality
from remit.charting.models import Session, VitalSigns
from remit.charting.monitoring import MONITORING_SCHEDULES


def _rems_minutes() -> tuple[int, int]:
    """The form's 2 hours of monitoring and its BP "about 40 minutes after" the dose [S66c],
    [S72]: the esketamine discharge checklist's and monitoring schedule's numbers, read from
    there so each clinical number lives in one place."""
    observation = DISCHARGE_CHECKLISTS[Modality.ESKETAMINE].minimum_observation_min
    bp_after = [
        check.after_dose_min
        for check in MONITORING_SCHEDULES[Modality.ESKETAMINE].planned_checks
        if check.after_dose_min is not None
    ]
    if observation is None or len(bp_after) != 1:
        raise RuntimeError("the esketamine schedule must give the REMS form's two times")
    return observation, bp_after[0]


REMS_MINIMUM_MONITORING_MIN, REMS_BP_AFTER_MIN = _rems_minutes()

CONCOMITANT_CHOICES = (
    ("benzodiazepines", "Benzodiazepines"),
    ("non_benzodiazepine_sedative_hypnotics", "Non-benzodiazepine sedative-hypnotics"),
    ("psychostimulants", "Psychostimulants"),
    ("maois", "Monoamine oxidase inhibitors (MAOIs)"),
    ("opioids", "Opioids"),
)


def _name(user: object) -> str:
    full = getattr(user, "get_full_name", lambda: "")()
    return str(full or getattr(user, "username", ""))


def _clock(at: datetime | None, zone: ZoneInfo) -> str:
    return at.astimezone(zone).strftime("%H:%M") if at else "—"


def _vitals_line(v: VitalSigns, zone: ZoneInfo) -> str:
    return (
        f"{_clock(v.taken_at, zone)} ({v.phase}): BP {v.systolic}/{v.diastolic} mmHg, "
        f"HR {v.heart_rate}/min, SpO2 {v.spo2}%, RR {v.respiratory_rate}/min"
    )


def note_text(session: Session) -> str:
    """The session note, in plain lines, from everything charted."""
    zone = ZoneInfo(session.clinic.time_zone)
    patient = session.patient
    appointment = session.appointment
    lines = [
        f"Session note: {session.get_modality_display()} for {patient.display_name} "
        f"({patient.mrn}) on {session.checked_in_at.astimezone(zone):%Y-%m-%d}",
        f"Place: {appointment.resource.name}. Checked in {_clock(session.checked_in_at, zone)} "
        f"by {_name(session.checked_in_by)}.",
    ]
    if session.prescriber_on_site is not None:
        lines.append(f"Prescriber on site: {_name(session.prescriber_on_site)}.")
    gate = session.gate_checks.order_by("-checked_at", "-id").first()
    if gate is not None:
        lines.append("Pre-session checks:")
        lines += [f"  - {i['label']}: {i['status']} ({i['detail']})" for i in gate.items]
    for override in session.gate_overrides.select_related("by"):
        lines.append(
            f"  Override of {override.item_code} by {_name(override.by)} at "
            f"{_clock(override.at, zone)}: {override.reason}"
        )
    dose = getattr(session, "dose", None)
    if dose is not None:
        lines.append(f"Dose given at {_clock(dose.given_at, zone)} by {_name(dose.given_by)}:")
        lines += [f"  {line}" for line in dose.arithmetic]
        if dose.lot:
            lines.append(f"  Lot {dose.lot}")
        for device in session.devices.select_related("given_by"):
            lines.append(
                f"  Device {device.number} given {_clock(device.given_at, zone)} by "
                f"{_name(device.given_by)}"
                + (f" ({device.short_rest})" if device.short_rest else "")
            )
    vitals = list(session.vitals.all())
    if vitals:
        lines.append("Vital signs:")
        lines += [f"  {_vitals_line(v, zone)}" for v in vitals]
    alerts = list(session.alerts.select_related("acknowledged_by").order_by("raised_at", "id"))
    if alerts:
        lines.append("Alerts:")
        for alert in alerts:
            ack = (
                f"acknowledged {_clock(alert.acknowledged_at, zone)} by "
                f"{_name(alert.acknowledged_by)}: {alert.action_taken}"
                if alert.acknowledged_at
                else "NOT acknowledged"
            )
            lines.append(f"  {_clock(alert.raised_at, zone)} {alert.level}: {alert.reason} ({ack})")
    effects = list(session.side_effects.all())
    if effects:
        lines.append("Side effects:")
        lines += [
            f"  {_clock(e.recorded_at, zone)} {e.get_symptom_display()} ({e.severity})"
            + (f": {e.note}" if e.note else "")
            for e in effects
        ]
    for event in session.adverse_events.all():
        flags = ", ".join(
            flag
            for flag, on in (("serious", event.serious), ("reportable", event.reportable))
            if on
        )
        lines.append(
            f"Adverse event {_clock(event.onset_at, zone)} ({event.get_severity_display()}"
            f"{', ' + flags if flags else ''}): {event.description}. Action: "
            f"{event.get_action_display()}{' (' + event.medicine + ')' if event.medicine else ''}."
            f" Outcome: {event.get_outcome_display()}."
        )
    discharge = getattr(session, "discharge", None)
    if discharge is not None:
        lines.append(
            f"Discharged {_clock(discharge.discharged_at, zone)} by "
            f"{_name(discharge.discharged_by)}"
            + (f" with {discharge.escort_name}" if discharge.escort_name else "")
            + "."
        )
        for code, at in discharge.criteria.items():
            lines.append(f"  - {code.replace('_', ' ')} at {at[11:16]}")
        lines += [f"  Told: {text}" for text in discharge.instructions_given]
    return "\n".join(lines)


@dataclass(frozen=True)
class RemsContent:
    """The Patient Monitoring Form's fields [S72], [S73], filled from the session."""

    patient_name: str
    patient_mrn: str
    patient_born: str
    first_treatment: bool
    concomitant: list[str]
    monitoring_provider: str
    setting: str
    treatment_date: str
    dose: str
    lot: str
    first_device_at: str
    monitoring_end_at: str
    total_monitoring_min: int | None
    monitoring_at_least_2h: bool | None
    ready_without_rule_at: str
    vitals_ok_before_dose: bool | None
    vitals_ok_before_end: bool | None
    bp_before_dose: str
    bp_about_40_min: str
    bp_before_end: str
    sedation: str
    dissociation: str
    respiratory_depression: str


def _bp(v: VitalSigns | None) -> str:
    return f"{v.systolic}/{v.diastolic} mmHg" if v else "not recorded"


def rems_content(session: Session, *, first_treatment: bool) -> RemsContent:
    zone = ZoneInfo(session.clinic.time_zone)
    patient = session.patient
    dose = getattr(session, "dose", None)
    form = getattr(session, "rems_form", None)
    discharge = getattr(session, "discharge", None)
    vitals = list(session.vitals.all())
    alerts = list(session.alerts.all())
    effects = list(session.side_effects.all())
    pre = [v for v in vitals if v.phase == "pre"]
    after = [v for v in vitals if v.phase != "pre"]
    first_at = dose.given_at if dose else None  # device 1 is recorded with the dose
    end_at = discharge.discharged_at if discharge else None
    total = int((end_at - first_at).total_seconds() // 60) if first_at and end_at else None
    near_40 = None
    if first_at and after:
        target = first_at + timedelta(minutes=REMS_BP_AFTER_MIN)
        near_40 = min(after, key=lambda v: abs((v.taken_at - target).total_seconds()))
    last = after[-1] if after else None

    def ok(v: VitalSigns | None) -> bool | None:
        if v is None:
            return None
        return not any(a.vitals_id == v.pk and a.level != "notify" for a in alerts)

    def effect(symptom: str) -> str:
        found = [e for e in effects if e.symptom == symptom]
        return "; ".join(f"{e.severity}" + (f" ({e.note})" if e.note else "") for e in found)

    respiratory = [a.reason for a in alerts if a.vital in ("spo2", "respiratory_rate")]
    labels = dict(CONCOMITANT_CHOICES)
    return RemsContent(
        patient_name=f"{patient.legal_given_name} {patient.legal_family_name}",
        patient_mrn=patient.mrn,
        patient_born=patient.date_of_birth.isoformat(),
        first_treatment=first_treatment,
        concomitant=[labels.get(c, c) for c in (form.concomitant if form else [])],
        monitoring_provider=_name(dose.given_by) if dose else "",
        setting=f"Outpatient: {session.clinic.name}",
        treatment_date=session.checked_in_at.astimezone(zone).date().isoformat(),
        dose=f"{dose.dose_mg} mg ({dose.devices} devices)" if dose and dose.dose_mg else "—",
        lot=dose.lot if dose and dose.lot else "not recorded",
        first_device_at=_clock(first_at, zone),
        monitoring_end_at=_clock(end_at, zone),
        total_monitoring_min=total,
        monitoring_at_least_2h=None if total is None else total >= REMS_MINIMUM_MONITORING_MIN,
        ready_without_rule_at=_clock(form.ready_without_rule_at, zone)
        if form and form.ready_without_rule_at
        else "not answered",
        vitals_ok_before_dose=ok(pre[-1] if pre else None),
        vitals_ok_before_end=ok(last),
        bp_before_dose=_bp(pre[-1] if pre else None),
        bp_about_40_min=_bp(near_40),
        bp_before_end=_bp(last),
        sedation=effect("sedation") or "none recorded",
        dissociation=effect("dissociation") or "none recorded",
        respiratory_depression="; ".join(respiratory) or "none recorded",
    )
