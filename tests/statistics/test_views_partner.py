"""The partner supervisor's page /statistiques/partenaire/ and its exports: CAF's figures for CAF's admin only."""

import csv
import io

import pytest

from tests.statistics.pages import OTHER_ROLES, export_texts, table_keys
from tests.statistics.reports.conftest import caf_month  # noqa: F401

pytestmark = pytest.mark.django_db
URL = "/statistiques/partenaire/"
MARCH = "?periode=2026-03"


def test_the_caf_admin_sees_its_stations_agents_and_sites(client, caf_month):  # noqa: F811
    client.force_login(caf_month.paula)

    response = client.get(URL + MARCH)

    assert response.status_code == 200
    page = response.content.decode()
    assert "CAF poste 1" in page and "Alice" in page and "France Services de Coutances" in page
    assert 'data-chart="line"' in page  # the trend's chart sits beside its table


def test_no_page_or_export_of_the_caf_admin_holds_a_cpam_figure(client, caf_month):  # noqa: F811
    client.force_login(caf_month.paula)
    response = client.get(URL + MARCH)

    texts = export_texts(client, "partenaire", table_keys(response), MARCH)

    for text in [response.content.decode(), *texts.values()]:
        assert "CPAM" not in text and "Bob" not in text and "Caisse primaire" not in text
    sites = list(csv.DictReader(io.StringIO(texts[("partenaire-par-site", "csv")])))
    assert {row["site"]: row["requests"] for row in sites} == {
        "France Services de Coutances": "4",
        "Mairie de Saint-Lô": "1",  # CPAM's seven calls there are not counted
    }


def test_anonymous_visitors_are_sent_to_the_login(client, caf_month):  # noqa: F811
    for url in (URL, f"{URL}export/partenaire-par-site.csv"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/statistiques/connexion/")


@pytest.mark.parametrize("username", [name for name in OTHER_ROLES if name != "paula"])
def test_every_other_role_is_refused_the_page_and_its_exports(client, caf_month, username):  # noqa: F811
    client.force_login(getattr(caf_month, username))

    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}export/partenaire-par-site.csv").status_code == 403
