from __future__ import annotations

import pytest
from playwright.sync_api import expect

from remit.core.tests.cast import build_cast
from remit.core.tests.factories import TEST_PASSWORD, BodyMeasurementFactory
from remit.patients.models import Patient
from remit.patients.services import diagnosis_add
from tests.browser.conftest import SCREENSHOTS, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_nurse_signs_in_finds_a_patient_and_opens_the_chart(tablet, third_party_requests):
    cast = build_cast()
    BodyMeasurementFactory(patient=cast.patient, measured_by=cast.nurse)
    diagnosis_add(patient=cast.patient, by=cast.prescriber, code="F33.2")

    sign_in(tablet, "nurse", TEST_PASSWORD)
    tablet.get_by_role("link", name="Patients", exact=True).click()
    expect(tablet.get_by_role("heading", name="Patients")).to_be_visible()

    tablet.get_by_label("Search patients").fill("testw")
    row_link = tablet.get_by_role("link", name="Testwood, Avery")
    expect(row_link).to_be_visible()
    expect(tablet.get_by_text("1 patient matching")).to_be_visible()
    row_link.click()

    expect(tablet.get_by_role("heading", name="Testwood, Avery")).to_be_visible()
    expect(tablet.get_by_text(cast.patient.mrn)).to_be_visible()
    expect(tablet.get_by_text("72.5 kg")).to_be_visible()
    expect(tablet.get_by_text("Major depressive disorder, recurrent severe")).to_be_visible()
    for tab in ("Overview", "Measures", "Evaluation", "Course", "Sessions", "Documents"):
        expect(tablet.get_by_role("tab", name=tab)).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tablet.screenshot(path=str(SCREENSHOTS / "patient-chart.png"), full_page=True)

    tablet.get_by_role("tab", name="Sessions").click()
    expect(tablet.get_by_text("Nothing recorded here yet")).to_be_visible()
    assert third_party_requests == []


def test_an_intake_coordinator_fixes_a_validation_error_and_registers_a_patient(tablet):
    build_cast()
    sign_in(tablet, "intake", TEST_PASSWORD)
    tablet.get_by_role("link", name="New patient").click()

    tablet.get_by_label("Legal given name").fill("Yara")
    tablet.get_by_label("Legal family name").fill("Synthwick")
    tablet.get_by_label("Date of birth").fill("1990-05-17")
    tablet.get_by_label("Sex at birth").select_option("female")
    tablet.get_by_label("Email").fill("yara@example.org")
    tablet.get_by_label("Weight (kg)").fill("0")
    tablet.get_by_role("button", name="Register patient").click()

    expect(tablet.get_by_text("Nothing has been saved")).to_be_visible()
    expect(tablet.get_by_text("Weight must be between 20 and 400 kg")).to_be_visible()
    assert not Patient.objects.filter(legal_family_name="Synthwick").exists()

    tablet.get_by_label("Weight (kg)").fill("64.5")
    tablet.get_by_role("button", name="Register patient").click()

    expect(tablet.get_by_role("heading", name="Synthwick, Yara")).to_be_visible()
    expect(tablet.get_by_text("Registered Yara Synthwick")).to_be_visible()
    patient = Patient.objects.get(legal_family_name="Synthwick")
    assert patient.measurements.get().weight_kg == 64.5


def test_the_patient_list_works_on_a_phone(phone):
    build_cast()
    sign_in(phone, "prescriber", TEST_PASSWORD)
    phone.get_by_role("link", name="Patients", exact=True).click()
    expect(phone.get_by_role("link", name="Testwood, Avery")).to_be_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the page must not scroll sideways on a phone"
