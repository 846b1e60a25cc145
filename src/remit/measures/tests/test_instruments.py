"""The instrument files: valid FHIR, consistent, and carrying only confirmed codes."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest
from fhir.resources.R4B.questionnaire import Questionnaire

from remit.measures.instruments import (
    FOLDER,
    INSTRUMENT_CODES,
    INSTRUMENTS,
    LOINC_SYSTEM,
    SCORING_EXTENSION_URL,
    InstrumentFileError,
    questionnaire_json,
)
from remit.measures.instruments.loader import parse_instrument

# Every LOINC code clinical-reference.md confirms for these instruments (sections 1.1-1.7).
# A code in a file that is not here was inferred, which rule 0.4 forbids.
CONFIRMED_LOINC = {
    # PHQ-9 panel, total, items 1-9 [S2], [S3], [S6], [S12]
    "44249-1", "44261-6", "44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2",
    "44252-5", "44253-3", "44260-8",
    # PHQ answer list LL358-3 [S2]
    "LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9",
    # GAD-7 panel, total, items [S5], [S15], [S16]
    "69737-5", "70274-6", "69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8",
    "69736-7",
    # PCL-5 panel and total [S34]
    "101697-1", "101698-9",
    # Suicide risk level [S41]
    "93374-7",
}  # fmt: skip

FILES = sorted(FOLDER.glob("*.json"))
SOURCE_TAG = re.compile(r"\[S\d+[a-z]?\]|clinical reference|issue 4|UNCONFIRMED")


def _codings(node: object) -> list[dict[str, str]]:
    """Every Coding anywhere in a resource."""
    found: list[dict[str, str]] = []
    if isinstance(node, dict):
        if "system" in node and "code" in node:
            found.append(node)
        for value in node.values():
            found += _codings(value)
    elif isinstance(node, list):
        for value in node:
            found += _codings(value)
    return found


def _extensions(node: object) -> list[dict[str, object]]:
    found: list[dict[str, object]] = []
    if isinstance(node, dict):
        if "url" in node and ("extension" in node or any(k.startswith("value") for k in node)):
            found.append(node)
        for value in node.values():
            found += _extensions(value)
    elif isinstance(node, list):
        for value in node:
            found += _extensions(value)
    return found


def test_every_file_in_the_folder_is_registered_and_every_code_has_a_file():
    assert sorted(p.stem for p in FILES) == sorted(INSTRUMENT_CODES)
    assert set(INSTRUMENTS) == set(INSTRUMENT_CODES)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_each_file_validates_as_a_fhir_questionnaire(path):
    resource = json.loads(path.read_text("utf-8"))
    questionnaire = Questionnaire.model_validate(resource)
    assert questionnaire.status == "active"
    assert questionnaire.item


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_each_extension_has_either_a_value_or_sub_extensions_not_both(path):
    # FHIR invariant ext-1, which the pydantic models do not check.
    for extension in _extensions(json.loads(path.read_text("utf-8"))):
        has_value = any(k.startswith("value") for k in extension)
        assert has_value != ("extension" in extension), extension["url"]


@pytest.mark.parametrize("code", INSTRUMENT_CODES)
def test_link_ids_are_unique(code):
    link_ids = [item["linkId"] for item in questionnaire_json(code)["item"]]
    assert len(link_ids) == len(set(link_ids))


@pytest.mark.parametrize("code", INSTRUMENT_CODES)
def test_only_loinc_codes_confirmed_by_the_reference_appear(code):
    for coding in _codings(questionnaire_json(code)):
        if coding["system"] == LOINC_SYSTEM:
            assert coding["code"] in CONFIRMED_LOINC, f"{code}: {coding['code']}"


def test_gad7_never_uses_the_disputed_loinc_code_69726_8():
    assert "69726-8" not in json.dumps(questionnaire_json("gad7"))


@pytest.mark.parametrize("code", [c for c in INSTRUMENT_CODES if INSTRUMENTS[c].bands])
def test_severity_bands_cover_the_whole_range_without_gaps_or_overlaps(code):
    instrument = INSTRUMENTS[code]
    assert instrument.min_total is not None and instrument.max_total is not None
    for total in range(instrument.min_total, instrument.max_total + 1):
        matching = [b for b in instrument.bands if b.contains(total)]
        assert len(matching) == 1, f"{code} total {total} is in {len(matching)} bands"
    assert instrument.bands_source and SOURCE_TAG.search(instrument.bands_source)


def test_instruments_without_bands_say_why():
    for code, instrument in INSTRUMENTS.items():
        if not instrument.bands and instrument.method != "risk-rules":
            assert instrument.bands_note, code


@pytest.mark.parametrize("code", INSTRUMENT_CODES)
def test_every_clinical_rule_names_its_source(code):
    instrument = INSTRUMENTS[code]
    sources = [c.source for c in instrument.critical_items]
    sources += [o.source for o in instrument.outcomes]
    sources += [s.source for s in instrument.subscores]
    sources += [r.source for r in instrument.risk_rules]
    sources.append(instrument.licence.source)
    for source in sources:
        assert SOURCE_TAG.search(source), f"{code}: {source!r}"


def test_full_item_text_ships_only_where_the_reference_allows_redistribution():
    shipped = {code for code, i in INSTRUMENTS.items() if i.licence.item_text_included}
    assert shipped == {"phq9", "phq2", "gad7", "pcl5"}


def test_licensed_instruments_tell_the_clinic_to_load_its_own_text():
    for code, instrument in INSTRUMENTS.items():
        if not instrument.licence.item_text_included:
            assert "clinic loads" in instrument.licence.statement, code


def test_the_cssrs_file_says_electronic_use_is_licensed_through_clario():
    instrument = INSTRUMENTS["cssrs_screen"]
    assert "Clario" in instrument.licence.statement
    assert "[S27]" in instrument.licence.source
    assert "Clario" in questionnaire_json("cssrs_screen")["copyright"]


def test_phq9_carries_its_published_wording_codes_and_answer_codes():
    phq9 = INSTRUMENTS["phq9"]
    assert phq9.panel_loinc == "44249-1"
    assert phq9.result_loinc == "44261-6"
    assert phq9.item("phq9-9").loinc == "44260-8"
    assert phq9.item("phq9-9").text.startswith("Thoughts that you would be better off dead")
    options = phq9.item("phq9-1").options
    assert [(o.value, o.code, o.label) for o in options] == [
        (0, "LA6568-5", "Not at all"),
        (1, "LA6569-3", "Several days"),
        (2, "LA6570-1", "More than half the days"),
        (3, "LA6571-9", "Nearly every day"),
    ]
    assert phq9.recall_period == "last 2 weeks"


def test_phq9_item_10_is_optional_unscored_and_has_no_unconfirmed_code():
    item = INSTRUMENTS["phq9"].item("phq9-10")
    assert (item.required, item.scored, item.loinc) == (False, False, None)


def test_gad7_items_follow_the_loinc_order_in_the_reference():
    codes = [item.loinc for item in INSTRUMENTS["gad7"].items]
    assert codes == ["69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7"]


def test_pcl5_has_twenty_items_in_four_clusters():
    pcl5 = INSTRUMENTS["pcl5"]
    assert len(pcl5.items) == 20
    clusters = {s.name: len(s.link_ids) for s in pcl5.subscores}
    assert clusters == {"B": 5, "C": 2, "D": 7, "E": 6}


def test_cadss6_uses_items_1_2_6_7_15_and_22_of_the_full_scale():
    numbers = [item.number for item in INSTRUMENTS["cadss6"].items]
    assert numbers == ["1", "2", "6", "7", "15", "22"]
    full = INSTRUMENTS["cadss"].link_ids
    assert all(link in full for link in INSTRUMENTS["cadss6"].link_ids)


def test_both_bprs_conventions_are_stored_with_their_ranges():
    one_to_seven = INSTRUMENTS["bprs_positive"]
    zero_to_six = INSTRUMENTS["bprs_positive_0_6"]
    assert (one_to_seven.min_total, one_to_seven.max_total) == (4, 28)
    assert (zero_to_six.min_total, zero_to_six.max_total) == (0, 24)
    assert one_to_seven.convention and "1-7" in one_to_seven.convention
    assert zero_to_six.convention and "0-6" in zero_to_six.convention


def test_unconfirmed_alert_levels_are_marked_for_the_medical_director():
    unconfirmed = {
        c.link_id for i in INSTRUMENTS.values() for c in i.critical_items if not c.confirmed
    }
    assert unconfirmed == {"qids-12", "madrs-10"}


def _phq9_resource() -> dict[str, Any]:
    return copy.deepcopy(questionnaire_json("phq9"))


def _scoring_parts(resource: dict[str, Any]) -> list[dict[str, Any]]:
    [scoring] = [e for e in resource["extension"] if e["url"] == SCORING_EXTENSION_URL]
    parts: list[dict[str, Any]] = scoring["extension"]
    return parts


def test_the_loader_refuses_a_gap_between_severity_bands():
    resource = _phq9_resource()
    parts = _scoring_parts(resource)
    mild = next(
        p for p in parts if p["url"] == "band" and p["extension"][0]["valueString"] == "mild"
    )
    mild["extension"][1]["valueInteger"] = 6
    with pytest.raises(InstrumentFileError, match="gap"):
        parse_instrument(resource, "phq9.json")


def test_the_loader_refuses_duplicate_link_ids():
    resource = _phq9_resource()
    resource["item"][1]["linkId"] = "phq9-1"
    with pytest.raises(InstrumentFileError, match="not unique"):
        parse_instrument(resource, "phq9.json")


def test_the_loader_refuses_a_critical_item_that_does_not_exist():
    resource = _phq9_resource()
    del resource["item"][8]
    with pytest.raises(InstrumentFileError, match="unknown item 'phq9-9'"):
        parse_instrument(resource, "phq9.json")


def test_the_loader_refuses_a_stated_range_the_items_cannot_produce():
    resource = _phq9_resource()
    max_total = next(p for p in _scoring_parts(resource) if p["url"] == "maxTotal")
    max_total["valueInteger"] = 30
    with pytest.raises(InstrumentFileError, match="0-27"):
        parse_instrument(resource, "phq9.json")
