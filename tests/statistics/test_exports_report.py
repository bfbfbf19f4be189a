"""The PDF steering report, read back with pypdf: cover, tables split across pages with their header repeated,
charts of every kind, notes, and the method page with every metric's formula."""

import io

import pytest
from pypdf import PdfReader

from tests.statistics.test_exports import sample_table
from visiorelais.statistics.exports import report_pdf
from visiorelais.statistics.metrics import METRICS
from visiorelais.statistics.tables import INTEGER, Chart, Column, Table


def pages(content: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages]


def heatmap() -> Table:
    days = ("lun", "mar", "mer")
    columns = [Column("heure", "Heure"), *(Column(day, day.capitalize(), INTEGER, "appels") for day in days)]
    rows = [(f"{hour} h", hour * 3, hour * 5, None) for hour in range(8, 18)]
    return Table(
        "demandes-heure",
        "Demandes par heure",
        columns,
        rows,
        suppressed={(0, "mer")},
        chart=Chart("heatmap", "heure", days),
    )


def test_the_report_has_a_cover_the_tables_their_notes_and_the_method():
    table = sample_table()
    text = " ".join(pages(report_pdf([table], title="Rapport de pilotage 2026", subtitle="Réseau", intro=["Bonjour."])))

    for expected in ("Rapport de pilotage 2026", "Rapport établi le", "Bonjour.", "Sommaire", "Réseau par mois"):
        assert expected in text
    assert "du 01/01/2026 au 31/08/2026 — Réseau" in text
    assert "91,3" in text and 'Mairie de Coutances, "accueil"' in text  # French decimal; quotes kept
    assert "Taux de décroché par mois" in text  # the chart's caption
    assert "Valeurs en gris" in text and "n = 261 appels" in text
    assert "Méthode" in text
    for metric in METRICS.values():
        assert metric.name in text
        assert metric.formula in text, metric.key


def test_a_long_table_runs_over_pages_with_its_header_repeated():
    table = sample_table(repeat=60)  # 180 rows

    found = pages(report_pdf([table], title="Rapport", subtitle="Long"))

    assert len(found) > 3
    with_rows = [page for page in found if "CAF de la Manche" in page]
    assert len(with_rows) >= 3
    assert all("Partenaire" in page and "Dernier appel" in page for page in with_rows)


@pytest.mark.parametrize("kind", ["bar", "stacked", "line"])
def test_bar_stacked_and_line_charts_are_drawn_with_a_legend(kind):
    table = sample_table()
    table.chart = Chart(kind, "mois", ("demandes", "taux_decroche"), title=f"Graphique {kind}")

    text = " ".join(pages(report_pdf([table], title="Rapport", subtitle="Graphiques")))

    assert f"Graphique {kind}" in text
    # The legend names both series beside the table's header (the PDF text has each label twice or more).
    assert text.count("Demandes (appels)") >= 2
    assert "01/2026" in text  # months along the horizontal axis


def test_a_heatmap_prints_every_value_and_says_how_to_read_its_shades():
    text = " ".join(pages(report_pdf([heatmap()], title="Rapport", subtitle="Carte")))

    assert "Case claire : valeur basse (24) ; case foncée : valeur haute (85)" in text
    assert text.count("85") >= 2  # in the table and in its cell of the heatmap
    assert "« s » : valeur masquée" in text
