"""Properties of score() over every instrument, generated with hypothesis."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from remit.measures import INSTRUMENTS, InvalidAnswers, score
from remit.measures.instruments import Instrument
from remit.measures.scoring import Answer

# Published total ranges, typed in from clinical-reference.md (and the MOAA/s file's own note).
PUBLISHED_RANGE = {
    "phq9": (0, 27),  # [S1]
    "phq2": (0, 6),  # two PHQ-9 items
    "gad7": (0, 21),  # [S13]
    "qids_sr16": (0, 27),  # [S18]
    "madrs": (0, 60),  # [S26]
    "pcl5": (0, 80),  # [S31]
    "cadss": (0, 92),  # [S44b]
    "cadss6": (0, 24),  # six items of 0-4 [S45]
    "bprs_positive": (4, 28),  # [S43], [S44b]
    "bprs_positive_0_6": (0, 24),  # [S44b]
    "moaas": (0, 5),  # unconfirmed range, see moaas.json
}
SCORED = sorted(PUBLISHED_RANGE)
# Scoring is fast, but a cold or busy CI machine can trip hypothesis' 200 ms deadline.
relaxed = settings(deadline=None)


@st.composite
def valid_answers(draw: st.DrawFn, instrument: Instrument) -> list[Answer]:
    answers: dict[str, Answer] = {}
    for item in instrument.items:
        if item.kind == "boolean":
            gate = item.asked_only_if_yes
            answers[item.link_id] = (
                draw(st.none() | st.just(False))
                if gate and not answers[gate]
                else draw(st.booleans())
            )
            continue
        values = st.sampled_from(sorted(item.values))
        answers[item.link_id] = draw(values if item.required else st.none() | values)
    for group in instrument.alternative_items:
        if all(answers[link] is None for link in group):
            answers[draw(st.sampled_from(group))] = draw(
                st.sampled_from(sorted(instrument.item(group[0]).values))
            )
    return [answers[link] for link in instrument.link_ids]


@pytest.mark.parametrize("code", SCORED)
@given(data=st.data())
@relaxed
def test_every_in_range_answer_set_scores_inside_the_published_range(code, data):
    answers = data.draw(valid_answers(INSTRUMENTS[code]))
    result = score(code, answers)
    low, high = PUBLISHED_RANGE[code]
    assert result.total is not None
    assert low <= result.total <= high
    if INSTRUMENTS[code].bands:
        assert result.severity is not None


@pytest.mark.parametrize("code", SCORED)
@given(data=st.data())
@relaxed
def test_the_same_answers_by_link_id_score_the_same(code, data):
    instrument = INSTRUMENTS[code]
    answers = data.draw(valid_answers(instrument))
    by_link_id = dict(zip(instrument.link_ids, answers, strict=True))
    assert score(code, by_link_id) == score(code, answers)


@pytest.mark.parametrize("code", SCORED)
@given(data=st.data())
@relaxed
def test_every_answer_set_with_an_out_of_range_value_is_refused(code, data):
    instrument = INSTRUMENTS[code]
    answers = data.draw(valid_answers(instrument))
    index = data.draw(st.integers(0, len(answers) - 1))
    item = instrument.items[index]
    answers[index] = data.draw(
        st.integers(max_value=item.min_value - 1) | st.integers(min_value=item.max_value + 1)
    )
    with pytest.raises(InvalidAnswers, match=f"item {item.number}: "):
        score(code, answers)


@given(data=st.data())
@relaxed
def test_every_consistent_cssrs_answer_set_gets_a_risk_level_and_no_total(data):
    answers = data.draw(valid_answers(INSTRUMENTS["cssrs_screen"]))
    result = score("cssrs_screen", answers)
    assert result.total is None
    assert result.severity in {"high", "moderate", "low", "none"}
    assert (result.severity == "high") == bool(result.alerts)


@given(st.lists(st.integers(0, 3), min_size=16, max_size=16))
@relaxed
def test_qids_total_is_the_published_domain_formula(items):
    result = score("qids_sr16", items)
    i = [0, *items]  # 1-based, as the formula is published
    expected = (
        max(i[1:5])
        + i[5]
        + max(i[6:10])
        + i[10]
        + i[11]
        + i[12]
        + i[13]
        + i[14]
        + max(i[15], i[16])
    )
    assert result.total == expected


@pytest.mark.parametrize(
    "code", sorted(code for code, i in INSTRUMENTS.items() if i.critical_items)
)
@given(data=st.data())
@relaxed
def test_the_alert_while_answering_follows_the_same_rule_as_the_scored_alerts(code, data):
    # The autosave alert (services) and score() must never disagree on a critical answer.
    from remit.measures.services import _critical_given

    instrument = INSTRUMENTS[code]
    answers = data.draw(valid_answers(instrument))
    alert_at = {
        "qids-12": data.draw(st.integers(1, 3)),
        "madrs-10": data.draw(st.integers(1, 6)),
    }
    by_link_id = dict(zip(instrument.link_ids, answers, strict=True))
    scored = score(code, answers, alert_at=alert_at)
    assert _critical_given(code, by_link_id, alert_at) == bool(scored.alerts)
