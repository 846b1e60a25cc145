from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def remit_context(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"staff_roles": frozenset()}
    return {"staff_roles": user.role_names(), "staff_clinic": user.clinic}
