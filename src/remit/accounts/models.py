"""Staff users. A user belongs to one clinic; roles are Django groups named by `Role`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied
from django.db import models

from remit.core.roles import Role

if TYPE_CHECKING:
    from remit.clinics.models import Clinic


class StaffUser(AbstractUser):
    clinic = models.ForeignKey(
        "clinics.Clinic", null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )

    class Meta:
        verbose_name = "staff user"

    @property
    def display_name(self) -> str:
        """The name shown to other people: the full name, the username only if none is set."""
        return self.get_full_name() or self.username

    @property
    def home_clinic(self) -> Clinic:
        """The clinic of a member of staff; views behind `staff_required` always have one."""
        if self.clinic is None:
            raise PermissionDenied
        return self.clinic

    @property
    def home_clinic_id(self) -> int:
        if self.clinic_id is None:
            raise PermissionDenied
        return self.clinic_id

    def has_verified_second_factor(self) -> bool:
        # OTPMiddleware attaches is_verified() to the request's user.
        is_verified = getattr(self, "is_verified", None)
        return bool(is_verified and is_verified())

    def role_names(self) -> frozenset[str]:
        cached: frozenset[str] | None = getattr(self, "_role_names", None)
        if cached is None:
            valid = set(Role.values)
            cached = frozenset(n for n in self.groups.values_list("name", flat=True) if n in valid)
            self._role_names = cached
        return cached

    def has_role(self, *roles: Role) -> bool:
        return bool(self.role_names() & {str(role) for role in roles})


class LoginFailure(models.Model):
    """One failed sign-in; counted per account and per address to lock out guessing."""

    username = models.CharField(max_length=150, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.username} {self.at:%Y-%m-%d %H:%M}"


class ApiToken(models.Model):
    """A staff member's token for the JSON API; only its SHA-256 is stored."""

    user = models.ForeignKey(StaffUser, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"
