"""Charting (and ledger) tests decide on the gate items that belong to other capabilities
(questionnaires, safety alerts, the signed evaluation, REMS enrolment) by replacing
charting's own integration functions: every item is clear unless a test says otherwise.
Tests of the real integration live in test_integrations.py."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from remit.charting import integrations


class OtherCapabilities:
    def __init__(self) -> None:
        self.safety_alerts: Any = 0
        self.questionnaires_done: Any = None  # None: every code asked for is done
        self.evaluation_signed_at: Any = timezone.now() - timedelta(days=30)
        self.rems_enrolled: Any = True

    def codes(self, patient: Any, since: datetime, codes: Iterable[str]) -> Any:
        if self.questionnaires_done is None:
            return set(codes)
        return self.questionnaires_done


@pytest.fixture(autouse=True)
def other_capabilities(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Any:
    state = OtherCapabilities()
    if request.node.get_closest_marker("real_integrations"):
        return state
    monkeypatch.setattr(integrations, "open_safety_alert_count", lambda p: state.safety_alerts)
    monkeypatch.setattr(integrations, "assessment_codes_since", state.codes)
    monkeypatch.setattr(
        integrations, "latest_evaluation_signed_at", lambda p: state.evaluation_signed_at
    )
    monkeypatch.setattr(integrations, "rems_enrolment", lambda p: state.rems_enrolled)
    return state
