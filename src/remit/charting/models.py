"""A session at the chair, as charted: gate, dose, vital signs, alerts, side effects, adverse
events, discharge, the signed note, and the esketamine REMS form; plus the clinic's and the
patient's charting settings. The rules live in the pure modules and in services.py."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from remit.charting.dosing import Modality, WeightBasis
from remit.charting.monitoring import AlertLevel, Phase

_STAFF = settings.AUTH_USER_MODEL


def _staff_fk(*, null: bool = False) -> models.ForeignKey:  # type: ignore[type-arg]
    return models.ForeignKey(
        _STAFF, null=null, blank=null, on_delete=models.PROTECT, related_name="+"
    )


class ClinicChartingSettings(models.Model):
    """Clinic policy for the pre-session gate. None of these numbers is in the clinical
    reference: each is the clinic's own policy, shown as such on the settings page."""

    clinic = models.OneToOneField(
        "clinics.Clinic", on_delete=models.CASCADE, related_name="charting_settings"
    )
    # Clinic policy (no source): a weight older than this blocks a weight-based dose.
    weight_max_age_days = models.PositiveSmallIntegerField(default=30)
    # Clinic policy (no source): modalities whose gate asks for a recent negative pregnancy
    # test for patients who could be pregnant. Esketamine "may harm the fetus" [S54] but the
    # reference sets no testing rule, so the default list is empty.
    pregnancy_test_modalities = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "clinic charting settings"

    def __str__(self) -> str:
        return f"Charting settings of clinic {self.clinic_id}"


class ThresholdSetting(models.Model):
    """A clinic's value for one vital-sign alert limit (a field of VitalsThresholds).

    No row: the shipped default of monitoring.py. A row records the clinic's value, its source
    and whether the medical director confirmed it."""

    clinic = models.ForeignKey(
        "clinics.Clinic", on_delete=models.CASCADE, related_name="threshold_settings"
    )
    name = models.CharField(max_length=60)
    value = models.DecimalField(max_digits=6, decimal_places=1)
    source = models.CharField(max_length=200)
    confirmed = models.BooleanField(default=False)
    confirmed_by = _staff_fk(null=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "name"], name="threshold_unique_per_clinic")
        ]

    def __str__(self) -> str:
        return f"{self.name} = {self.value}"


class DosingWeightSetting(models.Model):
    """Which weight a patient's mg/kg doses use: an explicit choice, never silent (2.4)."""

    patient = models.OneToOneField(
        "patients.Patient", on_delete=models.PROTECT, related_name="dosing_weight_setting"
    )
    basis = models.CharField(max_length=10, choices=[(b.value, b.value) for b in WeightBasis])
    adjustment_factor = models.DecimalField(max_digits=3, decimal_places=2, default="0.40")
    set_by = _staff_fk()
    set_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.basis} body weight for patient {self.patient_id}"


class Stage(models.TextChoices):
    GATE = "gate", "Pre-session checks"
    READY = "ready", "Ready to dose"
    MONITORING = "monitoring", "Dosed, monitoring"
    DISCHARGED = "discharged", "Discharged"
    CANCELLED = "cancelled", "Cancelled"


RUNNING_STAGES = (Stage.GATE, Stage.READY, Stage.MONITORING)


class Session(models.Model):
    """One appointment at the chair, from check-in to the signed note."""

    appointment = models.OneToOneField(
        "scheduling.Appointment", on_delete=models.PROTECT, related_name="charting_session"
    )
    clinic = models.ForeignKey(
        "clinics.Clinic", on_delete=models.PROTECT, related_name="charting_sessions"
    )
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="charting_sessions"
    )
    modality = models.CharField(max_length=24, choices=[(m.value, m.value) for m in Modality])
    stage = models.CharField(max_length=12, choices=Stage.choices, default=Stage.GATE.value)
    # Minutes between routine vital-sign sets, from the protocol (None: planned checks only).
    vitals_interval_min = models.PositiveSmallIntegerField(null=True, blank=True)
    prescriber_on_site = _staff_fk(null=True)
    checked_in_at = models.DateTimeField()
    checked_in_by = _staff_fk()
    gate_passed_at = models.DateTimeField(null=True, blank=True)
    dosed_at = models.DateTimeField(null=True, blank=True)
    discharged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-checked_in_at", "-id"]
        indexes = [models.Index(fields=["clinic", "stage"]), models.Index(fields=["patient"])]

    def __str__(self) -> str:
        return f"{self.modality} session {self.pk} ({self.stage})"


class GateCheck(models.Model):
    """One run of the pre-session gate: each item with its result, as it was at that moment."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="gate_checks")
    # [{"code", "label", "status": "pass"|"fail"|"n/a"|"unavailable", "detail"}]
    items = models.JSONField()
    # The nurse's answers (fasting, ride home, pregnancy test, new conditions…).
    answers = models.JSONField(default=dict)
    passed = models.BooleanField()
    checked_at = models.DateTimeField()
    checked_by = _staff_fk()

    class Meta:
        ordering = ["-checked_at", "-id"]
        get_latest_by = "checked_at"

    def __str__(self) -> str:
        return f"gate {'passed' if self.passed else 'failed'} at {self.checked_at:%H:%M}"


class GateOverride(models.Model):
    """A prescriber lets the dose go ahead despite one failed gate item, with a reason."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="gate_overrides")
    item_code = models.CharField(max_length=40)
    reason = models.TextField()
    by = _staff_fk()
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "item_code"], name="one_override_per_item")
        ]

    def __str__(self) -> str:
        return f"override of {self.item_code}"


class DoseRecord(models.Model):
    """The dose as given, with the arithmetic that produced it. Amounts are Decimal."""

    session = models.OneToOneField(Session, on_delete=models.PROTECT, related_name="dose")
    given_at = models.DateTimeField()
    given_by = _staff_fk()
    dose_mg = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    weight_kg = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    weight_basis = models.CharField(max_length=10, blank=True)
    mg_per_kg = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    bag_ml = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    ml_per_hour = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    volume_ml = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    devices = models.PositiveSmallIntegerField(null=True, blank=True)
    lot = models.CharField(max_length=40, blank=True)
    # TMS: motor threshold, % of MT, output, frequency, pulses, trains, coil, target (as text).
    parameters = models.JSONField(default=dict, blank=True)
    arithmetic = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"{self.dose_mg} mg" if self.dose_mg is not None else "TMS session"


class EsketamineDevice(models.Model):
    """One nasal spray device of an esketamine dose, when it was given and by whom. Device 1 is
    recorded with the dose; the rest as the nurse gives them (5 minutes apart by the label)."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="devices")
    number = models.PositiveSmallIntegerField()
    given_at = models.DateTimeField()
    given_by = _staff_fk()
    # Plain words when the rest before this device was shorter than the label asks.
    short_rest = models.TextField(blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["session", "number"], name="one_row_per_device")
        ]

    def __str__(self) -> str:
        return f"device {self.number}"


class VitalSigns(models.Model):
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="vitals")
    phase = models.CharField(max_length=6, choices=[(p.value, p.value) for p in Phase])
    taken_at = models.DateTimeField()
    taken_by = _staff_fk()
    systolic = models.PositiveSmallIntegerField()
    diastolic = models.PositiveSmallIntegerField()
    heart_rate = models.PositiveSmallIntegerField()
    spo2 = models.PositiveSmallIntegerField()
    respiratory_rate = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["taken_at", "id"]
        verbose_name_plural = "vital signs"
        indexes = [models.Index(fields=["session", "taken_at"])]

    def __str__(self) -> str:
        return f"{self.systolic}/{self.diastolic} HR {self.heart_rate} SpO2 {self.spo2}"


class SessionAlert(models.Model):
    """An alert raised by check_vitals; open until acknowledged with the action taken."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="alerts")
    vitals = models.ForeignKey(
        VitalSigns, null=True, blank=True, on_delete=models.PROTECT, related_name="alerts"
    )
    level = models.CharField(max_length=8, choices=[(a.value, a.value) for a in AlertLevel])
    vital = models.CharField(max_length=20)
    reason = models.TextField()
    source = models.CharField(max_length=200)
    setting_confirmed = models.BooleanField()
    raised_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = _staff_fk(null=True)
    action_taken = models.TextField(blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        indexes = [models.Index(fields=["session", "acknowledged_at"])]

    def __str__(self) -> str:
        return f"{self.level}: {self.reason}"


class Symptom(models.TextChoices):
    DISSOCIATION = "dissociation", "Dissociation"
    SEDATION = "sedation", "Sedation"
    HALLUCINATIONS = "hallucinations", "Hallucinations"
    DIZZINESS = "dizziness", "Dizziness"
    NAUSEA = "nausea", "Nausea"
    VOMITING = "vomiting", "Vomiting"
    RAISED_BP = "raised_bp", "Raised blood pressure"
    URINARY = "urinary", "Urinary symptoms"
    HEADACHE = "headache", "Headache"
    ANXIETY = "anxiety", "Anxiety"
    OTHER = "other", "Other"


class Severity(models.TextChoices):
    MILD = "mild", "Mild"
    MODERATE = "moderate", "Moderate"
    SEVERE = "severe", "Severe"


class SideEffect(models.Model):
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="side_effects")
    symptom = models.CharField(max_length=16, choices=Symptom.choices)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    note = models.CharField(max_length=300, blank=True)
    recorded_at = models.DateTimeField()
    recorded_by = _staff_fk()

    class Meta:
        ordering = ["recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.symptom} ({self.severity})"


class AdverseEventSeverity(models.TextChoices):
    MILD = "mild", "Mild"
    MODERATE = "moderate", "Moderate"
    SEVERE = "severe", "Severe"
    LIFE_THREATENING = "life_threatening", "Life-threatening"


class AdverseEventAction(models.TextChoices):
    NONE = "none", "None"
    PAUSED = "paused", "Dose paused"
    STOPPED = "stopped", "Dose stopped"
    MEDICINE_GIVEN = "medicine_given", "Medicine given"
    TRANSFERRED = "transferred", "Transferred to emergency care"


class AdverseEventOutcome(models.TextChoices):
    RESOLVED = "resolved", "Resolved"
    RESOLVING = "resolving", "Resolving"
    ONGOING = "ongoing", "Not resolved at discharge"
    HOSPITALISED = "hospitalised", "Hospitalised"


class AdverseEvent(models.Model):
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="adverse_events")
    description = models.TextField()
    severity = models.CharField(max_length=16, choices=AdverseEventSeverity.choices)
    action = models.CharField(max_length=16, choices=AdverseEventAction.choices)
    medicine = models.CharField(max_length=200, blank=True)
    outcome = models.CharField(max_length=16, choices=AdverseEventOutcome.choices)
    serious = models.BooleanField(default=False)
    reportable = models.BooleanField(default=False)
    onset_at = models.DateTimeField()
    recorded_by = _staff_fk()

    class Meta:
        ordering = ["onset_at", "id"]

    def __str__(self) -> str:
        return f"{self.severity} adverse event"


class Discharge(models.Model):
    session = models.OneToOneField(Session, on_delete=models.PROTECT, related_name="discharge")
    # {criterion code: ISO time it was met}
    criteria = models.JSONField()
    instructions_given = models.JSONField(default=list, blank=True)
    escort_name = models.CharField(max_length=150, blank=True)
    discharged_at = models.DateTimeField()
    discharged_by = _staff_fk()

    def __str__(self) -> str:
        return f"discharged {self.discharged_at:%H:%M}"


class SessionNote(models.Model):
    """Generated from the record; read-only once the nurse signs it; co-signed by a prescriber."""

    session = models.OneToOneField(Session, on_delete=models.PROTECT, related_name="note")
    text = models.TextField()
    comment = models.TextField(blank=True)
    signed_by = _staff_fk()
    signed_at = models.DateTimeField()
    cosigned_by = _staff_fk(null=True)
    cosigned_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"note of session {self.session_id}"


class NoteAddendum(models.Model):
    note = models.ForeignKey(SessionNote, on_delete=models.PROTECT, related_name="addenda")
    text = models.TextField()
    by = _staff_fk()
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        verbose_name_plural = "note addenda"

    def __str__(self) -> str:
        return f"addendum {self.pk}"


class RemsForm(models.Model):
    """The esketamine REMS Patient Monitoring Form's extra answers and its submission [S72]."""

    session = models.OneToOneField(Session, on_delete=models.PROTECT, related_name="rems_form")
    # Concomitant medicines asked on the form: benzodiazepines, non-benzodiazepine
    # sedative-hypnotics, psychostimulants, MAOIs, opioids [S72], [S73].
    concomitant = models.JSONField(default=list, blank=True)
    # "When would the patient have been ready to leave without the 2-hour rule?"
    ready_without_rule_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = _staff_fk(null=True)
    confirmation = models.CharField(max_length=60, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"REMS form of session {self.session_id}"
