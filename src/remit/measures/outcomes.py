"""Change from baseline: percent change, response, remission, relapse, each with its definition.

"Remission" means different things in different programmes (MADRS <= 10 vs <= 12, PHQ-9 < 5,
QIDS-SR16 <= 5), so every flag carries the named rule and source it was computed with, and that
text must be stored next to the flag.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .instruments import Instrument, OutcomeDefinition
from .instruments.model import compare
from .scoring import InvalidAnswers, get_instrument

# Percent change is reported to one decimal place, rounded half away from zero (as by hand).
PERCENT_PLACES = Decimal("0.1")


@dataclass(frozen=True)
class Change:
    """Change between a baseline and a current total of the same instrument."""

    instrument: str
    baseline_total: int
    current_total: int
    # current - baseline: negative is improvement.
    points: int
    # (current - baseline) / baseline x 100, one decimal place; negative is improvement.
    # None when the baseline is 0 (no percent change exists).
    percent: Decimal | None
    # None where the instrument has no such definition (e.g. no response rule for CADSS).
    response: bool | None
    remission: bool | None
    relapse: bool | None
    # PCL-5 only: a reduction of at least 10 points [S33].
    meaningful_change: bool | None
    # Every rule used above, with its source: store this text with the flags.
    definition: str
    definitions: tuple[OutcomeDefinition, ...]
    # False if any rule used is a convention rather than a published standard (GAD-7).
    confirmed: bool


def change(
    code: str,
    baseline_total: int,
    current_total: int,
    *,
    remission_cutoff: str | int | None = None,
) -> Change:
    """Compare `current_total` with `baseline_total` for instrument `code`.

    `remission_cutoff` picks a published remission definition other than the instrument's
    default, by key (e.g. "madrs_remission_le_12" for esketamine programmes) or by its threshold
    (e.g. 12). Only definitions in the instrument file can be chosen: no ad-hoc cut-offs.

    Response needs a reduction of at least 50% computed exactly (not from the rounded percent);
    for the PCL-5 it is a reduction of at least 5 points [S33]. From a baseline of 0 no response
    is possible: `response` is False and `percent` is None.
    """
    instrument = get_instrument(code)
    if instrument.min_total is None or instrument.max_total is None:
        raise InvalidAnswers(
            f"{instrument.title} has no total score, so there is no change from baseline.",
            instrument=instrument.code,
        )
    if instrument.direction != "higher-is-worse":
        raise InvalidAnswers(
            f"{instrument.title}: change from baseline is only defined for scales where a "
            "higher score is worse.",
            instrument=instrument.code,
        )
    _check_total(instrument, "baseline total", baseline_total)
    _check_total(instrument, "current total", current_total)

    used: list[OutcomeDefinition] = []
    response = _flag(instrument, "response", None, baseline_total, current_total, used)
    remission = _flag(
        instrument, "remission", remission_cutoff, baseline_total, current_total, used
    )
    relapse = _flag(instrument, "relapse", None, baseline_total, current_total, used)
    meaningful = _flag(instrument, "meaningful", None, baseline_total, current_total, used)

    percent = None
    if baseline_total != 0:
        exact = Decimal((current_total - baseline_total) * 100) / Decimal(baseline_total)
        percent = exact.quantize(PERCENT_PLACES, rounding=ROUND_HALF_UP)

    lines = [d.describe() for d in used]
    if baseline_total == 0 and response is not None:
        lines.append("baseline total is 0: no reduction, and so no response, is possible")
    if not used:
        lines.append(f"{instrument.title} has no published response or remission definition")
    return Change(
        instrument=instrument.code,
        baseline_total=baseline_total,
        current_total=current_total,
        points=current_total - baseline_total,
        percent=percent,
        response=response,
        remission=remission,
        relapse=relapse,
        meaningful_change=meaningful,
        definition="; ".join(lines),
        definitions=tuple(used),
        confirmed=all(d.confirmed for d in used),
    )


def _check_total(instrument: Instrument, what: str, total: object) -> None:
    low, high = instrument.min_total, instrument.max_total
    if isinstance(total, bool) or not isinstance(total, int):
        raise InvalidAnswers(
            f"{instrument.title}: the {what} {total!r} is not a whole number.",
            instrument=instrument.code,
        )
    if low is None or high is None or not low <= total <= high:
        raise InvalidAnswers(
            f"{instrument.title}: the {what} {total} is out of range ({low}-{high}).",
            instrument=instrument.code,
        )


def _pick(instrument: Instrument, kind: str, choice: str | int | None) -> OutcomeDefinition | None:
    candidates = [d for d in instrument.outcomes if d.kind == kind]
    if choice is None:
        defaults = [d for d in candidates if d.is_default] or candidates
        return defaults[0] if defaults else None
    for definition in candidates:
        if choice == definition.key or (
            not isinstance(choice, bool) and choice == definition.threshold
        ):
            return definition
    offered = ", ".join(f"{d.key} ({d.comparator} {d.threshold})" for d in candidates) or "none"
    raise ValueError(
        f"{instrument.title} has no {kind} definition {choice!r}. Published definitions: {offered}."
    )


def _flag(
    instrument: Instrument,
    kind: str,
    choice: str | int | None,
    baseline: int,
    current: int,
    used: list[OutcomeDefinition],
) -> bool | None:
    definition = _pick(instrument, kind, choice)
    if definition is None:
        return None
    used.append(definition)
    if definition.basis == "total":
        return compare(current, definition.comparator, definition.threshold)
    if definition.basis == "points-reduction":
        return compare(baseline - current, definition.comparator, definition.threshold)
    if baseline == 0:
        return False
    # Compare reduction/baseline with threshold% in whole numbers, so 50% is exact.
    reduction_x100 = (baseline - current) * 100
    return compare(reduction_x100, definition.comparator, definition.threshold * baseline)
