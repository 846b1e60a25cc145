from __future__ import annotations

from typing import Any

from remit.core.extensions import HomePanel
from remit.core.http import StaffRequest
from remit.core.models import AuditAction
from remit.core.roles import Capability
from remit.core.selectors import AuditFilter, audit_events_for


def _emergency_accesses(request: StaffRequest) -> dict[str, Any]:
    filters = AuditFilter(action=AuditAction.BREAK_GLASS)
    return {"emergency_accesses": audit_events_for(admin=request.user, filters=filters)[:10]}


PANELS = [
    HomePanel(
        "emergency_accesses",
        100,
        Capability.VIEW_AUDIT,
        "core/_panel_emergency_access.html",
        _emergency_accesses,
    ),
]
