"""The issue's end-to-end flow: a prospective patient screens and asks for a consultation on a
phone; the intake coordinator converts the request; a prescriber evaluates and signs."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from remit.core.tests.cast import build_cast
from remit.core.tests.factories import TEST_PASSWORD
from remit.evaluation.models import Evaluation
from remit.intake.models import ConsultationRequest
from remit.patients.models import Patient
from tests.browser.conftest import SCREENSHOTS, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_from_self_screen_to_a_signed_decision(phone, tablet):
    cast = build_cast()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    # A prospective patient, on a phone, with no account.
    phone.goto(f"/intake/start/{cast.clinic.pk}/")
    expect(
        phone.get_by_role("heading", name="Could ketamine, esketamine or TMS help me?")
    ).to_be_visible()
    phone.get_by_label("Depression", exact=True).check()
    phone.get_by_label("Low energy or tiredness").check()
    phone.get_by_label("How many antidepressant medicines have you tried?").select_option("3")
    phone.locator("#group-talk_therapy_tried").get_by_label("Yes").check()
    phone.locator("#group-thoughts_of_ending_life").get_by_label("No").check()
    _no_sideways_scroll(phone)
    phone.get_by_role("button", name="See my result").click()

    expect(phone.get_by_role("heading", name="Your result")).to_be_visible()
    expect(phone.get_by_text("From your answers, these treatments may fit")).to_be_visible()
    expect(phone.get_by_role("heading", name="Ketamine, esketamine or TMS?")).to_be_visible()
    _no_sideways_scroll(phone)
    phone.screenshot(path=str(SCREENSHOTS / "self-screen-result.png"), full_page=True)
    phone.get_by_role("button", name="Request a consultation").click()

    expect(phone.get_by_role("heading", name="Request a consultation")).to_be_visible()
    phone.get_by_label("First name").fill("Yara")
    phone.get_by_label("Last name").fill("Synthwick")
    phone.get_by_label("Date of birth").fill("1990-05-17")
    phone.get_by_label("Phone number").fill("+1 555 0101")
    phone.get_by_label("Email address").fill("yara@example.org")
    phone.get_by_label("Phone call").check()
    phone.get_by_label("When is a good time to reach you?").fill("Weekday mornings")
    phone.get_by_role("button", name="Send my request").click()
    expect(phone.get_by_text("We can only reply if you agree to this.")).to_be_visible()
    assert not ConsultationRequest.objects.exists()
    phone.get_by_label("I agree that the clinic may contact me").check()
    phone.get_by_role("button", name="Send my request").click()
    expect(phone.get_by_role("heading", name="Thank you: we have your request")).to_be_visible()
    request = ConsultationRequest.objects.get()
    assert request.screen_result["fits"] and not request.urgent

    # The intake coordinator converts the request into a patient.
    sign_in(tablet, "intake", TEST_PASSWORD)
    tablet.goto("/intake/")
    tablet.get_by_role("link", name="Synthwick, Yara").click()
    expect(tablet.get_by_role("heading", name="Synthwick, Yara")).to_be_visible()
    expect(tablet.get_by_text("No existing patient matches this request.")).to_be_visible()
    tablet.get_by_label("New status").select_option("contacted")
    tablet.get_by_role("button", name="Change status").click()
    expect(tablet.get_by_text("Status changed.")).to_be_visible()
    tablet.get_by_label("Sex at birth").select_option("female")
    tablet.get_by_role("button", name="Create patient").click()
    expect(tablet.get_by_text("Registered Yara Synthwick")).to_be_visible()
    patient = Patient.objects.get(legal_family_name="Synthwick")
    tablet.get_by_role("button", name="Sign out").click()

    # A prescriber evaluates and signs a decision.
    sign_in(tablet, "prescriber", TEST_PASSWORD)
    tablet.goto(f"/patients/{patient.pk}/?tab=evaluation")
    expect(tablet.get_by_text("Self-screen sent with the consultation request")).to_be_visible()
    tablet.get_by_role("button", name="Start an evaluation").click()
    expect(tablet.get_by_role("heading", name="Evaluation of Synthwick, Yara")).to_be_visible()

    tablet.get_by_label("Diagnosis (ICD-10-CM)").select_option("F33.2")
    tablet.get_by_role("button", name="Add diagnosis").click()
    history = tablet.locator("#history")
    history.get_by_label("Systolic BP at rest (mmHg)").fill("128")
    history.get_by_label("Diastolic BP at rest (mmHg)").fill("82")
    history.get_by_label("Heart rate at rest (bpm)").fill("74")
    history.get_by_label("Pregnancy status").select_option("not_pregnant")
    history.get_by_label("Current episode: months so far").fill("14")
    history.get_by_role("button", name="Save history and vitals").click()
    expect(tablet.get_by_text("History and vitals saved.")).to_be_visible()
    for drug in ("sertraline", "bupropion"):
        trial = tablet.locator("#trial")
        trial.get_by_label("Antidepressant").fill(drug)
        trial.get_by_label("Daily dose (mg)").fill("150")
        trial.get_by_label("Weeks taken").fill("8")
        trial.get_by_label("Dose adequate?").select_option("yes")
        trial.get_by_role("button", name="Add trial").click()
        expect(tablet.get_by_text("Antidepressant trial added.")).to_be_visible()
    expect(tablet.locator("#staging").get_by_text("Met", exact=True)).to_be_visible()

    sign = tablet.locator("#sign")
    sign.get_by_label("Eligible", exact=True).check()
    sign.get_by_label("Eligible for").select_option("tms")
    sign.get_by_label("Protocol").select_option("tms-10hz")
    sign.get_by_role("button", name="Sign decision").click()
    expect(tablet.get_by_text("Confirm your signature to record the decision")).to_be_visible()
    sign = tablet.locator("#sign")
    sign.get_by_label("Eligible", exact=True).check()
    sign.get_by_label("Eligible for").select_option("tms")
    sign.get_by_label("Protocol").select_option("tms-10hz")
    sign.get_by_label("I have reviewed this evaluation and sign this decision.").check()
    sign.get_by_role("button", name="Sign decision").click()
    expect(tablet.get_by_text("Decision signed. The evaluation is now read-only.")).to_be_visible()
    expect(tablet.get_by_role("heading", name="Decision: Eligible")).to_be_visible()
    tablet.get_by_label("Consent form version").fill("2026.1")
    tablet.get_by_role("button", name="Record consent").click()
    expect(tablet.get_by_text("Consent recorded.")).to_be_visible()
    tablet.screenshot(path=str(SCREENSHOTS / "evaluation-signed.png"), full_page=True)

    evaluation = Evaluation.objects.get(patient=patient)
    assert evaluation.is_signed and evaluation.protocol_code == "tms-10hz"
    assert evaluation.signed_outcome["staging"]["trd_met"] is True
    assert patient.consents.filter(kind="tms").exists()
