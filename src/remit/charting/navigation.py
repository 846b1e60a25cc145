from __future__ import annotations

from remit.core.extensions import NavItem
from remit.core.roles import Capability

NAV = [
    NavItem("Floor board", "charting:board", 20, Capability.CHART_SESSION),
    NavItem("Monitoring limits", "charting:thresholds", 125, Capability.MANAGE_CLINIC),
]
