from __future__ import annotations

import pytest

from remit.charting.discharge import DISCHARGE_CHECKLISTS, discharge_blockers
from remit.charting.dosing import Modality

ESKETAMINE = DISCHARGE_CHECKLISTS[Modality.ESKETAMINE]
IV = DISCHARGE_CHECKLISTS[Modality.IV_KETAMINE]
ALL_ESKETAMINE = {c.code for c in ESKETAMINE.criteria}
ALL_IV = {c.code for c in IV.criteria}


def test_every_modality_has_a_checklist_and_every_criterion_a_source():
    assert set(DISCHARGE_CHECKLISTS) == set(Modality)
    for checklist in DISCHARGE_CHECKLISTS.values():
        assert all(c.source for c in checklist.criteria)


def test_walking_steadily_ships_unconfirmed_because_the_reference_has_no_source_for_it():
    walking = next(c for c in IV.criteria if c.code == "walking_steadily")
    assert walking.confirmed is False


def test_an_iv_patient_meeting_every_criterion_may_leave():
    assert (
        discharge_blockers(modality="iv_ketamine", criteria_met=ALL_IV, minutes_since_dose=60) == []
    )


def test_it_names_each_unmet_criterion_in_plain_words():
    blockers = discharge_blockers(
        modality="iv_ketamine", criteria_met=ALL_IV - {"escort_present"}, minutes_since_dose=90
    )
    assert blockers == ["A responsible adult is present to take the patient home"]


def test_esketamine_needs_at_least_two_hours_of_observation():
    assert ESKETAMINE.minimum_observation_min == 120
    blockers = discharge_blockers(
        modality="esketamine", criteria_met=ALL_ESKETAMINE, minutes_since_dose=119
    )
    assert blockers == ["Observed 119 min since the dose; at least 120 min needed"]
    assert (
        discharge_blockers(
            modality="esketamine", criteria_met=ALL_ESKETAMINE, minutes_since_dose=120
        )
        == []
    )


def test_esketamine_also_needs_clinical_stability_and_resolved_sedation():
    assert {"clinically_stable", "sedation_dissociation_resolved"} <= ALL_ESKETAMINE
    blockers = discharge_blockers(
        modality="esketamine",
        criteria_met=ALL_ESKETAMINE - {"clinically_stable"},
        minutes_since_dose=150,
    )
    assert blockers == ["Clinically stable, as judged by the clinician"]


def test_esketamine_without_a_recorded_dose_time_is_not_cleared():
    blockers = discharge_blockers(
        modality="esketamine", criteria_met=ALL_ESKETAMINE, minutes_since_dose=None
    )
    assert blockers == ["Time since the dose is not recorded (at least 120 min needed)"]


def test_esketamine_patients_are_told_not_to_drive_until_the_next_day():
    assert any("No driving" in i for i in ESKETAMINE.instructions)


def test_it_refuses_a_criterion_that_is_not_on_the_checklist():
    with pytest.raises(ValueError, match="Not on the discharge checklist: feels_fine"):
        discharge_blockers(
            modality="iv_ketamine", criteria_met={"feels_fine"}, minutes_since_dose=0
        )


def test_it_refuses_an_unknown_modality():
    with pytest.raises(ValueError, match="No discharge checklist"):
        discharge_blockers(modality="ect", criteria_met=set(), minutes_since_dose=0)
