"""The operator's network page: each table's numbers against hand-computed values, and who may open it."""

import csv
import datetime as dt
import io
import itertools

import pytest

from tests.calls.conftest import paris
from tests.statistics.conftest import record_call
from visiorelais.calls.models import Call, CallEvent
from visiorelais.statistics.models import StationInterval
from visiorelais.statistics.periods import Period
from visiorelais.statistics.reports import network
from visiorelais.statistics.services import call_facts_refresh
from visiorelais.statistics.views.registry import PAGES

pytestmark = pytest.mark.django_db
O = Call.Outcome  # noqa: E741
MARCH = Period.month(2026, 3)
NOW = paris(2026, 4, 1, 12, 0)
event_ids = itertools.count(1)


@pytest.fixture
def march(world):
    """March 2026: 12 CAF calls at Coutances (10 answered within 20 s on Monday 2 at 9 h, 2 long abandons at
    10 h), 3 CPAM calls answered at Saint-Lô on Tuesday 3 at 8 h, 1 CPAM call at Coutances on Saturday 7 at 14 h
    while closed; one CAF call in February. CAF poste 1 was available 9 h–11 h and busy 11 h–12 h on Monday 2."""
    caf, cpam = world.caf, world.cpam
    for index in range(10):
        record_call(
            world.kiosk_coutances,
            caf,
            paris(2026, 3, 2, 9, index),
            outcome=O.COMPLETED,
            wait=20,
            talk=300,
            station=world.caf_station_1,
        )
    for index in range(2):
        record_call(world.kiosk_coutances, caf, paris(2026, 3, 2, 10, index), outcome=O.ABANDONED, wait=30)
    for index in range(3):
        record_call(world.kiosk_saint_lo, cpam, paris(2026, 3, 3, 8, 45 + index), outcome=O.COMPLETED, wait=90, talk=60)
    record_call(world.kiosk_coutances, cpam, paris(2026, 3, 7, 14, 0), outcome=O.UNAVAILABLE, reason="closed")
    record_call(world.kiosk_coutances, caf, paris(2026, 2, 16, 9, 0), outcome=O.COMPLETED, wait=10, talk=100)
    call_facts_refresh()
    # Written after the refresh, which rebuilds intervals from station events.
    for state, start, end in (("available", 9, 11), ("busy", 11, 12)):
        StationInterval.objects.create(
            station=world.caf_station_1,
            partner=caf,
            state=state,
            start=paris(2026, 3, 2, start, 0),
            end=paris(2026, 3, 2, end, 0),
            start_event_id=next(event_ids) + 10_000,
        )
    return world


def tables(period=MARCH, now=NOW):
    return {table.key: table for table in network.network_tables(None, period, now=now)}


def row(table, first_cell):
    found = [r for r in table.rows if r[0] == first_cell]
    assert len(found) == 1, (first_cell, table.rows)
    return dict(zip([c.key for c in table.columns], found[0], strict=True)), table.rows.index(found[0])


def test_the_key_figures_hold_every_metric_with_hand_computed_values(march):
    figures = tables()["chiffres-cles"]
    names = figures.values("indicateur")

    requests, _ = row(figures, "Demandes d'appel")
    answer, answer_index = row(figures, "Taux de décroché")
    caf_share, _ = row(figures, "Part de chaque partenaire : CAF")
    cpam_share, _ = row(figures, "Part de chaque partenaire : CPAM")
    assert (requests["valeur"], requests["unite"], requests["n"]) == (16, "appels", 16)
    # 13 answered of 15 queued (16 ended, 1 unavailable).
    assert (answer["valeur"], answer["n"], answer["statut"]) == (86.7, 15, "à surveiller")
    assert (caf_share["valeur"], cpam_share["valeur"], caf_share["n"]) == (75.0, 25.0, 16)
    assert "Couverture des horaires" in names and "Disponibilité des imprimantes" in names
    assert len(figures.rows) == 21 + 2 + 6  # call metrics, a share per partner, time metrics
    assert (answer_index, "valeur") not in figures.weak
    satisfaction, satisfaction_index = row(figures, "Satisfaction moyenne")
    assert satisfaction["n"] == 0 and satisfaction["statut"] == "non significatif"
    assert (satisfaction_index, "valeur") in figures.weak
    assert any(
        note.startswith("Taux de décroché : appels décrochés") and "bon ≥ 90 %" in note for note in figures.notes
    )


def test_requests_and_answer_rate_by_month_and_partner_cover_the_twelve_months_to_the_chosen_one(march):
    found = tables()
    requests, answers = found["demandes-par-mois"], found["decroche-par-mois"]
    caf, cpam = f"p{march.caf.pk}", f"p{march.cpam.pk}"

    assert requests.values("debut")[0] == dt.date(2025, 4, 1) and requests.values("debut")[-1] == dt.date(2026, 3, 1)
    february, _ = row(requests, "février 2026")
    march_requests, _ = row(requests, "mars 2026")
    assert (february[caf], february[cpam], february["ensemble"]) == (1, 0, 1)
    assert (march_requests[caf], march_requests[cpam], march_requests["ensemble"]) == (12, 4, 16)
    assert requests.chart.kind == "stacked" and requests.chart.series == (caf, cpam)

    march_rates, index = row(answers, "mars 2026")
    assert (march_rates[caf], march_rates[cpam], march_rates["ensemble"], march_rates["n"]) == (83.3, 100.0, 86.7, 15)
    assert (index, cpam) in answers.weak and (index, caf) not in answers.weak
    assert row(answers, "janvier 2026")[0][caf] is None


def test_a_week_shows_the_twelve_weeks_to_it(march):
    found = tables(period=Period.iso_week(dt.date(2026, 3, 2)))
    by_week = found["demandes-par-semaine"]
    assert by_week.values("debut")[-1] == dt.date(2026, 3, 2)
    assert by_week.values("ensemble")[-1] == 16 and by_week.values("ensemble")[-3] == 1  # 16 February


def test_shares_per_partner_are_sorted_largest_first(march):
    shares = tables()["parts-des-partenaires"]
    assert shares.rows == [("CAF", 12, 75.0), ("CPAM", 4, 25.0)]


def test_the_site_partner_matrix_counts_requests_and_answer_rates(march):
    found = tables()
    requests, answers = found["sites-partenaires-demandes"], found["sites-partenaires-decroche"]
    caf, cpam = f"c{march.caf.pk}", f"c{march.cpam.pk}"
    coutances, _ = row(requests, "France Services de Coutances")
    saint_lo, _ = row(requests, "Mairie de Saint-Lô")
    assert (coutances[caf], coutances[cpam], coutances["ensemble"]) == (12, 1, 13)
    assert (saint_lo[caf], saint_lo[cpam], saint_lo["ensemble"]) == (0, 3, 3)
    assert requests.chart.kind == "heatmap"
    rates, index = row(answers, "France Services de Coutances")
    # CPAM at Coutances: its only call was unavailable, so none queued: no rate, and a weak cell.
    assert (rates[caf], rates[cpam], rates["ensemble"]) == (83.3, None, 83.3)
    assert (index, cpam) in answers.weak and (index, caf) not in answers.weak


def test_the_requests_heatmap_counts_each_hour_of_the_week_in_paris_time(march):
    heatmap = tables()["heures-demandes"]
    assert heatmap.values("heure") == [f"{hour} h – {hour + 1} h" for hour in range(8, 15)]
    nine, _ = row(heatmap, "9 h – 10 h")
    assert (nine["lundi"], nine["mardi"]) == (10, 0)
    assert row(heatmap, "10 h – 11 h")[0]["lundi"] == 2
    assert row(heatmap, "8 h – 9 h")[0]["mardi"] == 3
    assert row(heatmap, "14 h – 15 h")[0]["samedi"] == 1
    assert sum(sum(r[1:]) for r in heatmap.rows) == 16
    assert heatmap.chart.kind == "heatmap" and not heatmap.weak


def test_the_coverage_heatmap_is_staffed_time_over_the_service_windows_of_each_hour(march):
    heatmap = tables()["heures-couverture"]
    nine, nine_index = row(heatmap, "9 h – 10 h")
    eight, eight_index = row(heatmap, "8 h – 9 h")
    # Monday 9 h: CAF and CPAM open 1 h on each of the 5 Mondays (10 stretches); CAF staffed 1 h on the 2nd.
    assert nine["lundi"] == 10.0 and (nine_index, "lundi") not in heatmap.weak
    # Monday 8 h: only CPAM, 8 h 30 – 9 h on 5 Mondays, never staffed: 5 stretches, weak.
    assert eight["lundi"] == 0.0 and (eight_index, "lundi") in heatmap.weak
    # No partner is open on Sunday.
    assert nine["dimanche"] is None


def test_presence_per_station_gives_hours_staffed_occupancy_and_calls_answered(march):
    presence = tables()["presence-des-postes"]
    station, index = row(presence, "CAF poste 1")
    assert (station["heures_tenues"], station["occupation"], station["sessions"], station["decroches"]) == (
        3.0,
        33.3,
        1,
        10,
    )
    assert (index, "occupation") in presence.weak
    other, _ = row(presence, "CPAM poste 1")
    assert (other["heures_tenues"], other["occupation"]) == (0.0, None)


def test_the_data_quality_panel_finds_missing_stale_and_stuck_calls(march):
    stale_call = Call.objects.order_by("pk").first()
    CallEvent.objects.create(call=stale_call, kind="rated", at=paris(2026, 3, 2, 9, 30), detail={"rating": 5})
    stuck = Call.objects.create(kiosk=march.kiosk_coutances, partner=march.caf, requested_at=paris(2026, 3, 21, 9))
    CallEvent.objects.create(
        call=stuck,
        kind="requested",
        at=stuck.requested_at,
        detail={"kiosk_id": march.kiosk_coutances.pk, "site_id": march.coutances.pk, "partner_id": march.caf.pk},
    )
    call_facts_refresh(since=dt.datetime(2026, 3, 21, tzinfo=dt.UTC))
    record_call(march.kiosk_coutances, march.caf, paris(2026, 3, 22, 9, 0), outcome=O.FAILED, wait=5)

    quality = tables()["qualite-des-donnees"]
    by_check = {r[0]: r for r in quality.rows}
    assert by_check["Appels de la période sans fiche statistique"][1] == 1
    assert by_check["Fiches en retard sur le registre des appels"][1] == 1
    stuck_row = by_check["Appels encore ouverts plus de 2 h après leur demande"]
    assert stuck_row[1] == 1 and stuck_row[2] == paris(2026, 3, 21, 9)
    stations = by_check["Postes en service sans événement depuis 14 jours"]
    assert stations[1] == 3 and "CAF poste 1" in stations[3]
    assert by_check["Bornes actives sans signe de vie depuis 3 jours"][1] == 2
    refresh = by_check["Dernier rafraîchissement des statistiques"]
    assert refresh[2] is not None


def test_the_page_shows_every_table_with_its_chart_and_exports(march, client):
    client.force_login(march.olivia)
    response = client.get("/statistiques/reseau/?periode=2026-03")
    html = response.content.decode()

    assert response.status_code == 200
    for key in tables():
        assert f'id="{key}"' in html
        assert f"/statistiques/reseau/export/{key}.ods?periode=2026-03" in html
    assert 'data-chart="stacked"' in html and 'class="heatmap"' in html
    assert "/statistiques/reseau/appels.csv?periode=2026-03" in html
    assert "(peu de données, n &lt; 10)" in html


def test_the_call_level_csv_streams_one_line_per_call_of_the_period(march, client):
    client.force_login(march.olivia)
    response = client.get("/statistiques/reseau/appels.csv?periode=2026-03")
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode()), delimiter=";"))
    assert response["Content-Type"].startswith("text/csv")
    assert len(lines) == 1 + 16

    schema = client.get("/statistiques/reseau/appels.schema.json")
    assert schema["Content-Type"] == "application/json" and "fields" in schema.json()


NETWORK_URLS = [
    "/statistiques/reseau/?periode=2026-03",
    "/statistiques/reseau/appels.csv?periode=2026-03",
    "/statistiques/reseau/appels.schema.json",
]


def every_export_url(page: str, period: Period) -> list[str]:
    from visiorelais.statistics.exports import FORMATS

    keys = [table.key for table in PAGES[page].build(None, period)]
    return [f"/statistiques/{page}/export/{key}.{fmt}?periode={period.code}" for key in keys for fmt in FORMATS]


@pytest.mark.parametrize("username", ["oscar", "paula", "alice", "bob", "mona", "hugo"])
def test_only_the_operator_opens_the_network_page_and_its_exports(world, client, username):
    user = getattr(world, username)
    urls = NETWORK_URLS + every_export_url("reseau", MARCH)

    client.force_login(user)
    refused = {url: client.get(url).status_code for url in urls}
    client.force_login(world.olivia)
    allowed = {url: client.get(url).status_code for url in urls}
    client.logout()
    anonymous = {url: client.get(url) for url in urls}

    assert set(refused.values()) == {403}
    assert set(allowed.values()) == {200}
    assert all(
        r.status_code == 302 and r["Location"].startswith("/statistiques/connexion/") for r in anonymous.values()
    )
