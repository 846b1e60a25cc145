from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from remit.evaluation.rules import (
    CLINIC_PROTOCOL_SOURCE,
    DEFAULT_SETTINGS,
    FINDING_LABELS,
    BloodPressureLimit,
    EvaluationSettings,
    Findings,
    Modality,
    PregnancyStatus,
    RuleFileError,
    RuleFinding,
    Severity,
    all_rules,
    evaluate,
    load_rule_sets,
    parse_rule_set,
)

KETAMINE_ROUTES = (
    Modality.IV_KETAMINE,
    Modality.IM_KETAMINE,
    Modality.ORAL_KETAMINE,
    Modality.SUBLINGUAL_KETAMINE,
)
SOURCE_TAG = re.compile(r"\[S\d+[a-z]?\]")


def clean(**changes: object) -> Findings:
    """A clean evaluation: normal resting vitals, not pregnant, no findings."""
    values: dict[str, object] = {
        "systolic_at_rest_mmhg": 120,
        "diastolic_at_rest_mmhg": 80,
        "heart_rate_at_rest_bpm": 70,
        "pregnancy_status": PregnancyStatus.NOT_PREGNANT,
    }
    values.update(changes)
    return Findings(**values)  # type: ignore[arg-type]


def with_codes(*codes: str, **changes: object) -> Findings:
    return clean(codes=frozenset(codes), **changes)


def run(findings: Findings) -> dict[Modality, list[RuleFinding]]:
    return evaluate(findings, settings=DEFAULT_SETTINGS)


def ids(found: list[RuleFinding]) -> list[str]:
    return [finding.rule_id for finding in found]


# Hand-worked cases named in the issue


def test_a_clean_evaluation_yields_no_findings_for_any_modality():
    result = run(clean())
    assert set(result) == set(Modality)
    assert all(found == [] for found in result.values())


def test_uncontrolled_hypertension_above_the_label_limit_rules_out_every_ketamine_route():
    result = run(clean(systolic_at_rest_mmhg=185, diastolic_at_rest_mmhg=95))
    for route in KETAMINE_ROUTES:
        first = result[route][0]
        assert first.rule_id == "ketamine.resting_bp_above_label_limit"
        assert first.severity is Severity.ABSOLUTE
        assert "185/95" in first.matched
        assert "[S77]" in first.source


def test_hypertension_above_the_label_limit_is_only_a_caution_for_esketamine():
    result = run(clean(systolic_at_rest_mmhg=185, diastolic_at_rest_mmhg=95))
    assert ids(result[Modality.ESKETAMINE]) == ["esketamine.resting_bp_above_caution"]
    assert result[Modality.ESKETAMINE][0].severity is Severity.RELATIVE
    assert result[Modality.TMS] == []


@pytest.mark.parametrize(
    ("systolic", "diastolic", "contraindicated"),
    [
        (180, 99, False),
        (180, 100, False),
        (181, 99, True),
        (170, 101, True),
    ],
)
def test_the_ketamine_blood_pressure_limit_triggers_only_above_180_over_100(
    systolic, diastolic, contraindicated
):
    result = run(clean(systolic_at_rest_mmhg=systolic, diastolic_at_rest_mmhg=diastolic))
    triggered = "ketamine.resting_bp_above_label_limit" in ids(result[Modality.IV_KETAMINE])
    assert triggered is contraindicated


@pytest.mark.parametrize(
    ("systolic", "diastolic", "caution"),
    [(140, 90, False), (141, 90, True), (140, 91, True), (139, 89, False)],
)
def test_the_esketamine_caution_point_triggers_only_above_140_over_90(systolic, diastolic, caution):
    result = run(clean(systolic_at_rest_mmhg=systolic, diastolic_at_rest_mmhg=diastolic))
    assert bool(result[Modality.ESKETAMINE]) is caution


def test_a_known_poorly_controlled_hypertension_rules_out_ketamine_even_with_a_normal_reading():
    result = run(with_codes("hypertension_poorly_controlled"))
    assert result[Modality.IV_KETAMINE][0].severity is Severity.ABSOLUTE


def test_aneurysmal_vascular_disease_rules_out_esketamine():
    result = run(with_codes("aneurysmal_vascular_disease"))
    esketamine = result[Modality.ESKETAMINE]
    assert ids(esketamine) == ["esketamine.aneurysm_or_avm"]
    assert esketamine[0].severity is Severity.ABSOLUTE
    assert esketamine[0].source == "[S74]"
    assert esketamine[0].confirmed


def test_aneurysm_rules_out_ketamine_as_an_unconfirmed_inference():
    finding = run(with_codes("arteriovenous_malformation"))[Modality.IV_KETAMINE][0]
    assert finding.severity is Severity.ABSOLUTE
    assert not finding.confirmed


def test_intracerebral_haemorrhage_is_absolute_for_esketamine_and_ketamine():
    result = run(with_codes("intracerebral_haemorrhage_history"))
    assert result[Modality.ESKETAMINE][0].severity is Severity.ABSOLUTE
    assert result[Modality.IV_KETAMINE][0].rule_id == "ketamine.stroke_or_cerebral_trauma"


def test_psychosis_history_is_a_relative_finding_for_every_ketamine_modality_but_not_tms():
    result = run(with_codes("psychosis_history"))
    for modality in (*KETAMINE_ROUTES, Modality.ESKETAMINE):
        assert [f.severity for f in result[modality]] == [Severity.RELATIVE]
        assert "psychosis" in result[modality][0].reason.lower()
    assert result[Modality.ESKETAMINE][0].source == "[S54]"
    assert result[Modality.TMS] == []


def test_pregnancy_is_flagged_for_esketamine_from_the_label_and_for_ketamine_as_clinic_protocol():
    result = run(clean(pregnancy_status=PregnancyStatus.PREGNANT))
    esketamine = result[Modality.ESKETAMINE][0]
    assert esketamine.rule_id == "esketamine.pregnant"
    assert "[S54]" in esketamine.source
    assert esketamine.confirmed
    ketamine = result[Modality.IV_KETAMINE][0]
    assert ketamine.rule_id == "ketamine.pregnant"
    assert CLINIC_PROTOCOL_SOURCE in ketamine.source
    assert not ketamine.confirmed


def test_eclampsia_rules_out_ketamine():
    finding = run(with_codes("eclampsia_or_pre_eclampsia"))[Modality.IV_KETAMINE][0]
    assert finding.severity is Severity.ABSOLUTE
    assert finding.source == "[S76], [S77]"


def test_an_unrecorded_pregnancy_status_is_not_read_as_not_pregnant():
    result = run(clean(pregnancy_status=PregnancyStatus.UNKNOWN))
    assert ids(result[Modality.ESKETAMINE]) == ["esketamine.pregnancy_status_unknown"]
    assert ids(result[Modality.IV_KETAMINE]) == ["ketamine.pregnancy_status_unknown"]


def test_someone_who_cannot_become_pregnant_gets_no_pregnancy_finding():
    assert run(clean(pregnancy_status=PregnancyStatus.NOT_APPLICABLE))[Modality.ESKETAMINE] == []


def test_seizure_history_is_a_relative_finding_for_tms_from_the_clinic_protocol():
    result = run(with_codes("seizure_history_or_epilepsy"))
    tms = result[Modality.TMS]
    assert ids(tms) == ["tms.seizure_history"]
    assert tms[0].severity is Severity.RELATIVE
    assert tms[0].source == CLINIC_PROTOCOL_SOURCE
    assert not tms[0].confirmed
    assert result[Modality.ESKETAMINE] == []


def test_a_cochlear_implant_rules_out_tms_only():
    result = run(with_codes("cochlear_implant"))
    assert ids(result[Modality.TMS]) == ["tms.cochlear_implant"]
    assert result[Modality.TMS][0].severity is Severity.ABSOLUTE
    assert all(result[m] == [] for m in Modality if m is not Modality.TMS)


def test_ferromagnetic_metal_near_the_head_rules_out_tms():
    assert run(with_codes("ferromagnetic_implant_near_head"))[Modality.TMS][0].severity is (
        Severity.ABSOLUTE
    )


def test_rems_listed_medicines_are_flagged_for_esketamine_with_the_rems_form_as_source():
    result = run(with_codes("takes_benzodiazepine", "takes_maoi"))
    (finding,) = result[Modality.ESKETAMINE]
    assert finding.source == "[S72]"
    assert "benzodiazepine" in finding.matched
    assert "MAOI" in finding.matched


def test_absolute_findings_come_before_relative_ones():
    result = run(with_codes("psychosis_history", "untreated_hyperthyroidism"))
    severities = [f.severity for f in result[Modality.IV_KETAMINE]]
    assert severities == [Severity.ABSOLUTE, Severity.RELATIVE]


def test_a_missing_blood_pressure_reports_the_rule_as_not_checked():
    result = run(clean(systolic_at_rest_mmhg=None, diastolic_at_rest_mmhg=None))
    ketamine = result[Modality.IV_KETAMINE]
    assert {f.rule_id for f in ketamine} == {
        "ketamine.resting_bp_above_label_limit",
        "ketamine.resting_bp_above_caution",
    }
    assert all(f.severity is Severity.RELATIVE for f in ketamine)
    assert all("not recorded" in f.matched for f in ketamine)


def test_a_clinic_can_set_its_own_caution_point_and_the_finding_names_its_protocol():
    clinic_limit = BloodPressureLimit(
        systolic_mmhg=150, diastolic_mmhg=95, source="Clinic protocol v3", confirmed=True
    )
    settings = DEFAULT_SETTINGS.with_blood_pressure_limit("ketamine_caution_above", clinic_limit)
    findings = clean(systolic_at_rest_mmhg=145, diastolic_at_rest_mmhg=85)
    assert evaluate(findings, settings=settings)[Modality.IV_KETAMINE] == []
    higher = clean(systolic_at_rest_mmhg=151, diastolic_at_rest_mmhg=85)
    (finding,) = evaluate(higher, settings=settings)[Modality.IV_KETAMINE]
    assert "Clinic protocol v3" in finding.source


def test_the_unconfirmed_ketamine_caution_point_makes_its_finding_unconfirmed():
    (finding,) = run(clean(systolic_at_rest_mmhg=150, diastolic_at_rest_mmhg=85))[
        Modality.IV_KETAMINE
    ]
    assert not finding.confirmed
    assert "UNCONFIRMED" in finding.source
    assert set(DEFAULT_SETTINGS.unconfirmed()) == {"ketamine_caution_above"}


def test_settings_without_every_limit_are_refused():
    with pytest.raises(ValueError, match="lack blood-pressure limits"):
        EvaluationSettings(blood_pressure_limits={})


# Bad input


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("systolic_at_rest_mmhg", 39, "Systolic"),
        ("systolic_at_rest_mmhg", 301, "Systolic"),
        ("diastolic_at_rest_mmhg", 19, "Diastolic"),
        ("diastolic_at_rest_mmhg", 201, "Diastolic"),
        ("heart_rate_at_rest_bpm", 19, "Heart rate"),
        ("heart_rate_at_rest_bpm", 251, "Heart rate"),
    ],
)
def test_it_refuses_impossible_vitals_naming_the_field(field, value, named):
    with pytest.raises(ValueError, match=named):
        clean(**{field: value})


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("systolic_at_rest_mmhg", 40),
        ("systolic_at_rest_mmhg", 300),
        ("heart_rate_at_rest_bpm", 20),
        ("heart_rate_at_rest_bpm", 250),
    ],
)
def test_it_accepts_vitals_at_the_edges_of_the_plausible_range(field, value):
    changes: dict[str, object] = {field: value}
    if field == "systolic_at_rest_mmhg" and value == 40:
        changes["diastolic_at_rest_mmhg"] = 30
    assert getattr(clean(**changes), field) == value


def test_it_refuses_a_diastolic_equal_to_the_systolic():
    with pytest.raises(ValueError, match="Diastolic"):
        clean(systolic_at_rest_mmhg=100, diastolic_at_rest_mmhg=100)


def test_it_refuses_half_a_blood_pressure():
    with pytest.raises(ValueError, match="both systolic and diastolic"):
        clean(diastolic_at_rest_mmhg=None)


def test_it_refuses_an_unknown_finding_code():
    with pytest.raises(ValueError, match="Unknown finding 'lamotrigine'"):
        with_codes("lamotrigine")


def test_it_refuses_pregnancy_entered_as_a_code():
    with pytest.raises(ValueError, match="pregnancy_status"):
        with_codes("pregnant")


# The rule data itself


def test_every_rule_has_a_severity_a_reason_and_a_source():
    rules = all_rules()
    assert rules
    for rule in rules:
        assert isinstance(rule.severity, Severity)
        assert len(rule.reason) > 20
        assert rule.source


def test_every_source_is_a_reference_tag_or_an_unconfirmed_clinic_protocol():
    for rule in all_rules():
        if CLINIC_PROTOCOL_SOURCE in rule.source and not SOURCE_TAG.search(rule.source):
            assert not rule.confirmed, rule.id
        else:
            assert SOURCE_TAG.search(rule.source), rule.id


def test_every_modality_has_rules():
    covered = {m for rule in all_rules() for m in rule.modalities}
    assert covered == set(Modality)


def test_rule_ids_are_unique():
    rule_ids = [rule.id for rule in all_rules()]
    assert len(rule_ids) == len(set(rule_ids))


def test_no_rule_claims_lamotrigine_blunts_ketamine():
    # The reference does not support it (docs/evaluation.md); a rule would need a source.
    assert not any("lamotrigine" in code for code in FINDING_LABELS)
    assert not any("lamotrigine" in rule.reason.lower() for rule in all_rules())


def test_every_finding_code_is_used_by_some_rule():
    used = {code for rule in all_rules() for code in rule.matches_any}
    assert set(FINDING_LABELS) <= used


def test_every_rule_is_in_the_docs_table():
    docs = Path(__file__).resolve().parents[4] / "docs" / "evaluation.md"
    text = docs.read_text("utf-8")
    missing = [rule.id for rule in all_rules() if f"`{rule.id}`" not in text]
    assert missing == []


def test_the_loader_refuses_a_rule_without_a_source():
    raw = {
        "name": "broken",
        "version": 1,
        "modalities": ["tms"],
        "rules": [
            {
                "id": "tms.x",
                "matches_any": ["cochlear_implant"],
                "severity": "absolute",
                "reason": "Some reason in plain words.",
                "source": " ",
                "confirmed": False,
            }
        ],
    }
    with pytest.raises(RuleFileError, match="'source'"):
        parse_rule_set(raw, "broken.json")


def test_the_loader_refuses_a_severity_other_than_absolute_or_relative():
    raw = {
        "name": "broken",
        "version": 1,
        "modalities": ["tms"],
        "rules": [
            {
                "id": "tms.x",
                "matches_any": ["cochlear_implant"],
                "severity": "mild",
                "reason": "Some reason in plain words.",
                "source": "[S1]",
                "confirmed": True,
            }
        ],
    }
    with pytest.raises(RuleFileError, match="severity"):
        parse_rule_set(raw, "broken.json")


def test_the_loader_refuses_an_unknown_finding_code():
    raw = {
        "name": "broken",
        "version": 1,
        "modalities": ["tms"],
        "rules": [
            {
                "id": "tms.x",
                "matches_any": ["metal_plate"],
                "severity": "absolute",
                "reason": "Some reason in plain words.",
                "source": "[S1]",
                "confirmed": True,
            }
        ],
    }
    with pytest.raises(RuleFileError, match="metal_plate"):
        parse_rule_set(raw, "broken.json")


def test_rule_sets_carry_a_version():
    assert all(rule_set.version >= 1 for rule_set in load_rule_sets())


# Properties

blood_pressures = st.integers(min_value=41, max_value=300).flatmap(
    lambda systolic: st.tuples(
        st.just(systolic), st.integers(min_value=20, max_value=min(200, systolic - 1))
    )
)


@given(bp=blood_pressures, codes=st.frozensets(st.sampled_from(sorted(FINDING_LABELS))))
def test_any_plausible_evaluation_returns_every_modality_with_sourced_findings(bp, codes):
    findings = clean(codes=codes, systolic_at_rest_mmhg=bp[0], diastolic_at_rest_mmhg=bp[1])
    result = run(findings)
    assert set(result) == set(Modality)
    for modality, found in result.items():
        assert all(f.modality is modality and f.source and f.reason for f in found)


@given(bp=blood_pressures, rise=st.integers(min_value=0, max_value=50))
def test_a_higher_blood_pressure_never_removes_a_blood_pressure_finding(bp, rise):
    systolic, diastolic = bp
    higher_systolic = min(systolic + rise, 300)
    lower = run(clean(systolic_at_rest_mmhg=systolic, diastolic_at_rest_mmhg=diastolic))
    higher = run(clean(systolic_at_rest_mmhg=higher_systolic, diastolic_at_rest_mmhg=diastolic))
    for modality in Modality:
        assert set(ids(lower[modality])) <= set(ids(higher[modality]))
