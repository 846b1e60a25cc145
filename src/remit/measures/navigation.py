from __future__ import annotations

from remit.core.extensions import NavItem
from remit.core.roles import Capability

NAV = [
    NavItem("Questionnaires", "measures:settings", 125, Capability.MANAGE_CLINIC),
]
