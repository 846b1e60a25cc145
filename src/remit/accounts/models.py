"""Staff users. A user belongs to one clinic; roles are Django groups named by `Role`."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from remit.core.roles import Role


class StaffUser(AbstractUser):
    clinic = models.ForeignKey(
        "clinics.Clinic", null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )

    class Meta:
        verbose_name = "staff user"

    def role_names(self) -> frozenset[str]:
        cached: frozenset[str] | None = getattr(self, "_role_names", None)
        if cached is None:
            valid = set(Role.values)
            cached = frozenset(n for n in self.groups.values_list("name", flat=True) if n in valid)
            self._role_names = cached
        return cached

    def has_role(self, *roles: Role) -> bool:
        return bool(self.role_names() & {str(role) for role in roles})
