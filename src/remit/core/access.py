"""Asking whether a staff member may do something: `user_can(user, Capability.X)`."""

from __future__ import annotations

from typing import Any

from remit.core.roles import Capability


def user_can(user: Any, capability: Capability) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    # Clinic staff only: a Django superuser without a clinic has no patient access here.
    if getattr(user, "clinic_id", None) is None:
        return False
    return bool(user.has_perm(f"core.{capability.value}"))
