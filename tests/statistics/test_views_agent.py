"""The agent's page /statistiques/ma-journee/ and its exports: the agent's own day, today by default."""

import csv
import io

import pytest

from tests.statistics.pages import OTHER_ROLES, export_texts, table_keys
from tests.statistics.reports.conftest import alice_day  # noqa: F401

pytestmark = pytest.mark.django_db
URL = "/statistiques/ma-journee/"


def figures(text: str) -> dict[str, str]:
    return {row["indicateur"]: row["valeur"] for row in csv.DictReader(io.StringIO(text))}


def test_the_page_shows_today_and_when_the_figures_were_last_refreshed(client, alice_day):  # noqa: F811
    client.force_login(alice_day.alice)

    response = client.get(URL)

    assert response.status_code == 200
    assert response.context["period"].code == "2026-03-02"  # the fixture's clock: Monday 2 March, 11:30
    page = response.content.decode()
    assert "Chiffres mis à jour le 02/03/2026 à 11:30" in page
    assert "Ma journée" in page


def test_the_exports_hold_only_the_agents_own_figures(client, alice_day):  # noqa: F811
    client.force_login(alice_day.alice)
    texts = export_texts(client, "ma-journee", table_keys(client.get(URL)))

    mine = figures(texts[("agent-ma-journee", "csv")])
    assert (mine["Appels décrochés"], mine["Propositions refusées"]) == ("2", "1")
    client.force_login(alice_day.bob)
    assert figures(client.get(f"{URL}export/agent-ma-journee.csv").content.decode())["Appels décrochés"] == "1"


def test_the_day_chooser_shows_another_day(client, alice_day):  # noqa: F811
    client.force_login(alice_day.alice)

    response = client.get(f"{URL}export/agent-ma-journee.csv?periode=2026-03-01")

    assert figures(response.content.decode())["Appels décrochés"] == "0"


def test_anonymous_visitors_are_sent_to_the_login(client, alice_day):  # noqa: F811
    for url in (URL, f"{URL}export/agent-ma-journee.csv"):
        assert client.get(url)["Location"].startswith("/statistiques/connexion/")


@pytest.mark.parametrize("username", [name for name in OTHER_ROLES if name not in ("alice", "bob")])
def test_every_other_role_is_refused_the_page_and_its_exports(client, alice_day, username):  # noqa: F811
    client.force_login(getattr(alice_day, username))

    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}export/agent-ma-journee.csv").status_code == 403
