"""A nurse charts a full IV ketamine infusion on a tablet, and the ledger balances."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from remit.charting.models import Session, SessionAlert, SessionNote
from remit.charting.tests.fixtures import other_capabilities
from remit.charting.tests.helpers import booked_appointment
from remit.controlled.models import EntryKind, LedgerEntry
from remit.controlled.tests.helpers import received
from remit.core.tests.cast import build_cast
from remit.core.tests.factories import TEST_PASSWORD, BodyMeasurementFactory
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)
# Questionnaires, safety alerts, the signed evaluation: clear (see the fixture).
__all__ = ["other_capabilities"]


def _vitals(page, systolic: int, diastolic: int, heart_rate: int = 76) -> None:
    page.get_by_label("Systolic (mmHg)").fill(str(systolic))
    page.get_by_label("Diastolic (mmHg)").fill(str(diastolic))
    page.get_by_label("Heart rate (/min)").fill(str(heart_rate))
    page.get_by_label("SpO2 (%)").fill("98")
    page.get_by_label("Respiratory rate (/min)").fill("14")
    page.get_by_role("button", name="Save vital signs").click()
    expect(page.locator(".last-vitals")).to_contain_text(f"BP {systolic}/{diastolic}")


def test_a_nurse_charts_a_full_iv_infusion_on_a_tablet(tablet, third_party_requests):
    cast = build_cast()
    BodyMeasurementFactory(patient=cast.patient, weight_kg=Decimal("70.0"), measured_by=cast.nurse)
    booked_appointment(clinic=cast.clinic, patient=cast.patient)
    vial = received(cast, label="K-001")
    page = tablet

    sign_in(page, "nurse", TEST_PASSWORD)
    page.goto("/charting/")
    page.get_by_role("button", name="Check in Avery Testwood").click()
    expect(page.get_by_role("heading", name="Testwood, Avery")).to_be_visible()

    # Pre-session gate: a normal reading, fasting and ride home confirmed.
    _vitals(page, 124, 80)
    page.get_by_label("Fasting as instructed").check()
    page.get_by_label("Ride home confirmed").check()
    page.get_by_role("button", name="Check the gate").click()
    expect(page.get_by_text("The gate is clear: the dose may be given.")).to_be_visible()

    # Dose: choose the weight basis, then the dose from the latest weight, arithmetic shown.
    page.get_by_label("Dose on which weight?").select_option("actual")
    page.get_by_role("button", name="Save weight basis").click()
    expect(page.get_by_text("Weight basis: actual")).to_be_visible()
    page.get_by_role("button", name="Record the dose").click()
    expect(page.get_by_label("Dose arithmetic")).to_contain_text("0.5 mg/kg × 70.0 kg = 35.0 mg")
    expect(page.locator("#dose-card")).to_contain_text("pump 150.0 mL/h")

    # The controlled drug: 1 mL of 50 mg/mL drawn, 35 mg given, 15 mg wasted with a witness.
    page.get_by_label("From vial").select_option(str(vial.pk))
    page.get_by_label("Volume drawn (mL)").fill("1")
    page.get_by_role("button", name="Record draw").click()
    expect(page.locator("#drug-card")).to_contain_text("Drawn 50 mg")
    expect(page.get_by_label("Given (mg)")).to_have_value("35.0")
    page.get_by_role("button", name="Record given").click()
    expect(page.locator("#drug-card")).to_contain_text("given 35 mg")
    expect(page.get_by_label("Wasted (mg)")).to_have_value("15")
    page.get_by_label("Witness").select_option(str(cast.prescriber.pk))
    page.get_by_role("button", name="Record witnessed waste").click()
    expect(page.locator("#drug-card")).to_contain_text("balanced")

    # Monitoring: three more sets; 185/110 raises a visible stop alert, then acknowledged.
    expect(page.locator(".vitals-timer")).to_contain_text(
        re.compile("Next vital signs in 9:|10:00")
    )
    _vitals(page, 132, 84)
    _vitals(page, 185, 110, heart_rate=96)
    alert = page.locator(".session-alert.level-stop")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("Blood pressure 185/110 mmHg is above 180/100 mmHg")
    page.get_by_role("textbox", name="Action taken").fill(
        "Infusion paused, prescriber reviewed, BP rechecked"
    )
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.locator(".session-alert")).to_have_count(0)
    expect(page.locator(".ack-line")).to_contain_text("Infusion paused")
    _vitals(page, 128, 80)

    # Side effects.
    page.locator("#id_se-symptom").select_option("dissociation")
    page.locator("#id_se-severity").select_option("mild")
    page.get_by_role("button", name="Add side effect").click()
    expect(page.locator("#effects")).to_contain_text("Dissociation (mild)")

    # Discharge with the checklist, each item timed.
    for box in page.locator("#discharge-card input[type=checkbox]").all():
        box.check()
    page.get_by_label("Who takes the patient home").fill("Sam Testwood (partner)")
    page.get_by_role("button", name="Discharge").click()
    expect(page.get_by_role("heading", name="Session note")).to_be_visible()

    # The note, generated from the record and signed.
    page.get_by_role("button", name="Sign the note").click()
    expect(page.get_by_text("Awaiting prescriber co-signature")).to_be_visible()
    expect(page.get_by_label("Signed note")).to_contain_text("BP 185/110 mmHg")

    session = Session.objects.get()
    assert session.stage == "discharged" and session.vitals.count() == 4
    assert SessionAlert.objects.get().acknowledged_by == cast.nurse
    assert SessionNote.objects.get().signed_by == cast.nurse

    # The ledger shows the draw from the named vial and the witnessed waste.
    page.goto(f"/controlled/vials/{vial.pk}/")
    expect(
        page.get_by_role("cell", name=f"Drawn for a session (session {session.pk})")
    ).to_be_visible()
    expect(page.get_by_role("cell", name="9 mL")).to_be_visible()
    waste = LedgerEntry.objects.get(kind=EntryKind.WASTE)
    assert waste.second_person == cast.prescriber and waste.amount_mg == Decimal("15.00")
    page.goto(f"/charting/sessions/{session.pk}/")
    expect(page.locator("#drug-card")).to_contain_text("witnessed by")
    assert third_party_requests == []


def test_esketamine_devices_count_down_and_are_recorded_one_by_one(tablet):
    from remit.charting.tests.helpers import esketamine_dosed

    cast = build_cast()
    session, _ = esketamine_dosed(cast)
    page = tablet
    sign_in(page, "nurse", TEST_PASSWORD)
    page.goto(f"/charting/sessions/{session.pk}/")
    devices = page.get_by_label("Devices given")
    expect(devices).to_contain_text("Device 1 given")
    # The countdown to device 2 ticks in the browser (5 minutes after device 1).
    expect(page.locator(".device-form .vitals-timer")).to_have_text(
        re.compile(r"Device 2 in 4:\d\d")
    )
    page.get_by_role("button", name="Device 2 given now").click()
    expect(devices).to_contain_text("Device 2 given")
    expect(devices.locator(".badge")).to_contain_text("5-minute rest")
    expect(page.get_by_role("button", name=re.compile("Device . given now"))).to_have_count(0)
    assert list(session.devices.values_list("number", flat=True)) == [1, 2]
