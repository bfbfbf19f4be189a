"""The CSV formats of a Table.

`table_csv` is for open data and programs: UTF-8, comma, a header of column keys, ISO 8601 dates and times (Paris
time with its offset), a dot as decimal mark, an empty cell for no value; `table_schema` is its Frictionless
TableSchema. `table_csv_fr` is for French spreadsheets (Excel, LibreOffice opened by a double click): UTF-8 with
a BOM (without it Excel reads Latin-1), semicolons, a decimal comma, French headers, dates as dd/mm/yyyy.
"""

import csv
import io

from visiorelais.statistics.conf import MIN_SIGNIFICANT_N
from visiorelais.statistics.exports.cells import (
    Cell,
    decimal_text,
    header_label,
    rate_columns,
    table_cells,
    typed,
)
from visiorelais.statistics.tables import DATE, DATETIME, NUMBER, Table

TABLE_SCHEMA_PROFILE = "https://datapackage.org/profiles/2.0/tableschema.json"


def _csv_bytes(header: list[str], rows: list[list[str]], *, delimiter: str, bom: bool) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" if bom else "").encode() + buffer.getvalue().encode("utf-8")


def _open_text(cell: Cell) -> str:
    value = typed(cell)
    if value is None:
        return ""
    if cell.column.kind == NUMBER:
        return decimal_text(value)
    if cell.column.kind in (DATE, DATETIME):
        return value.isoformat(timespec="seconds") if cell.column.kind == DATETIME else value.isoformat()
    return str(value)


def table_csv(table: Table) -> bytes:
    """UTF-8, comma, CRLF (RFC 4180), header of column keys; weak cells are given, suppressed cells are empty."""
    rows = [[_open_text(cell) for cell in row] for row in table_cells(table)]
    return _csv_bytes([column.key for column in table.columns], rows, delimiter=",", bom=False)


def _schema_description(table: Table) -> str:
    parts = [table.title]
    if table.period_label or table.scope_label:
        parts.append(" — ".join(label for label in (table.period_label, table.scope_label) if label))
    rates = rate_columns(table)
    if rates:
        keys = ", ".join(column.key for column in rates)
        parts.append(
            f"Taux en pourcentage (0 à 100) : {keys}. Un taux calculé sur moins de {MIN_SIGNIFICANT_N} cas "
            f"(n < {MIN_SIGNIFICANT_N}) est peu significatif ; il est donné tout de même."
        )
    weak = sorted(table.weak, key=lambda where: (where[0], table.index(where[1])))
    if weak:
        cells = ", ".join(f"{key} ligne {index + 1}" for index, key in weak[:50])
        more = f" et {len(weak) - 50} autres" if len(weak) > 50 else ""
        parts.append(f"Valeurs peu significatives (n < {MIN_SIGNIFICANT_N}) : {cells}{more}.")
    if table.suppressed:
        parts.append("Cellules vides : valeur absente, ou masquée (petit effectif, secret statistique).")
    else:
        parts.append("Cellules vides : valeur absente.")
    parts += table.notes
    return "\n".join(parts)


def table_schema(table: Table) -> dict:
    """A Frictionless TableSchema (v2 profile) describing `table_csv(table)`: one field per column, its French
    label as title, its kind as type, its formula and unit as description."""
    fields = []
    for column in table.columns:
        field = {"name": column.key, "title": column.label, "type": column.kind}
        parts = [column.description]
        if column.unit:
            parts.append(f"unité : {column.unit}")
        if column.kind == DATETIME:
            parts.append("ISO 8601, heure de Paris avec son décalage")
        description = "; ".join(part for part in parts if part)
        if description:
            field["description"] = description
        fields.append(field)
    return {
        "$schema": TABLE_SCHEMA_PROFILE,
        "name": table.key,
        "title": table.title,
        "description": _schema_description(table),
        "fields": fields,
        "missingValues": [""],
    }


def _french_text(cell: Cell) -> str:
    value = typed(cell)
    if value is None:
        return ""
    if cell.column.kind == NUMBER:
        return decimal_text(value).replace(".", ",")
    if cell.column.kind == DATE:
        return value.strftime("%d/%m/%Y")
    if cell.column.kind == DATETIME:
        return value.strftime("%d/%m/%Y %H:%M")
    return str(value)


def table_csv_fr(table: Table) -> bytes:
    """For French spreadsheets: BOM, semicolons, decimal comma, French headers with units, dd/mm/yyyy dates and
    dd/mm/yyyy hh:mm times in Paris time."""
    rows = [[_french_text(cell) for cell in row] for row in table_cells(table)]
    return _csv_bytes([header_label(column) for column in table.columns], rows, delimiter=";", bom=True)
