"""Builds answer lists for tests (not a test module)."""

from __future__ import annotations

from remit.measures.scoring import Answer

# Published item counts and per-item maxima, typed in from clinical-reference.md rather than read
# from the instrument files, so the tests check the files instead of repeating them.
ITEM_MAX = {
    "phq9": [3] * 9,
    "phq2": [3] * 2,
    "gad7": [3] * 7,
    "madrs": [6] * 10,
    "pcl5": [4] * 20,
    "cadss": [4] * 23,
    "cadss6": [4] * 6,
    "bprs_positive_0_6": [6] * 4,
    "moaas": [5],
}


def summed(code: str, total: int) -> list[Answer]:
    """Answers in item order that add up to `total`, filling the first items first."""
    answers: list[Answer] = []
    left = total
    for top in ITEM_MAX[code]:
        value = min(top, left)
        answers.append(value)
        left -= value
    assert left == 0, f"{total} is above the {code} maximum"
    return answers


def bprs_1_to_7(total: int) -> list[Answer]:
    """BPRS+ scored 1-7: every item starts at 1 (not present)."""
    answers = [1, 1, 1, 1]
    left = total - 4
    for i in range(4):
        value = min(6, left)
        answers[i] += value
        left -= value
    assert left == 0
    return list(answers)


# QIDS-SR16 items that each carry one domain: 1 (sleep), 5, 6 (appetite/weight), 10-14, 15.
QIDS_DOMAIN_LEADS = [0, 4, 5, 9, 10, 11, 12, 13, 14]


def qids(total: int) -> list[Answer]:
    """QIDS-SR16 answers scoring `total`: item 7 and item 9 left unanswered (6 or 7; 8 or 9)."""
    answers: list[Answer] = [0] * 16
    answers[6] = None
    answers[8] = None
    left = total
    for index in QIDS_DOMAIN_LEADS:
        value = min(3, left)
        answers[index] = value
        left -= value
    assert left == 0
    return answers
