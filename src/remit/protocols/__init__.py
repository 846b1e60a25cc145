"""Treatment protocols as versioned data, and the treatment-course status table."""

from __future__ import annotations

from remit.protocols.definitions import (
    INSTRUMENT_CODES,
    Phase,
    Protocol,
    ProtocolError,
    ResourceKind,
    StaffRole,
    load_library,
    load_protocol,
)
from remit.protocols.spacing import Spacing, SpacingViolation, spacing_violations
from remit.protocols.versions import new_version, protocol_to_dict

__all__ = [
    "INSTRUMENT_CODES",
    "Phase",
    "Protocol",
    "ProtocolError",
    "ResourceKind",
    "Spacing",
    "SpacingViolation",
    "StaffRole",
    "load_library",
    "load_protocol",
    "new_version",
    "protocol_to_dict",
    "spacing_violations",
]
