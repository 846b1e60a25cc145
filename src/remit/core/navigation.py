from __future__ import annotations

from remit.core.extensions import NavItem
from remit.core.roles import Capability

NAV = [NavItem("Audit", "audit_report", 130, Capability.VIEW_AUDIT)]
