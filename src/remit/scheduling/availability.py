"""When a session can happen: opening hours, staff hours, patient times and existing bookings.

Everything is pure. Weekly hours are wall-clock times in the clinic's time zone; they are turned
into real (UTC) instants day by day with ``zoneinfo``, so a 09:00 opening stays 09:00 local across
daylight-saving changes and a session's length is always real elapsed minutes. Planning works on a
grid of equal slots (15 minutes by default) starting at local midnight of the first day.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from remit.protocols.definitions import Phase, Protocol, ResourceKind, StaffRole
from remit.protocols.spacing import SpacingViolation
from remit.protocols.spacing import spacing_violations as _spacing_violations

# Patients one staff member may look after at once, per role. Clinic staffing policy, not a
# clinical source: confirmed=False, needs the clinic's medical director to confirm.
DEFAULT_PATIENTS_PER_STAFF: Mapping[StaffRole, int] = {
    StaffRole.NURSE: 2,
    StaffRole.TMS_TECHNICIAN: 1,
}
DEFAULT_SLOT_MIN = 15


@dataclass(frozen=True)
class WeeklyWindow:
    """A recurring window on one weekday (0 = Monday), wall-clock time in the clinic's zone."""

    weekday: int
    start: time
    end: time

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"Weekday must be 0 (Monday) to 6 (Sunday), not {self.weekday}.")
        if self.start >= self.end and self.end != time(0):
            raise ValueError(
                f"A window on weekday {self.weekday} must end after it starts "
                f"({self.start:%H:%M}-{self.end:%H:%M}); split overnight hours into two windows."
            )


@dataclass(frozen=True)
class TimeRange:
    start: datetime
    end: datetime


@dataclass(frozen=True)
class ClinicHours:
    time_zone: str
    weekly: tuple[WeeklyWindow, ...]
    closed_dates: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        zone_of(self.time_zone)


@dataclass(frozen=True)
class StaffMember:
    staff_id: str
    role: StaffRole
    weekly: tuple[WeeklyWindow, ...]
    absent_dates: frozenset[date] = frozenset()


@dataclass(frozen=True)
class PatientTimes:
    available: tuple[WeeklyWindow, ...]
    preferred: tuple[WeeklyWindow, ...] = ()
    unavailable_dates: frozenset[date] = frozenset()


@dataclass(frozen=True)
class Resource:
    resource_id: str
    kind: ResourceKind


@dataclass(frozen=True)
class Booking:
    """An existing appointment that holds time: a resource, a patient and/or staff."""

    start: datetime
    end: datetime
    resource_id: str | None = None
    patient_id: str | None = None
    # Roles whose patients-per-staff ratio this appointment uses (e.g. a chair needs a nurse).
    staff_roles: tuple[StaffRole, ...] = ()

    def __post_init__(self) -> None:
        _require_aware(self.start, "booking start")
        _require_aware(self.end, "booking end")
        if self.end <= self.start:
            raise ValueError("A booking must end after it starts.")


@dataclass(frozen=True)
class CandidateSlot:
    start: datetime
    end: datetime
    resource_id: str
    preferred: bool


def zone_of(time_zone: str) -> ZoneInfo:
    try:
        return ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"Unknown time zone {time_zone!r}; use a name like Europe/London."
        ) from None


def _require_aware(value: datetime, label: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"The {label} has no time zone; give an aware date-time.")


def local_to_utc(
    day: date, at: time, zone: ZoneInfo, *, edge: Literal["start", "end"] = "start"
) -> datetime:
    """The real instant of wall-clock ``at`` on ``day``.

    A time repeated when clocks go back is read widely (a window starts at its first occurrence
    and ends at its second); a time skipped when clocks go forward becomes the instant of the jump.
    """
    if at == time(0) and edge == "end":
        day, at = day + timedelta(days=1), time(0)
    first = datetime.combine(day, at, tzinfo=zone).astimezone(UTC)
    second = datetime.combine(day, at, tzinfo=zone).replace(fold=1).astimezone(UTC)
    if first == second:
        return first
    if first < second:
        return first if edge == "start" else second
    # Skipped wall time: find the first real minute whose local wall time is not before it.
    low, high = second, first
    target = (day, at)
    while high - low > timedelta(minutes=1):
        middle = low + (high - low) / 2
        local = middle.astimezone(zone)
        if (local.date(), local.time()) >= target:
            high = middle
        else:
            low = middle
    return high.replace(second=0, microsecond=0)


def weekly_ranges(
    windows: Iterable[WeeklyWindow],
    first_day: date,
    last_day: date,
    zone: ZoneInfo,
    *,
    skip_dates: frozenset[date] = frozenset(),
) -> tuple[TimeRange, ...]:
    """The real time ranges a weekly pattern covers between two local dates (inclusive)."""
    by_weekday: dict[int, list[WeeklyWindow]] = {}
    for window in windows:
        by_weekday.setdefault(window.weekday, []).append(window)
    ranges: list[TimeRange] = []
    day = first_day
    while day <= last_day:
        if day not in skip_dates:
            for window in by_weekday.get(day.weekday(), []):
                start = local_to_utc(day, window.start, zone, edge="start")
                end = local_to_utc(day, window.end, zone, edge="end")
                if end > start:
                    ranges.append(TimeRange(start, end))
        day += timedelta(days=1)
    return tuple(sorted(ranges, key=lambda r: r.start))


@dataclass(frozen=True)
class SlotGrid:
    """Equal slots of real time from local midnight of ``first_day`` to the end of ``last_day``."""

    time_zone: str
    first_day: date
    last_day: date
    slot_min: int = DEFAULT_SLOT_MIN
    origin: datetime = field(init=False)
    slot_count: int = field(init=False)
    slot_day: tuple[int, ...] = field(init=False)

    def __post_init__(self) -> None:
        if self.last_day < self.first_day:
            raise ValueError("The planning period must end on or after its first day.")
        if self.slot_min <= 0 or 60 % self.slot_min:
            raise ValueError("Slot length must divide an hour (e.g. 5, 10, 15, 30 minutes).")
        zone = zone_of(self.time_zone)
        origin = local_to_utc(self.first_day, time(0), zone)
        end = local_to_utc(self.last_day + timedelta(days=1), time(0), zone)
        count = int((end - origin) / timedelta(minutes=self.slot_min))
        days = tuple(
            (
                (origin + k * timedelta(minutes=self.slot_min)).astimezone(zone).date()
                - self.first_day
            ).days
            for k in range(count)
        )
        object.__setattr__(self, "origin", origin)
        object.__setattr__(self, "slot_count", count)
        object.__setattr__(self, "slot_day", days)

    @property
    def day_count(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def start_of(self, slot: int) -> datetime:
        return self.origin + slot * timedelta(minutes=self.slot_min)

    def slots_for(self, minutes: int) -> int:
        return -(-minutes // self.slot_min)

    def mask(self, ranges: Iterable[TimeRange]) -> bytearray:
        """1 for every slot lying wholly inside one of the ranges."""
        out = bytearray(self.slot_count)
        step = timedelta(minutes=self.slot_min)
        for r in ranges:
            first = max(0, -((self.origin - r.start) // step))
            last = min(self.slot_count, (r.end - self.origin) // step)
            for k in range(first, last):
                out[k] = 1
        return out


def runs(mask: Sequence[int]) -> list[int]:
    """For each slot, how many consecutive slots from it are usable (value > 0)."""
    out = [0] * (len(mask) + 1)
    for k in range(len(mask) - 1, -1, -1):
        out[k] = out[k + 1] + 1 if mask[k] > 0 else 0
    return out[:-1]


@dataclass(frozen=True)
class ClinicSetup:
    """The clinic side of planning: hours, resources, staff and what is already booked."""

    hours: ClinicHours
    resources: tuple[Resource, ...]
    staff: tuple[StaffMember, ...] = ()
    bookings: tuple[Booking, ...] = ()
    patients_per_staff: Mapping[StaffRole, int] = field(
        default_factory=lambda: dict(DEFAULT_PATIENTS_PER_STAFF)
    )


@dataclass(frozen=True)
class Timeline:
    """Slot-by-slot capacity of a clinic over a grid (computed once, shared by all courses)."""

    grid: SlotGrid
    open: bytes
    unit_free: Mapping[str, bytes]
    unit_kind: Mapping[str, ResourceKind]
    on_duty: Mapping[StaffRole, tuple[int, ...]]
    role_capacity: Mapping[StaffRole, tuple[int, ...]]


def build_timeline(setup: ClinicSetup, grid: SlotGrid) -> Timeline:
    zone = zone_of(setup.hours.time_zone)
    open_mask = grid.mask(
        weekly_ranges(
            setup.hours.weekly,
            grid.first_day,
            grid.last_day,
            zone,
            skip_dates=setup.hours.closed_dates,
        )
    )
    unit_free = {r.resource_id: bytearray(open_mask) for r in setup.resources}
    load: dict[StaffRole, list[int]] = {role: [0] * grid.slot_count for role in StaffRole}
    for booking in setup.bookings:
        for k in _touched(grid, booking):
            if booking.resource_id in unit_free:
                unit_free[booking.resource_id][k] = 0
            for role in booking.staff_roles:
                load[role][k] += 1
    on_duty: dict[StaffRole, list[int]] = {role: [0] * grid.slot_count for role in StaffRole}
    for member in setup.staff:
        shift = grid.mask(
            weekly_ranges(
                member.weekly, grid.first_day, grid.last_day, zone, skip_dates=member.absent_dates
            )
        )
        for k in range(grid.slot_count):
            on_duty[member.role][k] += shift[k]
    capacity = {
        role: tuple(
            max(0, on_duty[role][k] * setup.patients_per_staff.get(role, 1) - load[role][k])
            for k in range(grid.slot_count)
        )
        for role in StaffRole
    }
    return Timeline(
        grid=grid,
        open=bytes(open_mask),
        unit_free={rid: bytes(m) for rid, m in unit_free.items()},
        unit_kind={r.resource_id: r.kind for r in setup.resources},
        on_duty={role: tuple(v) for role, v in on_duty.items()},
        role_capacity=capacity,
    )


def _touched(grid: SlotGrid, booking: Booking) -> range:
    """A booking blocks every slot it touches, not only the slots it fills completely."""
    step = timedelta(minutes=grid.slot_min)
    first = (booking.start - grid.origin) // step
    last = -((grid.origin - booking.end) // step)
    return range(max(0, first), min(grid.slot_count, last))


def patient_masks(
    grid: SlotGrid, patient: PatientTimes, busy: Iterable[Booking]
) -> tuple[bytearray, bytearray]:
    """Slots the patient can attend, and the subset they prefer."""
    zone = zone_of(grid.time_zone)
    available = grid.mask(
        weekly_ranges(
            patient.available,
            grid.first_day,
            grid.last_day,
            zone,
            skip_dates=patient.unavailable_dates,
        )
    )
    preferred = grid.mask(
        weekly_ranges(
            patient.preferred,
            grid.first_day,
            grid.last_day,
            zone,
            skip_dates=patient.unavailable_dates,
        )
    )
    for booking in busy:
        for k in _touched(grid, booking):
            available[k] = 0
    for k in range(grid.slot_count):
        preferred[k] &= available[k]
    return available, preferred


def usable_start_mask(
    timeline: Timeline, protocol: Protocol, patient_ok: Sequence[int]
) -> bytearray:
    """Slots where every slot-wide need other than a free unit holds (hours, staff, patient)."""
    grid = timeline.grid
    mask = bytearray(1 if timeline.open[k] and patient_ok[k] else 0 for k in range(grid.slot_count))
    for need in protocol.staff_needed:
        if need.on_site_only:
            duty = timeline.on_duty[need.role]
            for k in range(grid.slot_count):
                mask[k] &= 1 if duty[k] > 0 else 0
        else:
            capacity = timeline.role_capacity[need.role]
            for k in range(grid.slot_count):
                mask[k] &= 1 if capacity[k] > 0 else 0
    return mask


def candidate_slots(
    setup: ClinicSetup,
    protocol: Protocol,
    patient: PatientTimes,
    *,
    first_day: date,
    last_day: date,
    patient_id: str | None = None,
    slot_min: int = DEFAULT_SLOT_MIN,
) -> tuple[CandidateSlot, ...]:
    """Every start time (UTC) at which one session fits: open, staffed, patient free, unit free."""
    grid = SlotGrid(setup.hours.time_zone, first_day, last_day, slot_min)
    timeline = build_timeline(setup, grid)
    busy = [b for b in setup.bookings if patient_id is not None and b.patient_id == patient_id]
    patient_ok, preferred = patient_masks(grid, patient, busy)
    length = grid.slots_for(protocol.session.occupancy_min)
    usable = runs(usable_start_mask(timeline, protocol, patient_ok))
    liked = runs(preferred)
    units = [rid for rid, kind in timeline.unit_kind.items() if kind == protocol.resource_kind]
    unit_runs = {rid: runs(timeline.unit_free[rid]) for rid in units}
    found: list[CandidateSlot] = []
    for k in range(grid.slot_count):
        if usable[k] < length:
            continue
        free = next((rid for rid in units if unit_runs[rid][k] >= length), None)
        if free is None:
            continue
        start = grid.start_of(k)
        found.append(
            CandidateSlot(
                start,
                start + timedelta(minutes=protocol.session.occupancy_min),
                free,
                liked[k] >= length,
            )
        )
    return tuple(found)


def spacing_violations(
    phase: Phase,
    session_starts: Sequence[datetime],
    *,
    time_zone: str,
    occupancy_min: int,
) -> tuple[SpacingViolation, ...]:
    """Every way ``session_starts`` break the phase's spacing rules (see protocols.spacing)."""
    zone_of(time_zone)
    return _spacing_violations(
        phase.spacing, session_starts, time_zone=time_zone, occupancy_min=occupancy_min
    )


def next_valid_slots(
    setup: ClinicSetup,
    protocol: Protocol,
    phase_code: str,
    patient: PatientTimes,
    *,
    kept_session_starts: Sequence[datetime],
    earliest: datetime,
    patient_id: str | None = None,
    count: int = 5,
    search_days: int | None = None,
    slot_min: int = DEFAULT_SLOT_MIN,
) -> tuple[CandidateSlot, ...]:
    """The next ``count`` slots, from ``earliest``, where a replacement session keeps the spacing.

    ``kept_session_starts`` are the course's other sessions in this phase (the cancelled one left
    out); ``setup.bookings`` must already hold them, so they block their chair and the patient.
    """
    _require_aware(earliest, "earliest replacement time")
    phase = protocol.phase(phase_code)
    zone = zone_of(setup.hours.time_zone)
    first_day = earliest.astimezone(zone).date()
    days = search_days if search_days is not None else phase.spacing.window_days
    candidates = candidate_slots(
        setup,
        protocol,
        patient,
        first_day=first_day,
        last_day=first_day + timedelta(days=days),
        patient_id=patient_id,
        slot_min=slot_min,
    )
    offered: list[CandidateSlot] = []
    for slot in candidates:
        if slot.start < earliest:
            continue
        trial = [*kept_session_starts, slot.start]
        if spacing_violations(
            phase,
            trial,
            time_zone=setup.hours.time_zone,
            occupancy_min=protocol.session.occupancy_min,
        ):
            continue
        offered.append(slot)
        if len(offered) == count:
            break
    return tuple(offered)
