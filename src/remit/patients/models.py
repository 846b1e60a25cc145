"""A patient and the facts every later capability needs: body size, diagnoses, consents."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from remit.patients.codes import diagnosis_code_choices
from remit.patients.validation import (
    validate_date_of_birth,
    validate_height_cm,
    validate_mrn,
    validate_phone,
    validate_weight_kg,
)


class SexAtBirth(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    INTERSEX = "intersex", "Intersex"
    UNKNOWN = "unknown", "Not recorded"


class Patient(models.Model):
    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.PROTECT, related_name="patients")
    mrn = models.CharField("MRN", max_length=9, unique=True, validators=[validate_mrn])
    legal_given_name = models.CharField("legal given name", max_length=100)
    legal_family_name = models.CharField("legal family name", max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(validators=[validate_date_of_birth])
    sex_at_birth = models.CharField(max_length=10, choices=SexAtBirth.choices)
    gender_identity = models.CharField(max_length=60, blank=True)
    pronouns = models.CharField(max_length=30, blank=True)
    phone = models.CharField(max_length=25, blank=True, validators=[validate_phone])
    email = models.EmailField(blank=True)
    address_line = models.CharField("address", max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField("state / region", max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=60, blank=True, default="United States")
    preferred_language = models.CharField(max_length=40, default="English")
    emergency_contact_name = models.CharField(max_length=150, blank=True)
    emergency_contact_relationship = models.CharField(max_length=60, blank=True)
    emergency_contact_phone = models.CharField(
        max_length=25, blank=True, validators=[validate_phone]
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["legal_family_name", "legal_given_name", "id"]
        indexes = [
            models.Index(fields=["clinic", "legal_family_name", "legal_given_name"]),
            models.Index(fields=["clinic", "date_of_birth"]),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.mrn})"

    @property
    def display_name(self) -> str:
        given = self.preferred_name or self.legal_given_name
        return f"{given} {self.legal_family_name}"


class BodyMeasurement(models.Model):
    """Weight and height at a moment; dosing uses the latest recent enough for its protocol."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="measurements")
    weight_kg = models.DecimalField(max_digits=5, decimal_places=1, validators=[validate_weight_kg])
    height_cm = models.DecimalField(
        max_digits=4, decimal_places=1, null=True, blank=True, validators=[validate_height_cm]
    )
    measured_at = models.DateTimeField()
    measured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-measured_at", "-id"]
        get_latest_by = "measured_at"

    def __str__(self) -> str:
        return f"{self.weight_kg} kg on {self.measured_at:%Y-%m-%d}"


class DiagnosisStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    IN_REMISSION = "remission", "In remission"
    RESOLVED = "resolved", "Resolved"


class Diagnosis(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="diagnoses")
    code = models.CharField("ICD-10-CM code", max_length=10, choices=diagnosis_code_choices)
    label = models.CharField(max_length=200)
    onset_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=DiagnosisStatus.choices, default=DiagnosisStatus.ACTIVE
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-status", "code"]
        verbose_name_plural = "diagnoses"

    def __str__(self) -> str:
        return f"{self.code} {self.label}"


class ConsentKind(models.TextChoices):
    TREATMENT_IV_KETAMINE = "iv_ketamine", "IV ketamine treatment"
    TREATMENT_ESKETAMINE = "esketamine", "Esketamine treatment"
    TREATMENT_TMS = "tms", "TMS treatment"
    TREATMENT_OTHER_KETAMINE = "ketamine_other", "IM, oral or sublingual ketamine treatment"
    PRIVACY = "privacy", "Privacy notice"
    CONTACT = "contact", "Contact by email or SMS"
    RESEARCH = "research", "De-identified research use"


class Consent(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="consents")
    kind = models.CharField(max_length=20, choices=ConsentKind.choices)
    document_version = models.CharField(max_length=40)
    signed_at = models.DateTimeField()
    witnessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-signed_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.document_version}"


class EmergencyAccess(models.Model):
    """Break-the-glass: a time-limited opening of one patient outside the user's clinic."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="emergency_accesses"
    )
    reason = models.TextField()
    opened_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-opened_at"]
        verbose_name_plural = "emergency accesses"

    def __str__(self) -> str:
        return f"{self.user} → {self.patient_id} until {self.expires_at:%H:%M}"
