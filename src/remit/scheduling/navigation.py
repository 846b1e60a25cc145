"""One top-bar link; the planner, protocols and staff hours are linked from the calendar page,
so the top bar stays short on a phone."""

from __future__ import annotations

from remit.core.extensions import NavItem
from remit.core.roles import Capability

NAV = [NavItem("Calendar", "scheduling:calendar", 30, Capability.VIEW_CALENDAR)]
