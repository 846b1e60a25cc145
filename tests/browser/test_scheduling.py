from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from remit.core.tests.cast import build_cast
from remit.core.tests.factories import TEST_PASSWORD
from remit.scheduling.models import Appointment
from remit.scheduling.selectors import HOLDING
from remit.scheduling.tests.helpers import equip, new_course, open_weekdays
from tests.browser.conftest import SCREENSHOTS, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_coordinator_books_a_whole_series_sees_it_and_replaces_a_cancelled_session(
    tablet, third_party_requests
):
    cast = build_cast()
    open_weekdays(cast.clinic)
    equip(cast.clinic, chairs=3)
    course = new_course(cast.patient, cast.prescriber)

    sign_in(tablet, "intake", TEST_PASSWORD)
    tablet.goto(f"/patients/{cast.patient.pk}/?tab=course")
    tablet.get_by_role("link", name="IV ketamine induction series").click()
    expect(
        tablet.get_by_role("heading", name=re.compile("IV ketamine induction series"))
    ).to_be_visible()
    expect(tablet.get_by_text("0 of 6 sessions booked")).to_be_visible()

    tablet.get_by_role("button", name="Book the whole series").click()
    expect(tablet.get_by_text("Booked 6 session(s).")).to_be_visible()
    expect(tablet.get_by_text("6 of 6 sessions booked")).to_be_visible()
    expect(tablet.locator("table.sessions tbody tr")).to_have_count(6)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tablet.screenshot(path=str(SCREENSHOTS / "course-series-booked.png"), full_page=True)

    tablet.get_by_role("link", name="See on the calendar").click()
    chips = tablet.locator("a.appt", has_text="Testwood, A.")
    expect(chips.first).to_be_visible()
    assert chips.count() >= 2, "the first week of the series shows two or three infusions"
    tablet.screenshot(path=str(SCREENSHOTS / "calendar-week.png"), full_page=True)
    width = tablet.evaluate("document.querySelector('main').scrollWidth")
    assert width <= 768, "the calendar must not push the page sideways on a tablet"

    chips.nth(1).click()
    expect(tablet.get_by_text("Course")).to_be_visible()
    tablet.get_by_label("Reason for cancelling").fill("Patient has a family event")
    tablet.get_by_role("button", name="Cancel appointment").click()
    expect(tablet.get_by_text("Cancelled. Valid replacement times are below.")).to_be_visible()
    expect(tablet.get_by_role("heading", name="Valid replacements")).to_be_visible()
    offers = tablet.get_by_role("button", name=re.compile(r"^Book "))
    expect(offers.first).to_be_visible()
    tablet.screenshot(path=str(SCREENSHOTS / "appointment-replacements.png"), full_page=True)

    offers.first.click()
    expect(tablet.get_by_text(re.compile(r"Session 2 booked for"))).to_be_visible()
    held = Appointment.objects.filter(course=course, status__in=HOLDING)
    assert held.count() == 6
    assert sorted(filter(None, held.values_list("session_number", flat=True))) == [1, 2, 3, 4, 5, 6]
    assert Appointment.objects.filter(course=course, status="cancelled").count() == 1
    assert third_party_requests == []


def test_the_calendar_day_view_works_on_a_phone(phone):
    cast = build_cast()
    open_weekdays(cast.clinic)
    equip(cast.clinic)
    sign_in(phone, "nurse", TEST_PASSWORD)
    phone.goto("/schedule/?view=day")
    expect(phone.get_by_role("heading", level=1)).to_be_visible()
    # The calendar scrolls inside its own frame; the page's content never pushes sideways.
    width = phone.evaluate("document.querySelector('main').scrollWidth")
    assert width <= 390, "the calendar must not push the page sideways on a phone"
    expect(phone.get_by_role("link", name="Clinic planner")).to_be_visible()
