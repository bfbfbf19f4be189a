"""The open-data CSV, its TableSchema, the French CSV and the HTTP responses, on Tables built by hand (every
kind of column, no value, weak and withheld cells, accents, a value with a comma and quotes), parsed back."""

import csv
import datetime as dt
import io
import json

import pytest
from django.http import Http404
from frictionless import Dialect, Resource, Schema
from frictionless.formats import CsvControl

from visiorelais.statistics.exports import (
    FORMATS,
    report_response,
    table_csv,
    table_csv_fr,
    table_response,
    table_schema,
)
from visiorelais.statistics.tables import DATE, DATETIME, INTEGER, NUMBER, Chart, Column, Table

QUOTED = 'Mairie de Coutances, "accueil"'


def sample_table(key: str = "reseau-par-mois", title: str = "Réseau par mois", repeat: int = 1) -> Table:
    """Three months: a plain row, a weak rate with accents and quotes, a withheld count (whose value `rows`
    still holds, to prove it never leaves) and no values; `repeat` makes it long."""
    columns = [
        Column("mois", "Mois", DATE),
        Column("partenaire", "Partenaire"),
        Column("demandes", "Demandes", INTEGER, "appels", "nombre de demandes d'appel"),
        Column("taux_decroche", "Taux de décroché", NUMBER, "%", "appels décrochés / appels mis en attente"),
        Column("dernier_appel", "Dernier appel", DATETIME),
    ]
    rows = [
        (dt.date(2026, 1, 1), "CAF de la Manche", 250, 91.25, dt.datetime(2026, 1, 30, 16, 45, tzinfo=dt.UTC)),
        (dt.date(2026, 7, 1), QUOTED, 8, 62.5, dt.datetime(2026, 7, 1, 7, 5, tzinfo=dt.UTC)),
        (dt.date(2026, 8, 1), "Sécurité sociale – été", 3, None, None),
    ] * repeat
    return Table(
        key=key,
        title=title,
        columns=columns,
        rows=rows,
        period_label="du 01/01/2026 au 31/08/2026",
        scope_label="Réseau",
        notes=["n = 261 appels", "Seuils du taux de décroché : bon ≥ 90 %, alerte < 80 %"],
        weak={(1 + 3 * copy, "taux_decroche") for copy in range(repeat)},
        suppressed={(2 + 3 * copy, "demandes") for copy in range(repeat)},
        chart=Chart("bar", "mois", ("taux_decroche",), title="Taux de décroché par mois"),
    )


def read_csv(content: bytes, **options) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8")), **options))


def validate(content: bytes, descriptor: dict, delimiter: str = ","):
    dialect = Dialect(controls=[CsvControl(delimiter=delimiter)])
    return Resource(data=content, format="csv", schema=Schema.from_descriptor(descriptor), dialect=dialect).validate()


def test_the_open_data_csv_has_key_headers_iso_times_in_paris_and_a_dot_decimal():
    content = table_csv(sample_table())

    assert not content.startswith(b"\xef\xbb\xbf")
    header, first, second, third = read_csv(content)
    assert header == ["mois", "partenaire", "demandes", "taux_decroche", "dernier_appel"]
    assert first == ["2026-01-01", "CAF de la Manche", "250", "91.25", "2026-01-30T17:45:00+01:00"]
    # Summer time; the weak rate is still given; a comma and quotes survive the round trip.
    assert second == ["2026-07-01", QUOTED, "8", "62.5", "2026-07-01T09:05:00+02:00"]
    # The withheld count is empty although the table's rows still held 3; no value is an empty cell.
    assert third == ["2026-08-01", "Sécurité sociale – été", "", "", ""]


def test_the_open_data_csv_is_valid_against_its_table_schema():
    table = sample_table()
    descriptor = table_schema(table)

    assert list(Schema.metadata_validate(descriptor)) == []
    report = validate(table_csv(table), descriptor)

    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert report.tasks[0].stats["rows"] == 3


def test_the_schema_names_types_and_describes_every_column_and_says_which_rates_are_weak():
    descriptor = table_schema(sample_table())

    fields = {field["name"]: field for field in descriptor["fields"]}
    assert [(name, field["type"], field["title"]) for name, field in fields.items()] == [
        ("mois", "date", "Mois"),
        ("partenaire", "string", "Partenaire"),
        ("demandes", "integer", "Demandes"),
        ("taux_decroche", "number", "Taux de décroché"),
        ("dernier_appel", "datetime", "Dernier appel"),
    ]
    assert fields["taux_decroche"]["description"] == "appels décrochés / appels mis en attente; unité : %"
    assert descriptor["missingValues"] == [""]
    assert "Taux en pourcentage (0 à 100) : taux_decroche." in descriptor["description"]
    assert "(n < 10) : taux_decroche ligne 2." in descriptor["description"]
    assert "masquée" in descriptor["description"]


@pytest.mark.parametrize(
    ("wrong", "error"),
    [
        ("250", "deux cent cinquante"),  # not an integer
        ("2026-01-01", "01/01/2026"),  # a French date in the ISO column
        ("91.25", '"91,25"'),  # a decimal comma (quoted, as a spreadsheet would write it)
    ],
)
def test_an_invalid_csv_is_caught_by_the_schema(wrong, error):
    table = sample_table()
    content = table_csv(table).replace(wrong.encode(), error.encode(), 1)

    report = validate(content, table_schema(table))

    assert not report.valid
    assert [kind for (kind,) in report.flatten(["type"])] == ["type-error"]


def test_the_french_csv_has_a_bom_semicolons_a_decimal_comma_and_french_headers():
    content = table_csv_fr(sample_table())

    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Mois", "Partenaire", "Demandes (appels)", "Taux de décroché (%)", "Dernier appel"]
    assert rows[1] == ["01/01/2026", "CAF de la Manche", "250", "91,25", "30/01/2026 17:45"]
    assert rows[2] == ["01/07/2026", QUOTED, "8", "62,5", "01/07/2026 09:05"]
    assert rows[3] == ["01/08/2026", "Sécurité sociale – été", "", "", ""]


def test_numbers_are_written_without_exponent_and_integers_in_number_columns_without_a_point():
    table = Table("petits", "Petits nombres", [Column("x", "x", NUMBER)], [(0.00001,), (3.0,), (1e16,)])

    assert [row[0] for row in read_csv(table_csv(table))[1:]] == ["0.00001", "3", "10000000000000000"]
    assert validate(table_csv(table), table_schema(table)).valid


@pytest.mark.parametrize(
    ("fmt", "content_type", "filename"),
    [
        ("csv", "text/csv; charset=utf-8", "reseau-par-mois.csv"),
        ("schema", "application/json", "reseau-par-mois.schema.json"),
        ("csv-fr", "text/csv; charset=utf-8", "reseau-par-mois.fr.csv"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "reseau-par-mois.xlsx"),
        ("ods", "application/vnd.oasis.opendocument.spreadsheet", "reseau-par-mois.ods"),
    ],
)
def test_each_format_is_an_attachment_with_its_content_type_and_file_name(fmt, content_type, filename):
    response = table_response(sample_table(), fmt)

    assert fmt in FORMATS
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response.content


def test_the_schema_response_is_the_json_of_the_table_schema():
    table = sample_table()

    assert json.loads(table_response(table, "schema").content) == table_schema(table)


def test_an_unknown_format_is_not_found():
    with pytest.raises(Http404):
        table_response(sample_table(), "docx")


def test_the_report_response_is_a_pdf_attachment_named_after_its_title():
    response = report_response([sample_table()], title="Rapport de pilotage 2026", subtitle="Réseau")

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="rapport-de-pilotage-2026.pdf"'
    assert response.content.startswith(b"%PDF-")
