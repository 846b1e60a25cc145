from __future__ import annotations

import pytest
from django.urls import reverse

from remit.charting import services
from remit.charting.models import VitalSigns
from remit.charting.tests.helpers import NORMAL, checked_in, esketamine_dosed, ready
from remit.controlled.tests.helpers import received
from remit.core.models import AuditEvent

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def test_the_session_page_is_tablet_ready_and_its_reading_is_audited(cast, client_for):
    session = checked_in(clinic=cast.clinic, patient=cast.patient, nurse=cast.nurse)
    page = client_for(cast.nurse).get(reverse("charting:session", args=[session.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'inputmode="numeric"' in html
    assert "js/charting.js" in html and "<script>" not in html
    assert AuditEvent.objects.filter(
        action="view", patient_id=cast.patient.pk, detail__section="session"
    ).exists()


def test_a_saved_reading_shows_its_alert_at_once(cast, client_for):
    session = ready(clinic=cast.clinic, patient=cast.patient, nurse=cast.nurse)
    services.dose_record(session=session, by=cast.nurse, entry=services.DoseInput())
    response = client_for(cast.nurse).post(
        reverse("charting:vitals", args=[session.pk]),
        {**NORMAL, "systolic": 185, "diastolic": 110},
        headers=HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="vitals-panel"' in html
    assert "STOP" in html and "185/110 mmHg" in html
    assert "Acknowledge" in html


def test_an_impossible_reading_is_refused_with_its_message_and_nothing_saved(cast, client_for):
    session = checked_in(clinic=cast.clinic, patient=cast.patient, nurse=cast.nurse)
    response = client_for(cast.nurse).post(
        reverse("charting:vitals", args=[session.pk]),
        {**NORMAL, "systolic": 400, "diastolic": 20},
        headers=HTMX,
    )
    assert response.status_code == 422
    assert "Systolic blood pressure of 400 mmHg is not possible" in response.content.decode()
    assert "Nothing has been saved" in response.content.decode()
    assert not VitalSigns.objects.exists()


def test_an_intake_coordinator_cannot_chart(cast, client_for):
    session = checked_in(clinic=cast.clinic, patient=cast.patient, nurse=cast.nurse)
    response = client_for(cast.intake).post(reverse("charting:vitals", args=[session.pk]), NORMAL)
    assert response.status_code == 403
    assert not VitalSigns.objects.exists()


def test_the_floor_board_polls_in_the_background(cast, client_for):
    ready(clinic=cast.clinic, patient=cast.patient, nurse=cast.nurse)
    client = client_for(cast.nurse)
    board = client.get(reverse("charting:board")).content.decode()
    assert 'hx-trigger="every 10s"' in board
    assert 'hx-headers=\'{"X-Remit-Background": "1"}\'' in board
    rows = client.get(reverse("charting:board_rows"), headers={"X-Remit-Background": "1"})
    assert cast.patient.display_name in rows.content.decode()
    assert (
        "Avery"
        not in client_for(cast.outsider).get(reverse("charting:board_rows")).content.decode()
    )


def test_the_limits_page_says_the_medical_director_must_confirm(cast, client_for):
    html = client_for(cast.admin).get(reverse("charting:thresholds")).content.decode()
    assert "the clinic's medical director must confirm" in html
    response = client_for(cast.prescriber).post(
        reverse("charting:threshold_set", args=["spo2_pause_below"]),
        {"value": "94", "source": "Clinic protocol v3"},
    )
    assert response.status_code == 302


def test_the_rems_form_is_generated_from_the_session(cast, client_for, other_capabilities):
    session, _ = esketamine_dosed(cast)
    html = client_for(cast.nurse).get(reverse("charting:rems_form", args=[session.pk])).content
    text = html.decode()
    assert "EK-55" in text and "56.0 mg (2 devices)" in text
    assert "BP before dosing" in text and "122/78 mmHg" in text
    dashboard = client_for(cast.nurse).get(reverse("charting:rems_dashboard")).content.decode()
    assert "not submitted" in dashboard


def test_the_nurse_records_each_esketamine_device_from_the_session_page(
    cast, client_for, other_capabilities
):
    session, _ = esketamine_dosed(cast)
    client = client_for(cast.nurse)
    page = client.get(reverse("charting:session", args=[session.pk])).content.decode()
    assert "Device 1 given" in page and "Device 2 given now" in page and "Device 2 due at" in page
    url = reverse("charting:device", args=[session.pk])
    answer = client.post(url, {"number": "2"}, headers=HTMX)
    assert answer.status_code == 200
    html = answer.content.decode()
    assert "Device 2 given" in html and "Device 2 given now" not in html
    assert "5-minute rest" in html  # pressed at once: the early device is marked, not hidden
    again = client.post(url, {"number": "2"}, headers=HTMX)
    assert again.status_code == 422 and "Device 2 is already recorded" in again.content.decode()
    assert session.devices.count() == 2


def test_the_inventory_export_is_a_csv_and_is_audited(cast, client_for):
    received(cast, label="K-9")
    response = client_for(cast.nurse).get(reverse("controlled:export"))
    assert response["Content-Type"].startswith("text/csv")
    assert "K-9" in response.content.decode()
    assert AuditEvent.objects.filter(
        action="export", detail__export="controlled_inventory"
    ).exists()
