"""Consultation requests from the public self-screen, their status history, and the throttle."""

from __future__ import annotations

from django.db import models

from remit.core.models import StatusChange
from remit.intake.transitions import STATUS_LABELS, RequestStatus
from remit.patients.validation import validate_date_of_birth, validate_phone


class ContactMethod(models.TextChoices):
    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"
    EMAIL = "email", "Email"


class HeardFrom(models.TextChoices):
    CLINICIAN = "clinician", "My doctor or therapist"
    SEARCH = "search", "Internet search"
    FRIEND = "friend", "Friend or family"
    SOCIAL = "social", "Social media"
    INSURANCE = "insurance", "My insurance"
    OTHER = "other", "Other"
    NOT_SAID = "", "Prefer not to say"


class ConsultationRequest(models.Model):
    clinic = models.ForeignKey(
        "clinics.Clinic", on_delete=models.PROTECT, related_name="consultation_requests"
    )
    status = models.CharField(
        max_length=20,
        choices=[(s.value, STATUS_LABELS[s]) for s in RequestStatus],
        default=RequestStatus.NEW.value,
    )
    urgent = models.BooleanField(default=False)
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True, validators=[validate_date_of_birth])
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=25, blank=True, validators=[validate_phone])
    contact_method = models.CharField(max_length=10, choices=ContactMethod.choices)
    contact_times = models.CharField(max_length=200, blank=True)
    consent_to_contact = models.BooleanField(default=False)
    heard_from = models.CharField(max_length=20, choices=HeardFrom.choices, blank=True)
    message = models.TextField(blank=True)
    # The self-screen as answered (FHIR-style linkId → answer) and its result, when one was done.
    screen_answers = models.JSONField(default=dict, blank=True)
    screen_result = models.JSONField(default=dict, blank=True)
    decline_reason = models.TextField(blank=True)
    patient = models.ForeignKey(
        "patients.Patient",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consultation_requests",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-urgent", "created_at", "id"]
        indexes = [models.Index(fields=["clinic", "status", "urgent", "created_at"])]

    def __str__(self) -> str:
        return f"Consultation request {self.pk} ({self.status})"

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


class RequestStatusChange(StatusChange):
    request = models.ForeignKey(
        ConsultationRequest, on_delete=models.PROTECT, related_name="status_changes"
    )

    @property
    def new_label(self) -> str:
        return STATUS_LABELS[RequestStatus(self.new_status)]


class PublicSubmission(models.Model):
    """One public form submission, for the per-address rate limit. Holds a keyed hash of the
    address, never the address itself."""

    address_hash = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"submission at {self.at:%Y-%m-%d %H:%M}"
