from __future__ import annotations

from remit.core.extensions import NavItem
from remit.core.roles import Capability

NAV = [
    NavItem("Patients", "patients:list", 10, Capability.VIEW_DEMOGRAPHICS),
    NavItem("Emergency access", "patients:emergency_access", 90, Capability.BREAK_GLASS),
]
