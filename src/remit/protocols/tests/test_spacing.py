from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from remit.protocols import load_library
from remit.protocols.spacing import max_sessions_in_window, spacing_violations

LIBRARY = load_library()
IV = LIBRARY["iv-ketamine-induction"]
IV_SPACING = IV.phase("induction").spacing
SNT = LIBRARY["accelerated-itbs-snt"]
SNT_SPACING = SNT.phase("accelerated").spacing


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def rules(starts, spacing=IV_SPACING, occupancy=130):
    found = spacing_violations(spacing, starts, time_zone="UTC", occupancy_min=occupancy)
    return {v.rule for v in found}


MONDAY = date(2025, 3, 3)


def day(n: int) -> date:
    return MONDAY + timedelta(days=n)


def test_monday_wednesday_friday_for_two_weeks_is_a_valid_iv_induction():
    assert rules([at(day(d), 9) for d in (0, 2, 4, 7, 9, 11)]) == set()


def test_it_flags_infusions_on_consecutive_days():
    assert rules([at(day(0), 9), at(day(1), 9)]) == {"min_days_between"}


def test_it_flags_two_infusions_on_the_same_day():
    assert "max_per_day" in rules([at(day(0), 8), at(day(0), 15)])


def test_it_flags_a_fourth_infusion_within_seven_days():
    assert "max_per_week" in rules([at(day(d), 9) for d in (0, 2, 4, 6)])


def test_it_flags_a_series_longer_than_the_window():
    assert rules([at(day(0), 9), at(day(21), 9)]) == {"window_days"}


def test_day_21_is_the_last_day_of_a_21_day_window():
    assert rules([at(day(0), 9), at(day(20), 9)]) == set()


def test_snt_allows_ten_sessions_an_hour_apart_in_one_day():
    starts = [at(day(0), 8) + timedelta(minutes=60 * i) for i in range(10)]
    assert rules(starts, SNT_SPACING, SNT.session.occupancy_min) == set()


def test_snt_flags_less_than_50_minutes_of_rest():
    starts = [at(day(0), 8), at(day(0), 8, 55)]
    assert rules(starts, SNT_SPACING, SNT.session.occupancy_min) == {"min_rest_same_day_min"}


def test_snt_flags_an_eleventh_session_in_a_day():
    starts = [at(day(0), 0) + timedelta(minutes=60 * i) for i in range(11)]
    assert "max_per_day" in rules(starts, SNT_SPACING, SNT.session.occupancy_min)


def test_it_refuses_a_start_time_without_a_zone():
    naive = datetime(2025, 3, 3, 9)  # noqa: DTZ001 - the point of the test
    with pytest.raises(ValueError, match="time zone"):
        spacing_violations(IV_SPACING, [naive], time_zone="UTC", occupancy_min=130)


def test_every_library_phase_fits_its_sessions_in_its_window():
    for protocol in LIBRARY.values():
        for phase in protocol.phases:
            fits = max_sessions_in_window(
                phase.spacing, occupancy_min=protocol.session.occupancy_min
            )
            assert fits >= phase.max_sessions, (protocol.code, phase.code)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=8))
def test_a_series_without_violations_never_has_infusions_on_adjacent_days(days):
    starts = [at(day(d), 9) for d in days]
    if rules(starts):
        return
    ordered = sorted(days)
    assert all(b - a >= 2 for a, b in zip(ordered, ordered[1:], strict=False))
    assert all(sum(1 for d in ordered if first <= d < first + 7) <= 3 for first in ordered)
    assert ordered[-1] - ordered[0] < 21
