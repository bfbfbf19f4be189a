"""What every export format shares: each cell as the formats see it (suppressed cells blanked whatever `rows`
holds, aware datetimes turned to Paris time), the header with its unit, numbers written without exponent, and the
lines printed under a table (what greyed and withheld cells mean, the columns' formulas, the table's notes)."""

import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from visiorelais.statistics.conf import MIN_SIGNIFICANT_N
from visiorelais.statistics.periods import PARIS
from visiorelais.statistics.tables import DATE, DATETIME, INTEGER, NUMBER, Column, Table

WEAK_NOTE = (
    f"Valeurs en gris : calculées sur moins de {MIN_SIGNIFICANT_N} cas (n < {MIN_SIGNIFICANT_N}), "
    "peu significatives ; données à titre indicatif."
)
SUPPRESSED_NOTE = "{mark} : valeur masquée, petit effectif non publié (secret statistique)."


@dataclass(frozen=True)
class Cell:
    column: Column
    value: object  # None when empty or withheld
    weak: bool = False
    suppressed: bool = False


def table_cells(table: Table) -> Iterator[list[Cell]]:
    """The rows of the table as cells. A suppressed cell's value is None even if `rows` still holds one: a
    withheld count must never leave the app."""
    for index, row in enumerate(table.rows):
        cells = []
        for column, value in zip(table.columns, row, strict=True):
            where = (index, column.key)
            if where in table.suppressed:
                cells.append(Cell(column, None, suppressed=True))
                continue
            if isinstance(value, float) and not math.isfinite(value):
                value = None
            cells.append(Cell(column, value, weak=where in table.weak and value is not None))
        yield cells


def paris_time(value: dt.datetime) -> dt.datetime:
    """An aware datetime in Paris time; a naive one is taken as Paris wall-clock time already."""
    return value.replace(tzinfo=PARIS) if value.tzinfo is None else value.astimezone(PARIS)


def typed(cell: Cell) -> object:
    """The cell's value coerced to its column's kind: int, float, date, aware Paris datetime or str."""
    value, kind = cell.value, cell.column.kind
    if value is None:
        return None
    if kind == INTEGER:
        return int(value)
    if kind == NUMBER:
        return float(value)
    if kind == DATETIME:
        return paris_time(value)
    if kind == DATE:
        return value.date() if isinstance(value, dt.datetime) else value
    if isinstance(value, bool):
        return "oui" if value else "non"
    return str(value)


def decimal_text(value: float) -> str:
    """A float with a dot and no exponent (1e-05 → "0.00001"), as every CSV reader parses it."""
    text = repr(float(value))
    if "e" in text or "E" in text:
        text = format(Decimal(text), "f")
    return text.removesuffix(".0") if text.endswith(".0") else text


def french_number(value: float, decimals: int = 1) -> str:
    """For people: rounded half up (91.25 → "91,3", as taught at school and done by spreadsheets), a decimal
    comma and non-breaking spaces between thousands ("1 234,5"); an int keeps no decimals."""
    if isinstance(value, float):
        rounded = Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
        text = f"{rounded:,.{decimals}f}"
    else:
        text = f"{value:,d}"
    return text.replace(",", "\u00a0").replace(".", ",")


def header_label(column: Column) -> str:
    return f"{column.label} ({column.unit})" if column.unit else column.label


def rate_columns(table: Table) -> list[Column]:
    return [column for column in table.columns if column.unit == "%"]


def notes_lines(table: Table, *, suppressed_mark: str = "Case vide") -> list[str]:
    """The lines printed under a table: what greyed and withheld cells mean (when there are any; a withheld cell
    is shown as `suppressed_mark`), the formula of each column that has one, then the table's own notes
    (thresholds, n, suppression rule)."""
    lines = []
    if any(cell.weak for row in table_cells(table) for cell in row):
        lines.append(WEAK_NOTE)
    if table.suppressed:
        lines.append(SUPPRESSED_NOTE.format(mark=suppressed_mark))
    lines += [f"{header_label(column)} : {column.description}" for column in table.columns if column.description]
    return lines + list(table.notes)
