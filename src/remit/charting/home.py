"""The start-page panel for nurses and TMS technicians: sessions running now and open alerts."""

from __future__ import annotations

from typing import Any

from remit.charting.selectors import board_rows
from remit.core.extensions import HomePanel
from remit.core.http import StaffRequest
from remit.core.roles import Capability


def _running(request: StaffRequest) -> dict[str, Any]:
    rows = board_rows(request.user.home_clinic_id)
    return {
        "running_sessions": rows,
        "running_alerts": sum(len(r.open_alerts) for r in rows),
        "running_overdue": sum(1 for r in rows if r.overdue),
    }


PANELS = [
    HomePanel(
        "running_sessions", 10, Capability.CHART_SESSION, "charting/_panel_running.html", _running
    ),
]
