"""The host-site manager's tables, against hand-computed figures: its own sites only, and no agent anywhere."""

import datetime as dt

import pytest

from tests.calls.conftest import paris
from visiorelais.statistics.periods import Period
from visiorelais.statistics.reports.site import site_tables

pytestmark = pytest.mark.django_db
MONDAY = Period.day(dt.date(2026, 3, 2))
NOW = paris(2026, 3, 3, 9, 0)


def tables_of(user):
    return {table.key: table for table in site_tables(user, MONDAY, now=NOW)}


def rows_by(table, *keys):
    columns = [column.key for column in table.columns]
    return {tuple(row[table.index(k)] for k in keys): dict(zip(columns, row, strict=True)) for row in table.rows}


def test_each_kiosk_then_the_whole_site_with_requests_answer_rate_waits_and_satisfaction(coutances_day):
    rows = rows_by(tables_of(coutances_day.mona)["site-par-borne"], "kiosk")

    first = rows[("BRN-COUT-01 — Borne de Coutances",)]
    assert (first["requests"], first["answer_rate"], first["wait_mean"]) == (5, 100.0, 20.0)
    assert (first["satisfaction_top"], first["satisfaction_mean"]) == (66.7, 4.0)
    second = rows[("BRN-COUT-02 — Seconde borne",)]
    assert (second["requests"], second["answer_rate"], second["long_abandon_rate"]) == (1, 0.0, 100.0)
    whole = rows[("Ensemble du site",)]
    assert (whole["requests"], whole["answer_rate"]) == (6, 75.0)


def test_requests_by_partner_at_each_site(coutances_day):
    rows = rows_by(tables_of(coutances_day.mona)["site-par-partenaire"], "partner")

    assert (rows[("CAF",)]["requests"], rows[("CAF",)]["answer_rate"]) == (4, 66.7)
    assert (rows[("CPAM",)]["requests"], rows[("CPAM",)]["answer_rate"]) == (2, 100.0)


def test_unavailability_is_split_between_closed_and_no_one_staffed(coutances_day):
    (row,) = rows_by(tables_of(coutances_day.mona)["site-indisponibilites"], "site").values()

    assert row["requests_ended"] == 6
    assert (row["unavailability_rate"], row["unavailable_closed_rate"], row["unavailable_unstaffed_rate"]) == (
        33.3,
        16.7,
        16.7,
    )
    assert row["access_rate"] == 66.7


def test_kiosk_and_peripheral_uptime_over_the_opening_hours(coutances_day):
    table = tables_of(coutances_day.mona)["site-disponibilite-bornes"]
    rows = rows_by(table, "kiosk")

    first = rows[("BRN-COUT-01 — Borne de Coutances",)]
    assert first["kiosk_uptime"] == 50.0  # online 9:00–10:30 of 9:00–12:00
    second = rows[("BRN-COUT-02 — Seconde borne",)]
    assert (second["kiosk_uptime"], second["scanner_uptime"]) == (0.0, None)


def test_the_manager_sees_no_other_site_and_no_agent_or_station(coutances_day):
    tables = site_tables(coutances_day.mona, MONDAY, now=NOW)
    text = repr([(t.title, t.scope_label, t.columns, t.rows, t.notes) for t in tables])

    assert "Saint-Lô" not in text
    assert "Alice" not in text and "alice" not in text
    assert "CAF poste 1" not in text and "CPAM poste 1" not in text
    assert not [c.key for t in tables for c in t.columns if "agent" in c.key or "station" in c.key]
    assert sum(tables[0].values("requests")) == 6 + 6  # the two kiosks, then the whole site, all Coutances
