"""HTTP responses of the exports: each format of a Table as an attachment, and the steering report."""

import json

from django.http import Http404, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.text import slugify

from visiorelais.statistics.exports.opendata import table_csv, table_csv_fr, table_schema
from visiorelais.statistics.exports.report import report_pdf
from visiorelais.statistics.exports.spreadsheets import table_ods, table_xlsx
from visiorelais.statistics.tables import Table

# Format key → French label, in the order the screens offer them.
FORMATS: dict[str, str] = {
    "csv": "CSV données ouvertes",
    "schema": "Schéma du CSV (TableSchema, JSON)",
    "csv-fr": "CSV pour tableur français",
    "xlsx": "Classeur Excel (XLSX)",
    "ods": "Classeur OpenDocument (ODS)",
}

# Format key → (bytes of one table, content type, file extension).
_WRITERS = {
    "csv": (table_csv, "text/csv; charset=utf-8", "csv"),
    "schema": (
        lambda table: json.dumps(table_schema(table), ensure_ascii=False, indent=2).encode(),
        "application/json",
        "schema.json",
    ),
    "csv-fr": (table_csv_fr, "text/csv; charset=utf-8", "fr.csv"),
    "xlsx": (
        lambda table: table_xlsx([table]),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
    ),
    "ods": (lambda table: table_ods([table]), "application/vnd.oasis.opendocument.spreadsheet", "ods"),
}


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


def table_response(table: Table, fmt: str) -> HttpResponse:
    """`table` in format `fmt` (a key of FORMATS) as an attachment named `<table.key>.<ext>`; Http404 for an
    unknown format. The caller has already checked that the user may see the table."""
    if fmt not in _WRITERS:
        raise Http404("unknown export format")
    write, content_type, extension = _WRITERS[fmt]
    return _attachment(write(table), content_type, f"{table.key}.{extension}")


def report_response(tables: list[Table], *, title: str, subtitle: str, intro: list[str] = ()) -> HttpResponse:
    """The steering report as a PDF attachment named after its title."""
    content = report_pdf(tables, title=title, subtitle=subtitle, intro=intro)
    return _attachment(content, "application/pdf", f"{slugify(title) or 'rapport'}.pdf")
