"""Session charting: dose arithmetic, vital-sign alerts and discharge criteria (pure parts)."""

from remit.charting.discharge import DISCHARGE_CHECKLISTS, discharge_blockers
from remit.charting.dosing import (
    DosingWeight,
    Modality,
    WeightBasis,
    dosing_weight,
    esketamine_dose,
    im_ketamine,
    iv_ketamine,
    oral_ketamine,
    sublingual_ketamine,
    tms_record,
)
from remit.charting.monitoring import (
    DEFAULT_THRESHOLDS,
    MONITORING_SCHEDULES,
    Alert,
    AlertLevel,
    Phase,
    VitalsThresholds,
    check_vitals,
    next_check_due,
    unconfirmed_thresholds,
)

__all__ = [
    "DEFAULT_THRESHOLDS",
    "DISCHARGE_CHECKLISTS",
    "MONITORING_SCHEDULES",
    "Alert",
    "AlertLevel",
    "DosingWeight",
    "Modality",
    "Phase",
    "VitalsThresholds",
    "WeightBasis",
    "check_vitals",
    "discharge_blockers",
    "dosing_weight",
    "esketamine_dose",
    "im_ketamine",
    "iv_ketamine",
    "next_check_due",
    "oral_ketamine",
    "sublingual_ketamine",
    "tms_record",
    "unconfirmed_thresholds",
]
