"""The statistics screens' framework: periods in the query string, the page registry and its access rules, the
generic export view, and how one Table is laid out (weak, suppressed and heatmap cells, chart, notes)."""

import datetime as dt
import re

import pytest
from django.template.loader import render_to_string

from tests.conftest import PASSWORD
from visiorelais.statistics.exports import FORMATS
from visiorelais.statistics.periods import Period
from visiorelais.statistics.tables import DATE, INTEGER, NUMBER, Chart, Column, Table
from visiorelais.statistics.views.base import default_period, table_view
from visiorelais.statistics.views.registry import PAGES

pytestmark = pytest.mark.django_db

# Periods in the query string.


@pytest.mark.parametrize(
    ("code", "first", "last", "kind"),
    [
        ("2026-03-02", dt.date(2026, 3, 2), dt.date(2026, 3, 2), "day"),
        ("2026-W10", dt.date(2026, 3, 2), dt.date(2026, 3, 8), "week"),
        ("2026-02", dt.date(2026, 2, 1), dt.date(2026, 2, 28), "month"),
        ("2026-T1", dt.date(2026, 1, 1), dt.date(2026, 3, 31), "quarter"),
        ("2024-T4", dt.date(2024, 10, 1), dt.date(2024, 12, 31), "quarter"),
        ("2026", dt.date(2026, 1, 1), dt.date(2026, 12, 31), "year"),
    ],
)
def test_a_period_code_names_one_period_and_back(code, first, last, kind):
    period = Period.parse(code)
    assert (period.first, period.last, period.kind, period.code) == (first, last, kind, code)


@pytest.mark.parametrize("code", ["", "2026-13", "2026-T5", "2026-W54", "mars", "2026-02-30"])
def test_a_bad_period_code_is_refused(code):
    with pytest.raises(ValueError):
        Period.parse(code)


def test_a_quarter_starts_in_january_april_july_or_october():
    assert Period.quarter(2026, 2) == Period(dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    with pytest.raises(ValueError):
        Period.quarter(2026, 0)


@pytest.mark.parametrize(
    ("code", "previous", "year_before"),
    [
        ("2026-W01", "2025-W52", "2025-W01"),
        ("2026-01", "2025-12", "2025-01"),
        ("2026-T1", "2025-T4", "2025-T1"),
        ("2026", "2025", "2025"),
        ("2024-02-29", "2024-02-28", "2023-02-28"),
    ],
)
def test_the_previous_period_and_the_same_period_a_year_earlier_keep_the_kind(code, previous, year_before):
    period = Period.parse(code)
    assert (period.previous().code, period.year_before().code) == (previous, year_before)


def test_periods_are_labelled_in_french():
    assert [Period.parse(code).label for code in ("2026-03", "2026-T1", "2026-T3", "2026", "2026-W10")] == [
        "mars 2026",
        "1er trimestre 2026",
        "3e trimestre 2026",
        "année 2026",
        "semaine 10 de 2026 (du 02/03 au 08/03/2026)",
    ]


def test_quarters_and_years_default_to_the_last_complete_one_weeks_and_months_to_the_current_one():
    day = dt.date(2026, 5, 14)
    assert default_period("quarter", day) == Period.quarter(2026, 1)
    assert default_period("year", day) == Period.year(2025)
    assert default_period("month", day) == Period.month(2026, 5)
    assert default_period("week", day) == Period.iso_week(day)


# Access, navigation and the generic views.


def test_the_statistics_home_sends_each_role_to_its_first_page(world, client):
    client.force_login(world.olivia)
    assert client.get("/statistiques/")["Location"] == "/statistiques/reseau/"
    client.force_login(world.oscar)
    assert client.get("/statistiques/")["Location"] == "/statistiques/pilotage/"
    client.force_login(world.hugo)
    response = client.get("/statistiques/")
    assert response.status_code == 403 and "Accès refusé" in response.content.decode()


def test_anonymous_users_sign_in_on_the_statistics_login_and_come_back(world, client):
    response = client.get("/statistiques/pilotage/?periode=2026-T1")
    assert response["Location"] == "/statistiques/connexion/?next=/statistiques/pilotage/%3Fperiode%3D2026-T1"

    login = client.get(response["Location"])
    assert login.status_code == 200 and "Connexion aux statistiques du réseau" in login.content.decode()
    signed_in = client.post(
        "/statistiques/connexion/",
        {"username": "oscar", "password": PASSWORD, "next": "/statistiques/pilotage/?periode=2026-T1"},
    )
    assert signed_in["Location"] == "/statistiques/pilotage/?periode=2026-T1"


def test_a_refused_page_is_a_french_403_listing_the_pages_the_user_may_open(world, client):
    client.force_login(world.oscar)
    response = client.get("/statistiques/reseau/")
    html = response.content.decode()
    assert response.status_code == 403
    assert "La page « Le réseau » n'est pas ouverte à votre compte (Oscar)." in html
    assert 'href="/statistiques/pilotage/"' in html


def test_the_navigation_lists_only_the_pages_of_the_users_role(world, client):
    client.force_login(world.olivia)
    html = client.get("/statistiques/reseau/").content.decode()
    nav = re.search(r'<nav aria-label="Pages des statistiques">(.*?)</nav>', html, re.S).group(1)
    assert 'href="/statistiques/reseau/" aria-current="page"' in nav and 'href="/statistiques/pilotage/"' in nav

    client.force_login(world.oscar)
    nav = re.search(
        r'<nav aria-label="Pages des statistiques">(.*?)</nav>',
        client.get("/statistiques/pilotage/").content.decode(),
        re.S,
    ).group(1)
    assert "/statistiques/reseau/" not in nav


def test_a_period_the_page_does_not_offer_falls_back_to_its_default(world, client):
    client.force_login(world.oscar)
    html = client.get("/statistiques/pilotage/?periode=2026-03").content.decode()
    assert f'<option value="{default_period("quarter").code}" selected>' in html


def test_unknown_pages_tables_and_formats_are_404(world, client):
    client.force_login(world.olivia)
    assert client.get("/statistiques/nulle-part/").status_code == 404
    assert client.get("/statistiques/nulle-part/export/chiffres-cles.csv").status_code == 404
    assert client.get("/statistiques/reseau/export/nulle-part.csv?periode=2026-03").status_code == 404
    assert client.get("/statistiques/reseau/export/chiffres-cles.pdf?periode=2026-03").status_code == 404


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "schema": "application/json",
    "csv-fr": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}


@pytest.mark.parametrize("fmt", list(CONTENT_TYPES))
def test_the_export_view_answers_each_format_with_its_content_type(world, client, fmt):
    client.force_login(world.olivia)
    response = client.get(f"/statistiques/reseau/export/chiffres-cles.{fmt}?periode=2026-03")
    assert response.status_code == 200
    assert response["Content-Type"] == CONTENT_TYPES[fmt]
    assert "attachment" in response["Content-Disposition"] and "chiffres-cles" in response["Content-Disposition"]


def test_every_export_format_has_a_content_type_checked_here():
    assert set(FORMATS) == set(CONTENT_TYPES)


def test_every_registered_page_names_real_roles_and_periods():
    from visiorelais.accounts.models import Role

    for page in PAGES.values():
        assert page.roles is None or page.roles <= set(Role)
        assert page.kinds and set(page.kinds) <= {"day", "week", "month", "quarter", "year"}


def test_the_back_office_home_links_to_the_statistics(world, client):
    client.force_login(world.olivia)
    html = client.get("/admin/").content.decode()
    assert '<a href="/statistiques/">Statistiques du réseau</a>' in html


def test_chart_js_is_served_with_its_licence(world, client):
    script = client.get("/static/statistics/vendor/chart.umd.min.js")
    licence = client.get("/static/statistics/vendor/chart.js.LICENSE.md")
    assert script.status_code == 200 and b"Chart.js v4.6.1" in b"".join(script.streaming_content)[:200]
    assert licence.status_code == 200


# One table on screen.


def sample_table() -> Table:
    return Table(
        key="essai",
        title="Demandes par semaine",
        columns=[
            Column("semaine", "Semaine"),
            Column("debut", "Début", DATE),
            Column("demandes", "Demandes", INTEGER, "appels"),
            Column("decroche", "Taux de décroché", NUMBER, "%", "décrochés / mis en attente"),
        ],
        rows=[("semaine 10", dt.date(2026, 3, 2), 1234, 77.8), ("semaine 11", dt.date(2026, 3, 9), None, None)],
        period_label="mars 2026",
        scope_label="Réseau",
        notes=["Taux de décroché : décrochés / mis en attente ; seuils : bon ≥ 90 %, alerte < 80 %"],
        weak={(0, "decroche")},
        suppressed={(1, "demandes")},
        chart=Chart("line", x="semaine", series=("demandes", "decroche")),
    )


def render(table: Table) -> str:
    period = Period.month(2026, 3)
    return render_to_string("statistics/_table.html", {"view": table_view(table, page=PAGES["reseau"], period=period)})


def test_a_table_has_a_caption_headers_with_units_and_row_headers():
    html = render(sample_table())
    assert re.search(r"<caption>\s*Demandes par semaine\s*<span class=\"caption-meta\">mars 2026 — Réseau</span>", html)
    assert '<th scope="col" data-key="demandes" data-label="Demandes" data-unit="appels">Demandes' in html
    assert '<span class="unit">(%)</span>' in html
    assert '<th scope="row" data-key="semaine">semaine 10</th>' in html
    assert ">02/03/2026<" in html


def test_numbers_are_shown_the_french_way_and_given_plainly_to_the_chart():
    html = render(sample_table())
    assert re.search(r'data-key="demandes" data-value="1234">1\s234<', html)
    assert 'data-value="77.8"' in html and "77,8" in html


def test_weak_cells_are_greyed_and_say_so_to_screen_readers_with_a_legend():
    html = render(sample_table())
    cell = re.search(r'<td data-key="decroche" data-value="77.8" class="weak">(.*?)</td>', html).group(1)
    assert "77,8" in cell and '<span class="visually-hidden"> (peu de données, n &lt; 10)</span>' in cell
    assert "Valeur grisée : peu de données (n &lt; 10), non significative." in html


def test_suppressed_cells_show_at_most_five_and_explain():
    html = render(sample_table())
    cell = re.search(r'<td data-key="demandes" data-value="" class="suppressed">(.*?)</td>', html).group(1)
    assert '<span aria-hidden="true">≤ 5</span>' in cell and "de 1 à 5, valeur masquée" in cell
    assert "masqué pour qu'aucune personne ne soit reconnaissable" in html


def test_a_chart_sits_beside_its_table_and_names_its_series_from_the_table():
    html = render(sample_table())
    assert 'data-chart="line" data-chart-x="semaine" data-chart-series="demandes,decroche"' in html
    assert '<figure class="chart" data-chart-for="essai-tableau">' in html
    assert "Graphique tiré du tableau « Demandes par semaine »" in html


def test_notes_and_every_export_format_follow_the_table():
    html = render(sample_table())
    assert "seuils : bon ≥ 90 %, alerte &lt; 80 %" in html
    for fmt, label in FORMATS.items():
        assert f'href="/statistiques/reseau/export/essai.{fmt}?periode=2026-03" download>{label}</a>' in html


def test_a_heatmap_is_the_table_shaded_with_its_values_printed_and_no_canvas():
    table = Table(
        key="carte",
        title="Demandes par heure",
        columns=[Column("heure", "Heure"), Column("lundi", "Lundi", INTEGER, "appels")],
        rows=[("9 h", 10), ("10 h", 2), ("11 h", 0)],
        chart=Chart("heatmap", x="heure", series=("lundi",)),
    )
    html = render(table)
    assert 'class="heatmap"' in html and "data-chart-for" not in html and "data-chart=" not in html
    assert re.search(r'class="shade-5">10<', html) and re.search(r'class="shade-1">2<', html)
    assert re.search(r'class="shade-0">0<', html)
    assert "chaque case porte sa valeur" in html


def test_the_screen_writes_numbers_as_the_exports_do_rounded_half_up():
    # Django's number_format cuts the decimals off (91.29 → "91,2"); the PDF and the French CSV round them.
    from visiorelais.statistics.exports.cells import french_number
    from visiorelais.statistics.tables import INTEGER, NUMBER
    from visiorelais.statistics.views.base import cell_text

    assert cell_text(91.25, NUMBER) == french_number(91.25) == "91,3"
    assert cell_text(91.29, NUMBER) == "91,3"
    assert cell_text(1234, INTEGER) == "1\u00a0234"
