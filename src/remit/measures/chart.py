"""The chart's "measures" tab: trajectories, open alerts, requests, schedules, assessments."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from remit.core.access import user_can
from remit.core.extensions import ChartTab
from remit.core.http import StaffRequest
from remit.core.roles import Capability
from remit.measures.charts import BandSpec, Chart, trajectory
from remit.measures.instruments import INSTRUMENT_CODES, INSTRUMENTS, Instrument
from remit.measures.models import Assessment, MeasuresSettings
from remit.measures.selectors import (
    measures_settings_of,
    patient_alerts,
    patient_assessments,
    patient_requests,
    patient_schedules,
    session_starts,
)
from remit.patients.models import Patient


@dataclass(frozen=True)
class InstrumentChart:
    code: str
    title: str
    chart: Chart
    latest: Assessment
    remission_text: str


def _response(instrument: Instrument, baseline: int) -> tuple[float, str] | None:
    for definition in instrument.outcomes:
        if definition.kind != "response":
            continue
        if definition.basis == "percent-reduction":
            return baseline * (100 - definition.threshold) / 100, (
                f"response ({definition.threshold}% below baseline)"
            )
        if definition.basis == "points-reduction":
            return float(baseline - definition.threshold), (
                f"response ({definition.threshold} points below baseline)"
            )
    return None


def _remission(
    instrument: Instrument, clinic_settings: MeasuresSettings
) -> tuple[tuple[str, int], str] | None:
    candidates = [d for d in instrument.outcomes if d.kind == "remission" and d.basis == "total"]
    chosen = next(
        (
            d
            for d in candidates
            if instrument.code == "madrs" and d.key == clinic_settings.madrs_remission
        ),
        None,
    ) or next((d for d in candidates if d.is_default), None)
    if chosen is None:
        return None
    return (chosen.comparator, chosen.threshold), chosen.describe()


def _charts(
    assessments: list[Assessment], patient: Patient, clinic_settings: MeasuresSettings
) -> list[InstrumentChart]:
    starts = session_starts(patient)
    charts = []
    for code in INSTRUMENT_CODES:
        instrument = INSTRUMENTS[code]
        own = [a for a in assessments if a.instrument == code and a.total is not None]
        if not own or instrument.min_total is None or instrument.max_total is None:
            continue
        own.sort(key=lambda a: (a.collected_at, a.pk))
        latest = own[-1]
        baseline_total = latest.baseline.total if latest.baseline else own[0].total
        higher_is_worse = instrument.direction == "higher-is-worse"
        remission = _remission(instrument, clinic_settings) if higher_is_worse else None
        charts.append(
            InstrumentChart(
                code=code,
                title=instrument.short_title,
                chart=trajectory(
                    scores=[(a.collected_at, a.total or 0, a.severity) for a in own],
                    min_total=instrument.min_total,
                    max_total=instrument.max_total,
                    bands=[BandSpec(b.name, b.min_total, b.max_total) for b in instrument.bands],
                    baseline=baseline_total if higher_is_worse else None,
                    response=(
                        _response(instrument, baseline_total)
                        if higher_is_worse and baseline_total is not None
                        else None
                    ),
                    remission=remission[0] if remission else None,
                    session_starts=starts,
                ),
                latest=latest,
                remission_text=remission[1] if remission else "",
            )
        )
    return charts


def _item_rows(assessment: Assessment) -> list[tuple[str, str, str]]:
    instrument = INSTRUMENTS.get(assessment.instrument)
    if instrument is None:
        return []
    rows = []
    for item in instrument.items:
        value = assessment.answers.get(item.link_id)
        if isinstance(value, bool):
            shown = "yes" if value else "no"
        elif value is None:
            shown = "—"
        else:
            label = next((o.label for o in item.options if o.value == value), None)
            shown = f"{value} ({label})" if label else str(value)
        rows.append((item.number, item.text, shown))
    return rows


def _measures(request: StaffRequest, patient: Patient) -> dict[str, Any]:
    clinic_settings = measures_settings_of(patient.clinic)
    assessments = list(patient_assessments(patient).select_related("baseline"))
    own_clinic = patient.clinic_id == request.user.clinic_id
    return {
        "measure_charts": _charts(assessments, patient, clinic_settings),
        "assessment_rows": [(a, _item_rows(a)) for a in assessments],
        "alerts": list(patient_alerts(patient)[:50]),
        "measure_requests": list(patient_requests(patient)[:10]),
        "schedules": list(patient_schedules(patient)),
        "can_collect": own_clinic and user_can(request.user, Capability.CHART_SESSION),
        "can_sign": own_clinic and user_can(request.user, Capability.SIGN_CLINICAL),
    }


TABS = [
    ChartTab(
        "measures",
        "Measures",
        20,
        Capability.VIEW_CLINICAL,
        "measures/_tab_measures.html",
        _measures,
    ),
]
