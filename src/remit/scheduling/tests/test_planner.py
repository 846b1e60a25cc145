from __future__ import annotations

from collections import Counter
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from remit.protocols import ProtocolError, ResourceKind, StaffRole, load_library
from remit.scheduling.availability import (
    ClinicHours,
    ClinicSetup,
    PatientTimes,
    Resource,
    StaffMember,
    WeeklyWindow,
    spacing_violations,
)
from remit.scheduling.planner import plan_courses
from remit.scheduling.planning import CourseRequest, Plan, PlannedSession

LIBRARY = load_library()
ZONE = "America/New_York"
MONDAY = date(2025, 3, 3)
WEEKDAYS = range(5)


def week(start: int, end: int, days=WEEKDAYS) -> tuple[WeeklyWindow, ...]:
    return tuple(WeeklyWindow(d, time(start), time(end)) for d in days)


def clinic(chairs=2, rooms=1, devices=1, staff=None, hours=None) -> ClinicSetup:
    resources = (
        tuple(Resource(f"chair-{i}", ResourceKind.INFUSION_CHAIR) for i in range(chairs))
        + tuple(Resource(f"room-{i}", ResourceKind.ESKETAMINE_ROOM) for i in range(rooms))
        + tuple(Resource(f"tms-{i}", ResourceKind.TMS_DEVICE) for i in range(devices))
    )
    if staff is None:
        staff = (
            StaffMember("nurse-1", StaffRole.NURSE, week(7, 19)),
            StaffMember("nurse-2", StaffRole.NURSE, week(7, 19)),
            StaffMember("dr", StaffRole.PRESCRIBER, week(8, 17)),
            StaffMember("tech", StaffRole.TMS_TECHNICIAN, week(7, 19)),
        )
    return ClinicSetup(ClinicHours(ZONE, hours or week(7, 19)), resources, staff)


def request(course_id, code, phase, available=None, preferred=(), **kw) -> CourseRequest:
    times = PatientTimes(available=available or week(7, 19), preferred=preferred)
    return CourseRequest(
        course_id, kw.pop("patient_id", f"pt-{course_id}"), LIBRARY[code], phase, times, **kw
    )


def plan(setup, requests, days=28, method="cp-sat", limit=2.0) -> Plan:
    return plan_courses(
        setup,
        requests,
        first_day=MONDAY,
        last_day=MONDAY + timedelta(days=days),
        method=method,
        time_limit_s=limit,
    )


def assert_sound(result: Plan, requests) -> None:
    """Spacing holds for every course and no chair, room or device is double-booked."""
    by_id = {r.course_id: r for r in requests}
    for course_id in {s.course_id for s in result.sessions}:
        r = by_id[course_id]
        starts = [s.start for s in result.sessions if s.course_id == course_id]
        assert not spacing_violations(
            r.protocol.phase(r.phase_code),
            starts,
            time_zone=ZONE,
            occupancy_min=r.protocol.session.occupancy_min,
        )
    by_unit: dict[str, list[PlannedSession]] = {}
    for s in result.sessions:
        by_unit.setdefault(s.resource_id, []).append(s)
    for sessions in by_unit.values():
        sessions.sort(key=lambda s: s.start)
        assert all(a.end <= b.start for a, b in zip(sessions, sessions[1:], strict=False))


def test_it_books_a_whole_iv_induction_series():
    reqs = [request("a", "iv-ketamine-induction", "induction")]
    result = plan(clinic(), reqs)
    assert result.sessions_placed == 6 and not result.unplaced
    assert_sound(result, reqs)
    days = sorted(s.start.astimezone(ZoneInfo(ZONE)).date() for s in result.sessions)
    assert all((b - a).days >= 2 for a, b in zip(days, days[1:], strict=False))
    assert (days[-1] - days[0]).days < 21


@pytest.mark.parametrize(
    ("code", "phase"),
    [(code, phase.code) for code, p in sorted(LIBRARY.items()) for phase in p.phases],
)
def test_every_library_phase_is_booked_within_its_spacing_rules(code, phase):
    reqs = [request("x", code, phase, available=week(7, 19, range(6)))]
    setup = clinic(
        hours=week(7, 19, range(6)),
        staff=tuple(StaffMember(f"s-{r.value}", r, week(7, 19, range(6))) for r in StaffRole),
    )
    window = LIBRARY[code].phase(phase).spacing.window_days
    result = plan(setup, reqs, days=window + 7, method="greedy")
    assert result.sessions_placed == LIBRARY[code].phase(phase).session_count
    assert_sound(result, reqs)


def test_every_esketamine_session_has_a_prescriber_on_site_throughout():
    staff = (
        StaffMember("nurse", StaffRole.NURSE, week(7, 19)),
        StaffMember("dr-a", StaffRole.PRESCRIBER, week(9, 13, [0, 3])),
        StaffMember("dr-b", StaffRole.PRESCRIBER, week(13, 18, [1, 4])),
    )
    reqs = [request(f"e{i}", "esketamine-trd", "induction") for i in range(3)]
    result = plan(clinic(rooms=2, staff=staff), reqs)
    assert result.sessions_placed >= 8
    zone = ZoneInfo(ZONE)
    for s in result.sessions:
        start, end = s.start.astimezone(zone), s.end.astimezone(zone)
        covered = any(
            w.weekday == start.weekday() and w.start <= start.time() and end.time() <= w.end
            for m in staff[1:]
            for w in m.weekly
        )
        assert covered, s
    assert_sound(result, reqs)


def test_the_nurse_ratio_caps_patients_in_chairs_at_once():
    staff = (StaffMember("nurse", StaffRole.NURSE, week(7, 19)),)
    reqs = [
        request(f"c{i}", "iv-ketamine-induction", "induction", available=week(9, 12))
        for i in range(4)
    ]
    result = plan(clinic(chairs=4, staff=staff), reqs)
    starts = Counter(s.start for s in result.sessions)
    assert max(starts.values()) <= 2
    assert_sound(result, reqs)


def test_a_series_keeps_its_local_time_across_the_clock_change():
    reqs = [
        request(
            "a", "iv-ketamine-induction", "induction", available=week(9, 12), preferred=week(9, 12)
        )
    ]
    result = plan(clinic(), reqs)
    local = {s.start.astimezone(ZoneInfo(ZONE)).time() for s in result.sessions}
    utc_hours = {s.start.hour for s in result.sessions}
    assert local == {time(9)}
    assert utc_hours == {13, 14}


def test_it_explains_a_patient_free_only_one_day_a_week():
    reqs = [request("a", "iv-ketamine-induction", "induction", available=week(7, 19, [2]))]
    (why,) = plan(clinic(), reqs).unplaced
    assert why.constraint == "patient_times"
    assert "only 1 day(s) a week but the protocol needs 2" in why.message


def test_it_explains_that_no_prescriber_is_on_site_for_esketamine():
    staff = (StaffMember("nurse", StaffRole.NURSE, week(7, 19)),)
    reqs = [request("e", "esketamine-trd", "induction")]
    (why,) = plan(clinic(staff=staff), reqs).unplaced
    assert why.constraint == "staff"
    assert "no prescriber on site" in why.message


def test_it_explains_a_clinic_with_no_opening_hours_left():
    reqs = [request("a", "iv-ketamine-induction", "induction")]
    (why,) = plan(clinic(hours=week(8, 9)), reqs).unplaced
    assert why.constraint == "opening_hours"
    assert "no opening hours left in the 21-day window" in why.message


def test_it_explains_a_course_that_starts_too_late_for_the_period():
    reqs = [
        request(
            "a", "iv-ketamine-induction", "induction", earliest_start=MONDAY + timedelta(days=24)
        )
    ]
    (why,) = plan(clinic(), reqs).unplaced
    assert why.constraint == "horizon"


def test_it_explains_a_full_chair():
    reqs = [
        request(f"c{i}", "iv-ketamine-induction", "induction", available=week(9, 12, [0, 2, 4]))
        for i in range(2)
    ]
    result = plan(clinic(chairs=1), reqs, days=20)
    assert result.sessions_placed == 6
    (why,) = result.unplaced
    assert why.constraint == "capacity"


def test_two_courses_of_one_patient_never_overlap():
    reqs = [
        request("a", "iv-ketamine-induction", "induction", patient_id="p"),
        request("b", "tms-10hz", "acute", patient_id="p", session_count=20),
    ]
    result = plan(clinic(), reqs)
    mine = sorted(result.sessions, key=lambda s: s.start)
    assert all(a.end <= b.start for a, b in zip(mine, mine[1:], strict=False))


def test_it_refuses_a_session_count_the_phase_does_not_allow():
    with pytest.raises(ProtocolError, match="allows 20-30"):
        plan(clinic(), [request("t", "tms-10hz", "acute", session_count=40)])


def test_it_refuses_a_zero_time_limit():
    with pytest.raises(ValueError, match="time limit"):
        plan(clinic(), [request("a", "iv-ketamine-induction", "induction")], limit=0)


patients = st.lists(
    st.tuples(
        st.sampled_from(["iv-ketamine-induction", "esketamine-trd", "itbs"]),
        st.sets(st.sampled_from(list(WEEKDAYS)), min_size=2, max_size=5),
        st.integers(min_value=7, max_value=14),
        st.integers(min_value=0, max_value=5),
    ),
    min_size=2,
    max_size=7,
)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(patients)
def test_cp_sat_never_does_worse_than_greedy(generated):
    reqs = []
    for i, (code, days, start, earliest) in enumerate(generated):
        phase = LIBRARY[code].phases[0]
        reqs.append(
            request(
                f"c{i}",
                code,
                phase.code,
                available=week(start, start + 5, sorted(days)),
                earliest_start=MONDAY + timedelta(days=earliest),
                session_count=phase.min_sessions if code == "itbs" else None,
            )
        )
    setup = clinic(chairs=1, rooms=1, devices=1)
    greedy = plan(setup, reqs, method="greedy")
    optimised = plan(setup, reqs, limit=0.5)
    assert optimised.score >= greedy.score
    assert optimised.sessions_placed >= greedy.sessions_placed or optimised.score > greedy.score
    assert_sound(optimised, reqs)
