"""Every source tag the code or the docs cite can be looked up in docs/sources.md."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "docs" / "sources.md"
TAG = re.compile(r"\[(S\d+[a-z]?)\]")
CITING = ("*.py", "*.json", "*.html", "*.txt", "*.md")


def listed_tags() -> set[str]:
    return {
        match.group(1)
        for line in SOURCES.read_text().splitlines()
        if (match := re.match(r"- \[(S\d+[a-z]?)\] \S", line))
    }


def cited_tags() -> dict[str, Path]:
    cited: dict[str, Path] = {}
    for folder in (ROOT / "src", ROOT / "docs", ROOT / "README.md"):
        files = [folder] if folder.is_file() else [p for g in CITING for p in folder.rglob(g)]
        for path in files:
            if path == SOURCES:
                continue
            for tag in TAG.findall(path.read_text(encoding="utf-8", errors="replace")):
                cited.setdefault(tag, path.relative_to(ROOT))
    return cited


def test_every_cited_source_is_listed_with_its_reference():
    missing = {tag: str(path) for tag, path in cited_tags().items() if tag not in listed_tags()}
    assert missing == {}


def test_the_list_names_each_source_once():
    lines = [line for line in SOURCES.read_text().splitlines() if line.startswith("- [S")]
    tags = [line.split("]")[0][3:] for line in lines]
    assert len(tags) == len(set(tags))
    assert len(tags) > 100
