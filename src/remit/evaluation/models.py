"""A prescriber's evaluation of a patient, its structured history, the decision, and REMS enrolment.

Persistence only: the rules (`rules/`), staging (`staging.py`) and suggestion (`suggestion.py`)
are pure and run on these rows through `selectors.evaluation_outcome`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class EvaluationStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SIGNED = "signed", "Signed"


class PregnancyChoice(models.TextChoices):
    # Same codes as remit.evaluation.rules.findings.PregnancyStatus.
    UNKNOWN = "unknown", "Not recorded"
    PREGNANT = "pregnant", "Pregnant"
    NOT_PREGNANT = "not_pregnant", "Not pregnant"
    NOT_APPLICABLE = "not_applicable", "Not applicable (cannot become pregnant)"


class SeverityChoice(models.TextChoices):
    # Same codes as remit.evaluation.staging.EpisodeSeverity (Maudsley severity at baseline).
    SUBSYNDROMAL = "subsyndromal", "Subsyndromal"
    MILD = "mild", "Mild"
    MODERATE = "moderate", "Moderate"
    SEVERE_WITHOUT_PSYCHOSIS = "severe_without_psychosis", "Severe without psychosis"
    SEVERE_WITH_PSYCHOSIS = "severe_with_psychosis", "Severe with psychosis"


class ModalityChoice(models.TextChoices):
    # Same codes as remit.evaluation.rules.Modality.
    IV_KETAMINE = "iv_ketamine", "IV ketamine"
    IM_KETAMINE = "im_ketamine", "IM ketamine"
    ORAL_KETAMINE = "oral_ketamine", "Oral ketamine"
    SUBLINGUAL_KETAMINE = "sublingual_ketamine", "Sublingual ketamine"
    ESKETAMINE = "esketamine", "Esketamine (Spravato)"
    TMS = "tms", "TMS"


class Decision(models.TextChoices):
    ELIGIBLE = "eligible", "Eligible"
    NOT_ELIGIBLE = "not_eligible", "Not eligible"
    NEEDS_CLEARANCE = "needs_clearance", "Needs clearance"


class Evaluation(models.Model):
    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="evaluations"
    )
    status = models.CharField(
        max_length=10, choices=EvaluationStatus.choices, default=EvaluationStatus.DRAFT
    )
    # Medical history as finding codes of the rules data (rules/findings.py FINDING_LABELS),
    # excluding the medicine flags, which come from CurrentMedication rows.
    finding_codes = models.JSONField(default=list, blank=True)
    systolic_at_rest_mmhg = models.PositiveSmallIntegerField(null=True, blank=True)
    diastolic_at_rest_mmhg = models.PositiveSmallIntegerField(null=True, blank=True)
    heart_rate_at_rest_bpm = models.PositiveSmallIntegerField(null=True, blank=True)
    pregnancy_status = models.CharField(
        max_length=16, choices=PregnancyChoice.choices, default=PregnancyChoice.UNKNOWN
    )
    substance_use = models.TextField(blank=True)
    history_notes = models.TextField(blank=True)
    # Major depression with acute suicidal ideation or behaviour: a separate esketamine label.
    acute_suicidal_ideation = models.BooleanField(default=False)
    # Maudsley inputs for the current episode [S81].
    episode_duration_months = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(1200)]
    )
    episode_severity = models.CharField(
        max_length=30, choices=SeverityChoice.choices, default=SeverityChoice.MODERATE
    )
    preferred_modality = models.CharField(max_length=20, choices=ModalityChoice.choices, blank=True)
    # The decision, recorded together with the signature.
    decision = models.CharField(max_length=20, choices=Decision.choices, blank=True)
    decision_modality = models.CharField(max_length=20, choices=ModalityChoice.choices, blank=True)
    protocol_code = models.CharField(max_length=60, blank=True)
    decision_reason = models.TextField(blank=True)
    clearance_needed = models.TextField(blank=True)
    reevaluate_on = models.DateField(null=True, blank=True)
    override_reason = models.TextField(blank=True)
    # What the rules, staging and suggestion said at signing, frozen with the signature.
    signed_outcome = models.JSONField(default=dict, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["patient", "status", "signed_at"])]

    def __str__(self) -> str:
        return f"Evaluation {self.pk} of patient {self.patient_id} ({self.status})"

    @property
    def is_signed(self) -> bool:
        return self.status == EvaluationStatus.SIGNED


class Adherence(models.TextChoices):
    GOOD = "good", "Good"
    PARTIAL = "partial", "Partial"
    POOR = "poor", "Poor"
    UNKNOWN = "unknown", "Unknown"


class TrialOutcome(models.TextChoices):
    NO_RESPONSE = "no_response", "No response"
    PARTIAL_RESPONSE = "partial_response", "Partial response"
    RESPONSE = "response", "Response"
    REMISSION = "remission", "Remission"
    UNKNOWN = "unknown", "Unknown"


class ReasonStopped(models.TextChoices):
    STILL_TAKING = "still_taking", "Still taking"
    NOT_EFFECTIVE = "not_effective", "Not effective"
    POOR_TOLERABILITY = "poor_tolerability", "Poor tolerability"
    NON_ADHERENCE = "non_adherence", "Non-adherence"
    OTHER = "other", "Other"


class AntidepressantTrialRecord(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="trials")
    drug = models.CharField(max_length=100)
    daily_dose_mg = models.DecimalField(
        max_digits=7, decimal_places=2, validators=[MinValueValidator(0)]
    )
    duration_weeks = models.DecimalField(
        max_digits=5, decimal_places=1, validators=[MinValueValidator(0)]
    )
    adherence = models.CharField(max_length=10, choices=Adherence.choices, default="unknown")
    outcome = models.CharField(max_length=20, choices=TrialOutcome.choices, default="unknown")
    reason_stopped = models.CharField(max_length=20, choices=ReasonStopped.choices, default="other")
    in_current_episode = models.BooleanField(default=True)
    oral = models.BooleanField(default=True)
    augmentation = models.CharField(max_length=100, blank=True)
    # The prescriber's judgement of the dose; None when not given (see staging.assess_trial).
    dose_adequate = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.drug} {self.daily_dose_mg} mg for {self.duration_weeks} weeks"


class PriorTreatmentKind(models.TextChoices):
    PSYCHOTHERAPY = "psychotherapy", "Psychotherapy"
    AUGMENTATION = "augmentation", "Augmentation (without a listed trial)"
    ECT = "ect", "ECT"
    TMS = "tms", "TMS"
    KETAMINE = "ketamine", "Ketamine"
    ESKETAMINE = "esketamine", "Esketamine"


class PriorTreatment(models.Model):
    evaluation = models.ForeignKey(
        Evaluation, on_delete=models.CASCADE, related_name="prior_treatments"
    )
    kind = models.CharField(max_length=20, choices=PriorTreatmentKind.choices)
    description = models.CharField(max_length=200, blank=True)
    sessions = models.PositiveSmallIntegerField(null=True, blank=True)
    year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1900), MaxValueValidator(2100)]
    )
    outcome = models.CharField(max_length=20, choices=TrialOutcome.choices, default="unknown")
    in_current_episode = models.BooleanField(default=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.description}".strip()


class MedicationFlag(models.TextChoices):
    # The medicines the esketamine REMS Patient Monitoring Form asks about [S72], and opioids,
    # which the REMS training mentions [S73]. Each maps to a `takes_*` finding code. The
    # reference does not support a flag for lamotrigine or other drugs said to blunt ketamine.
    NONE = "", "None of these"
    BENZODIAZEPINE = "takes_benzodiazepine", "Benzodiazepine"
    SEDATIVE_HYPNOTIC = "takes_sedative_hypnotic", "Non-benzodiazepine sedative-hypnotic"
    PSYCHOSTIMULANT = "takes_psychostimulant", "Psychostimulant"
    MAOI = "takes_maoi", "Monoamine oxidase inhibitor (MAOI)"
    OPIOID = "takes_opioid", "Opioid"


class CurrentMedication(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="medications")
    name = models.CharField(max_length=100)
    dose = models.CharField(max_length=100, blank=True)
    flag = models.CharField(max_length=30, choices=MedicationFlag.choices, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name} {self.dose}".strip()


class EvaluationAddendum(models.Model):
    """A correction or addition to a signed evaluation; the evaluation itself never changes."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="addenda")
    text = models.TextField()
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["written_at", "id"]
        verbose_name_plural = "evaluation addenda"

    def __str__(self) -> str:
        return f"Addendum to evaluation {self.evaluation_id}"


class RemsEnrolment(models.Model):
    """The patient's enrolment in the esketamine (Spravato) REMS; required before a first dose."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="rems_enrolments"
    )
    enrolled_on = models.DateField()
    reference = models.CharField("REMS enrolment reference", max_length=60)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-enrolled_on", "-id"]

    def __str__(self) -> str:
        return f"REMS enrolment {self.reference} on {self.enrolled_on}"


class BloodPressureLimitSetting(models.Model):
    """A clinic's own value for one of the rules' blood-pressure limits (rules/thresholds.py).

    Without a row the reference's conservative default applies; with one, the clinic's own
    protocol is named as the source.
    """

    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=60)
    systolic_mmhg = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(40), MaxValueValidator(300)]
    )
    diastolic_mmhg = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(20), MaxValueValidator(200)]
    )
    protocol = models.CharField("clinic protocol (source)", max_length=200)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["clinic", "name"], name="bp_limit_unique_per_clinic")
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.systolic_mmhg}/{self.diastolic_mmhg}"
