from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from remit.protocols import ResourceKind, StaffRole, load_library
from remit.scheduling.availability import (
    Booking,
    ClinicHours,
    ClinicSetup,
    PatientTimes,
    Resource,
    SlotGrid,
    StaffMember,
    WeeklyWindow,
    candidate_slots,
    local_to_utc,
    next_valid_slots,
    spacing_violations,
    weekly_ranges,
)

LIBRARY = load_library()
IV = LIBRARY["iv-ketamine-induction"]
ESK = LIBRARY["esketamine-trd"]
NEW_YORK = "America/New_York"
LONDON = "Europe/London"


def week(start: int, end: int, days=range(7)) -> tuple[WeeklyWindow, ...]:
    return tuple(WeeklyWindow(d, time(start), time(end)) for d in days)


def setup(zone=NEW_YORK, hours=None, staff=None, bookings=(), chairs=1) -> ClinicSetup:
    hours = hours or week(8, 18)
    return ClinicSetup(
        ClinicHours(zone, hours),
        tuple(Resource(f"chair-{i}", ResourceKind.INFUSION_CHAIR) for i in range(chairs))
        + (Resource("esk-1", ResourceKind.ESKETAMINE_ROOM),),
        staff if staff is not None else (StaffMember("nurse", StaffRole.NURSE, week(0, 0)),),
        tuple(bookings),
    )


def test_a_skipped_time_in_spring_becomes_the_moment_clocks_jump():
    zone = ZoneInfo(NEW_YORK)
    assert local_to_utc(date(2025, 3, 9), time(2, 30), zone) == datetime(2025, 3, 9, 7, tzinfo=UTC)


def test_a_repeated_time_in_autumn_opens_early_and_closes_late():
    zone = ZoneInfo(NEW_YORK)
    assert local_to_utc(date(2025, 11, 2), time(1, 30), zone, edge="start") == datetime(
        2025, 11, 2, 5, 30, tzinfo=UTC
    )
    assert local_to_utc(date(2025, 11, 2), time(1, 30), zone, edge="end") == datetime(
        2025, 11, 2, 6, 30, tzinfo=UTC
    )


def test_nine_oclock_stays_nine_oclock_local_across_the_us_change():
    ranges = weekly_ranges(week(9, 17), date(2025, 3, 8), date(2025, 3, 10), ZoneInfo(NEW_YORK))
    assert [r.start.hour for r in ranges] == [14, 13, 13]


def test_nine_oclock_stays_nine_oclock_local_across_the_uk_change():
    ranges = weekly_ranges(week(9, 17), date(2025, 10, 25), date(2025, 10, 27), ZoneInfo(LONDON))
    assert [r.start.hour for r in ranges] == [8, 9, 9]


def test_the_night_clocks_go_back_in_london_is_an_hour_longer():
    ranges = weekly_ranges(week(0, 4), date(2025, 10, 26), date(2025, 10, 26), ZoneInfo(LONDON))
    assert ranges[0].end - ranges[0].start == timedelta(hours=5)


def test_a_session_across_the_us_spring_change_lasts_its_real_minutes():
    night = setup(hours=week(0, 6))
    slots = candidate_slots(
        night,
        IV,
        PatientTimes(available=week(0, 6)),
        first_day=date(2025, 3, 9),
        last_day=date(2025, 3, 9),
    )
    # Local 00:00-06:00 on the change night is only 5 real hours (05:00-10:00 UTC), so sessions
    # that straddle 02:00 last their real 130 minutes and fewer start times fit than on other days.
    first, last = slots[0], slots[-1]
    assert first.start == datetime(2025, 3, 9, 5, tzinfo=UTC)
    assert last.end <= datetime(2025, 3, 9, 10, tzinfo=UTC)
    assert all(s.end - s.start == timedelta(minutes=130) for s in slots)
    assert len(slots) == (5 * 60 - 135) // 15 + 1


def test_a_session_across_the_uk_autumn_change_fits_the_extra_hour():
    night = setup(zone=LONDON, hours=week(0, 3))
    slots = candidate_slots(
        night,
        IV,
        PatientTimes(available=week(0, 3)),
        first_day=date(2025, 10, 26),
        last_day=date(2025, 10, 26),
    )
    # 00:00-03:00 local is 4 real hours that night, so a 130-minute session fits 8 start times.
    assert len(slots) == (4 * 60 - 135) // 15 + 1
    assert slots[0].start == datetime(2025, 10, 25, 23, tzinfo=UTC)


def test_grid_slots_keep_local_quarter_hours_through_the_change():
    grid = SlotGrid(NEW_YORK, date(2025, 3, 8), date(2025, 3, 10))
    assert grid.slot_count == (3 * 24 - 1) * 4
    assert grid.slot_day[-1] == 2


def test_an_existing_booking_blocks_its_chair():
    day = date(2025, 3, 4)
    taken = Booking(
        datetime(2025, 3, 4, 13, tzinfo=UTC),
        datetime(2025, 3, 4, 23, tzinfo=UTC),
        resource_id="chair-0",
    )
    slots = candidate_slots(
        setup(bookings=[taken]),
        IV,
        PatientTimes(available=week(8, 18)),
        first_day=day,
        last_day=day,
    )
    assert slots == ()


def test_a_patients_own_booking_blocks_them_but_not_the_chair():
    day = date(2025, 3, 4)
    elsewhere = Booking(
        datetime(2025, 3, 4, 12, tzinfo=UTC), datetime(2025, 3, 4, 23, tzinfo=UTC), patient_id="p1"
    )
    free = candidate_slots(
        setup(bookings=[elsewhere]),
        IV,
        PatientTimes(available=week(8, 18)),
        first_day=day,
        last_day=day,
        patient_id="p2",
    )
    busy = candidate_slots(
        setup(bookings=[elsewhere]),
        IV,
        PatientTimes(available=week(8, 18)),
        first_day=day,
        last_day=day,
        patient_id="p1",
    )
    assert free and not busy


def test_esketamine_slots_need_a_prescriber_on_site_for_the_whole_session():
    staff = (
        StaffMember("nurse", StaffRole.NURSE, week(8, 18)),
        StaffMember("dr", StaffRole.PRESCRIBER, week(9, 12)),
    )
    day = date(2025, 3, 4)
    slots = candidate_slots(
        setup(staff=staff), ESK, PatientTimes(available=week(8, 18)), first_day=day, last_day=day
    )
    zone = ZoneInfo(NEW_YORK)
    assert slots
    for slot in slots:
        assert slot.start.astimezone(zone).time() >= time(9)
        assert slot.end.astimezone(zone).time() <= time(12)


def test_no_nurse_on_duty_means_no_infusion_slots():
    day = date(2025, 3, 4)
    assert (
        candidate_slots(
            setup(staff=()), IV, PatientTimes(available=week(8, 18)), first_day=day, last_day=day
        )
        == ()
    )


def test_preferred_slots_are_marked():
    day = date(2025, 3, 4)
    patient = PatientTimes(available=week(8, 18), preferred=week(9, 12))
    slots = candidate_slots(setup(), IV, patient, first_day=day, last_day=day)
    assert {s.start.astimezone(ZoneInfo(NEW_YORK)).time() for s in slots if s.preferred} == {
        time(9),
        time(9, 15),
        time(9, 30),
        time(9, 45),
    }


def test_a_reschedule_offers_only_slots_that_keep_the_spacing():
    zone = ZoneInfo(NEW_YORK)
    kept = [datetime(2025, 3, d, 9, tzinfo=zone) for d in (3, 5, 10, 12, 14)]
    bookings = [Booking(s, s + timedelta(minutes=130), "chair-0", "p1") for s in kept]
    offered = next_valid_slots(
        setup(bookings=bookings, chairs=2),
        IV,
        "induction",
        PatientTimes(available=week(8, 18)),
        kept_session_starts=kept,
        earliest=datetime(2025, 3, 6, 0, tzinfo=zone),
        patient_id="p1",
        count=3,
    )
    assert len(offered) == 3
    for slot in offered:
        assert not spacing_violations(
            IV.phase("induction"), [*kept, slot.start], time_zone=NEW_YORK, occupancy_min=130
        )
        # Friday 7 March is the only day between the Wednesday and the Monday that keeps one
        # clear day each side and at most three infusions in any seven days.
        assert slot.start.astimezone(zone).date() == date(2025, 3, 7)
    assert offered[0].start.astimezone(zone).time() == time(8)


def test_a_reschedule_after_the_last_session_stays_inside_the_window():
    zone = ZoneInfo(NEW_YORK)
    kept = [datetime(2025, 3, d, 9, tzinfo=zone) for d in (3, 5, 7, 10, 12)]
    bookings = [Booking(s, s + timedelta(minutes=130), "chair-0", "p1") for s in kept]
    offered = next_valid_slots(
        setup(bookings=bookings),
        IV,
        "induction",
        PatientTimes(available=week(8, 18)),
        kept_session_starts=kept,
        earliest=datetime(2025, 3, 13, 0, tzinfo=zone),
        patient_id="p1",
        count=1000,
    )
    days = {s.start.astimezone(zone).date() for s in offered}
    assert min(days) == date(2025, 3, 14)
    assert max(days) == date(2025, 3, 23)


def test_it_refuses_an_unknown_time_zone():
    with pytest.raises(ValueError, match="time zone"):
        ClinicHours("Mars/Olympus", week(8, 18))


def test_it_refuses_a_window_that_ends_before_it_starts():
    with pytest.raises(ValueError, match="end after"):
        WeeklyWindow(0, time(18), time(8))


def test_it_refuses_a_booking_without_a_time_zone():
    with pytest.raises(ValueError, match="time zone"):
        Booking(datetime(2025, 3, 3, 9), datetime(2025, 3, 3, 10, tzinfo=UTC))  # noqa: DTZ001
