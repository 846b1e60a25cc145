from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest

from remit.protocols import (
    ProtocolError,
    ResourceKind,
    StaffRole,
    load_library,
    load_protocol,
    new_version,
    protocol_to_dict,
)

LIBRARY = load_library()


def raw(code: str) -> dict[str, Any]:
    return copy.deepcopy(protocol_to_dict(LIBRARY[code]))


def test_the_library_holds_every_protocol_the_clinic_offers():
    assert set(LIBRARY) == {
        "iv-ketamine-induction",
        "iv-ketamine-boosters",
        "im-ketamine",
        "oral-ketamine",
        "sublingual-ketamine",
        "esketamine-trd",
        "tms-10hz",
        "tms-10hz-short",
        "itbs",
        "accelerated-itbs-snt",
    }
    assert all(p.version == 1 and p.sources for p in LIBRARY.values())


def test_a_caller_editing_the_library_does_not_change_the_next_callers_copy():
    mine = load_library()
    mine.pop("itbs")
    mine["itbs-copy"] = LIBRARY["itbs"]
    assert set(load_library()) == set(LIBRARY)


def test_every_clinical_value_has_a_source_or_is_marked_unconfirmed():
    for protocol in LIBRARY.values():
        for item in protocol.provenance:
            assert item.source.strip() or (not item.confirmed and item.note.strip()), item


def test_iv_induction_is_six_infusions_of_half_a_mg_per_kg_over_40_minutes():
    iv = LIBRARY["iv-ketamine-induction"]
    induction = iv.phase("induction")
    assert induction.session_count == 6
    assert iv.dose_mg_per_kg == (Decimal("0.5"),)
    assert iv.session.administration_min == 40
    assert induction.spacing.min_days_between == 2
    assert induction.spacing.max_per_week == 3
    assert induction.spacing.window_days == 21
    assert iv.resource_kind == ResourceKind.INFUSION_CHAIR


def test_iv_recovery_time_waits_for_the_medical_director():
    unconfirmed = {p.path for p in LIBRARY["iv-ketamine-induction"].unconfirmed()}
    assert "session.observation_min" in unconfirmed
    assert {p.path for p in LIBRARY["iv-ketamine-boosters"].unconfirmed()} >= {
        "phases.boosters.spacing.min_days_between"
    }


def test_esketamine_follows_the_label_phases_and_rems():
    esk = LIBRARY["esketamine-trd"]
    assert esk.phase("induction").spacing.max_per_week == 2
    assert esk.phase("induction").session_count == 8
    assert esk.phase("maintenance-weekly").spacing.max_per_week == 1
    assert esk.phase("continuation-every-2-weeks").spacing.min_days_between == 14
    assert esk.session.observation_min >= 120
    assert esk.dose_mg == (Decimal("56"), Decimal("84"))
    assert esk.requires_rems_enrolment
    assert esk.needs_on_site(StaffRole.PRESCRIBER)
    assert {p.code for p in esk.preparation} >= {"fasting", "ride_home", "no_driving"}


def test_tms_runs_five_a_week_and_snt_ten_a_day_for_five_days():
    tms = LIBRARY["tms-10hz"].phase("acute")
    assert (tms.spacing.max_per_week, tms.min_sessions, tms.max_sessions) == (5, 20, 30)
    assert LIBRARY["itbs"].session.administration_min == 3
    snt = LIBRARY["accelerated-itbs-snt"].phase("accelerated")
    assert snt.spacing.max_per_day == 10
    assert snt.spacing.min_rest_same_day_min == 50
    assert snt.spacing.window_days == 5
    assert snt.session_count == 50


def test_questionnaires_use_known_instrument_codes():
    iv = LIBRARY["iv-ketamine-induction"]
    assert any(
        q.instrument == "phq9" and q.timing == "before_each_session" for q in iv.questionnaires
    )


def test_a_file_round_trips_through_its_dict_form():
    for protocol in LIBRARY.values():
        assert load_protocol(protocol_to_dict(protocol)) == protocol


def test_it_refuses_a_value_without_a_source():
    data = raw("iv-ketamine-induction")
    del data["session"]["administration_min"]["source"]
    with pytest.raises(ProtocolError, match="session.administration_min"):
        load_protocol(data)


def test_it_refuses_an_unconfirmed_value_without_a_note():
    data = raw("iv-ketamine-induction")
    data["session"]["observation_min"]["note"] = ""
    with pytest.raises(ProtocolError, match="observation_min"):
        load_protocol(data)


def test_it_refuses_an_unknown_instrument():
    data = raw("iv-ketamine-induction")
    data["questionnaires"][0]["instrument"] = "beck"
    with pytest.raises(ProtocolError, match="unknown instrument"):
        load_protocol(data)


def test_it_refuses_a_rems_protocol_without_a_prescriber_on_site():
    data = raw("esketamine-trd")
    data["staff_needed"] = [s for s in data["staff_needed"] if s["role"] != "prescriber"]
    with pytest.raises(ProtocolError, match="prescriber on site"):
        load_protocol(data)


def test_it_refuses_spacing_that_cannot_hold_the_sessions():
    data = raw("iv-ketamine-induction")
    data["phases"][0]["spacing"]["window_days"]["value"] = 10
    with pytest.raises(ProtocolError, match="allows at most"):
        load_protocol(data)


def test_it_refuses_a_session_count_outside_the_phase_range():
    data = raw("iv-ketamine-induction")
    data["phases"][0]["session_count"]["value"] = 9
    with pytest.raises(ProtocolError, match="session_count"):
        load_protocol(data)


def test_it_refuses_a_drug_amount_that_is_not_text():
    data = raw("iv-ketamine-induction")
    data["dose"]["mg_per_kg"]["value"] = [0.5]
    with pytest.raises(ProtocolError, match="dose.mg_per_kg"):
        load_protocol(data)


def test_a_change_makes_a_new_version_and_leaves_the_old_one_alone():
    old = LIBRARY["iv-ketamine-induction"]
    new = new_version(
        old,
        {"session.observation_min": 60, "phases.induction.spacing.window_days": 24},
        reason="Medical director's recovery policy",
    )
    assert new.version == old.version + 1
    assert new.session.observation_min == 60
    assert new.phase("induction").spacing.window_days == 24
    assert old.session.observation_min == 90
    changed = {p.path: p for p in new.provenance}["session.observation_min"]
    assert changed.confirmed and "recovery policy" in changed.source
    assert new.change_note == "Medical director's recovery policy"


def test_a_new_version_needs_a_reason_and_a_real_field():
    iv = LIBRARY["iv-ketamine-induction"]
    with pytest.raises(ProtocolError, match="why"):
        new_version(iv, {"session.observation_min": 60}, reason=" ")
    with pytest.raises(ProtocolError, match="no field"):
        new_version(iv, {"session.nap_min": 5}, reason="typo")
    with pytest.raises(ProtocolError, match="cannot be changed"):
        new_version(iv, {"code": "other"}, reason="rename")


def test_a_missing_reason_is_laid_at_the_reason_field():
    iv = LIBRARY["iv-ketamine-induction"]
    with pytest.raises(ProtocolError) as missing:
        new_version(iv, {"session.observation_min": 60}, reason=" ")
    assert missing.value.field == "reason"
    with pytest.raises(ProtocolError) as unknown:
        new_version(iv, {"say why": 5}, reason="typo")
    assert unknown.value.field is None


def test_a_new_version_is_validated_like_a_file():
    with pytest.raises(ProtocolError, match="session_count"):
        new_version(
            LIBRARY["iv-ketamine-induction"], {"phases.induction.session_count": 12}, reason="more"
        )
