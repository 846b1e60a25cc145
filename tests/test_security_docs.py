from __future__ import annotations

from pathlib import Path

from remit.core.roles import ROLE_CAPABILITIES, Capability, Role

DOC = Path(__file__).resolve().parents[1] / "docs" / "security.md"


def test_the_role_table_in_the_docs_matches_the_code():
    rows = [line for line in DOC.read_text().splitlines() if line.startswith("| `")]
    documented = {}
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        capability = Capability(cells[0].split("`")[1])
        documented[capability] = {role for role, mark in zip(Role, cells[1:], strict=True) if mark}
    expected = {c: {r for r in Role if c in ROLE_CAPABILITIES[r]} for c in Capability}
    assert documented == expected
