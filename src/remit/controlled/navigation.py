from __future__ import annotations

from remit.core.extensions import NavItem
from remit.core.roles import Capability

NAV = [NavItem("Drug ledger", "controlled:ledger", 60, Capability.HANDLE_CONTROLLED)]
