"""The ICD-10-CM codes Remit's clinics treat, shipped as data/icd10cm.csv."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_CODE_LIST = Path(__file__).parent / "data" / "icd10cm.csv"


@dataclass(frozen=True)
class DiagnosisCode:
    code: str
    label: str
    group: str  # depressive, bipolar, anxiety, ocd, ptsd, pain, risk


@cache
def diagnosis_codes() -> dict[str, DiagnosisCode]:
    with _CODE_LIST.open(newline="") as handle:
        return {row["code"]: DiagnosisCode(**row) for row in csv.DictReader(handle)}


def diagnosis_code_choices() -> list[tuple[str, str]]:
    return [(c.code, f"{c.code} {c.label}") for c in diagnosis_codes().values()]
