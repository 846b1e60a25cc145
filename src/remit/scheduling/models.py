"""Appointments on a clinic's resources and staff, with FHIR Appointment status codes.

A resource (chair, room, device) or a staff member can never hold two overlapping bookings:
on PostgreSQL an exclusion constraint enforces it; on SQLite the booking service checks inside
the serialised (BEGIN IMMEDIATE) transaction. Statuses that free the slot (cancelled, noshow,
entered-in-error) are outside both checks.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from remit.clinics.models import Weekday
from remit.core.models import StatusChange
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
    # Set when the reminder went out, so a re-run of the task never sends it twice.
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

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


class AppointmentStatusChange(StatusChange):
    appointment = models.ForeignKey(
        Appointment, on_delete=models.PROTECT, related_name="status_changes"
    )


class StaffHours(models.Model):
    """One recurring working period of a staff member, wall-clock time in the clinic's zone."""

    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.CASCADE, related_name="+")
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="working_hours"
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    starts_at = models.TimeField()
    ends_at = models.TimeField()

    class Meta:
        ordering = ["staff_id", "weekday", "starts_at"]
        verbose_name_plural = "staff hours"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="staff_hours_end_after_start",
            )
        ]

    def __str__(self) -> str:
        hours = f"{self.starts_at:%H:%M}-{self.ends_at:%H:%M}"
        return f"{self.staff_id} {self.get_weekday_display()} {hours}"


class PatientAvailability(models.Model):
    """A weekly window when the patient can come; ``preferred`` marks the times they like best."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, related_name="availability"
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    starts_at = models.TimeField()
    ends_at = models.TimeField()
    preferred = models.BooleanField(default=False)

    class Meta:
        ordering = ["patient_id", "weekday", "starts_at"]
        verbose_name_plural = "patient availability"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="patient_availability_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts_at:%H:%M}-{self.ends_at:%H:%M}"


class PlannerRunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class PlannerRun(models.Model):
    """One run of the clinic planner over the new courses of a period, run by the task worker."""

    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.PROTECT, related_name="+")
    first_day = models.DateField()
    last_day = models.DateField()
    time_limit_s = models.PositiveSmallIntegerField(default=20)
    status = models.CharField(max_length=10, choices=PlannerRunStatus.choices, default="queued")
    # Summary numbers and per-course outcomes (ids, counts and explanations; no patient names).
    result = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Planner {self.first_day}..{self.last_day} ({self.status})"
