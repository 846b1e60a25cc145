"""A clinic loads the published item text it is licensed to use; its patients then see it."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from remit.core.models import AuditEvent
from remit.measures.instruments import INSTRUMENTS
from remit.measures.models import LicensedItemText
from remit.measures.selectors import item_texts
from remit.measures.services import licensed_text_load, request_create
from remit.measures.tests.helpers import run_worker, token_from_last_email

pytestmark = pytest.mark.django_db

NOTE = "Paper licence from the copyright holder, 2026-11"
QIDS_1 = "Licensed wording of QIDS item one"


def _load(cast, texts=None, **kwargs):
    return licensed_text_load(
        clinic=cast.clinic,
        by=kwargs.pop("by", cast.admin),
        instrument=kwargs.pop("instrument", "qids_sr16"),
        texts={"qids-1": QIDS_1} if texts is None else texts,
        licence_note=kwargs.pop("licence_note", NOTE),
        **kwargs,
    )


def _questionnaire_of(patient, by):
    request_create(patient=patient, instruments=["qids_sr16"], by=by)
    run_worker()
    return Client().get(f"/measures/q/{token_from_last_email()}/")


def test_loaded_text_replaces_the_short_label_on_the_patients_questionnaire(cast):
    _load(cast)
    page = _questionnaire_of(cast.patient, cast.nurse)
    assert page.status_code == 200
    assert QIDS_1.encode() in page.content
    assert b"Falling asleep" not in page.content
    # Items without loaded text keep their shipped short label.
    assert INSTRUMENTS["qids_sr16"].item("qids-2").text.encode() in page.content


def test_a_load_replaces_the_previous_text_and_is_audited_without_the_text(cast):
    _load(cast, {"qids-1": "old", "qids-2": "old two"})
    _load(cast, {"qids-1": QIDS_1})
    rows = LicensedItemText.objects.filter(clinic=cast.clinic)
    assert [(r.link_id, r.text, r.licence_note) for r in rows] == [("qids-1", QIDS_1, NOTE)]
    event = AuditEvent.objects.latest("id")
    assert event.detail == {"licensed_text": "qids_sr16", "items": 1}
    assert QIDS_1 not in str(event.detail)


def test_the_clinician_rating_form_shows_the_clinics_madrs_text(cast, client_for):
    _load(cast, {"madrs-1": "Licensed MADRS item one wording"}, instrument="madrs")
    page = client_for(cast.prescriber).get(
        f"/measures/patients/{cast.patient.pk}/assessments/new/?instrument=madrs"
    )
    assert b"Licensed MADRS item one wording" in page.content


def test_text_of_instruments_remit_already_ships_is_refused(cast):
    with pytest.raises(ValidationError) as error:
        _load(cast, {"phq9-1": "anything"}, instrument="phq9")
    assert "instrument" in error.value.message_dict
    assert not LicensedItemText.objects.exists()


@pytest.mark.parametrize(
    ("texts", "note", "field"),
    [
        ({"qids-1": QIDS_1, "phq9-1": "not a QIDS item"}, NOTE, "texts"),
        ({"qids-1": QIDS_1, "qids-2": "   "}, NOTE, "qids-2"),
        ({"qids-1": "x" * 1001}, NOTE, "qids-1"),
        ({}, NOTE, "texts"),
        ({"qids-1": QIDS_1}, "  ", "licence_note"),
    ],
)
def test_bad_input_is_refused_by_field_and_nothing_is_saved(cast, texts, note, field):
    _load(cast, {"qids-3": "kept until a valid load replaces it"})
    with pytest.raises(ValidationError) as error:
        _load(cast, texts, licence_note=note)
    assert field in error.value.message_dict
    assert list(LicensedItemText.objects.values_list("link_id", flat=True)) == ["qids-3"]


def test_answer_option_texts_must_be_options_of_the_item(cast):
    with pytest.raises(ValidationError) as error:
        _load(cast, option_texts={"qids-1": {"9": "no such option"}})
    assert "qids-1" in error.value.message_dict
    _load(cast, option_texts={"qids-1": {"0": "Licensed option zero"}})
    assert LicensedItemText.objects.get().option_texts == {"0": "Licensed option zero"}
    assert b"Licensed option zero" in _questionnaire_of(cast.patient, cast.nurse).content


def test_only_a_clinic_manager_may_load_text(cast, client_for):
    with pytest.raises(PermissionDenied):
        _load(cast, by=cast.prescriber)
    url = "/measures/settings/licensed-text/?instrument=qids_sr16"
    form = {"instrument": "qids_sr16", "qids-1": QIDS_1, "licence_note": NOTE}
    assert client_for(cast.prescriber).post(url, form).status_code == 403
    assert not LicensedItemText.objects.exists()
    saved = client_for(cast.admin).post(url, form)
    assert saved.status_code == 302
    assert LicensedItemText.objects.get(clinic=cast.clinic).text == QIDS_1


def test_the_page_shows_each_item_by_its_short_label_and_names_bad_input(cast, client_for):
    client = client_for(cast.admin)
    page = client.get("/measures/settings/licensed-text/?instrument=qids_sr16")
    assert page.status_code == 200 and b"Falling asleep" in page.content
    refused = client.post(
        "/measures/settings/licensed-text/", {"instrument": "qids_sr16", "qids-1": QIDS_1}
    )
    assert refused.status_code == 422 and b"Say who licensed" in refused.content
    assert not LicensedItemText.objects.exists()


def test_one_clinics_text_never_shows_to_another_clinics_patients(cast):
    _load(cast)
    assert item_texts(cast.other_clinic, INSTRUMENTS["qids_sr16"])["qids-1"] == "Falling asleep"
    page = _questionnaire_of(cast.other_patient, None)
    assert page.status_code == 200
    assert QIDS_1.encode() not in page.content and b"Falling asleep" in page.content


def test_item_texts_takes_one_query(cast, django_assert_num_queries):
    _load(cast, {f"qids-{n}": f"text {n}" for n in range(1, 17)})
    with django_assert_num_queries(1):
        texts = item_texts(cast.clinic, INSTRUMENTS["qids_sr16"])
    assert texts["qids-16"] == "text 16"
