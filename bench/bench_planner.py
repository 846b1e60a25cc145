"""Benchmark: greedy first-fit vs CP-SAT on a month of new courses in one clinic.

200 IV-ketamine induction series, 40 esketamine inductions and 30 TMS courses, booked into a clinic
with 6 infusion chairs, 2 esketamine rooms and 2 TMS devices over 4 weeks, with generated, seeded
patient availabilities. Not a test: run it by hand and copy the table into bench/README.md.

    .venv/bin/python bench/bench_planner.py --time-limit 60 --workers 2 --seed 7
"""

from __future__ import annotations

import argparse
import platform
import random
from datetime import date, time, timedelta

from remit.protocols import ResourceKind, StaffRole, load_library
from remit.scheduling.availability import (
    ClinicHours,
    ClinicSetup,
    PatientTimes,
    Resource,
    StaffMember,
    WeeklyWindow,
)
from remit.scheduling.planner import plan_courses
from remit.scheduling.planning import CourseRequest, Plan

FIRST_DAY = date(2025, 3, 3)  # a Monday; US clocks change on 9 March, inside the period
LAST_DAY = FIRST_DAY + timedelta(days=27)
WEEKDAYS = range(5)


def windows(days: range | list[int], start: int, end: int) -> tuple[WeeklyWindow, ...]:
    return tuple(WeeklyWindow(d, time(start), time(end)) for d in days)


def clinic() -> ClinicSetup:
    hours = windows(WEEKDAYS, 7, 19) + windows([5], 8, 14)
    resources = (
        tuple(Resource(f"chair-{i}", ResourceKind.INFUSION_CHAIR) for i in range(1, 7))
        + tuple(Resource(f"esk-room-{i}", ResourceKind.ESKETAMINE_ROOM) for i in range(1, 3))
        + tuple(Resource(f"tms-{i}", ResourceKind.TMS_DEVICE) for i in range(1, 3))
    )
    nurse = StaffRole.NURSE
    staff = (
        # Early and late nurse shifts overlap at midday; Saturday has two nurses.
        *(StaffMember(f"nurse-early-{i}", nurse, windows(WEEKDAYS, 7, 15)) for i in range(3)),
        *(StaffMember(f"nurse-late-{i}", nurse, windows(WEEKDAYS, 11, 19)) for i in range(3)),
        *(StaffMember(f"nurse-sat-{i}", nurse, windows([5], 8, 14)) for i in range(2)),
        # Prescribers are on site on some days only, which limits esketamine.
        StaffMember("prescriber-a", StaffRole.PRESCRIBER, windows([0, 1, 2, 3], 8, 17)),
        StaffMember("prescriber-b", StaffRole.PRESCRIBER, windows([1, 4], 12, 19)),
        StaffMember("tech-early", StaffRole.TMS_TECHNICIAN, windows(WEEKDAYS, 7, 15)),
        StaffMember("tech-late", StaffRole.TMS_TECHNICIAN, windows(WEEKDAYS, 11, 19)),
        StaffMember(
            "tech-split",
            StaffRole.TMS_TECHNICIAN,
            windows(WEEKDAYS, 7, 11) + windows(WEEKDAYS, 15, 19),
        ),
        StaffMember("tech-sat", StaffRole.TMS_TECHNICIAN, windows([5], 8, 14)),
    )
    return ClinicSetup(ClinicHours("America/New_York", hours), resources, staff)


def patient_times(rng: random.Random, *, min_days: int, saturday: bool) -> PatientTimes:
    """A plausible working adult: some weekdays, a part of the day, a narrower preferred time."""
    pattern = rng.choices(
        ["morning", "afternoon", "flexible", "evening"], weights=[3, 3, 2, 2], k=1
    )[0]
    start, end = {
        "morning": (7, 13),
        "afternoon": (12, 19),
        "flexible": (8, 18),
        "evening": (15, 19),
    }[pattern]
    days = sorted(rng.sample(list(WEEKDAYS), rng.randint(min_days, 5)))
    available = windows(days, start, end)
    if saturday and rng.random() < 0.4:
        available += windows([5], 8, 14)
    pref_days = rng.sample(days, max(1, len(days) // 2))
    pref_start = rng.randint(start, max(start, end - 3))
    preferred = windows(sorted(pref_days), pref_start, min(end, pref_start + 3))
    return PatientTimes(available=available, preferred=preferred)


def requests(seed: int) -> list[CourseRequest]:
    rng = random.Random(seed)
    library = load_library()
    out: list[CourseRequest] = []
    for i in range(200):
        out.append(
            CourseRequest(
                f"iv-{i:03}",
                f"pt-iv-{i:03}",
                library["iv-ketamine-induction"],
                "induction",
                patient_times(rng, min_days=2, saturday=True),
                earliest_start=FIRST_DAY + timedelta(days=rng.randint(0, 7)),
            )
        )
    for i in range(40):
        out.append(
            CourseRequest(
                f"esk-{i:02}",
                f"pt-esk-{i:02}",
                library["esketamine-trd"],
                "induction",
                patient_times(rng, min_days=2, saturday=False),
                earliest_start=FIRST_DAY + timedelta(days=rng.randint(0, 3)),
            )
        )
    tms_mix = (
        ["tms-10hz"] * 12 + ["tms-10hz-short"] * 6 + ["itbs"] * 9 + ["accelerated-itbs-snt"] * 3
    )
    for i, code in enumerate(tms_mix):
        protocol = library[code]
        phase = protocol.phases[0]
        # A 4-week period holds the shortest sourced course: 20 sessions [S94], [S98].
        count = phase.min_sessions if phase.min_sessions < phase.session_count else None
        out.append(
            CourseRequest(
                f"tms-{i:02}",
                f"pt-tms-{i:02}",
                protocol,
                phase.code,
                patient_times(rng, min_days=5, saturday=True),
                earliest_start=FIRST_DAY + timedelta(days=rng.randint(0, 2)),
                session_count=count,
            )
        )
    # Referrals arrive in no particular order; first-fit books them as they come.
    rng.shuffle(out)
    return out


def row(plan: Plan) -> str:
    chair = plan.utilisation[ResourceKind.INFUSION_CHAIR]
    room = plan.utilisation[ResourceKind.ESKETAMINE_ROOM]
    tms = plan.utilisation[ResourceKind.TMS_DEVICE]
    courses = len({s.course_id for s in plan.sessions})
    gap = f"{plan.gap:.1%}" if plan.gap is not None else "n/a"
    return (
        f"| {plan.method} | {plan.wall_time_s:.1f} | {plan.sessions_placed} / "
        f"{plan.sessions_requested} | {courses} / 270 | {chair:.1%} | {room:.1%} | {tms:.1%} | "
        f"{plan.preferred_hits} ({plan.preferred_hits / max(1, plan.sessions_placed):.0%}) | "
        f"{plan.score} | {gap} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--time-limit", type=float, default=60.0, help="CP-SAT seconds")
    parser.add_argument("--workers", type=int, default=2, help="CP-SAT search workers")
    parser.add_argument("--seed", type=int, default=7, help="patient generator and solver seed")
    args = parser.parse_args()
    setup = clinic()
    reqs = requests(args.seed)
    common = {"first_day": FIRST_DAY, "last_day": LAST_DAY, "seed": args.seed}
    greedy = plan_courses(setup, reqs, method="greedy", **common)
    optimised = plan_courses(
        setup, reqs, method="cp-sat", time_limit_s=args.time_limit, workers=args.workers, **common
    )
    print(
        f"Python {platform.python_version()} on {platform.machine()}, "
        f"time limit {args.time_limit:g} s, {args.workers} workers, seed {args.seed}; "
        f"CP-SAT status {optimised.solver_status}\n"
    )
    print(
        "| planner | wall time (s) | sessions placed | courses placed | chair use | "
        "esketamine room use | TMS device use | preferred-time hits | score | gap to bound |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    print(row(greedy))
    print(row(optimised))
    reasons: dict[str, int] = {}
    for item in optimised.unplaced:
        reasons[item.constraint] = reasons.get(item.constraint, 0) + 1
    print(
        "\nCourses CP-SAT could not place, by first failing constraint family:",
        ", ".join(f"{k} {v}" for k, v in sorted(reasons.items())) or "none",
    )
    if optimised.unplaced:
        print(
            "Example explanation:",
            optimised.unplaced[0].course_id,
            "-",
            optimised.unplaced[0].message,
        )


if __name__ == "__main__":
    main()
