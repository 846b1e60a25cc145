"""Every write of measurement-based care: assessments, requests, schedules, alerts, settings.

The score is always computed here, by `remit.measures.score()`; nothing from a form or an API
body is trusted as a total. Each change writes its audit row in the same transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from remit.accounts.models import StaffUser
from remit.clinics.models import Clinic
from remit.core.access import user_can
from remit.core.audit import audit_record
from remit.core.models import AuditAction
from remit.core.roles import Capability
from remit.measures import Alert, Change, change, score
from remit.measures.instruments import INSTRUMENTS, Instrument
from remit.measures.models import (
    AlertStatus,
    Assessment,
    AssessmentRequest,
    AssessmentSchedule,
    Channel,
    LicensedItemText,
    MeasuresSettings,
    Method,
    RequestStatus,
    SafetyAlert,
    ScheduleKind,
)
from remit.measures.schedules import Session, plan
from remit.measures.scoring import Answer, InvalidAnswers, critical_fires
from remit.measures.selectors import SESSION_STATUSES, measures_settings_of
from remit.measures.sms import sms_send
from remit.patients.models import Patient
from remit.portal.models import LinkPurpose, PatientLink
from remit.portal.services import link_issue, link_open, link_use
from remit.protocols.models import TreatmentCourse
from remit.scheduling.models import Appointment

# Instruments a patient fills in through a link: the self-report ones.
PATIENT_INSTRUMENTS = tuple(code for code, i in INSTRUMENTS.items() if i.rater == "patient")
MAX_REQUEST_INSTRUMENTS = 5
MAX_REMINDERS = 5
ENDED_COURSE_STATUSES = ("completed", "stopped")


def _alert_at(clinic_settings: MeasuresSettings) -> dict[str, int]:
    return {
        "qids-12": clinic_settings.qids_item12_alert_at,
        "madrs-10": clinic_settings.madrs_item10_alert_at,
    }


def _check_same_patient(
    patient: Patient, course: TreatmentCourse | None, appointment: Appointment | None
) -> None:
    problems = {}
    if course is not None and course.patient_id != patient.pk:
        problems["course"] = "This course belongs to another patient."
    if appointment is not None and appointment.patient_id != patient.pk:
        problems["appointment"] = "This appointment belongs to another patient."
    if problems:
        raise ValidationError(problems)


def _baseline_for(
    *, patient: Patient, code: str, course: TreatmentCourse | None, before: datetime
) -> Assessment | None:
    """The first earlier assessment of the same instrument: within the course if there is one,
    else the patient's first ever."""
    earlier = Assessment.objects.filter(
        patient=patient, instrument=code, collected_at__lte=before, total__isnull=False
    )
    if course is not None:
        earlier = earlier.filter(course=course)
    return earlier.order_by("collected_at", "id").first()


def alerts_json(alerts: Sequence[Alert]) -> list[dict[str, Any]]:
    """Fired critical items as stored on an assessment (`Assessment.alerts`)."""
    return [
        {
            "link_id": alert.link_id,
            "item": alert.item_number,
            "value": alert.value,
            "label": alert.label,
            "rule": alert.rule,
            "source": alert.source,
            "confirmed": alert.confirmed,
        }
        for alert in alerts
    ]


def baseline_change_set(assessment: Assessment, baseline: Assessment, delta: Change) -> None:
    """Store the change from `baseline` with the rule that defined it (unsaved)."""
    assessment.baseline = baseline
    assessment.change_percent = delta.percent
    assessment.response = delta.response
    assessment.remission = delta.remission
    assessment.relapse = delta.relapse
    assessment.change_definition = delta.definition
    assessment.change_confirmed = delta.confirmed


def band_alert_reason(
    *, code: str, severity: str, total: int | None, source: str
) -> dict[str, str]:
    """The safety-alert reason for a severity band the clinic chose to alert on."""
    return {
        "kind": "band",
        "text": f"{INSTRUMENTS[code].short_title} {severity}"
        + (f" (total {total})" if total is not None else ""),
        "rule": f"{severity} band raises an alert (clinic setting)",
        "source": source,
    }


@transaction.atomic
def assessment_record(
    *,
    patient: Patient,
    code: str,
    answers: Any,
    method: str,
    collected_by: StaffUser | None = None,
    course: TreatmentCourse | None = None,
    appointment: Appointment | None = None,
    collected_at: datetime | None = None,
    request: AssessmentRequest | None = None,
) -> Assessment:
    """Score `answers` with `score()` and record them; raise a safety alert if one is due.

    Raises InvalidAnswers (naming the item) or ValidationError; then nothing is saved.
    """
    if method not in Method.values:
        raise ValidationError({"method": f"Unknown collection method {method!r}."})
    _check_same_patient(patient, course, appointment)
    now = timezone.now()
    when = collected_at or now
    if timezone.is_naive(when):
        raise ValidationError({"collected_at": "Give the time with its time zone."})
    if when > now + timedelta(minutes=5):
        raise ValidationError({"collected_at": "An assessment cannot be dated in the future."})
    clinic_settings = measures_settings_of(patient.clinic)
    result = score(code, answers, alert_at=_alert_at(clinic_settings))
    instrument = INSTRUMENTS[result.instrument]
    assessment = Assessment(
        patient=patient,
        clinic_id=patient.clinic_id,
        instrument=result.instrument,
        instrument_version=result.version,
        answers=dict(result.answers),
        total=result.total,
        severity=result.severity or "",
        severity_source=result.severity_source or "",
        convention=result.convention or "",
        subscores=dict(result.subscores),
        alerts=alerts_json(result.alerts),
        method=method,
        collected_by=collected_by,
        collected_at=when,
        course=course,
        appointment=appointment,
        request=request,
    )
    baseline = None
    if result.total is not None and instrument.direction == "higher-is-worse":
        baseline = _baseline_for(patient=patient, code=code, course=course, before=when)
    if baseline is not None and baseline.total is not None:
        cutoff = clinic_settings.madrs_remission if code == "madrs" else None
        delta = change(code, baseline.total, result.total or 0, remission_cutoff=cutoff)
        baseline_change_set(assessment, baseline, delta)
    assessment.full_clean(exclude=["request"] if request is not None else None)
    assessment.save()
    audit_record(
        action=AuditAction.CREATE,
        actor=collected_by,
        obj=assessment,
        patient_id=patient.pk,
        clinic_id=patient.clinic_id,
        detail={"instrument": assessment.instrument, "method": method},
    )
    reasons = [
        {"kind": "item", "text": str(alert), "rule": alert.rule, "source": alert.source}
        for alert in result.alerts
    ]
    if result.severity and f"{result.instrument}:{result.severity}" in clinic_settings.alert_bands:
        reasons.append(
            band_alert_reason(
                code=result.instrument,
                severity=result.severity,
                total=result.total,
                source=result.severity_source or "",
            )
        )
    early = (
        SafetyAlert.objects.select_for_update()
        .filter(request=request, assessment__isnull=True)
        .first()
        if request is not None
        else None
    )
    if early is not None:
        # The alert raised while the patient was still answering now gets the full record.
        early.assessment = assessment
        early.reasons = reasons or early.reasons
        early.save(update_fields=["assessment", "reasons"])
    elif reasons:
        alert = SafetyAlert.objects.create(
            patient=patient,
            clinic_id=patient.clinic_id,
            assessment=assessment,
            request=request,
            reasons=reasons,
            raised_at=now,
        )
        audit_record(
            action=AuditAction.CREATE,
            actor=collected_by,
            obj=alert,
            patient_id=patient.pk,
            clinic_id=patient.clinic_id,
            detail={"assessment": assessment.pk, "reasons": [r["kind"] for r in reasons]},
        )
    return assessment


# --- safety alerts -------------------------------------------------------------------------


@transaction.atomic
def alert_acknowledge(*, alert: SafetyAlert, by: StaffUser, note: str) -> SafetyAlert:
    if not user_can(by, Capability.SIGN_CLINICAL) or alert.clinic_id != by.clinic_id:
        raise PermissionDenied
    alert = SafetyAlert.objects.select_for_update().get(pk=alert.pk)
    if alert.status != AlertStatus.OPEN:
        raise ValidationError({"note": "This alert was already acknowledged."})
    note = note.strip()
    if not note:
        raise ValidationError(
            {"note": "Write what you did (e.g. called the patient, safety plan reviewed)."}
        )
    alert.status = AlertStatus.ACKNOWLEDGED
    alert.acknowledged_by = by
    alert.acknowledged_at = timezone.now()
    alert.note = note[:4000]
    alert.save(update_fields=["status", "acknowledged_by", "acknowledged_at", "note"])
    audit_record(
        action=AuditAction.CHANGE,
        actor=by,
        obj=alert,
        patient_id=alert.patient_id,
        clinic_id=alert.clinic_id,
        detail={"fields": ["status", "note"]},
    )
    return alert


# --- questionnaire requests and links ------------------------------------------------------


def _check_instruments(codes: Sequence[str]) -> list[str]:
    chosen = list(dict.fromkeys(codes))
    if not chosen:
        raise ValidationError({"instruments": "Choose at least one questionnaire."})
    if len(chosen) > MAX_REQUEST_INSTRUMENTS:
        raise ValidationError(
            {"instruments": f"Send at most {MAX_REQUEST_INSTRUMENTS} questionnaires at once."}
        )
    unknown = [code for code in chosen if code not in PATIENT_INSTRUMENTS]
    if unknown:
        raise ValidationError(
            {"instruments": f"Not a patient questionnaire: {', '.join(map(str, unknown))}."}
        )
    return chosen


def _check_channel(patient: Patient, channel: str) -> None:
    if channel not in Channel.values:
        raise ValidationError({"channel": f"Unknown channel {channel!r}."})
    if channel == Channel.EMAIL and not patient.email:
        raise ValidationError({"channel": "The patient has no email address on file."})
    if channel == Channel.SMS and not patient.phone:
        raise ValidationError({"channel": "The patient has no phone number on file."})


def _check_reminders(max_reminders: int, reminder_every_h: int) -> None:
    if not 0 <= max_reminders <= MAX_REMINDERS:
        raise ValidationError({"max_reminders": f"Send 0 to {MAX_REMINDERS} reminders."})
    if not 1 <= reminder_every_h <= 24 * 7:
        raise ValidationError({"reminder_every_h": "Remind every 1 to 168 hours."})


@transaction.atomic
def request_create(
    *,
    patient: Patient,
    instruments: Sequence[str],
    channel: str = Channel.EMAIL,
    by: StaffUser | None = None,
    course: TreatmentCourse | None = None,
    appointment: Appointment | None = None,
    schedule: AssessmentSchedule | None = None,
    occasion: str = "",
    max_reminders: int = 0,
    reminder_every_h: int = 24,
) -> AssessmentRequest:
    """Create a request and enqueue its delivery (the worker sends it, never a web request)."""
    from remit.measures.tasks import deliver_request

    chosen = _check_instruments(instruments)
    _check_channel(patient, channel)
    _check_reminders(max_reminders, reminder_every_h)
    _check_same_patient(patient, course, appointment)
    now = timezone.now()
    lifetime = timedelta(hours=measures_settings_of(patient.clinic).link_lifetime_h)
    request = AssessmentRequest.objects.create(
        patient=patient,
        instruments=chosen,
        channel=channel,
        course=course,
        appointment=appointment,
        schedule=schedule,
        occasion=occasion,
        created_by=by,
        created_at=now,
        expires_at=now + lifetime,
        max_reminders=max_reminders,
        reminder_every_h=reminder_every_h,
    )
    audit_record(
        action=AuditAction.CREATE,
        actor=by,
        obj=request,
        patient_id=patient.pk,
        clinic_id=patient.clinic_id,
        detail={"instruments": chosen, "channel": channel},
    )
    deliver_request.enqueue(request.pk, False)
    return request


def questionnaire_url(token: str) -> str:
    base = getattr(settings, "REMIT_BASE_URL", "") or "http://localhost:8000"
    return base.rstrip("/") + reverse("measures:questionnaire", args=[token])


@transaction.atomic
def request_deliver(*, request: AssessmentRequest, reminder: bool = False) -> str | None:
    """Send the request's link (a fresh one for a reminder); returns the token, or None if the
    request is no longer open. Called by the worker."""
    from remit.measures.tasks import deliver_request

    request = (
        AssessmentRequest.objects.select_for_update()
        .select_related("patient", "patient__clinic")
        .get(pk=request.pk)
    )
    now = timezone.now()
    if request.status == RequestStatus.OPEN and request.expires_at <= now:
        request.status = RequestStatus.EXPIRED
        request.save(update_fields=["status"])
    if request.status != RequestStatus.OPEN:
        return None
    if reminder and request.reminders_sent >= request.max_reminders:
        return None
    patient = request.patient
    link, token = link_issue(
        patient=patient,
        purpose=LinkPurpose.QUESTIONNAIRE,
        lifetime=request.expires_at - now,
        single_use=True,
        scope=request,
        by=request.created_by,
    )
    url = questionnaire_url(token)
    clinic = patient.clinic.name
    count = len(request.instruments)
    parts = "a short questionnaire" if count == 1 else f"{count} short questionnaires"
    expires = timezone.localtime(request.expires_at).strftime("%Y-%m-%d %H:%M")
    opening = "A reminder: " if reminder else ""
    if request.channel == Channel.SMS:
        sms_send(
            to=patient.phone,
            body=f"{opening}{clinic} asks you to fill in {parts}: {url} (until {expires})",
            reference=f"questionnaire request {request.pk}",
        )
    else:
        send_mail(
            subject=f"{'Reminder: ' if reminder else ''}A questionnaire from {clinic}",
            message=(
                f"{opening}{clinic} asks you to fill in {parts} before your next visit.\n\n"
                f"Open this link on your phone or computer:\n{url}\n\n"
                f"The link works until {expires} and only for you; please do not forward it.\n"
                "If you are in crisis or thinking about harming yourself, call or text 988, or "
                "call 911.\n"
            ),
            from_email=None,
            recipient_list=[patient.email],
        )
    request.link = link
    request.sent_at = request.sent_at or now
    fields = ["link", "sent_at"]
    if reminder:
        request.reminders_sent += 1
        fields.append("reminders_sent")
    request.save(update_fields=fields)
    audit_record(
        action=AuditAction.CHANGE,
        obj=request,
        patient_id=patient.pk,
        clinic_id=patient.clinic_id,
        detail={"sent": request.channel, "reminder": reminder},
    )
    if request.reminders_sent < request.max_reminders:
        next_at = now + timedelta(hours=request.reminder_every_h)
        if next_at < request.expires_at:
            deliver_request.using(run_after=next_at).enqueue(request.pk, True)
    return token


@dataclass(frozen=True)
class OpenQuestionnaire:
    link: PatientLink
    request: AssessmentRequest
    # The instrument to show next, or None when every instrument is done.
    current: Instrument | None
    done: tuple[str, ...]
    crisis: bool
    # Read once per open, for the alert levels and the crisis text: the autosave is the
    # hottest path of the patient's side.
    clinic_settings: MeasuresSettings
    # Whether an instrument already sent raised an alert (the rest of `crisis` is partial answers).
    submitted_alert: bool


def _request_of(link: PatientLink) -> AssessmentRequest | None:
    label, _, pk = link.scope.partition(":")
    if label != AssessmentRequest._meta.label or not pk.isdigit():
        return None
    return (
        AssessmentRequest.objects.select_related("patient", "patient__clinic")
        .filter(pk=int(pk), patient_id=link.patient_id, status=RequestStatus.OPEN)
        .first()
    )


class QuestionnaireClosed(Exception):
    """The link is fine but its request is no longer open (completed, expired, cancelled)."""


def _critical_given(code: str, answers: Mapping[str, Answer], alert_at: Mapping[str, int]) -> bool:
    return any(
        critical_fires(
            critical,
            answers.get(critical.link_id),
            alert_at.get(critical.link_id, critical.threshold),
        )
        for critical in INSTRUMENTS[code].critical_items
    )


def questionnaire_open(token: str, *, for_update: bool = False) -> OpenQuestionnaire:
    """The request behind a questionnaire link; raises LinkInvalid or QuestionnaireClosed."""
    link = link_open(token, purpose=LinkPurpose.QUESTIONNAIRE, for_update=for_update)
    request = _request_of(link)
    if request is None:
        raise QuestionnaireClosed
    if for_update:
        request = AssessmentRequest.objects.select_for_update().get(pk=request.pk)
        request.patient = link.patient
    if request.expires_at <= timezone.now():
        raise QuestionnaireClosed
    submitted = list(request.assessments.all())
    done = tuple(a.instrument for a in submitted)
    pending = [code for code in request.instruments if code not in done]
    clinic_settings = measures_settings_of(link.patient.clinic)
    submitted_alert = any(a.alerts for a in submitted)
    return OpenQuestionnaire(
        link=link,
        request=request,
        current=INSTRUMENTS[pending[0]] if pending else None,
        done=done,
        crisis=_crisis(submitted_alert, request, _alert_at(clinic_settings)),
        clinic_settings=clinic_settings,
        submitted_alert=submitted_alert,
    )


def _crisis(submitted_alert: bool, request: AssessmentRequest, alert_at: Mapping[str, int]) -> bool:
    return submitted_alert or any(
        _critical_given(code, _typed(code, answers), alert_at)
        for code, answers in request.partial_answers.items()
        if code in INSTRUMENTS
    )


def _parse(instrument: Instrument, raw: Mapping[str, Any], *, strict: bool) -> dict[str, Answer]:
    """Form values (strings) to typed answers by linkId. Strict: a bad value raises
    InvalidAnswers naming the item; otherwise bad values are dropped (partial saves)."""
    title = instrument.short_title
    parsed: dict[str, Answer] = {}
    for item in instrument.items:
        value = raw.get(item.link_id)
        if value is None or value == "":
            continue
        text = str(value).strip().lower()
        typed: Answer
        if item.kind == "boolean":
            typed = {"yes": True, "true": True, "no": False, "false": False}.get(text)
        else:
            typed = int(text) if text.isdigit() and len(text) < 4 else None
            if typed is not None and typed not in item.values:
                typed = None
        if typed is None:
            if strict:
                raise InvalidAnswers(
                    f"{title} item {item.number}: {str(value)[:20]!r} is not one of the answers.",
                    instrument=instrument.code,
                    link_id=item.link_id,
                )
            continue
        parsed[item.link_id] = typed
    return parsed


def _typed(code: str, answers: Mapping[str, Any]) -> dict[str, Answer]:
    return _parse(INSTRUMENTS[code], answers, strict=False)


@transaction.atomic
def questionnaire_save(*, token: str, code: str, raw: Mapping[str, Any]) -> OpenQuestionnaire:
    """Keep the answers given so far (valid ones only) on the server."""
    opened = questionnaire_open(token, for_update=True)
    request = opened.request
    if opened.current is None or opened.current.code != code:
        return opened
    partial = _parse(opened.current, raw, strict=False)
    request.partial_answers = {**request.partial_answers, code: partial}
    request.save(update_fields=["partial_answers"])
    alert_at = _alert_at(opened.clinic_settings)
    if _critical_given(code, partial, alert_at):
        _raise_alert_before_sending(request=request, code=code)
    # Saving changes only the partial answers, so only the crisis flag can differ from a fresh
    # open; recompute it here instead of opening the link, request and settings a second time.
    return replace(opened, crisis=_crisis(opened.submitted_alert, request, alert_at))


def _raise_alert_before_sending(*, request: AssessmentRequest, code: str) -> None:
    """A critical answer must reach a prescriber even if the patient never presses Send."""
    if request.safety_alerts.exists():
        return
    patient = request.patient
    title = INSTRUMENTS[code].short_title
    alert = SafetyAlert.objects.create(
        patient=patient,
        clinic_id=patient.clinic_id,
        request=request,
        reasons=[
            {
                "kind": "item",
                "text": f"{title}: a critical answer was given (questionnaire not yet sent)",
                "rule": "critical item answered while filling in the questionnaire",
                "source": "see the instrument's critical-item rule",
            }
        ],
        raised_at=timezone.now(),
    )
    audit_record(
        action=AuditAction.CREATE,
        obj=alert,
        patient_id=patient.pk,
        clinic_id=patient.clinic_id,
        detail={"request": request.pk, "reasons": ["item"], "before_sending": True},
    )


@dataclass(frozen=True)
class Submitted:
    assessment: Assessment | None
    request: AssessmentRequest
    finished: bool
    # Set when the answers could not be scored; the valid ones were kept, nothing was recorded.
    error: InvalidAnswers | None = None


@transaction.atomic
def questionnaire_submit(*, token: str, code: str, raw: Mapping[str, Any]) -> Submitted:
    """Record one instrument of a request from the patient's link.

    A repeated submission of an instrument already recorded changes nothing and returns the
    first assessment. After the last instrument the request is complete and the link is used
    up. Bad answers are returned as `error` (nothing recorded); the valid ones are kept as
    partial answers, so the patient does not lose them.
    """
    opened = questionnaire_open(token, for_update=True)
    request = opened.request
    existing = request.assessments.filter(instrument=code).first()
    if existing is not None or opened.current is None:
        return Submitted(existing, request, opened.current is None)
    if code != opened.current.code:
        raise InvalidAnswers("This questionnaire is not the one asked for now.", instrument=code)
    try:
        answers = _parse(opened.current, raw, strict=True)
        with transaction.atomic():
            assessment = assessment_record(
                patient=request.patient,
                code=code,
                answers=answers,
                method=Method.PATIENT_LINK,
                course=request.course,
                appointment=request.appointment,
                request=request,
            )
    except InvalidAnswers as error:
        request.partial_answers = {
            **request.partial_answers,
            code: _parse(opened.current, raw, strict=False),
        }
        request.save(update_fields=["partial_answers"])
        return Submitted(None, request, False, error)
    except IntegrityError:
        # A concurrent double submit won the race: the first one counts.
        existing = request.assessments.get(instrument=code)
        return Submitted(existing, request, False)
    request.partial_answers = {k: v for k, v in request.partial_answers.items() if k != code}
    fields = ["partial_answers"]
    finished = len(opened.done) + 1 >= len(request.instruments)
    if finished:
        request.status = RequestStatus.COMPLETED
        request.completed_at = timezone.now()
        fields += ["status", "completed_at"]
        link_use(token, purpose=LinkPurpose.QUESTIONNAIRE)
    request.save(update_fields=fields)
    if finished:
        audit_record(
            action=AuditAction.CHANGE,
            obj=request,
            patient_id=request.patient_id,
            clinic_id=request.patient.clinic_id,
            detail={"fields": ["status"]},
        )
    return Submitted(assessment, request, finished)


def token_fingerprint(token: str) -> str:
    """A hash of a token, to remember in the patient's own session that it was completed."""
    return hashlib.sha256(token.encode()).hexdigest()[:32]


# --- schedules -----------------------------------------------------------------------------


@transaction.atomic
def schedule_create(
    *,
    patient: Patient,
    by: StaffUser,
    instruments: Sequence[str],
    kind: str,
    course: TreatmentCourse | None = None,
    offset_h: int = 24,
    interval_days: int = 7,
    channel: str = Channel.EMAIL,
    max_reminders: int = 3,
    reminder_every_h: int = 24,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
) -> AssessmentSchedule:
    from remit.measures.tasks import run_schedule

    chosen = _check_instruments(instruments)
    _check_channel(patient, channel)
    _check_reminders(max_reminders, reminder_every_h)
    _check_same_patient(patient, course, None)
    problems = {}
    if kind not in ScheduleKind.values:
        problems["kind"] = f"Unknown schedule {kind!r}."
    elif kind != ScheduleKind.EVERY_N_DAYS and course is None:
        problems["course"] = "Choose the course whose sessions the questionnaires follow."
    if kind == ScheduleKind.EVERY_N_DAYS and not 1 <= interval_days <= 90:
        problems["interval_days"] = "Choose an interval of 1 to 90 days."
    if not 0 <= offset_h <= 24 * 14:
        problems["offset_h"] = "Choose 0 to 336 hours."
    now = timezone.now()
    start = starts_at or now
    if ends_at is not None and ends_at <= start:
        problems["ends_at"] = "The end must be after the start."
    if problems:
        raise ValidationError(problems)
    schedule = AssessmentSchedule.objects.create(
        patient=patient,
        course=course,
        instruments=chosen,
        kind=kind,
        offset_h=offset_h,
        interval_days=interval_days,
        starts_at=start,
        ends_at=ends_at,
        channel=channel,
        max_reminders=max_reminders,
        reminder_every_h=reminder_every_h,
        next_run_at=now,
        created_by=by,
    )
    audit_record(
        action=AuditAction.CREATE,
        actor=by,
        obj=schedule,
        patient_id=patient.pk,
        clinic_id=patient.clinic_id,
        detail={"instruments": chosen, "kind": kind},
    )
    run_schedule.using(run_after=now).enqueue(schedule.pk, now.isoformat())
    return schedule


@transaction.atomic
def schedule_stop(*, schedule: AssessmentSchedule, by: StaffUser) -> AssessmentSchedule:
    if schedule.patient.clinic_id != by.clinic_id:
        raise PermissionDenied
    if schedule.active:
        schedule.active = False
        schedule.next_run_at = None
        schedule.save(update_fields=["active", "next_run_at"])
        audit_record(
            action=AuditAction.CHANGE,
            actor=by,
            obj=schedule,
            patient_id=schedule.patient_id,
            clinic_id=schedule.patient.clinic_id,
            detail={"fields": ["active"]},
        )
    return schedule


@transaction.atomic
def schedule_run(*, schedule_id: int, planned: str) -> list[AssessmentRequest]:
    """One look at a schedule by the worker: create and send what is due, plan the next look.

    `planned` is the run time this task was enqueued for; if the schedule has since been
    re-planned (or stopped) this task belongs to a stale chain and does nothing.
    """
    from remit.measures.tasks import run_schedule

    schedule = (
        AssessmentSchedule.objects.select_for_update(of=("self",))
        .select_related("patient", "patient__clinic", "course")
        .filter(pk=schedule_id)
        .first()
    )
    if schedule is None or not schedule.active or schedule.next_run_at is None:
        return []
    if schedule.next_run_at.isoformat() != planned:
        return []
    now = timezone.now()
    course = schedule.course
    # Every due occasion's appointment is one of these: look it up here, not once per occasion.
    appointments: dict[int, Appointment] = {}
    if course is not None:
        appointments = {
            a.pk: a for a in Appointment.objects.filter(course=course, status__in=SESSION_STATUSES)
        }
    sessions = [Session(a.pk, a.start, a.end) for a in appointments.values()]
    sent = set(schedule.requests.values_list("occasion", flat=True))
    ended = course is not None and course.status in ENDED_COURSE_STATUSES
    result = plan(
        kind=schedule.kind,
        offset_h=schedule.offset_h,
        interval_days=schedule.interval_days,
        starts_at=schedule.starts_at,
        ends_at=now if ended else schedule.ends_at,
        sessions=sessions,
        sent=sent,
        now=now,
    )
    created = []
    for occasion in result.due:
        try:
            with transaction.atomic():
                created.append(
                    request_create(
                        patient=schedule.patient,
                        instruments=schedule.instruments,
                        channel=schedule.channel,
                        course=course,
                        appointment=(
                            appointments[occasion.appointment_id]
                            if occasion.appointment_id
                            else None
                        ),
                        schedule=schedule,
                        occasion=occasion.key,
                        max_reminders=schedule.max_reminders,
                        reminder_every_h=schedule.reminder_every_h,
                    )
                )
        except ValidationError:
            # e.g. the patient's email was removed: skip this occasion, keep the schedule.
            continue
    schedule.next_run_at = result.next_run_at
    if result.next_run_at is None:
        schedule.active = False
    schedule.save(update_fields=["next_run_at", "active"])
    if result.next_run_at is not None:
        run_schedule.using(run_after=result.next_run_at).enqueue(
            schedule.pk, result.next_run_at.isoformat()
        )
    return created


# --- clinic settings -----------------------------------------------------------------------

SETTINGS_FIELDS = (
    "crisis_text",
    "qids_item12_alert_at",
    "madrs_item10_alert_at",
    "alert_bands",
    "madrs_remission",
    "link_lifetime_h",
)


@transaction.atomic
def measures_settings_update(
    *, clinic: Clinic, by: StaffUser, changes: Mapping[str, Any]
) -> MeasuresSettings:
    current, _ = MeasuresSettings.objects.select_for_update().get_or_create(clinic=clinic)
    changed = [
        name
        for name in SETTINGS_FIELDS
        if name in changes and getattr(current, name) != changes[name]
    ]
    for name in changed:
        setattr(current, name, changes[name])
    current.full_clean()
    # The levels must be ones score() accepts; check them against the instruments.
    try:
        score("madrs", [0] * 10, alert_at=_alert_at(current))
        score("qids_sr16", [0] * 16, alert_at=_alert_at(current))
    except ValueError as error:
        raise ValidationError({"__all__": str(error)}) from None
    if changed:
        current.save()
        audit_record(
            action=AuditAction.CHANGE,
            actor=by,
            obj=current,
            clinic_id=clinic.pk,
            detail={"fields": sorted(changed)},
        )
    return current


# --- licensed item text --------------------------------------------------------------------

MAX_ITEM_TEXT = 1000
MAX_LICENCE_NOTE = 300


def _check_licensed_texts(
    instrument: Instrument,
    texts: Mapping[str, str],
    option_texts: Mapping[str, Mapping[str, str]],
) -> dict[str, str]:
    problems: dict[str, str] = {}
    known = set(instrument.link_ids)
    unknown = sorted((set(texts) | set(option_texts)) - known)
    if unknown:
        problems["texts"] = f"Not items of {instrument.title}: {', '.join(unknown)}."
    elif not texts:
        problems["texts"] = "Give the published text of at least one item."
    for link_id, text in texts.items():
        if link_id not in known:
            continue
        if not str(text).strip():
            problems[link_id] = "Enter the item's published text."
        elif len(str(text).strip()) > MAX_ITEM_TEXT:
            problems[link_id] = f"At most {MAX_ITEM_TEXT} characters."
    for link_id, options in option_texts.items():
        if link_id not in known or link_id in problems:
            continue
        if link_id not in texts:
            problems[link_id] = "Give the item's text with its answer options."
            continue
        values = {str(value) for value in instrument.item(link_id).values}
        for value, text in options.items():
            if str(value) not in values:
                problems[link_id] = f"Answer option {value!r} is not one of this item's."
            elif not str(text).strip() or len(str(text).strip()) > MAX_ITEM_TEXT:
                problems[link_id] = f"Answer texts need 1 to {MAX_ITEM_TEXT} characters."
    return problems


@transaction.atomic
def licensed_text_load(
    *,
    clinic: Clinic,
    by: StaffUser,
    instrument: str,
    texts: Mapping[str, str],
    licence_note: str,
    option_texts: Mapping[str, Mapping[str, str]] | None = None,
) -> list[LicensedItemText]:
    """Load the published item text a clinic is licensed to use, replacing its previous text
    of that instrument. Refused for instruments whose full text Remit already ships."""
    if not user_can(by, Capability.MANAGE_CLINIC) or by.clinic_id != clinic.pk:
        raise PermissionDenied
    chosen = INSTRUMENTS.get(instrument)
    if chosen is None:
        raise ValidationError({"instrument": f"Unknown instrument {instrument!r}."})
    if chosen.licence.item_text_included:
        raise ValidationError(
            {"instrument": f"Remit already ships the full text of {chosen.title}."}
        )
    options = option_texts or {}
    problems = _check_licensed_texts(chosen, texts, options)
    note = licence_note.strip()
    if not note:
        problems["licence_note"] = "Say who licensed this text to the clinic, and when."
    elif len(note) > MAX_LICENCE_NOTE:
        problems["licence_note"] = f"At most {MAX_LICENCE_NOTE} characters."
    if problems:
        raise ValidationError(problems)
    LicensedItemText.objects.filter(clinic=clinic, instrument=instrument).delete()
    rows = [
        LicensedItemText(
            clinic=clinic,
            instrument=instrument,
            link_id=link_id,
            text=str(text).strip(),
            option_texts={str(k): str(v).strip() for k, v in options.get(link_id, {}).items()},
            licence_note=note,
            loaded_by=by,
        )
        for link_id, text in texts.items()
    ]
    for row in rows:
        row.full_clean(exclude=["clinic", "loaded_by"], validate_unique=False)
    created = LicensedItemText.objects.bulk_create(rows)
    audit_record(
        action=AuditAction.CHANGE,
        actor=by,
        obj=clinic,
        clinic_id=clinic.pk,
        detail={"licensed_text": instrument, "items": len(rows)},
    )
    return created
