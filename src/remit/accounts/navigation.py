from __future__ import annotations

from remit.core.extensions import NavItem
from remit.core.roles import Capability

NAV = [NavItem("Staff", "staff_list", 100, Capability.MANAGE_STAFF)]
