"""The observers' steering page: trends against the previous period and a year earlier, the weakest points, the
PDF report, and who may open them."""

import pytest

from tests.calls.conftest import paris
from tests.statistics.conftest import record_call
from visiorelais.calls.models import Call
from visiorelais.statistics.exports import FORMATS
from visiorelais.statistics.periods import Period
from visiorelais.statistics.reports import steering
from visiorelais.statistics.services import call_facts_refresh

pytestmark = pytest.mark.django_db
O = Call.Outcome  # noqa: E741
Q1 = Period.quarter(2026, 1)
NOW = paris(2026, 4, 2, 12, 0)


@pytest.fixture
def quarters(world):
    """Q1 2026: at Coutances 5 CAF calls answered and 5 unanswered, at Saint-Lô 10 CPAM calls answered (20
    requests, answer rate 75 %). Q4 2025: 10 CAF calls answered. Q1 2025: 4 CAF calls answered."""
    for index in range(5):
        record_call(
            world.kiosk_coutances, world.caf, paris(2026, 3, 2, 9, index), outcome=O.COMPLETED, wait=20, talk=60
        )
        record_call(world.kiosk_coutances, world.caf, paris(2026, 3, 2, 10, index), outcome=O.UNANSWERED, wait=200)
    for index in range(10):
        record_call(
            world.kiosk_saint_lo, world.cpam, paris(2026, 3, 3, 9, index), outcome=O.COMPLETED, wait=20, talk=60
        )
        record_call(
            world.kiosk_coutances, world.caf, paris(2025, 12, 1, 9, index), outcome=O.COMPLETED, wait=20, talk=60
        )
    for index in range(4):
        record_call(
            world.kiosk_coutances, world.caf, paris(2025, 3, 3, 9, index), outcome=O.COMPLETED, wait=20, talk=60
        )
    call_facts_refresh()
    return world


def tables(period=Q1):
    return {table.key: table for table in steering.steering_tables(None, period, now=NOW)}


def by_name(table):
    return {row[0]: dict(zip([c.key for c in table.columns], row, strict=True)) for row in table.rows}


def test_trends_compare_the_quarter_with_the_previous_one_and_a_year_earlier_in_words(quarters):
    trends = tables()["tendances"]
    rows = by_name(trends)

    requests = rows["Demandes d'appel"]
    assert (requests["valeur"], requests["precedente"], requests["an_avant"]) == (20, 10, 4)
    assert (requests["ecart_precedente"], requests["sens_precedente"]) == (10, "en hausse")
    answer = rows["Taux de décroché"]
    assert (answer["valeur"], answer["n"], answer["precedente"], answer["an_avant"]) == (75.0, 20, 100.0, 100.0)
    assert (answer["ecart_precedente"], answer["sens_precedente"]) == (-25.0, "en baisse, dégradation")
    # A year earlier there were 4 calls: the comparison says it rests on too few.
    assert answer["sens_an"] == "en baisse, dégradation (peu de données)"
    answer_index = trends.rows.index(next(r for r in trends.rows if r[0] == "Taux de décroché"))
    assert (answer_index, "an_avant") in trends.weak and (answer_index, "valeur") not in trends.weak
    access = rows["Taux d'accès"]
    assert (access["valeur"], access["sens_precedente"]) == (100.0, "stable")
    assert [c.label for c in trends.columns if c.key in ("valeur", "precedente", "an_avant")] == [
        "1er trimestre 2026",
        "4e trimestre 2025",
        "1er trimestre 2025",
    ]


def test_a_year_compares_with_the_year_before(quarters):
    trends = tables(Period.year(2026))["tendances"]
    requests = by_name(trends)["Demandes d'appel"]
    # 2026 holds Q1 2026's 20 calls; 2025 holds 10 + 4; the previous year is also the year before.
    assert (requests["valeur"], requests["precedente"], requests["an_avant"]) == (20, 14, 14)


def test_requests_by_month_sit_beside_the_same_months_a_year_earlier(quarters):
    monthly = tables()["demandes-par-mois"]
    assert monthly.rows[-1][0] == "mars 2026"
    assert [(row[2], row[3]) for row in monthly.rows] == [(0, 0), (0, 0), (20, 4)]
    assert monthly.chart.kind == "line"


def test_the_weakest_points_name_the_alerts_the_sites_and_the_partners_with_their_n(quarters):
    found = tables()
    alerts = by_name(found["indicateurs-en-alerte"])
    assert alerts["Taux de décroché"]["valeur"] == 75.0
    assert alerts["Taux de décroché"]["seuils"] == "bon ≥ 90 %, alerte < 80 %"
    assert "Taux d'accès" not in alerts

    sites = found["sites-plus-faible-decroche"]
    assert [(row[0], row[1], row[2]) for row in sites.rows] == [
        ("France Services de Coutances", 50.0, 10),
        ("Mairie de Saint-Lô", 100.0, 10),
    ]
    partners = found["partenaires-plus-faible-couverture"]
    assert [row[0] for row in partners.rows] == ["CAF", "CPAM"]
    # No station was staffed: no coverage at all, over every service window of the quarter.
    assert [row[1] for row in partners.rows] == [0.0, 0.0]
    assert partners.rows[1][2] == 63  # CPAM: one window on each weekday of Q1 2026 but 1 January


def test_the_page_offers_quarters_and_years_and_the_pdf_report(quarters, client):
    client.force_login(quarters.oscar)
    response = client.get("/statistiques/pilotage/?periode=2026-T1")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Télécharger le rapport de pilotage (PDF)" in html
    assert "/statistiques/pilotage/rapport.pdf?periode=2026-T1" in html
    assert '<option value="2026-T1" selected>' in html and '<optgroup label="Année">' in html

    report = client.get("/statistiques/pilotage/rapport.pdf?periode=2026-T1")
    assert report["Content-Type"] == "application/pdf" and report.content.startswith(b"%PDF")


def steering_urls() -> list[str]:
    keys = [table.key for table in steering.steering_tables(None, Q1, now=NOW)]
    return [
        "/statistiques/pilotage/?periode=2026-T1",
        "/statistiques/pilotage/rapport.pdf?periode=2026-T1",
        *[f"/statistiques/pilotage/export/{key}.{fmt}?periode=2026-T1" for key in keys for fmt in FORMATS],
    ]


def test_the_observer_and_the_operator_open_the_steering_page_and_every_export(quarters, client):
    urls = steering_urls()
    for user in (quarters.oscar, quarters.olivia):
        client.force_login(user)
        assert {url: client.get(url).status_code for url in urls} == dict.fromkeys(urls, 200)


@pytest.mark.parametrize("username", ["paula", "alice", "bob", "mona", "hugo"])
def test_other_roles_are_refused_the_steering_page_and_its_exports(world, client, username):
    urls = steering_urls()
    client.force_login(getattr(world, username))
    assert {url: client.get(url).status_code for url in urls} == dict.fromkeys(urls, 403)


def test_anonymous_users_are_sent_to_the_login_from_the_steering_page_and_its_exports(world, client):
    for url in steering_urls():
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/statistiques/connexion/?next=")
