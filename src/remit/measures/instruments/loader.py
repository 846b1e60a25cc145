"""Reads an instrument's FHIR R4 Questionnaire JSON into frozen `Instrument` values.

Remit's scoring metadata lives in one complex extension (`SCORING_EXTENSION_URL`) on the
Questionnaire, so the file stays a valid Questionnaire that any FHIR tool can read. The loader
refuses a file that is internally inconsistent (duplicate linkIds, bands with gaps, a critical
item that does not exist) so a bad edit fails at start-up rather than mis-scoring a patient.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

from .model import (
    AnswerOption,
    Comparator,
    CriticalItem,
    Direction,
    Instrument,
    Item,
    ItemKind,
    Licence,
    OutcomeBasis,
    OutcomeDefinition,
    OutcomeKind,
    Rater,
    RiskRule,
    ScoringMethod,
    ScreenCutpoint,
    SeverityBand,
    Subscore,
    SubscoreRule,
)

# Placeholder canonical base until the project owns a domain; change it here and in the JSON files.
REMIT_FHIR_BASE = "https://remit.example/fhir"
SCORING_EXTENSION_URL = f"{REMIT_FHIR_BASE}/StructureDefinition/instrument-scoring"
# HL7's R4 extension for the numeric weight of a coded answer.
ORDINAL_VALUE_URL = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
LOINC_SYSTEM = "http://loinc.org"

Json = dict[str, Any]


class InstrumentFileError(ValueError):
    """An instrument file is malformed or inconsistent."""


class _Parts:
    """The sub-extensions of one complex extension, looked up by their `url`."""

    def __init__(self, extension: Json, where: str) -> None:
        self.parts: list[Json] = list(extension.get("extension", []))
        self.where = where

    def _values(self, name: str) -> list[Any]:
        found = []
        for part in self.parts:
            if part.get("url") == name:
                values = [v for k, v in part.items() if k.startswith("value")]
                found.append(values[0] if values else part)
        return found

    def all(self, name: str) -> list[Any]:
        return self._values(name)

    def optional(self, name: str) -> Any:
        values = self._values(name)
        if len(values) > 1:
            raise InstrumentFileError(f"{self.where}: '{name}' appears {len(values)} times")
        return values[0] if values else None

    def one(self, name: str) -> Any:
        value = self.optional(name)
        if value is None:
            raise InstrumentFileError(f"{self.where}: '{name}' is missing")
        return value

    def nested(self, name: str) -> list[_Parts]:
        return [_Parts(part, f"{self.where} > {name}") for part in self._values(name)]


def _option(raw: Json, where: str) -> AnswerOption:
    if "valueInteger" in raw:
        return AnswerOption(value=int(raw["valueInteger"]), label=None, code=None, system=None)
    coding = raw.get("valueCoding")
    ordinals = [
        e["valueDecimal"] for e in raw.get("extension", []) if e.get("url") == ORDINAL_VALUE_URL
    ]
    if coding is None or len(ordinals) != 1:
        raise InstrumentFileError(f"{where}: an answer needs valueInteger or a coded ordinalValue")
    return AnswerOption(
        value=int(ordinals[0]),
        label=coding.get("display"),
        code=coding.get("code"),
        system=coding.get("system"),
    )


def _items(questionnaire: Json, unscored: set[str], where: str) -> tuple[Item, ...]:
    items = []
    for raw in questionnaire.get("item", []):
        link_id = raw["linkId"]
        here = f"{where} item {link_id}"
        kind = cast(ItemKind, raw["type"])
        if kind not in ("choice", "boolean"):
            raise InstrumentFileError(f"{here}: type {kind!r} is not supported")
        options = tuple(_option(o, here) for o in raw.get("answerOption", []))
        if kind == "choice" and not options:
            raise InstrumentFileError(f"{here}: a choice item needs answer options")
        conditions = raw.get("enableWhen", [])
        if len(conditions) > 1 or any(
            c.get("operator") != "=" or c.get("answerBoolean") is not True for c in conditions
        ):
            raise InstrumentFileError(
                f"{here}: only 'asked if <item> = yes' skip logic is supported"
            )
        loinc = [c["code"] for c in raw.get("code", []) if c.get("system") == LOINC_SYSTEM]
        items.append(
            Item(
                link_id=link_id,
                number=str(raw.get("prefix", link_id)).rstrip("."),
                text=raw["text"],
                kind=kind,
                options=options,
                required=bool(raw.get("required", False)),
                scored=kind == "choice" and link_id not in unscored,
                loinc=loinc[0] if loinc else None,
                asked_only_if_yes=conditions[0]["question"] if conditions else None,
            )
        )
    return tuple(items)


def _scoring(questionnaire: Json, where: str) -> _Parts:
    found = [e for e in questionnaire.get("extension", []) if e.get("url") == SCORING_EXTENSION_URL]
    if len(found) != 1:
        raise InstrumentFileError(f"{where}: needs exactly one {SCORING_EXTENSION_URL} extension")
    return _Parts(found[0], where)


def parse_instrument(questionnaire: Json, where: str) -> Instrument:
    """Build an Instrument from a Questionnaire resource; `where` names it in error messages."""
    if questionnaire.get("resourceType") != "Questionnaire":
        raise InstrumentFileError(f"{where}: not a FHIR Questionnaire")
    ext = _scoring(questionnaire, where)
    items = _items(questionnaire, set(ext.all("unscoredItem")), where)
    result = ext.optional("resultCode")
    cutpoint = ext.nested("screenCutpoint")
    panel = [c["code"] for c in questionnaire.get("code", []) if c.get("system") == LOINC_SYSTEM]
    licence = ext.nested("licence")
    if len(licence) != 1:
        raise InstrumentFileError(f"{where}: needs exactly one licence entry")
    instrument = Instrument(
        code=ext.one("code"),
        title=questionnaire["title"],
        version=questionnaire["version"],
        rater=cast(Rater, ext.one("rater")),
        recall_period=ext.optional("recallPeriod"),
        recall_period_source=ext.optional("recallPeriodSource"),
        method=cast(ScoringMethod, ext.one("method")),
        min_total=ext.optional("minTotal"),
        max_total=ext.optional("maxTotal"),
        direction=cast(Direction, ext.optional("direction") or "higher-is-worse"),
        items=items,
        bands=tuple(
            SeverityBand(name=b.one("name"), min_total=b.one("min"), max_total=b.one("max"))
            for b in ext.nested("band")
        ),
        bands_source=ext.optional("bandsSource"),
        bands_note=ext.optional("bandsNote"),
        subscores=tuple(
            Subscore(
                name=s.one("name"),
                rule=cast(SubscoreRule, s.one("rule")),
                link_ids=tuple(s.all("linkId")),
                source=s.one("source"),
                endorsed_at=s.optional("endorsedAt"),
                minimum_endorsed=s.optional("minimumEndorsed"),
            )
            for s in ext.nested("subscore")
        ),
        critical_items=tuple(
            CriticalItem(
                link_id=c.one("linkId"),
                comparator=cast(Comparator, c.one("comparator")),
                threshold=c.one("threshold"),
                label=c.one("label"),
                source=c.one("source"),
                confirmed=c.one("confirmed"),
                configurable=c.one("configurable"),
            )
            for c in ext.nested("criticalItem")
        ),
        outcomes=tuple(
            OutcomeDefinition(
                key=o.one("key"),
                kind=cast(OutcomeKind, o.one("kind")),
                basis=cast(OutcomeBasis, o.one("basis")),
                comparator=cast(Comparator, o.one("comparator")),
                threshold=o.one("threshold"),
                is_default=o.one("default"),
                confirmed=o.one("confirmed"),
                text=o.one("text"),
                source=o.one("source"),
            )
            for o in ext.nested("outcome")
        ),
        risk_rules=tuple(
            RiskRule(level=r.one("level"), link_ids=tuple(r.all("linkId")), source=r.one("source"))
            for r in ext.nested("riskRule")
        ),
        alternative_items=tuple(tuple(a.all("linkId")) for a in ext.nested("alternativeItems")),
        screen_cutpoint=(
            ScreenCutpoint(
                low=cutpoint[0].one("low"),
                high=cutpoint[0].one("high"),
                default=cutpoint[0].one("default"),
                text=cutpoint[0].one("text"),
                source=cutpoint[0].one("source"),
                confirmed=cutpoint[0].one("confirmed"),
            )
            if cutpoint
            else None
        ),
        licence=Licence(
            item_text_included=licence[0].one("itemTextIncluded"),
            statement=licence[0].one("statement"),
            source=licence[0].one("source"),
            confirmed=licence[0].one("confirmed"),
        ),
        panel_loinc=panel[0] if panel else None,
        result_loinc=result["code"] if result else None,
        code_source=ext.optional("codeSource"),
        convention=ext.optional("convention"),
    )
    check_consistency(instrument, where)
    return instrument


def check_consistency(instrument: Instrument, where: str) -> None:
    """Refuse an instrument whose parts contradict each other."""
    link_ids = instrument.link_ids
    if len(set(link_ids)) != len(link_ids):
        raise InstrumentFileError(f"{where}: linkIds are not unique")
    referenced = [c.link_id for c in instrument.critical_items]
    referenced += [link for s in instrument.subscores for link in s.link_ids]
    referenced += [link for r in instrument.risk_rules for link in r.link_ids]
    referenced += [link for group in instrument.alternative_items for link in group]
    referenced += [i.asked_only_if_yes for i in instrument.items if i.asked_only_if_yes]
    for link_id in referenced:
        if link_id not in link_ids:
            raise InstrumentFileError(f"{where}: refers to unknown item {link_id!r}")
    if instrument.method == "risk-rules":
        if instrument.min_total is not None or not instrument.risk_rules:
            raise InstrumentFileError(f"{where}: a risk-rule instrument has rules and no total")
        return
    if instrument.min_total is None or instrument.max_total is None:
        raise InstrumentFileError(f"{where}: minTotal and maxTotal are required")
    scored = [i for i in instrument.items if i.scored]
    if instrument.method == "sum":
        low = sum(i.min_value for i in scored)
        high = sum(i.max_value for i in scored)
    else:
        low = high = 0
        for s in instrument.subscores:
            parts = [instrument.item(link) for link in s.link_ids]
            low += min(p.min_value for p in parts)
            high += max(p.max_value for p in parts)
    if (low, high) != (instrument.min_total, instrument.max_total):
        raise InstrumentFileError(
            f"{where}: items give a range of {low}-{high}, the file says "
            f"{instrument.min_total}-{instrument.max_total}"
        )
    if instrument.bands:
        expected = instrument.min_total
        for band in instrument.bands:
            if band.min_total != expected or band.max_total < band.min_total:
                raise InstrumentFileError(f"{where}: severity band {band.name!r} leaves a gap")
            expected = band.max_total + 1
        if expected != instrument.max_total + 1:
            raise InstrumentFileError(f"{where}: severity bands stop before {instrument.max_total}")
    for kind in ("response", "remission"):
        defaults = [o for o in instrument.outcomes_of(kind) if o.is_default]
        if instrument.outcomes_of(kind) and len(defaults) != 1:
            raise InstrumentFileError(f"{where}: needs exactly one default {kind} definition")


def load_file(path: Path) -> Instrument:
    return parse_instrument(cast(Json, json.loads(path.read_text("utf-8"))), path.name)
