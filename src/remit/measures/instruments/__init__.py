"""The instrument library: one FHIR R4 Questionnaire JSON file per instrument, loaded once.

To add an instrument, see README.md in this folder: one file, one line in `INSTRUMENT_CODES`,
one test.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .loader import (
    LOINC_SYSTEM,
    ORDINAL_VALUE_URL,
    REMIT_FHIR_BASE,
    SCORING_EXTENSION_URL,
    InstrumentFileError,
    load_file,
)
from .model import (
    AnswerOption,
    CriticalItem,
    Instrument,
    Item,
    Licence,
    OutcomeDefinition,
    RiskRule,
    ScreenCutpoint,
    SeverityBand,
    Subscore,
)

__all__ = [
    "FOLDER",
    "INSTRUMENTS",
    "INSTRUMENT_CODES",
    "LOINC_SYSTEM",
    "ORDINAL_VALUE_URL",
    "REMIT_FHIR_BASE",
    "SCORING_EXTENSION_URL",
    "AnswerOption",
    "CriticalItem",
    "Instrument",
    "InstrumentFileError",
    "Item",
    "Licence",
    "OutcomeDefinition",
    "RiskRule",
    "ScreenCutpoint",
    "SeverityBand",
    "Subscore",
    "instrument_path",
    "questionnaire_json",
]

FOLDER = Path(__file__).parent

# The registry: each code names `<code>.json` in this folder.
INSTRUMENT_CODES: tuple[str, ...] = (
    "phq9",
    "phq2",
    "gad7",
    "qids_sr16",
    "madrs",
    "pcl5",
    "cssrs_screen",
    "cadss",
    "cadss6",
    "bprs_positive",
    "bprs_positive_0_6",
    "moaas",
)


def instrument_path(code: str) -> Path:
    return FOLDER / f"{code}.json"


def _load_all() -> Mapping[str, Instrument]:
    loaded = {}
    for code in INSTRUMENT_CODES:
        instrument = load_file(instrument_path(code))
        if instrument.code != code:
            raise InstrumentFileError(f"{code}.json declares code {instrument.code!r}")
        loaded[code] = instrument
    return MappingProxyType(loaded)


INSTRUMENTS: Mapping[str, Instrument] = _load_all()


def questionnaire_json(code: str) -> dict[str, Any]:
    """The instrument's FHIR Questionnaire resource as a fresh dict (safe to modify)."""
    if code not in INSTRUMENTS:
        raise KeyError(code)
    resource: dict[str, Any] = json.loads(instrument_path(code).read_text("utf-8"))
    return resource
