"""Assessments, questionnaire requests, schedules and safety alerts.

The score of an `Assessment` is always computed by `remit.measures.score()` inside
`services.assessment_record`; nothing here computes or trusts a total.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from remit.measures.instruments import INSTRUMENT_CODES, INSTRUMENTS

DEFAULT_CRISIS_TEXT = (
    "If you are thinking about harming yourself, or you are in crisis, call or text 988 "
    "(the Suicide & Crisis Lifeline, 24 hours a day) or call 911 now. You can also call your "
    "clinic."
)


# Bands that raise a safety alert unless a clinic changes them: each instrument's top band(s).
# Remit's default, not a sourced rule; the clinic's medical director confirms it.
DEFAULT_ALERT_BANDS = (
    "phq9:severe",
    "gad7:severe",
    "qids_sr16:severe",
    "qids_sr16:very severe",
    "madrs:severe",
    "cssrs_screen:high",
)


def default_alert_bands() -> list[str]:
    return list(DEFAULT_ALERT_BANDS)


def instrument_choices() -> list[tuple[str, str]]:
    return [(code, INSTRUMENTS[code].short_title) for code in INSTRUMENT_CODES]


class Method(models.TextChoices):
    PATIENT_LINK = "patient_link", "Patient link"
    PORTAL = "portal", "Patient portal"
    CLINICIAN = "clinician", "Clinician"


class MeasuresSettings(models.Model):
    """A clinic's measurement-based-care settings (one row per clinic, created on first use)."""

    clinic = models.OneToOneField(
        "clinics.Clinic", on_delete=models.CASCADE, related_name="measures_settings"
    )
    # Shown to a patient at once when a critical answer is given; the default is the US 988 line.
    crisis_text = models.TextField(default=DEFAULT_CRISIS_TEXT)
    # Alert levels of the configurable critical items (no sourced threshold; medical director).
    qids_item12_alert_at = models.PositiveSmallIntegerField(default=1)
    madrs_item10_alert_at = models.PositiveSmallIntegerField(default=1)
    # "instrument:band" pairs whose band raises a safety alert (Remit's default, configurable).
    alert_bands = models.JSONField(default=default_alert_bands, blank=True)
    # The MADRS remission definition used for change from baseline (<= 10 or <= 12 [S47]).
    madrs_remission = models.CharField(max_length=40, default="madrs_remission_le_10")
    # How long a questionnaire link stays valid.
    link_lifetime_h = models.PositiveSmallIntegerField(default=72)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "measures settings"

    def __str__(self) -> str:
        return f"Measures settings of clinic {self.clinic_id}"


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message (SMS)"


class ScheduleKind(models.TextChoices):
    BEFORE_SESSION = "before_session", "Before every session of the course"
    AFTER_SESSION = "after_session", "Hours after every session of the course"
    EVERY_N_DAYS = "every_n_days", "Every N days"


class AssessmentSchedule(models.Model):
    """Questionnaires anchored to a patient's treatment, sent by the worker."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="assessment_schedules"
    )
    course = models.ForeignKey(
        "protocols.TreatmentCourse",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assessment_schedules",
    )
    instruments = models.JSONField()
    kind = models.CharField(max_length=20, choices=ScheduleKind.choices)
    # Before session: hours before the start; after session: hours after the end.
    offset_h = models.PositiveSmallIntegerField(default=24)
    interval_days = models.PositiveSmallIntegerField(default=7)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    reminder_every_h = models.PositiveSmallIntegerField(default=24)
    max_reminders = models.PositiveSmallIntegerField(default=3)
    active = models.BooleanField(default=True)
    # The worker's next planned look at this schedule; a stale task chain stops when it differs.
    next_run_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for patient {self.patient_id}"


class RequestStatus(models.TextChoices):
    OPEN = "open", "Waiting for the patient"
    COMPLETED = "completed", "Completed"
    EXPIRED = "expired", "Expired"
    CANCELLED = "cancelled", "Cancelled"


class AssessmentRequest(models.Model):
    """One or more instruments a patient is asked to fill in through a link."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="assessment_requests"
    )
    instruments = models.JSONField()
    status = models.CharField(
        max_length=10, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    course = models.ForeignKey(
        "protocols.TreatmentCourse",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assessment_requests",
    )
    appointment = models.ForeignKey(
        "scheduling.Appointment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assessment_requests",
    )
    schedule = models.ForeignKey(
        AssessmentSchedule,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requests",
    )
    # Which occasion of its schedule this request is for ("appointment:12", "day:3").
    occasion = models.CharField(max_length=40, blank=True)
    # Answers given so far, by instrument code then linkId, kept until the instrument is sent.
    partial_answers = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    max_reminders = models.PositiveSmallIntegerField(default=0)
    reminder_every_h = models.PositiveSmallIntegerField(default=24)
    completed_at = models.DateTimeField(null=True, blank=True)
    # The latest link sent (a reminder sends a fresh one; each opens only this request).
    link = models.ForeignKey(
        "portal.PatientLink", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["patient", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "occasion"],
                condition=models.Q(schedule__isnull=False),
                name="measures_request_once_per_occasion",
            )
        ]

    def __str__(self) -> str:
        return f"Questionnaire request {self.pk} for patient {self.patient_id}"


class Assessment(models.Model):
    """One completed instrument, scored by `score()` when it was recorded."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="assessments"
    )
    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.PROTECT, related_name="+")
    instrument = models.CharField(max_length=30, choices=instrument_choices)
    instrument_version = models.CharField(max_length=20)
    # Item values by FHIR linkId, exactly as scored.
    answers = models.JSONField()
    total = models.SmallIntegerField(null=True, blank=True)
    severity = models.CharField(max_length=40, blank=True)
    severity_source = models.CharField(max_length=200, blank=True)
    convention = models.CharField(max_length=200, blank=True)
    subscores = models.JSONField(default=dict, blank=True)
    # Each critical item that fired: link_id, item, value, rule, source, confirmed.
    alerts = models.JSONField(default=list, blank=True)
    method = models.CharField(max_length=20, choices=Method.choices)
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    collected_at = models.DateTimeField()
    course = models.ForeignKey(
        "protocols.TreatmentCourse",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    appointment = models.ForeignKey(
        "scheduling.Appointment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    request = models.ForeignKey(
        AssessmentRequest,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    # Change from baseline, with the definition used, stored when computed.
    baseline = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    change_percent = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    response = models.BooleanField(null=True, blank=True)
    remission = models.BooleanField(null=True, blank=True)
    relapse = models.BooleanField(null=True, blank=True)
    change_definition = models.TextField(blank=True)
    change_confirmed = models.BooleanField(null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-collected_at", "-id"]
        indexes = [models.Index(fields=["patient", "instrument", "collected_at"])]
        constraints = [
            # A double submit of the same instrument of a request records it once.
            models.UniqueConstraint(
                fields=["request", "instrument"],
                condition=models.Q(request__isnull=False),
                name="measures_assessment_once_per_request",
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument} for patient {self.patient_id} at {self.collected_at:%Y-%m-%d}"


class AlertStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"


class SafetyAlert(models.Model):
    """A critical answer or a severe band that a prescriber must acknowledge with a note."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="safety_alerts"
    )
    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.PROTECT, related_name="+")
    # Empty while the questionnaire is unsent: a critical answer raises the alert the moment it
    # is given, and the assessment is attached when (if ever) the patient sends it.
    assessment = models.OneToOneField(
        Assessment, null=True, blank=True, on_delete=models.PROTECT, related_name="safety_alert"
    )
    request = models.ForeignKey(
        "measures.AssessmentRequest",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="safety_alerts",
    )
    # What fired: a list of {"kind": "item"|"band", "text": ..., "rule": ..., "source": ...}.
    reasons = models.JSONField()
    status = models.CharField(max_length=15, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    raised_at = models.DateTimeField()
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        indexes = [models.Index(fields=["clinic", "status"])]

    def __str__(self) -> str:
        return f"Safety alert {self.pk} for patient {self.patient_id} ({self.status})"


class LicensedItemText(models.Model):
    """The published wording of one item, loaded by a clinic licensed to use it.

    Only for instruments whose text Remit does not ship (`licence.item_text_included` false);
    shown to that clinic's patients and staff in place of the shipped short label.
    """

    clinic = models.ForeignKey(
        "clinics.Clinic", on_delete=models.CASCADE, related_name="licensed_item_texts"
    )
    instrument = models.CharField(max_length=30, choices=instrument_choices)
    link_id = models.CharField(max_length=40)
    text = models.TextField(max_length=1000)
    # Optional wording of the answer options, by option value ("0", "1", ...).
    option_texts = models.JSONField(default=dict, blank=True)
    # Who licensed the text to the clinic, e.g. "Paper licence from the copyright holder, 2026-11".
    licence_note = models.CharField(max_length=300)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["clinic", "instrument", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "instrument", "link_id"],
                name="measures_licensed_text_once_per_item",
            )
        ]

    def __str__(self) -> str:
        return f"Licensed text of {self.instrument} {self.link_id} (clinic {self.clinic_id})"
