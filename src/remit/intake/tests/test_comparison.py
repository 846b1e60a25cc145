from __future__ import annotations

import re

from remit.intake.comparison import COMPARISON, FOOTNOTES, ROWS

SOURCE_TAG = re.compile(r"^\[S\d+[a-z]?\]$")
PERCENT = re.compile(r"\d+(?:\.\d+)?(?:–\d+(?:\.\d+)?)?%")


def test_it_compares_ketamine_esketamine_and_tms():
    assert [column.key for column in COMPARISON] == ["iv_ketamine", "esketamine", "tms"]


def test_every_cell_has_text_and_at_least_one_well_formed_source_tag():
    for column in COMPARISON:
        cells = column.cells()
        assert set(cells) == set(ROWS)
        for row, cell in cells.items():
            assert cell.text.strip(), (column.key, row)
            assert cell.sources, (column.key, row)
            assert all(SOURCE_TAG.match(tag) for tag in cell.sources), (column.key, row)


def test_the_published_response_rates_match_the_reference():
    rates = {column.key: PERCENT.findall(column.response_rates.text) for column in COMPARISON}
    assert rates["iv_ketamine"] == ["59–71%", "53.6%", "28.9%"]
    assert rates["esketamine"] == ["58.7%", "45.2%", "22.5%", "7.6%"]
    assert rates["tms"] == ["58%", "37%"]


def test_footnotes_with_claims_carry_sources():
    assert FOOTNOTES[0].sources == ("[S60]", "[S61]", "[S63]")
