"""Protocol versions in use by a clinic, and patients' treatment courses built from them.

The protocol library (`library/*.json`) is data; a `ProtocolVersion` row freezes one version's
definition as it was when a course started, so later edits never change a running course.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from remit.core.models import StatusChange
from remit.protocols.transitions import CourseStatus


class ProtocolVersion(models.Model):
    clinic = models.ForeignKey(
        "clinics.Clinic",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="protocol_versions",
        help_text="Empty for the shipped library; set for a clinic's own protocols and edits.",
    )
    code = models.CharField(max_length=60)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    modality = models.CharField(max_length=30)
    route = models.CharField(max_length=30)
    # The whole protocol as loaded and validated by remit.protocols.definitions.
    definition = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    change_note = models.TextField(blank=True)

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "code", "version"],
                condition=models.Q(clinic__isnull=False),
                name="protocol_version_unique_per_clinic",
            ),
            models.UniqueConstraint(
                fields=["code", "version"],
                condition=models.Q(clinic__isnull=True),
                name="protocol_version_unique_in_library",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class TreatmentCourse(models.Model):
    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.PROTECT, related_name="courses")
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="courses"
    )
    protocol_version = models.ForeignKey(
        ProtocolVersion, on_delete=models.PROTECT, related_name="courses"
    )
    phase = models.CharField(max_length=40)
    status = models.CharField(
        max_length=12,
        choices=[(s.value, s.value.title()) for s in CourseStatus],
        default=CourseStatus.PLANNED.value,
    )
    # Sessions a payer or prescriber has added to the phase beyond the protocol's count.
    extra_sessions = models.PositiveSmallIntegerField(default=0)
    stop_reason = models.TextField(blank=True)
    # The first local day sessions may be booked (e.g. after consent or REMS enrolment).
    earliest_start = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["patient", "status"])]

    def __str__(self) -> str:
        return f"{self.protocol_version} for patient {self.patient_id} ({self.status})"


class CourseStatusChange(StatusChange):
    course = models.ForeignKey(
        TreatmentCourse, on_delete=models.PROTECT, related_name="status_changes"
    )
