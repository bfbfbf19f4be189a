"""The partner supervisor's tables, against hand-computed figures: CAF's own calls, stations and agents only."""

import datetime as dt

import pytest

from tests.calls.conftest import paris
from visiorelais.statistics.periods import Period
from visiorelais.statistics.reports.partner import partner_tables

pytestmark = pytest.mark.django_db
MARCH = Period.month(2026, 3)
NOW = paris(2026, 4, 1, 12, 0)


def tables_of(user):
    return {table.key: table for table in partner_tables(user, MARCH, now=NOW)}


def by_first_column(table):
    return {row[0]: dict(zip([c.key for c in table.columns], row, strict=True)) for row in table.rows}


def test_the_key_figures_count_only_the_partners_own_calls(caf_month):
    figures = by_first_column(tables_of(caf_month.paula)["partenaire-chiffres-cles"])

    assert figures["Demandes d'appel"]["valeur"] == 5
    assert (figures["Taux de décroché"]["valeur"], figures["Taux de décroché"]["n"]) == (80.0, 5)
    assert figures["Attente moyenne"]["valeur"] == pytest.approx((10 + 20 + 90 + 30) / 4, abs=0.05)
    assert figures["Présence des postes"]["valeur"] == 2.0


def test_the_trend_goes_week_by_week_over_a_month(caf_month):
    table = tables_of(caf_month.paula)["partenaire-par-semaine"]

    weeks = {row[1]: row for row in table.rows}
    assert sorted(weeks) == [dt.date(2026, 2, 23) + dt.timedelta(weeks=n) for n in range(6)]
    assert table.values("requests") == [0, 5, 0, 0, 0, 0]
    assert weeks[dt.date(2026, 3, 2)][table.index("answer_rate")] == 80.0
    assert (1, "answer_rate") in table.weak


def test_stations_show_presence_occupancy_and_calls_answered(caf_month):
    table = tables_of(caf_month.paula)["partenaire-par-poste"]

    rows = by_first_column(table)
    assert set(rows) == {"CAF poste 1", "CAF poste 2"}
    assert rows["CAF poste 1"]["presence_hours"] == 2.0
    assert rows["CAF poste 1"]["occupancy"] == 12.5  # (10 + 5) min / 120 min
    assert (rows["CAF poste 1"]["calls_answered"], rows["CAF poste 2"]["calls_answered"]) == (3, 1)
    assert rows["CAF poste 2"]["occupancy"] is None


def test_agents_are_the_partners_own_with_their_calls_and_handle_time(caf_month):
    rows = by_first_column(tables_of(caf_month.paula)["partenaire-par-agent"])

    assert set(rows) == {"Alice", "Carla"}
    assert (rows["Alice"]["calls_answered"], rows["Carla"]["calls_answered"]) == (3, 1)
    assert rows["Alice"]["talk_mean"] == 300.0


def test_sites_show_the_requests_to_this_partner_only(caf_month):
    rows = by_first_column(tables_of(caf_month.paula)["partenaire-par-site"])

    assert rows["France Services de Coutances"]["requests"] == 4
    assert rows["France Services de Coutances"]["answer_rate"] == 75.0
    assert rows["Mairie de Saint-Lô"]["requests"] == 1  # and not CPAM's seven


def test_the_requests_heatmap_counts_per_hour_and_weekday(caf_month):
    table = tables_of(caf_month.paula)["partenaire-demandes-heure-semaine"]

    rows = {row[0]: row for row in table.rows}
    monday = table.index("lundi")
    assert [rows[hour][monday] for hour in ("9 h – 10 h", "10 h – 11 h", "14 h – 15 h")] == [2, 2, 1]
    assert sum(sum(row[1:]) for row in table.rows) == 5


def test_the_coverage_heatmap_shares_each_hours_service_time_staffed(caf_month):
    """Five Mondays in March 2026, CAF open 9–12 and 13:30–16:30; station 1 seated only 9–11 on the 2nd."""
    table = tables_of(caf_month.paula)["partenaire-couverture-heure-semaine"]

    rows = {row[0]: row for row in table.rows}
    monday, saturday = table.index("lundi"), table.index("samedi")
    assert rows["9 h – 10 h"][monday] == 20.0
    assert rows["10 h – 11 h"][monday] == 20.0
    assert rows["11 h – 12 h"][monday] == 0.0
    assert rows["13 h – 14 h"][monday] == 0.0
    assert rows["9 h – 10 h"][saturday] is None
    assert (0, "lundi") in table.weak  # 5 open Mondays < 10


def test_offer_acceptance_per_station_counts_each_offer(caf_month):
    rows = by_first_column(tables_of(caf_month.paula)["partenaire-acceptation-par-poste"])

    station_1 = rows["CAF poste 1"]
    assert (station_1["offers_accepted"], station_1["offers_declined"], station_1["offers_timed_out"]) == (3, 1, 0)
    assert station_1["offer_acceptance"] == 75.0


def test_no_table_holds_a_figure_or_a_name_of_another_partner(caf_month):
    text = repr([(t.title, t.columns, t.rows, t.notes) for t in partner_tables(caf_month.paula, MARCH, now=NOW)])

    assert "CPAM" not in text and "Bob" not in text
    assert "Caisse primaire" not in text
