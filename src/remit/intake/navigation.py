from __future__ import annotations

from remit.core.extensions import NavItem
from remit.core.roles import Capability

NAV = [NavItem("Intake", "intake:queue", 15, Capability.WORK_INTAKE)]
