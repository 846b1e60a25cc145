"""Series planning shared by both planners: the problem, the greedy first-fit and the explanations.

Plain data in and out. A course is placed whole or not at all (half an induction series is not a
booking a clinic can use). ``planner.plan_courses`` is the entry point; it runs the greedy
first-fit here, then CP-SAT, and keeps the better plan.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from remit.protocols.definitions import Protocol, ProtocolError, ResourceKind, StaffRole
from remit.protocols.spacing import Spacing
from remit.scheduling.availability import (
    ClinicSetup,
    PatientTimes,
    SlotGrid,
    Timeline,
    build_timeline,
    patient_masks,
    runs,
    zone_of,
)

# Objective weights (one place, shared by greedy scoring and CP-SAT): a placed session always
# outweighs any preference, so the planners first fill the clinic, then please patients.
WEIGHT_SESSION = 100
WEIGHT_SLOT = 1
WEIGHT_PREFERRED = 10
WEIGHT_EXTRA_START_TIME = 3


@dataclass(frozen=True)
class CourseRequest:
    course_id: str
    patient_id: str
    protocol: Protocol
    phase_code: str
    patient: PatientTimes
    # Local date of the first day the course may start (e.g. after evaluation and consent).
    earliest_start: date | None = None
    # Sessions ordered, within the phase's min..max; None = the phase's default count.
    session_count: int | None = None


@dataclass(frozen=True)
class PlannedSession:
    course_id: str
    patient_id: str
    number: int
    start: datetime
    end: datetime
    resource_id: str
    preferred: bool


@dataclass(frozen=True)
class Unplaced:
    course_id: str
    # Which family of constraints failed: horizon, opening_hours, patient_times, staff,
    # capacity or spacing.
    constraint: str
    message: str


@dataclass(frozen=True)
class Plan:
    method: str
    sessions: tuple[PlannedSession, ...]
    unplaced: tuple[Unplaced, ...]
    score: int
    sessions_requested: int
    preferred_hits: int
    utilisation: Mapping[ResourceKind, float]
    wall_time_s: float = 0.0
    bound: float | None = None
    solver_status: str = ""

    @property
    def sessions_placed(self) -> int:
        return len(self.sessions)

    @property
    def gap(self) -> float | None:
        """Relative gap between this plan's score and the solver's proven bound."""
        if self.bound is None or self.bound <= 0:
            return None
        return max(0.0, (self.bound - self.score) / self.bound)


@dataclass
class Course:
    """A request compiled onto the slot grid."""

    request: CourseRequest
    index: int
    count: int
    spacing: Spacing
    length: int
    # Slots from one start to the earliest next start of the same course on the same day.
    same_day_step: int
    kind: ResourceKind
    ratio_roles: tuple[StaffRole, ...]
    first_day: int
    # Start slots that pass the static checks (hours, patient, staff, some unit free), by day.
    starts_by_day: dict[int, list[int]]
    preferred: frozenset[int]
    patient_ok: bytearray

    @property
    def window(self) -> int:
        return self.spacing.window_days


@dataclass
class Problem:
    setup: ClinicSetup
    grid: SlotGrid
    timeline: Timeline
    courses: list[Course]
    units_by_kind: dict[ResourceKind, list[str]]
    wall_minute: tuple[int, ...]


def compile_problem(
    setup: ClinicSetup, requests: Sequence[CourseRequest], grid: SlotGrid
) -> Problem:
    if len({r.course_id for r in requests}) != len(requests):
        raise ValueError("Each course request needs its own course_id.")
    timeline = build_timeline(setup, grid)
    units_by_kind: dict[ResourceKind, list[str]] = {kind: [] for kind in ResourceKind}
    for resource in setup.resources:
        units_by_kind[resource.kind].append(resource.resource_id)
    zone = zone_of(grid.time_zone)
    wall = tuple(
        grid.start_of(k).astimezone(zone).hour * 60 + grid.start_of(k).astimezone(zone).minute
        for k in range(grid.slot_count)
    )
    courses = [
        _compile_course(r, i, setup, timeline, units_by_kind) for i, r in enumerate(requests)
    ]
    return Problem(setup, grid, timeline, courses, units_by_kind, wall)


def _compile_course(
    request: CourseRequest,
    index: int,
    setup: ClinicSetup,
    timeline: Timeline,
    units_by_kind: Mapping[ResourceKind, list[str]],
) -> Course:
    grid = timeline.grid
    protocol = request.protocol
    phase = protocol.phase(request.phase_code)
    count = request.session_count if request.session_count is not None else phase.session_count
    if not phase.min_sessions <= count <= phase.max_sessions:
        raise ProtocolError(
            f"Course {request.course_id}: {count} sessions ordered, but phase {phase.code} of "
            f"{protocol.code} allows {phase.min_sessions}-{phase.max_sessions}."
        )
    busy = [b for b in setup.bookings if b.patient_id == request.patient_id]
    patient_ok, preferred = patient_masks(grid, request.patient, busy)
    first_day = 0
    if request.earliest_start is not None:
        first_day = max(0, (request.earliest_start - grid.first_day).days)
    course = Course(
        request=request,
        index=index,
        count=count,
        spacing=phase.spacing,
        length=grid.slots_for(protocol.session.occupancy_min),
        same_day_step=grid.slots_for(
            protocol.session.occupancy_min + phase.spacing.min_rest_same_day_min
        ),
        kind=protocol.resource_kind,
        ratio_roles=tuple(n.role for n in protocol.staff_needed if not n.on_site_only),
        first_day=first_day,
        starts_by_day={},
        preferred=frozenset(),
        patient_ok=patient_ok,
    )
    state = Occupancy.from_timeline(timeline, units_by_kind)
    starts = relaxed_starts(course, timeline, state, level=len(FAMILIES))
    course.starts_by_day = starts
    liked = runs(preferred)
    course.preferred = frozenset(
        k for day_starts in starts.values() for k in day_starts if liked[k] >= course.length
    )
    return course


class Occupancy:
    """What is free as a plan is built: units, staff-ratio capacity and each patient's time."""

    def __init__(
        self,
        unit_free: dict[str, bytearray],
        role_capacity: dict[StaffRole, list[int]],
        units_by_kind: Mapping[ResourceKind, list[str]],
    ) -> None:
        self.unit_free = unit_free
        self.role_capacity = role_capacity
        self.units_by_kind = units_by_kind
        self.patient_busy: dict[str, set[int]] = {}

    @classmethod
    def from_timeline(
        cls, timeline: Timeline, units_by_kind: Mapping[ResourceKind, list[str]]
    ) -> Occupancy:
        return cls(
            {rid: bytearray(m) for rid, m in timeline.unit_free.items()},
            {role: list(v) for role, v in timeline.role_capacity.items()},
            units_by_kind,
        )

    def free_unit(self, course: Course, start: int) -> str | None:
        units = self.free_units(course, start, first_only=True)
        return units[0] if units else None

    def free_units(self, course: Course, start: int, *, first_only: bool = False) -> list[str]:
        """Units of the course's kind free for a whole session from ``start``, if staff allow."""
        end = start + course.length
        for role in course.ratio_roles:
            if min(self.role_capacity[role][start:end], default=0) <= 0:
                return []
        busy = self.patient_busy.get(course.request.patient_id)
        if busy and any(k in busy for k in range(start, end)):
            return []
        found = []
        for rid in self.units_by_kind[course.kind]:
            mask = self.unit_free[rid]
            if end <= len(mask) and all(mask[start:end]):
                found.append(rid)
                if first_only:
                    break
        return found

    def take(self, course: Course, start: int, rid: str) -> None:
        end = start + course.length
        for k in range(start, end):
            self.unit_free[rid][k] = 0
            for role in course.ratio_roles:
                self.role_capacity[role][k] -= 1
        self.patient_busy.setdefault(course.request.patient_id, set()).update(range(start, end))


# Constraint families, checked in this order to explain a course that could not be placed.
FAMILIES = ("opening_hours", "patient_times", "staff", "capacity")


def relaxed_starts(
    course: Course, timeline: Timeline, state: Occupancy | None, *, level: int
) -> dict[int, list[int]]:
    """Start slots by day allowed by the first ``level`` constraint families."""
    grid = timeline.grid
    protocol = course.request.protocol
    ok = bytearray(timeline.open)
    if level >= 2:
        ok = bytearray(a & b for a, b in zip(ok, course.patient_ok, strict=True))
    if level >= 3:
        for need in protocol.staff_needed:
            duty = timeline.on_duty[need.role]
            ok = bytearray(a & (1 if d > 0 else 0) for a, d in zip(ok, duty, strict=True))
    run = runs(ok)
    starts: dict[int, list[int]] = {}
    for k in range(grid.slot_count):
        day = grid.slot_day[k]
        if day < course.first_day or run[k] < course.length:
            continue
        if level >= 4 and state is not None and state.free_unit(course, k) is None:
            continue
        starts.setdefault(day, []).append(k)
    return starts


def greedy_first_fit(problem: Problem) -> dict[int, list[tuple[int, str]]]:
    """Courses in request order; each takes the earliest window and days that fit it whole."""
    state = Occupancy.from_timeline(problem.timeline, problem.units_by_kind)
    placed: dict[int, list[tuple[int, str]]] = {}
    for course in problem.courses:
        series = place_one(course, state, problem)
        if series is not None:
            for start, rid in series:
                state.take(course, start, rid)
            placed[course.index] = series
    return placed


def place_one(course: Course, state: Occupancy, problem: Problem) -> list[tuple[int, str]] | None:
    """First fit for one course against ``state``; None if the whole series does not fit."""
    feasible: dict[int, list[tuple[int, str]]] = {}
    for day, starts in course.starts_by_day.items():
        options = [(k, rid) for k in starts if (rid := state.free_unit(course, k)) is not None]
        if options:
            feasible[day] = options
    for window_start in sorted(feasible):
        series = _fill_window(course, feasible, window_start, problem)
        if series is not None:
            return series
    return None


def _fill_window(
    course: Course,
    feasible: Mapping[int, list[tuple[int, str]]],
    window_start: int,
    problem: Problem,
) -> list[tuple[int, str]] | None:
    chosen: list[tuple[int, str]] = []
    per_day: dict[int, int] = {}
    anchor: int | None = None
    last: int | None = None
    for day in range(window_start, window_start + course.window):
        if len(chosen) == course.count:
            break
        if day not in feasible or (
            last is not None and day - last < course.spacing.min_days_between
        ):
            continue
        week = sum(per_day.get(d, 0) for d in range(day - 6, day))
        room = min(
            course.spacing.max_per_day,
            course.spacing.max_per_week - week,
            course.count - len(chosen),
        )
        if room <= 0:
            continue
        # Prefer the patient's preferred times, then the same clock time as the first session.
        options = sorted(
            feasible[day],
            key=lambda o: (
                o[0] not in course.preferred,
                abs(problem.wall_minute[o[0]] - anchor) if anchor is not None else 0,
                o[0],
            ),
        )
        today: list[int] = []
        for k, rid in options:
            if len(today) >= room:
                break
            if all(abs(k - other) >= course.same_day_step for other in today):
                today.append(k)
                chosen.append((k, rid))
        if today:
            per_day[day] = len(today)
            last = day
            if anchor is None:
                anchor = problem.wall_minute[min(today)]
    if len(chosen) < course.count:
        return None
    return sorted(chosen)


def score_series(course: Course, starts: Sequence[int], problem: Problem) -> int:
    """The objective value of one placed series (the same formula CP-SAT maximises)."""
    per_session = WEIGHT_SESSION + WEIGHT_SLOT * course.length
    preferred = sum(1 for k in starts if k in course.preferred)
    clock_times = len({problem.wall_minute[k] for k in starts})
    return (
        per_session * len(starts)
        + WEIGHT_PREFERRED * preferred
        - WEIGHT_EXTRA_START_TIME * (clock_times - 1)
    )
