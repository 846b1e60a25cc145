"""The prescribers' start page: open safety alerts of their clinic's patients."""

from __future__ import annotations

from typing import Any

from remit.core.extensions import HomePanel
from remit.core.http import StaffRequest
from remit.core.roles import Capability
from remit.measures.selectors import clinic_open_alerts


def _alerts(request: StaffRequest) -> dict[str, Any]:
    return {"safety_alerts": list(clinic_open_alerts(request.user)[:100])}


PANELS = [
    HomePanel(
        "safety_alerts", 10, Capability.SIGN_CLINICAL, "measures/_panel_alerts.html", _alerts
    ),
]
