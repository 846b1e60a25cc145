"""Measurement-based care: instrument library, exact scoring and change from baseline.

This top-level module only re-exports the pure API (no Django import), so
`from remit.measures import score, change, InvalidAnswers` works anywhere.
"""

from __future__ import annotations

from .instruments import INSTRUMENTS, Instrument
from .outcomes import Change, change
from .scoring import Alert, InvalidAnswers, Score, get_instrument, score

__all__ = [
    "INSTRUMENTS",
    "Alert",
    "Change",
    "Instrument",
    "InvalidAnswers",
    "Score",
    "change",
    "get_instrument",
    "score",
]
