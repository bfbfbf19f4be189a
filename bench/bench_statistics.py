"""Statistics at scale: the operator's network dashboard and the call-level CSV over one million calls, PostgreSQL.

A private database (`visio_bench_stats_<pid>` on postgres://postgres@127.0.0.1:5432, created and dropped here) is
migrated; 45 host sites with one kiosk each and the seven partners are created; one million CallFact rows over two
years are written with COPY (partner shares, outcomes, waits and durations like the demo's), then ANALYZE.

    stats_dashboard_p95_ms   the operator's network page (/statistiques/reseau/): every table its builder
                             `reports.network.network_tables` makes for the last full month (key figures, twelve
                             months by partner, shares, site x partner, heatmaps, presence, data quality)
                             (20 runs after 2 warm-ups; target < 1,000 ms)
    stats_steering_year_p95_ms  the observers' steering page for the last full year (trends against the year
                             before, weakest points, key figures)
    stats_export_1m_s        statistics.exports.call_facts_csv over the two years (1,000,000 lines), consumed

    python -m bench                  every benchmark
    python -c 'from bench import bench_statistics as b; print(list(b.run()))'
"""

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
SERVER = "postgres://postgres@127.0.0.1:5432"
CALLS = int(os.environ.get("BENCH_STATS_CALLS", "1000000"))
RUNS = 20


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        connection.execute(sql)


def run() -> Iterator[tuple[str, float, str]]:
    name = f"visio_bench_stats_{os.getpid()}"
    _admin(f'CREATE DATABASE "{name}"')
    try:
        env = {**os.environ, "DATABASE_URL": f"{SERVER}/{name}", "DJANGO_SETTINGS_MODULE": "visiorelais.settings"}
        result = subprocess.run(
            [sys.executable, "-m", "bench.bench_statistics", "--measure"],
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=3600,
        )
        if result.returncode != 0:
            raise RuntimeError(f"bench_statistics failed ({result.returncode}):\n{result.stderr[-4000:]}")
        figures = json.loads(result.stdout.strip().splitlines()[-1])
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    yield ("stats_dashboard_p95_ms", figures["dashboard_p95_ms"], "ms")
    yield ("stats_dashboard_p50_ms", figures["dashboard_p50_ms"], "ms")
    yield ("stats_steering_year_p95_ms", figures["steering_p95_ms"], "ms")
    yield ("stats_export_1m_s", figures["export_s"], "s")


def _measure() -> dict:
    import datetime as dt
    import math
    import random
    import statistics
    import time

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from visiorelais.network.models import HostAuthority, HostSite, Kiosk, Partner
    from visiorelais.statistics.exports import call_facts_csv
    from visiorelais.statistics.models import CallFact
    from visiorelais.statistics.periods import PARIS, Period
    from visiorelais.statistics.reports.network import network_tables
    from visiorelais.statistics.reports.steering import steering_tables

    call_command("migrate", verbosity=0)
    authority = HostAuthority.objects.create(name="Bench", kind=HostAuthority.Kind.COMMUNE)
    kiosks = []
    for index in range(45):
        site = HostSite.objects.create(
            authority=authority,
            name=f"Site {index}",
            kind=HostSite.Kind.OTHER,
            address="1 rue",
            postcode="50000",
            commune=f"Commune {index}",
            insee_code="50502",
        )
        kiosks.append(Kiosk.objects.create(site=site, code=f"BRN-B{index:02d}", label=f"Borne {index}"))
    shares = {"CAF": 0.65, "MSA": 0.16, "CPAM": 0.14, "URSSAF": 0.02, "CDAD": 0.015, "SDeau50": 0.01, "FT": 0.005}
    partners = {name: Partner.objects.create(name=name, short_name=name) for name in shares}

    rng = random.Random(7)  # noqa: S311
    this_year = dt.date.today().year
    start = dt.datetime(this_year - 2, 1, 1, tzinfo=PARIS)
    span = 2 * 365 * 86400
    weights = [math.exp(rng.gauss(0, 0.7)) for _ in kiosks]
    outcomes = [
        ("completed", 0.74),
        ("failed", 0.015),
        ("unavailable_closed", 0.1),
        ("unavailable_unstaffed", 0.04),
        ("abandoned", 0.08),
        ("abandoned_short", 0.012),
        ("declined", 0.01),
        ("unanswered", 0.003),
    ]
    columns = [field.column for field in CallFact._meta.concrete_fields]
    started = time.perf_counter()
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY statistics_callfact ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for call_id in range(1, CALLS + 1):
            at = start + dt.timedelta(seconds=span * call_id / CALLS)
            local = at.astimezone(PARIS)
            day = local.date()
            kiosk = rng.choices(kiosks, weights)[0]
            partner = partners[rng.choices(list(shares), list(shares.values()))[0]]
            outcome = rng.choices([o for o, _ in outcomes], [w for _, w in outcomes])[0]
            answered = outcome in ("completed", "failed")
            wait = rng.expovariate(1 / 40) if outcome not in ("unavailable_closed", "unavailable_unstaffed") else 0.0
            talk = rng.lognormvariate(math.log(600), 0.5) if answered else None
            wrap = rng.uniform(30, 240) if answered else None
            rating = rng.choice([5, 5, 5, 4, 4, 3, 2, 1]) if answered and rng.random() < 0.55 else None
            values = {
                "call_id": call_id,
                "partner_id": partner.pk,
                "kiosk_id": kiosk.pk,
                "site_id": kiosk.site_id,
                "topic_id": None,
                "appointment": False,
                "requested_at": at,
                "day": day,
                "week": day - dt.timedelta(days=day.weekday()),
                "month": day.replace(day=1),
                "hour_of_week": day.weekday() * 24 + local.hour,
                "ended_at": at + dt.timedelta(seconds=wait + (talk or 0)),
                "outcome": outcome,
                "end_reason": "",
                "answered": answered,
                "wait_seconds": wait,
                "talk_seconds": talk,
                "wrap_up_seconds": wrap,
                "offers": 1 if answered else 0,
                "offers_accepted": 1 if answered else 0,
                "offers_declined": 0,
                "offers_timed_out": 0,
                "offers_cancelled": 0,
                "rating": rating,
                "station_id": None,
                "agent_id": None,
                "last_event_id": call_id,
            }
            copy.write_row([values[column] for column in columns])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE statistics_callfact")
    print(f"{CALLS} facts written in {time.perf_counter() - started:.0f} s", file=sys.stderr)

    def p95(samples: list[float]) -> float:
        return round(statistics.quantiles(samples, n=100, method="inclusive")[94])

    def timed(build, period) -> list[float]:
        samples = []
        for run in range(RUNS + 2):
            begin = time.perf_counter()
            tables = build(None, period)
            if run >= 2:
                samples.append((time.perf_counter() - begin) * 1000)
        assert any(row for table in tables for row in table.rows)
        return samples

    samples = timed(network_tables, Period.month(this_year - 1, 12))
    steering = timed(steering_tables, Period.year(this_year - 1))
    begin = time.perf_counter()
    size = sum(len(chunk) for chunk in call_facts_csv(period=Period(start.date(), dt.date(this_year - 1, 12, 31))))
    export_s = time.perf_counter() - begin
    print(f"export: {size / 1e6:.0f} MB", file=sys.stderr)
    return {
        "dashboard_p50_ms": round(statistics.median(samples)),
        "dashboard_p95_ms": p95(samples),
        "steering_p95_ms": p95(steering),
        "export_s": round(export_s, 1),
    }


if __name__ == "__main__" and "--measure" in sys.argv:
    print(json.dumps(_measure()))
