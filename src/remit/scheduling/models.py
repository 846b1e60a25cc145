"""Appointments on a clinic's resources and staff, with FHIR Appointment status codes.

A resource (chair, room, device) or a staff member can never hold two overlapping bookings:
on PostgreSQL an exclusion constraint enforces it; on SQLite the booking service checks inside
the serialised (BEGIN IMMEDIATE) transaction. Statuses that free the slot (cancelled, noshow,
entered-in-error) are outside both checks.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from remit.scheduling.transitions import AppointmentStatus


class Appointment(models.Model):
    clinic = models.ForeignKey(
        "clinics.Clinic", on_delete=models.PROTECT, related_name="appointments"
    )
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="appointments"
    )
    course = models.ForeignKey(
        "protocols.TreatmentCourse",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appointments",
    )
    # The session's place in its course ("induction", 3): what the protocol's spacing counts.
    phase = models.CharField(max_length=40, blank=True)
    session_number = models.PositiveSmallIntegerField(null=True, blank=True)
    resource = models.ForeignKey(
        "clinics.Resource", on_delete=models.PROTECT, related_name="appointments"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appointments",
        help_text="The nurse or technician running the session.",
    )
    start = models.DateTimeField(db_index=True)
    end = models.DateTimeField()
    status = models.CharField(
        max_length=20,
        choices=[(s.value, s.value) for s in AppointmentStatus],
        default=AppointmentStatus.BOOKED.value,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["start", "id"]
        indexes = [
            models.Index(fields=["clinic", "start"]),
            models.Index(fields=["resource", "start"]),
            models.Index(fields=["patient", "start"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="appointment_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource} {self.start:%Y-%m-%d %H:%M} ({self.status})"


class AppointmentStatusChange(models.Model):
    appointment = models.ForeignKey(
        Appointment, on_delete=models.PROTECT, related_name="status_changes"
    )
    old_status = models.CharField(max_length=20, blank=True)
    new_status = models.CharField(max_length=20)
    reason = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.old_status or '—'} → {self.new_status}"
