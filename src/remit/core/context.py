from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from remit.core.access import user_can
from remit.core.extensions import nav_items
from remit.core.roles import Capability


def remit_context(request: HttpRequest) -> dict[str, Any]:
    """`can` holds the signed-in user's capabilities, for templates to show only what works.

    Each value is worked out only when a template reads it: the fragments HTMX swaps in (a
    vitals save, a board refresh) never do, and asking for every capability on each of those
    requests was a measurable share of their time (bench/charting.md).
    """
    user = getattr(request, "user", None)
    can = SimpleLazyObject(lambda: frozenset(c.value for c in Capability if user_can(user, c)))
    return {
        "can": can,
        "staff_clinic": SimpleLazyObject(lambda: getattr(user, "clinic", None) if can else None),
        "nav_items": SimpleLazyObject(
            lambda: [item for item in nav_items() if item.capability.value in can]
        ),
    }
