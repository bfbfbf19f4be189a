"""The public page /statistiques/publiques/ and its exports: open to all, suppressed cells, built once a day."""

import csv
import io

import pytest
from django.core.cache import cache

from tests.calls.conftest import paris
from tests.statistics.pages import OTHER_ROLES, export_texts, table_keys
from tests.statistics.reports.conftest import calls_in_week, weeks  # noqa: F401
from visiorelais.statistics.services import call_facts_refresh

pytestmark = pytest.mark.django_db
URL = "/statistiques/publiques/"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_anyone_opens_the_page_without_signing_in(client, weeks):  # noqa: F811
    response = client.get(URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert "de 1 à 5 appels est masquée" in page
    assert "Aucun total n'est publié" in page
    assert "≤ 5" in page


@pytest.mark.parametrize("username", OTHER_ROLES)
def test_every_role_opens_it_too(client, weeks, username):  # noqa: F811
    client.force_login(getattr(weeks, username))

    assert client.get(URL).status_code == 200


def test_the_exports_are_open_data_with_suppressed_cells_left_empty(client, weeks):  # noqa: F811
    texts = export_texts(client, "publiques", table_keys(client.get(URL)))

    rows = {row["debut"]: row for row in csv.DictReader(io.StringIO(texts[("public-demandes-par-partenaire", "csv")]))}
    assert (rows["2026-03-23"]["caf"], rows["2026-03-23"]["cpam"]) == ("6", "")
    assert (rows["2026-03-16"]["caf"], rows["2026-03-16"]["cpam"]) == ("", "0")
    assert set(rows["2026-03-23"]) == {"periode", "debut", "caf", "cpam"}
    for text in texts.values():
        for detail in ("Alice", "poste 1", "BRN-", "Coutances", "Saint-Lô"):
            assert detail not in text


def test_a_second_visit_the_same_day_runs_no_query_and_a_new_day_rebuilds(
    client,
    weeks,  # noqa: F811
    django_assert_num_queries,
    time_machine,
):
    client.get(URL)
    calls_in_week(weeks.kiosk_coutances, weeks.caf, paris(2026, 3, 25, 0, 0).date(), 3, 3)
    call_facts_refresh()
    time_machine.move_to(paris(2026, 4, 1, 23, 59), tick=False)

    with django_assert_num_queries(0):
        again = client.get(f"{URL}export/public-demandes-par-partenaire.csv")
        page = client.get(URL)

    assert page.status_code == 200
    assert "2026-03-23,6,\r\n" in again.content.decode()  # the week of 23 March, as built in the morning
    time_machine.move_to(paris(2026, 4, 2, 0, 1), tick=False)
    assert "2026-03-23,9,\r\n" in client.get(f"{URL}export/public-demandes-par-partenaire.csv").content.decode()
