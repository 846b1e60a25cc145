"""Spacing rules of a protocol phase and the pure checks on them.

Days are the clinic's local calendar days; rest between two sessions on the same day is real
elapsed time, so a session on the night clocks change is measured correctly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

MINUTES_PER_DAY = 24 * 60


@dataclass(frozen=True)
class Spacing:
    # Calendar days between two session days: 1 = next day allowed, 2 = one clear day between.
    min_days_between: int
    # Most sessions in any 7 consecutive days (a rolling week, not Monday–Sunday).
    max_per_week: int
    max_per_day: int
    # Minutes from the end of one session to the start of the next on the same day.
    min_rest_same_day_min: int
    # The whole phase lies within this many consecutive days, counting the first.
    window_days: int


@dataclass(frozen=True)
class SpacingViolation:
    rule: str
    session_index: int
    message: str


def sessions_per_day_limit(spacing: Spacing, *, occupancy_min: int) -> int:
    """How many sessions one day can hold under the same-day rest rule and max_per_day."""
    step = occupancy_min + spacing.min_rest_same_day_min
    fit = (MINUTES_PER_DAY - occupancy_min) // step + 1 if step > 0 else spacing.max_per_day
    return max(1, min(spacing.max_per_day, fit))


def max_sessions_in_window(spacing: Spacing, *, occupancy_min: int) -> int:
    """Most sessions the rules allow in one window, placing each day as early as allowed."""
    per_day = sessions_per_day_limit(spacing, occupancy_min=occupancy_min)
    counts: list[int] = []
    last_day: int | None = None
    for day in range(spacing.window_days):
        taken = 0
        if last_day is None or day - last_day >= spacing.min_days_between:
            week_so_far = sum(counts[max(0, day - 6) : day])
            taken = max(0, min(per_day, spacing.max_per_week - week_so_far))
        counts.append(taken)
        if taken:
            last_day = day
    return sum(counts)


def spacing_violations(
    spacing: Spacing,
    session_starts: Sequence[datetime],
    *,
    time_zone: str,
    occupancy_min: int,
) -> tuple[SpacingViolation, ...]:
    """Every way the given session start times break the phase's spacing rules.

    ``session_index`` refers to the sessions sorted by start time.
    """
    for index, start in enumerate(session_starts):
        if start.tzinfo is None or start.utcoffset() is None:
            raise ValueError(f"Session {index + 1} has a start time without a time zone.")
    zone = ZoneInfo(time_zone)
    starts = sorted(session_starts)
    days = [s.astimezone(zone).date() for s in starts]
    found: list[SpacingViolation] = []
    if not starts:
        return ()
    for i in range(1, len(starts)):
        gap_days = (days[i] - days[i - 1]).days
        if gap_days == 0:
            rest_min = (starts[i] - starts[i - 1]) / timedelta(minutes=1) - occupancy_min
            # A second session on a one-a-day protocol is reported by the per-day count below.
            if spacing.max_per_day > 1 and rest_min < spacing.min_rest_same_day_min:
                found.append(
                    _v(
                        "min_rest_same_day_min",
                        i,
                        f"only {max(0, int(rest_min))} min rest before session {i + 1}; "
                        f"needs {spacing.min_rest_same_day_min} min",
                    )
                )
        elif gap_days < spacing.min_days_between:
            found.append(
                _v(
                    "min_days_between",
                    i,
                    f"sessions {i} and {i + 1} are {gap_days} day(s) apart; "
                    f"needs at least {spacing.min_days_between}",
                )
            )
    per_day = _count_by_day(days)
    for day, count in per_day.items():
        if count > spacing.max_per_day:
            found.append(
                _v(
                    "max_per_day",
                    days.index(day),
                    f"{count} sessions on {day:%a %d %b %Y}; at most {spacing.max_per_day}",
                )
            )
    for i, first in enumerate(days):
        in_week = sum(1 for d in days if first <= d < first + timedelta(days=7))
        if in_week > spacing.max_per_week:
            found.append(
                _v(
                    "max_per_week",
                    i,
                    f"{in_week} sessions in the 7 days from {first:%a %d %b %Y}; "
                    f"at most {spacing.max_per_week}",
                )
            )
            break
    span_days = (days[-1] - days[0]).days + 1
    if span_days > spacing.window_days:
        found.append(
            _v(
                "window_days",
                len(days) - 1,
                f"the sessions span {span_days} days; the phase allows {spacing.window_days}",
            )
        )
    return tuple(found)


def _v(rule: str, index: int, message: str) -> SpacingViolation:
    return SpacingViolation(rule=rule, session_index=index, message=message)


def _count_by_day(days: Sequence[date]) -> dict[date, int]:
    counts: dict[date, int] = {}
    for day in days:
        counts[day] = counts.get(day, 0) + 1
    return counts
