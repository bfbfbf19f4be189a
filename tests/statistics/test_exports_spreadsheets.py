"""XLSX (read back with openpyxl) and ODS (read back with odfpy): a sheet per table, typed cells, greyed weak
cells, withheld cells empty, notes under the table."""

import datetime as dt
import io

import openpyxl
from odf import teletype
from odf.opendocument import load
from odf.style import Style, TextProperties
from odf.table import Table as OdsTable
from odf.table import TableCell, TableRow

from tests.statistics.test_exports import QUOTED, sample_table
from visiorelais.statistics.exports import table_ods, table_xlsx

LONG_TITLE = "Présence des postes / semaine : CAF [Manche] ? très long titre"


def tables():
    return [sample_table(), sample_table(key="copie"), sample_table(key="long", title=LONG_TITLE)]


def test_the_xlsx_has_one_sheet_per_table_with_valid_unique_names():
    workbook = openpyxl.load_workbook(io.BytesIO(table_xlsx(tables())))

    names = workbook.sheetnames
    assert names[:2] == ["Réseau par mois", "Réseau par mois (2)"]
    assert len(names[2]) <= 31 and not set("[]:*?/\\") & set(names[2])
    assert names[2].startswith("Présence des postes")


def colour(cell) -> str | None:
    color = cell.font.color
    return color.rgb if color is not None and color.type == "rgb" else None


def test_the_xlsx_cells_are_typed_and_weak_ones_greyed():
    sheet = openpyxl.load_workbook(io.BytesIO(table_xlsx([sample_table()]))).worksheets[0]
    rows = [[cell for cell in row] for row in sheet.iter_rows()]
    values = [[cell.value for cell in row] for row in rows]

    assert values[0][0] == "Réseau par mois"
    assert values[1][0] == "Période : du 01/01/2026 au 31/08/2026"
    assert values[2][0] == "Périmètre : Réseau"
    header = values.index(["Mois", "Partenaire", "Demandes (appels)", "Taux de décroché (%)", "Dernier appel"])
    first, second, third = rows[header + 1 : header + 4]
    assert first[0].is_date and first[0].value.date() == dt.date(2026, 1, 1)
    assert (first[2].value, first[3].value) == (250, 91.25)
    assert first[4].value == dt.datetime(2026, 1, 30, 17, 45)  # Paris wall-clock time
    assert first[4].number_format == "DD/MM/YYYY HH:MM"
    assert second[1].value == QUOTED
    assert second[3].value == 62.5 and colour(second[3]) == "006E6E6E"
    assert colour(first[3]) is None
    assert [cell.value for cell in third[2:]] == [None, None, None]  # withheld although rows held 3
    notes = [row[0] for row in values[header + 4 :] if row[0]]
    assert notes[0].startswith("Valeurs en gris : calculées sur moins de 10 cas")
    assert "Demandes (appels) : nombre de demandes d'appel" in notes
    assert notes[-2:] == ["n = 261 appels", "Seuils du taux de décroché : bon ≥ 90 %, alerte < 80 %"]


def ods_sheets(content: bytes):
    document = load(io.BytesIO(content))
    grey = {
        style.getAttribute("name")
        for style in document.automaticstyles.getElementsByType(Style)
        for text in style.getElementsByType(TextProperties)
        if text.getAttribute("color") == "#6E6E6E"
    }
    return document.spreadsheet.getElementsByType(OdsTable), grey


def test_the_ods_has_one_sheet_per_table_with_valid_unique_names():
    sheets, _ = ods_sheets(table_ods(tables()))

    names = [sheet.getAttribute("name") for sheet in sheets]
    assert names[:2] == ["Réseau par mois", "Réseau par mois (2)"]
    assert len(names[2]) <= 31 and not set("[]:*?/\\") & set(names[2])


def test_the_ods_cells_are_typed_and_weak_ones_greyed():
    sheets, grey = ods_sheets(table_ods([sample_table()]))
    rows = sheets[0].getElementsByType(TableRow)
    texts = [[teletype.extractText(cell) for cell in row.getElementsByType(TableCell)] for row in rows]

    assert texts[0] == ["Réseau par mois"]
    header = texts.index(["Mois", "Partenaire", "Demandes (appels)", "Taux de décroché (%)", "Dernier appel"])
    first, second, third = (row.getElementsByType(TableCell) for row in rows[header + 1 : header + 4])

    def typed(cell):
        kind = cell.getAttribute("valuetype")
        return kind, cell.getAttribute("datevalue" if kind == "date" else "value")

    assert [typed(cell) for cell in first] == [
        ("date", "2026-01-01"),
        ("string", None),
        ("float", "250"),
        ("float", "91.25"),
        ("date", "2026-01-30T17:45:00"),
    ]
    assert teletype.extractText(second[1]) == QUOTED
    assert second[3].getAttribute("stylename") in grey
    assert first[3].getAttribute("stylename") not in grey
    assert [typed(cell) for cell in third[2:]] == [(None, None)] * 3
    notes = [row[0] for row in texts[header + 4 :] if row]
    assert notes[0].startswith("Valeurs en gris")
    assert notes[-1] == "Seuils du taux de décroché : bon ≥ 90 %, alerte < 80 %"
