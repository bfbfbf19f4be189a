"""The host-site manager's page /statistiques/site/ and its exports: Coutances for Coutances' manager, and no
agent anywhere."""

import pytest

from tests.conftest import make_user
from tests.statistics.pages import OTHER_ROLES, export_texts, table_keys
from tests.statistics.reports.conftest import coutances_day  # noqa: F401
from visiorelais.accounts.models import Role

pytestmark = pytest.mark.django_db
URL = "/statistiques/site/"
WEEK = "?periode=2026-W10"  # 2 to 8 March 2026
AGENT_TRACES = ("Alice", "alice", "Bob", "CAF poste", "CPAM poste", "agent_id", "station")


def test_the_coutances_manager_sees_its_kiosks_and_no_agent_anywhere(client, coutances_day):  # noqa: F811
    client.force_login(coutances_day.mona)
    response = client.get(URL + WEEK)
    assert response.status_code == 200

    texts = export_texts(client, "site", table_keys(response), WEEK)

    page = response.content.decode()
    assert "BRN-COUT-01" in page and "BRN-COUT-02" in page
    for text in [page, *texts.values()]:
        assert "Saint-Lô" not in text and "BRN-STLO" not in text
        for trace in AGENT_TRACES:
            assert trace not in text, trace
    assert "France Services de Coutances,BRN-COUT-01 — Borne de Coutances,5," in texts[("site-par-borne", "csv")]


def test_a_manager_of_saint_lo_sees_saint_lo_and_not_coutances(client, coutances_day):  # noqa: F811
    sam = make_user("sam", Role.SITE_MANAGER, sites=[coutances_day.saint_lo])
    client.force_login(sam)

    page = client.get(URL + WEEK).content.decode()

    assert "Mairie de Saint-Lô" in page and "BRN-STLO-01" in page
    assert "Coutances" not in page


def test_anonymous_visitors_are_sent_to_the_login(client, coutances_day):  # noqa: F811
    for url in (URL, f"{URL}export/site-par-borne.csv"):
        assert client.get(url)["Location"].startswith("/statistiques/connexion/")


@pytest.mark.parametrize("username", [name for name in OTHER_ROLES if name != "mona"])
def test_every_other_role_is_refused_the_page_and_its_exports(client, coutances_day, username):  # noqa: F811
    client.force_login(getattr(coutances_day, username))

    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}export/site-par-borne.csv").status_code == 403
