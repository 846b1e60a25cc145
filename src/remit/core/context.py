from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from remit.core.access import user_can
from remit.core.extensions import nav_items
from remit.core.roles import Capability


def remit_context(request: HttpRequest) -> dict[str, Any]:
    """`can` holds the signed-in user's capabilities, for templates to show only what works."""
    user = getattr(request, "user", None)
    can = frozenset(c.value for c in Capability if user_can(user, c))
    return {
        "can": can,
        "staff_clinic": getattr(user, "clinic", None) if can else None,
        "nav_items": [item for item in nav_items() if item.capability.value in can],
    }
