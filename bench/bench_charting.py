"""Benchmark (not a test): vital-sign saves and floor-board refreshes under a full clinic floor.

50 sessions run at once on PostgreSQL; each saves a set of vital signs every 15 seconds through
the page's own code path (the `charting:vitals` view, driven by Django's test client with the
HTMX header, so URL routing, middleware, sign-in, the idle time-out, CSRF-exempt test client
aside, form validation, the service, check_vitals, the alert rows and the hash-chained audit row
all run). Six viewers refresh the floor board (`charting:board_rows`, with the
`X-Remit-Background: 1` header the page sends). A baseline measured in the same run: the
round trip of a bare `SELECT 1`, and a single-row INSERT + COMMIT.

Reproduce (needs a PostgreSQL server; the script creates and drops its own database):

    .venv/bin/python bench/bench_charting.py --pg postgres://postgres@127.0.0.1:5432 --duration 75
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import random
import statistics
import sys
import threading
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
BENCH_DB = "remit_bench_charting"


def _database(base: str) -> str:
    import psycopg

    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")
    return f"{base}/{BENCH_DB}"


def _drop(base: str) -> None:
    import psycopg

    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def _setup(sessions: int) -> tuple[list[int], object, object]:
    """A clinic with `sessions` patients dosed and being monitored, built through the services."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from remit.accounts.services import role_groups_sync
    from remit.charting import services
    from remit.charting.tests.helpers import NORMAL, booked_appointment
    from remit.core.roles import Role
    from remit.core.tests.factories import (
        BodyMeasurementFactory,
        ClinicFactory,
        PatientFactory,
        ResourceFactory,
        staff_user,
    )

    role_groups_sync()
    clinic = ClinicFactory(name="Bench clinic")
    nurse = staff_user("bench-nurse", clinic, Role.NURSE)
    prescriber = staff_user("bench-prescriber", clinic, Role.PRESCRIBER)
    ids = []
    for n in range(sessions):
        patient = PatientFactory(clinic=clinic)
        BodyMeasurementFactory(patient=patient, weight_kg=Decimal(60 + n % 40))
        appointment = booked_appointment(
            clinic=clinic,
            patient=patient,
            resource=ResourceFactory(clinic=clinic, kind="infusion_chair", name=f"Chair {n + 1}"),
        )
        session = services.session_check_in(appointment=appointment, by=nurse)
        services.weight_basis_set(patient=patient, basis="actual", by=nurse)
        services.vitals_record(session=session, by=nurse, **NORMAL)
        check = services.gate_check(
            session=session,
            by=nurse,
            answers=services.GateAnswers(fasting_confirmed=True, ride_home_confirmed=True),
        )
        # Items other capabilities decide (today's questionnaire, the signed evaluation) are
        # not part of this benchmark: a prescriber overrides them, as at a real chair.
        for item in check.items:
            if item["status"] == "fail":
                services.gate_override(
                    session=session,
                    item_code=item["code"],
                    reason="Benchmark set-up: reviewed by the prescriber",
                    by=prescriber,
                )
        session.refresh_from_db()
        services.dose_record(session=session, by=nurse, entry=services.DoseInput())
        ids.append(session.pk)
    return ids, nurse, prescriber


def _client(user: Any) -> Any:
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    from remit.core.tests.factories import totp_device

    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = totp_device(user).persistent_id
    session.save()
    return client


def _load(
    queue: Any,
    part: int,
    args: argparse.Namespace,
    ids: list[int],
    viewers: int,
    nurse: object,
    start_at: float,
    stop_at: float,
) -> None:
    """One worker process: a thread per running session, per board viewer, and (in the first
    process) the baseline probe."""
    from django.db import connection, connections
    from django.urls import reverse

    samples: dict[str, list[float]] = {"vitals": [], "board": [], "select1": [], "insert": []}
    statuses: dict[str, dict[int, int]] = {"vitals": {}, "board": {}}
    lock = threading.Lock()

    def record(kind: str, seconds: float, status: int | None = None) -> None:
        with lock:
            samples[kind].append(seconds * 1000)
            if status is not None:
                statuses[kind][status] = statuses[kind].get(status, 0) + 1

    def loop(first_delay: float, every: float, action: Callable[[], None]) -> None:
        time.sleep(max(0.0, start_at - time.time()) + first_delay)
        next_at = time.time()
        try:
            while next_at < stop_at:
                action()
                next_at += every
                time.sleep(max(0.0, next_at - time.time()))
        finally:
            connections.close_all()

    def vitals_worker(index: int, session_id: int) -> Callable[[], None]:
        client = _client(nurse)
        url = reverse("charting:vitals", args=[session_id])
        rng = random.Random(f"{args.seed}:{session_id}")  # noqa: S311

        def save() -> None:
            high = rng.random() < 0.05
            data = {
                "systolic": rng.randint(176, 190) if high else rng.randint(110, 150),
                "diastolic": rng.randint(101, 112) if high else rng.randint(65, 88),
                "heart_rate": rng.randint(60, 100),
                "spo2": rng.randint(94, 100),
                "respiratory_rate": rng.randint(12, 20),
            }
            began = time.perf_counter()
            response = client.post(url, data, headers={"HX-Request": "true"})
            record("vitals", time.perf_counter() - began, response.status_code)

        return save

    def board_worker() -> Callable[[], None]:
        client = _client(nurse)
        url = reverse("charting:board_rows")
        headers = {"HX-Request": "true", "X-Remit-Background": "1"}

        def refresh() -> None:
            began = time.perf_counter()
            response = client.get(url, headers=headers)
            record("board", time.perf_counter() - began, response.status_code)

        return refresh

    def baseline() -> None:
        began = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        record("select1", time.perf_counter() - began)
        began = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_insert (at) VALUES (now())")
        record("insert", time.perf_counter() - began)

    total = len(ids) * args.processes or 1
    threads = [
        threading.Thread(
            target=loop,
            args=(
                (i * args.processes + part) * args.vitals_every / total,
                args.vitals_every,
                vitals_worker(i, sid),
            ),
        )
        for i, sid in enumerate(ids)
    ]
    threads += [
        threading.Thread(
            target=loop,
            args=(
                (v * args.processes + part) * args.board_every / max(args.viewers, 1),
                args.board_every,
                board_worker(),
            ),
        )
        for v in range(viewers)
    ]
    if part == 0:
        threads.append(threading.Thread(target=loop, args=(0.05, 0.25, baseline)))
    connections.close_all()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    queue.put((samples, statuses))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--duration", type=float, default=75.0, help="seconds of load")
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--viewers", type=int, default=6)
    parser.add_argument("--vitals-every", type=float, default=15.0)
    parser.add_argument("--board-every", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--processes", type=int, default=2, help="server worker processes")
    args = parser.parse_args()

    os.environ["REMIT_DATABASE_URL"] = _database(args.pg)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "remit.settings_test")
    import django

    django.setup()
    from django.db import connection, connections

    try:
        print(f"setting up {args.sessions} running sessions…", flush=True)
        ids, nurse, prescriber = _setup(args.sessions)
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE IF NOT EXISTS bench_insert (id serial, at timestamptz)")
        connection.close()

        connections.close_all()
        # A server runs several worker processes; the load is split over `--processes` of them
        # (forked after set-up), each with its own database connections and threads.
        context = multiprocessing.get_context("fork")
        queue = context.Queue()
        stop_at = time.time() + args.duration + 2.0
        start_at = time.time() + 2.0
        processes = [
            context.Process(
                target=_load,
                args=(
                    queue,
                    part,
                    args,
                    ids[part :: args.processes],
                    args.viewers // args.processes + (part < args.viewers % args.processes),
                    nurse,
                    start_at,
                    stop_at,
                ),
            )
            for part in range(args.processes)
        ]
        load_before = os.getloadavg()[0]
        print(f"running {args.duration:.0f} s of load in {args.processes} processes…", flush=True)
        for process in processes:
            process.start()
        samples: dict[str, list[float]] = {"vitals": [], "board": [], "select1": [], "insert": []}
        statuses: dict[str, dict[int, int]] = {"vitals": {}, "board": {}}
        for _ in processes:
            part_samples, part_statuses = queue.get()
            for kind, values in part_samples.items():
                samples[kind].extend(values)
            for kind, counts in part_statuses.items():
                for status, n in counts.items():
                    statuses[kind][status] = statuses[kind].get(status, 0) + n
        for process in processes:
            process.join()

        base = statistics.median(samples["select1"])
        print()
        print(
            f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs; "
            f"{args.sessions} sessions, {args.viewers} viewers, {args.duration:.0f} s, "
            f"{args.processes} worker processes; load average before: {load_before:.1f}"
        )
        print(f"statuses: vitals {statuses['vitals']}, board {statuses['board']}")
        print()
        ratio = "/ SELECT 1 p50"
        print(f"| measurement | samples | p50 (ms) | p95 (ms) | p50 {ratio} | p95 {ratio} |")
        print("|---|---|---|---|---|---|")
        for kind, label in (
            ("vitals", "vital-signs save (view, HTMX)"),
            ("board", "floor-board refresh (view, HTMX)"),
            ("select1", "baseline: SELECT 1 round trip"),
            ("insert", "baseline: single-row INSERT + COMMIT"),
        ):
            values = samples[kind]
            p50, p95 = _percentile(values, 50), _percentile(values, 95)
            print(
                f"| {label} | {len(values)} | {p50:.1f} | {p95:.1f} | {p50 / base:.0f}× | "
                f"{p95 / base:.0f}× |"
            )
        target = all(_percentile(samples[k], 95) < 100 for k in ("vitals", "board"))
        print()
        print(f"target p95 < 100 ms for both: {'met' if target else 'NOT met'}")
    finally:
        connections.close_all()
        _drop(args.pg)


if __name__ == "__main__":
    main()
