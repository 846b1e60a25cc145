"""Controlled-substance ledger (ketamine and esketamine are Schedule III)."""

from remit.controlled.ledger import (
    Adjustment,
    Administration,
    Count,
    Draw,
    LedgerError,
    LedgerState,
    Receipt,
    SessionClose,
    VialWaste,
    Waste,
    apply_entry,
    empty_ledger,
    fold,
    reconcile,
)

__all__ = [
    "Adjustment",
    "Administration",
    "Count",
    "Draw",
    "LedgerError",
    "LedgerState",
    "Receipt",
    "SessionClose",
    "VialWaste",
    "Waste",
    "apply_entry",
    "empty_ledger",
    "fold",
    "reconcile",
]
