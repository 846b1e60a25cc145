"""Links that let a patient in without an account: each opens one patient's own things."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class LinkPurpose(models.TextChoices):
    PORTAL = "portal", "Patient portal"
    QUESTIONNAIRE = "questionnaire", "Questionnaire request"
    CALENDAR = "calendar", "Calendar feed"


class PatientLink(models.Model):
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="links")
    purpose = models.CharField(max_length=20, choices=LinkPurpose.choices)
    # What the link opens besides the patient (e.g. one questionnaire request): "app.Model:pk".
    scope = models.CharField(max_length=80, blank=True)
    nonce_hash = models.CharField(max_length=64)
    single_use = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["patient", "purpose"])]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} link for patient {self.patient_id}"
