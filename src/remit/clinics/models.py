"""A clinic, its opening hours and the resources sessions are booked on."""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones

from django.core.exceptions import ValidationError
from django.db import models


@cache
def _known_time_zones() -> frozenset[str]:
    # available_timezones() walks the zoneinfo files on disk (~25 ms); they do not change
    # while the process runs.
    return frozenset(available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in _known_time_zones():
        raise ValidationError(f"{value!r} is not a known time zone (e.g. America/New_York).")


class Clinic(models.Model):
    name = models.CharField(max_length=200)
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    # Minutes of inactivity before a staff session ends (a clinic setting; 15 by default).
    idle_timeout_min = models.PositiveSmallIntegerField(default=15)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class OpeningHours(models.Model):
    """One opening period on a weekday, in the clinic's local time."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens_at = models.TimeField()
    closes_at = models.TimeField()

    class Meta:
        ordering = ["weekday", "opens_at"]
        verbose_name_plural = "opening hours"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="opening_hours_close_after_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens_at:%H:%M}–{self.closes_at:%H:%M}"


class ResourceKind(models.TextChoices):
    INFUSION_CHAIR = "infusion_chair", "Infusion chair"
    ESKETAMINE_ROOM = "esketamine_room", "Esketamine treatment room"
    TREATMENT_ROOM = "treatment_room", "Treatment room"
    TMS_DEVICE = "tms_device", "TMS device"


class Resource(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="resources")
    kind = models.CharField(max_length=20, choices=ResourceKind.choices)
    name = models.CharField(max_length=100)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["clinic", "kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "name"], name="resource_name_unique_in_clinic"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"
