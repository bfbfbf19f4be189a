"""The demo's operator, observer, partner admin and host-site manager each open their statistics page on the
generated history (`visiorelais demo-data`), and it shows figures, not empty tables."""

import csv
import io

import pytest
from django.utils.html import escape

from visiorelais.network.demo import data, demo_data_load
from visiorelais.statistics.views.registry import PAGES

pytestmark = pytest.mark.django_db

# Demo account → the page /statistiques/ sends it to.
ACCOUNTS = {
    "operateur": "reseau",
    "observateur": "pilotage",
    "admin-caf": "partenaire",
    "responsable-coutances": "site",
}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def positive_numbers(text: str) -> int:
    """How many cells of an open-data CSV hold a number above zero."""
    count = 0
    for row in csv.reader(io.StringIO(text)):
        for cell in row:
            try:
                count += float(cell) > 0
            except ValueError:
                continue
    return count


def test_each_demo_account_opens_its_page_on_the_generated_history(client):
    demo_data_load()
    for username, page_key in ACCOUNTS.items():
        assert client.login(username=username, password=data.DEMO_PASSWORD)
        home = client.get("/statistiques/")
        assert home.status_code == 302
        assert home["Location"].rstrip("/").endswith(f"/statistiques/{page_key}"), username
        page = client.get(home["Location"])
        assert page.status_code == 200, username
        assert escape(str(PAGES[page_key].title)) in page.content.decode()
        # Every export link on the page, as its CSV: together they carry figures of the history.
        links = sorted({link for link in page.content.decode().split('"') if "/export/" in link and ".csv" in link})
        links = [link.replace("&amp;", "&") for link in links if "csv-fr" not in link]
        assert links, username
        figures = 0
        for link in links:
            response = client.get(link)
            assert response.status_code == 200, (username, link)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            figures += positive_numbers(body.decode())
        assert figures >= 20, (username, figures)
        client.logout()
