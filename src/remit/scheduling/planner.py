"""The clinic planner: CP-SAT over the slot grid, seeded with the greedy first-fit plan.

``plan_courses`` books one course's series (pass one request) or many new courses together. It
always runs the greedy first-fit first and returns whichever plan scores higher (first-fit on a
tie), so the optimiser can never do worse than the baseline.

To keep a clinic month small enough for a time limit, CP-SAT chooses each session's start from
"lanes": back-to-back starts from each day's opening (one session length apart), the first start
of each of the patient's preferred windows, and the greedy plan's own starts (so the greedy plan
is always a feasible hint). Back-to-back lanes are what lets the optimiser pack chairs more densely
than first-fit, which leaves gaps shorter than a session.
"""

from __future__ import annotations

import dataclasses
import time as clock
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any, Literal

from ortools.sat.python import cp_model

from remit.protocols.definitions import ResourceKind
from remit.scheduling.availability import DEFAULT_SLOT_MIN, ClinicSetup, SlotGrid
from remit.scheduling.explanations import explain
from remit.scheduling.planning import (
    WEIGHT_EXTRA_START_TIME,
    WEIGHT_PREFERRED,
    WEIGHT_SESSION,
    WEIGHT_SLOT,
    Course,
    CourseRequest,
    Occupancy,
    Plan,
    PlannedSession,
    Problem,
    compile_problem,
    greedy_first_fit,
    place_one,
    score_series,
)

# Lanes are at least this many slots apart, so one-slot sessions do not flood the model.
MIN_LANE_STEP = 2

Series = dict[int, list[tuple[int, str]]]


def plan_courses(
    setup: ClinicSetup,
    requests: Sequence[CourseRequest],
    *,
    first_day: date,
    last_day: date,
    method: Literal["cp-sat", "greedy"] = "cp-sat",
    time_limit_s: float = 10.0,
    workers: int = 2,
    seed: int = 0,
    slot_min: int = DEFAULT_SLOT_MIN,
) -> Plan:
    """Place every requested course whole, or explain which constraint stopped it."""
    if time_limit_s <= 0:
        raise ValueError("The planner's time limit must be more than 0 seconds.")
    grid = SlotGrid(setup.hours.time_zone, first_day, last_day, slot_min)
    started = clock.perf_counter()
    problem = compile_problem(setup, requests, grid)
    greedy = greedy_first_fit(problem)
    greedy_plan = build_plan(
        problem, greedy, method="greedy", wall_time_s=clock.perf_counter() - started
    )
    if method == "greedy" or not problem.courses:
        return greedy_plan
    starts, status, bound = _solve(
        problem, greedy, time_limit_s=time_limit_s, workers=workers, seed=seed
    )
    incumbent = _assign_units(problem, starts) if starts is not None else dict(greedy)
    _repair(problem, incumbent)
    plan = build_plan(
        problem,
        incumbent,
        method="cp-sat",
        wall_time_s=clock.perf_counter() - started,
        bound=bound,
        solver_status=status,
    )
    # On a tie the first-fit plan wins: it starts each course as early as it can, which the
    # objective does not reward, and a patient's series should not drift later for nothing.
    # The greedy plan is already built (explanations included) from the same series, so only
    # the fields that tell this run apart change.
    if plan.score <= greedy_plan.score:
        return dataclasses.replace(
            greedy_plan,
            method="greedy (CP-SAT found no better plan)",
            wall_time_s=plan.wall_time_s,
            bound=bound,
            solver_status=status,
        )
    return plan


def lanes(course: Course, problem: Problem, extra: Sequence[int] = ()) -> list[int]:
    """The start slots CP-SAT may choose for one course (see the module docstring)."""
    opening = problem.timeline.open
    step = max(course.length, MIN_LANE_STEP)
    chosen = set(extra)
    for starts in course.starts_by_day.values():
        for k in starts:
            opened = k
            while opened > 0 and opening[opened - 1]:
                opened -= 1
            if (k - opened) % step == 0 or (
                k in course.preferred and k - 1 not in course.preferred
            ):
                chosen.add(k)
    return sorted(chosen)


def _solve(
    problem: Problem, greedy: Series, *, time_limit_s: float, workers: int, seed: int
) -> tuple[dict[int, list[int]] | None, str, float | None]:
    """Start slots per course from CP-SAT (None if it found nothing), its status and bound."""
    model = cp_model.CpModel()
    course_vars = []
    for c in problem.courses:
        hinted = [k for k, _ in greedy.get(c.index, [])]
        course_vars.append(_CourseVars(model, c, lanes(c, problem, hinted), problem))
    base = Occupancy.from_timeline(problem.timeline, problem.units_by_kind)
    _add_kinds(model, course_vars, problem)
    _add_roles(model, course_vars, base)
    _add_patients(model, course_vars)
    model.maximize(sum(t for cv in course_vars for t in cv.objective_terms()))
    for cv in course_vars:
        cv.hint(model, [k for k, _ in greedy.get(cv.course.index, [])], problem)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    # Probing and symmetry search over tens of thousands of start literals cost more than they
    # give within a planning time limit; the hint already is a good first solution.
    solver.parameters.cp_model_probing_level = 0
    solver.parameters.symmetry_level = 0
    status = solver.solve(model)
    name = solver.status_name(status)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, name, None
    starts = {
        cv.course.index: sorted(k for k, var in cv.x.items() if solver.boolean_value(var))
        for cv in course_vars
        if solver.boolean_value(cv.placed)
    }
    return starts, name, solver.best_objective_bound


class _CourseVars:
    """One course's decision variables: x[start] is true when a session starts at that slot
    (the unit is chosen after solving, by ``_assign_units``)."""

    def __init__(
        self,
        model: cp_model.CpModel,
        course: Course,
        choices: Sequence[int],
        problem: Problem,
    ) -> None:
        self.course = course
        self.placed = model.new_bool_var("")
        self.x: dict[int, Any] = {k: model.new_bool_var("") for k in choices}
        self.by_day: dict[int, list[Any]] = {}
        self.by_start: dict[int, list[Any]] = {}
        for k, var in self.x.items():
            self.by_day.setdefault(problem.grid.slot_day[k], []).append(var)
            self.by_start.setdefault(k, []).append(var)
        self.day_flags: dict[int, Any] = {}
        self.window_start: dict[int, Any] = {}
        self.clock_time: dict[int, Any] = {}
        self._constrain(model, problem)

    def _constrain(self, model: cp_model.CpModel, problem: Problem) -> None:
        c, sp = self.course, self.course.spacing
        days = sorted(self.by_day)
        model.add(sum(self.x.values()) == c.count * self.placed)
        used: dict[int, Any] = {}
        for day in days:
            if sp.max_per_day == 1:
                model.add_at_most_one(self.by_day[day])
                used[day] = sum(self.by_day[day])
            else:
                flag = model.new_bool_var("")
                model.add(sum(self.by_day[day]) <= sp.max_per_day * flag)
                model.add(sum(self.by_day[day]) >= flag)
                used[day] = self.day_flags[day] = flag
        # Session days closer than min_days_between: at most one of them is used.
        for day in days if sp.min_days_between >= 2 else []:
            near = [d for d in days if day <= d < day + sp.min_days_between]
            if sp.max_per_day == 1:
                model.add_at_most_one([v for d in near for v in self.by_day[d]])
            else:
                model.add_at_most_one([self.day_flags[d] for d in near])
        most_in_week = len(range(0, 7, max(1, sp.min_days_between))) * sp.max_per_day
        if sp.max_per_week < min(most_in_week, c.count):
            for day in days:
                model.add(
                    sum(v for d in days if day <= d < day + 7 for v in self.by_day[d])
                    <= sp.max_per_week
                )
        if days and days[-1] - days[0] + 1 > c.window:
            for day in days:
                self.window_start[day] = model.new_bool_var("")
                model.add(self.window_start[day] <= used[day])
            model.add(sum(self.window_start.values()) == self.placed)
            for day in days:
                model.add(
                    used[day]
                    <= sum(self.window_start[s] for s in days if day - c.window < s <= day)
                )
        if sp.max_per_day > 1:
            model.add_no_overlap(
                [
                    model.new_optional_fixed_size_interval_var(k, c.same_day_step, var, "")
                    for k, var in self.x.items()
                ]
            )
        for k, var in self.x.items():
            minute = problem.wall_minute[k]
            if minute not in self.clock_time:
                self.clock_time[minute] = model.new_bool_var("")
            model.add_implication(var, self.clock_time[minute])

    def objective_terms(self) -> list[Any]:
        c = self.course
        per_session = WEIGHT_SESSION + WEIGHT_SLOT * c.length
        terms: list[Any] = [
            (per_session + (WEIGHT_PREFERRED if k in c.preferred else 0)) * var
            for k, var in self.x.items()
        ]
        terms.append(-WEIGHT_EXTRA_START_TIME * sum(self.clock_time.values()))
        terms.append(WEIGHT_EXTRA_START_TIME * self.placed)
        return terms

    def hint(self, model: cp_model.CpModel, chosen: Sequence[int], problem: Problem) -> None:
        """A complete hint (every variable) from the current plan, so CP-SAT starts from it."""
        picked = set(chosen) if set(chosen) <= set(self.x) else set()
        model.add_hint(self.placed, bool(picked))
        for choice, var in self.x.items():
            model.add_hint(var, choice in picked)
        days = {problem.grid.slot_day[k] for k in picked}
        for day, var in self.day_flags.items():
            model.add_hint(var, day in days)
        for day, var in self.window_start.items():
            model.add_hint(var, day == min(days, default=-1))
        minutes = {problem.wall_minute[k] for k in picked}
        for minute, var in self.clock_time.items():
            model.add_hint(var, minute in minutes)


def _add_kinds(
    model: cp_model.CpModel, course_vars: Sequence[_CourseVars], problem: Problem
) -> None:
    """Cumulative per resource kind (capacity = its units), existing bookings as fixed blocks.

    Each day also gets the same limit as a plain sum, which CP-SAT's linear relaxation can use
    for a tighter bound.
    """
    timeline = problem.timeline
    for kind, units in problem.units_by_kind.items():
        users = [cv for cv in course_vars if cv.course.kind == kind]
        if not users or not units:
            continue
        free = [sum(timeline.unit_free[u][k] for u in units) for k in range(len(timeline.open))]
        _cumulative(model, users, [len(units) - f for f in free], len(units))
        for day in range(problem.grid.day_count):
            day_free = sum(f for k, f in enumerate(free) if problem.grid.slot_day[k] == day)
            terms = [cv.course.length * v for cv in users for v in cv.by_day.get(day, [])]
            if terms:
                model.add(sum(terms) <= day_free)


def _cumulative(
    model: cp_model.CpModel, users: Sequence[_CourseVars], blocked: Sequence[int], capacity: int
) -> None:
    intervals: list[Any] = []
    demands: list[int] = []
    k = 0
    while k < len(blocked):
        end = k
        while end < len(blocked) and blocked[end] == blocked[k]:
            end += 1
        if blocked[k] > 0:
            intervals.append(model.new_fixed_size_interval_var(k, end - k, ""))
            demands.append(blocked[k])
        k = end
    for cv in users:
        for start, var in cv.x.items():
            intervals.append(
                model.new_optional_fixed_size_interval_var(start, cv.course.length, var, "")
            )
            demands.append(1)
    model.add_cumulative(intervals, demands, capacity)


def _add_roles(
    model: cp_model.CpModel, course_vars: Sequence[_CourseVars], state: Occupancy
) -> None:
    """Cumulative per staff-ratio role; what is already booked is a fixed block of demand."""
    for role, capacity in state.role_capacity.items():
        users = [cv for cv in course_vars if role in cv.course.ratio_roles]
        if users:
            top = max(capacity)
            _cumulative(model, users, [top - v for v in capacity], top)


def _add_patients(model: cp_model.CpModel, course_vars: Sequence[_CourseVars]) -> None:
    """A patient with more than one course is never in two sessions at once."""
    by_patient: dict[str, list[_CourseVars]] = {}
    for cv in course_vars:
        by_patient.setdefault(cv.course.request.patient_id, []).append(cv)
    for group in by_patient.values():
        if len(group) > 1:
            model.add_no_overlap(
                [
                    model.new_optional_fixed_size_interval_var(k, cv.course.length, var, "")
                    for cv in group
                    for k, var in cv.x.items()
                ]
            )


def _assign_units(problem: Problem, starts: dict[int, list[int]]) -> Series:
    """Give each session a concrete chair, room or device; drop a course that cannot get one.

    Capacity per kind guarantees a free unit at every slot, but an existing booking pinned to one
    unit can, rarely, leave no single unit free for a session's whole length; the dropped course
    then goes back to the repair step.
    """
    courses = {c.index: c for c in problem.courses}
    keep = dict(starts)
    while True:
        state = Occupancy.from_timeline(problem.timeline, problem.units_by_kind)
        series: Series = {index: [] for index in keep}
        failed: int | None = None
        for k, index in sorted((k, i) for i, ks in keep.items() for k in ks):
            rid = state.free_unit(courses[index], k)
            if rid is None:
                failed = index
                break
            state.take(courses[index], k, rid)
            series[index].append((k, rid))
        if failed is None:
            return series
        del keep[failed]


def _repair(problem: Problem, series: Series) -> None:
    """Add any course that still fits whole after the solver's plan (e.g. at the time limit)."""
    state = Occupancy.from_timeline(problem.timeline, problem.units_by_kind)
    courses = {c.index: c for c in problem.courses}
    for index, placed in series.items():
        for k, rid in placed:
            state.take(courses[index], k, rid)
    for course in problem.courses:
        if course.index in series:
            continue
        found = place_one(course, state, problem)
        if found is not None:
            for k, rid in found:
                state.take(course, k, rid)
            series[course.index] = found


def build_plan(
    problem: Problem,
    series: Mapping[int, list[tuple[int, str]]],
    *,
    method: str,
    wall_time_s: float = 0.0,
    bound: float | None = None,
    solver_status: str = "",
) -> Plan:
    grid = problem.grid
    state = Occupancy.from_timeline(problem.timeline, problem.units_by_kind)
    sessions: list[PlannedSession] = []
    score = 0
    hits = 0
    used_slots: dict[ResourceKind, int] = {kind: 0 for kind in ResourceKind}
    for course in problem.courses:
        placed = series.get(course.index)
        if not placed:
            continue
        score += score_series(course, [k for k, _ in placed], problem)
        for number, (k, rid) in enumerate(sorted(placed), start=1):
            state.take(course, k, rid)
            start = grid.start_of(k)
            liked = k in course.preferred
            hits += liked
            used_slots[course.kind] += course.length
            sessions.append(
                PlannedSession(
                    course.request.course_id,
                    course.request.patient_id,
                    number,
                    start,
                    start + timedelta(minutes=course.request.protocol.session.occupancy_min),
                    rid,
                    liked,
                )
            )
    unplaced = tuple(explain(c, problem, state) for c in problem.courses if c.index not in series)
    utilisation = {}
    for kind, units in problem.units_by_kind.items():
        open_slots = sum(sum(problem.timeline.open) for _ in units)
        booked = sum(
            sum(
                1
                for k in range(grid.slot_count)
                if problem.timeline.open[k] and not problem.timeline.unit_free[u][k]
            )
            for u in units
        )
        utilisation[kind] = (booked + used_slots[kind]) / open_slots if open_slots else 0.0
    requested = sum(c.count for c in problem.courses)
    return Plan(
        method,
        tuple(sorted(sessions, key=lambda s: (s.start, s.resource_id))),
        unplaced,
        score,
        requested,
        hits,
        utilisation,
        wall_time_s,
        bound,
        solver_status,
    )
