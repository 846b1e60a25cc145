"""Why a course could not be placed: constraint families checked in turn on relaxed problems."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta

from remit.protocols.definitions import StaffRole
from remit.protocols.spacing import Spacing, max_sessions_in_window
from remit.scheduling.availability import SlotGrid
from remit.scheduling.planning import (
    FAMILIES,
    Course,
    Occupancy,
    Problem,
    Unplaced,
    relaxed_starts,
)


def best_series_count(course: Course, starts_by_day: Mapping[int, list[int]], days: int) -> int:
    """Most sessions one window can hold given per-day starts (spacing rules, earliest first)."""
    best = 0
    for window_start in sorted(starts_by_day):
        counts: dict[int, int] = {}
        last: int | None = None
        for day in range(window_start, min(window_start + course.window, days)):
            if day not in starts_by_day or (
                last is not None and day - last < course.spacing.min_days_between
            ):
                continue
            week = sum(counts.get(d, 0) for d in range(day - 6, day))
            room = min(course.spacing.max_per_day, course.spacing.max_per_week - week)
            fit = _same_day_fit(starts_by_day[day], course.same_day_step, room)
            if fit:
                counts[day] = fit
                last = day
        best = max(best, sum(counts.values()))
        if best >= course.count:
            break
    return best


def _same_day_fit(starts: Sequence[int], step: int, room: int) -> int:
    taken, next_allowed = 0, -1
    for k in starts:
        if taken >= room:
            break
        if k >= next_allowed:
            taken += 1
            next_allowed = k + step
    return taken


def explain(course: Course, problem: Problem, state: Occupancy) -> Unplaced:
    """Name the first constraint family that rules the course out, checked on relaxed problems."""
    grid = problem.grid
    days_left = grid.day_count - course.first_day
    spacing = course.spacing
    course_id = course.request.course_id
    horizon = Spacing(
        spacing.min_days_between,
        spacing.max_per_week,
        spacing.max_per_day,
        spacing.min_rest_same_day_min,
        min(spacing.window_days, max(days_left, 0)),
    )
    fits = max_sessions_in_window(horizon, occupancy_min=course.length * grid.slot_min)
    if days_left <= 0 or fits < course.count:
        return Unplaced(
            course_id,
            "horizon",
            f"the planning period leaves {max(days_left, 0)} days from the earliest "
            f"start, too few for {course.count} sessions under the protocol's spacing",
        )
    phase_text = f"{course.count} sessions within {course.window} days"
    for level, family in enumerate(FAMILIES, start=1):
        starts = relaxed_starts(course, problem.timeline, state, level=level)
        got = best_series_count(course, starts, grid.day_count)
        if got >= course.count:
            continue
        if family == "opening_hours":
            message = (
                f"no opening hours left in the {course.window}-day window"
                if got == 0
                else f"opening hours allow only {got} of {phase_text}"
            )
            if course.window > days_left:
                message += " before the planning period ends"
        elif family == "patient_times":
            message = _patient_message(course, starts, grid, got, phase_text)
        elif family == "staff":
            message = _staff_message(course, got, phase_text)
        else:
            kind = course.kind.value.replace("_", " ")
            message = (
                f"every {kind} (or the staff ratio) is already booked at the patient's "
                f"times; only {got} of {phase_text} fit"
            )
        return Unplaced(course_id, family, message)
    return Unplaced(
        course_id,
        "spacing",
        f"the free slots cannot be spread to meet the spacing rules "
        f"(at least {spacing.min_days_between} day(s) apart, at most "
        f"{spacing.max_per_week} a week) for {phase_text}",
    )


def _patient_message(
    course: Course, starts: Mapping[int, list[int]], grid: SlotGrid, got: int, phase_text: str
) -> str:
    weekdays = {(grid.first_day + timedelta(days=day)).weekday() for day in starts}
    weeks = max(1, -(-course.window // 7))
    needed = min(course.spacing.max_per_week, -(-course.count // weeks))
    if course.spacing.max_per_day == 1 and len(weekdays) < needed:
        return (
            f"patient available on only {len(weekdays)} day(s) a week but the protocol needs "
            f"{needed} ({phase_text})"
        )
    return f"the patient's available times allow only {got} of {phase_text}"


def _staff_message(course: Course, got: int, phase_text: str) -> str:
    protocol = course.request.protocol
    if protocol.needs_on_site(StaffRole.PRESCRIBER):
        return (
            f"no prescriber on site for {protocol.resource_kind.value.replace('_', ' ')} "
            f"slots at the patient's times; only {got} of {phase_text} possible"
        )
    roles = ", ".join(role.value.replace("_", " ") for role in course.ratio_roles)
    return f"no {roles} on duty at the patient's times; only {got} of {phase_text} possible"
