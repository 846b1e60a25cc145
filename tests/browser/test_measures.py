"""A patient fills in questionnaires on a phone; a prescriber acknowledges a safety alert."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from remit.core.tests.cast import build_cast
from remit.core.tests.factories import TEST_PASSWORD
from remit.measures.models import AlertStatus, Assessment, SafetyAlert
from remit.measures.services import request_create
from remit.measures.tests.helpers import run_worker, token_from_last_email
from tests.browser.conftest import SCREENSHOTS, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def _link_for(cast, instruments):
    request_create(patient=cast.patient, instruments=instruments, by=cast.nurse)
    run_worker()
    return f"/measures/q/{token_from_last_email()}/"


def _answer(page, number: int, label: str) -> None:
    item = page.get_by_role("group", name=re.compile(rf"^{number}\. "))
    item.get_by_label(label, exact=True).check()


def test_a_patient_fills_in_a_phq9_and_a_gad7_link_on_a_phone(phone, third_party_requests):
    cast = build_cast()
    phone.goto(_link_for(cast, ["phq9", "gad7"]))

    expect(phone.get_by_text("Questionnaire 1 of 2")).to_be_visible()
    expect(phone.get_by_role("heading", name="PHQ-9")).to_be_visible()
    answers = (
        ["Several days", "More than half the days", "Several days", "Not at all"]
        + ["Several days"] * 4
        + ["Not at all"]
    )
    for number, label in enumerate(answers, start=1):
        _answer(phone, number, label)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390, "no sideways scroll"
    expect(phone.locator("#crisis section")).to_have_count(0)
    phone.get_by_role("button", name="Next questionnaire").click()

    expect(phone.get_by_text("Questionnaire 2 of 2")).to_be_visible()
    expect(phone.get_by_role("heading", name="GAD-7")).to_be_visible()
    for number in range(1, 8):
        _answer(phone, number, "More than half the days")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SCREENSHOTS / "questionnaire-phone.png"), full_page=True)
    phone.get_by_role("button", name="Send my answers").click()

    expect(phone.get_by_role("heading", name="Thank you")).to_be_visible()
    scores = {a.instrument: (a.total, a.severity) for a in Assessment.objects.all()}
    assert scores == {"phq9": (8, "mild"), "gad7": (14, "moderate")}
    assert third_party_requests == []


def test_item_9_shows_crisis_resources_and_the_prescriber_acknowledges_the_alert(phone, tablet):
    cast = build_cast()
    phone.goto(_link_for(cast, ["phq9"]))
    for number in range(1, 9):
        _answer(phone, number, "Not at all")
    _answer(phone, 9, "Several days")
    crisis = phone.get_by_role("alert").filter(has_text="Help is available now")
    expect(crisis).to_be_visible()
    expect(crisis).to_contain_text("988")
    phone.get_by_role("button", name="Send my answers").click()
    expect(phone.get_by_role("heading", name="Thank you")).to_be_visible()
    expect(phone.get_by_text("988")).to_be_visible()

    sign_in(tablet, "prescriber", TEST_PASSWORD)
    panel = tablet.get_by_role("region", name=re.compile("Safety alerts"))
    expect(panel).to_contain_text("Testwood, Avery")
    expect(panel).to_contain_text("item 9")
    panel.get_by_role("link", name="Acknowledge").click()
    tablet.get_by_label("What you did").fill("Called Avery; safe tonight, safety plan reviewed.")
    tablet.screenshot(path=str(SCREENSHOTS / "safety-alert-acknowledge.png"), full_page=True)
    tablet.get_by_role("button", name="Acknowledge alert").click()

    expect(tablet.get_by_text("Alert acknowledged.")).to_be_visible()
    expect(tablet.get_by_text("No open safety alerts.")).to_be_visible()
    alert = SafetyAlert.objects.get()
    assert alert.status == AlertStatus.ACKNOWLEDGED and alert.acknowledged_by == cast.prescriber


def test_a_demo_patients_chart_shows_the_trajectory(tablet):
    from remit.accounts.seed import DEMO_PASSWORD
    from remit.core.seeding import SeedContext, seed_all

    context = seed_all(SeedContext(seed=1, patient_count=8, progress=lambda _: None))
    patient_id = (
        Assessment.objects.filter(patient_id__in=context.new_patient_ids)
        .values_list("patient_id", flat=True)
        .first()
    )
    sign_in(tablet, context.staff["nurse"].username, DEMO_PASSWORD)
    tablet.goto(f"/patients/{patient_id}/?tab=measures")
    expect(tablet.get_by_role("img", name=re.compile("PHQ-9 totals over time"))).to_be_visible()
    expect(tablet.get_by_role("img", name=re.compile("GAD-7 totals over time"))).to_be_visible()
    assert tablet.evaluate("document.documentElement.scrollWidth") <= 768
    tablet.screenshot(path=str(SCREENSHOTS / "measures-trajectory.png"), full_page=True)
