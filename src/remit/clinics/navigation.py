from __future__ import annotations

from remit.core.extensions import NavItem
from remit.core.roles import Capability

NAV = [
    NavItem("Clinic", "clinic_settings", 110, Capability.MANAGE_CLINIC),
    NavItem("Resources", "resource_list", 120, Capability.MANAGE_CLINIC),
]
