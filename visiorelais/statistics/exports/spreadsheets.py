"""XLSX and ODS workbooks of Tables: one sheet per table with a title row, the period and scope, the header with
units, typed cells (numbers as numbers, dates as dates, times as Paris wall-clock times: neither format stores a
time zone), weak cells greyed, and the notes under the table (what grey means, formulas, n)."""

import datetime as dt
import io
import re

from odf import number as ods_number
from odf import style as ods_style
from odf import table as ods_table
from odf.element import Element
from odf.opendocument import OpenDocumentSpreadsheet
from odf.text import P
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from visiorelais.statistics.exports.cells import Cell, french_number, header_label, notes_lines, table_cells, typed
from visiorelais.statistics.tables import DATE, DATETIME, INTEGER, NUMBER, Table

GREY = "6E6E6E"  # 5.1:1 on white: greyed yet readable
SHEET_NAME_MAX = 31  # Excel's limit; LibreOffice keeps it for XLSX round trips


def sheet_names(tables: list[Table]) -> list[str]:
    """A valid, unique sheet name per table, from its title: at most 31 characters, none of []:*?/\\, no leading or
    trailing apostrophe, unique regardless of case ("Titre", "Titre (2)"…)."""
    names: list[str] = []
    taken: set[str] = set()
    for table in tables:
        base = re.sub(r"[\[\]:*?/\\]", " ", table.title or table.key)
        base = " ".join(base.split()).strip("'") or "Tableau"
        name, copy = base[:SHEET_NAME_MAX], 1
        while name.casefold() in taken or name.casefold() == "history":
            copy += 1
            suffix = f" ({copy})"
            name = base[: SHEET_NAME_MAX - len(suffix)].rstrip() + suffix
        taken.add(name.casefold())
        names.append(name)
    return names


def _heading_lines(table: Table) -> list[str]:
    lines = []
    if table.period_label:
        lines.append(f"Période : {table.period_label}")
    if table.scope_label:
        lines.append(f"Périmètre : {table.scope_label}")
    return lines


def _wall_clock(value: object) -> object:
    return value.replace(tzinfo=None) if isinstance(value, dt.datetime) else value


XLSX_FORMATS = {INTEGER: "#,##0", NUMBER: "#,##0.0", DATE: "DD/MM/YYYY", DATETIME: "DD/MM/YYYY HH:MM"}


def table_xlsx(tables: list[Table]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    bold, grey = Font(bold=True), Font(color=GREY, italic=True)
    header_fill = PatternFill("solid", fgColor="E8E8E8")
    for table, name in zip(tables, sheet_names(tables), strict=True):
        sheet = workbook.create_sheet(name)
        sheet.append([table.title])
        sheet["A1"].font = Font(bold=True, size=14)
        for line in _heading_lines(table):
            sheet.append([line])
        sheet.append([])
        sheet.append([header_label(column) for column in table.columns])
        header_row = sheet.max_row
        for cell in sheet[header_row]:
            cell.font, cell.fill = bold, header_fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in table_cells(table):
            sheet.append([_wall_clock(typed(cell)) for cell in row])
            for target, cell in zip(sheet[sheet.max_row], row, strict=True):
                if cell.column.kind in XLSX_FORMATS:
                    target.number_format = XLSX_FORMATS[cell.column.kind]
                if cell.weak:
                    target.font = grey
        sheet.append([])
        for line in notes_lines(table):
            sheet.append([line])
        sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
        for index, column in enumerate(table.columns, start=1):
            width = max([len(header_label(column)) * 0.8, *(len(str(v)) for v in table.values(column.key)), 10])
            sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, 60)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class _OdsStyles:
    """The workbook's cell styles, made once: data styles (number, date, date and time) crossed with greyed."""

    def __init__(self, document: OpenDocumentSpreadsheet):
        self.document = document
        self.cache: dict[tuple, Element] = {}
        add = document.automaticstyles.addElement
        integer = ods_number.NumberStyle(name="n0")
        integer.addElement(ods_number.Number(decimalplaces="0", minintegerdigits="1", grouping="true"))
        decimal = ods_number.NumberStyle(name="n1")
        decimal.addElement(ods_number.Number(decimalplaces="1", minintegerdigits="1", grouping="true"))
        date = self._date_style("d", with_time=False)
        datetime = self._date_style("dt", with_time=True)
        for data_style in (integer, decimal, date, datetime):
            add(data_style)
        self.data_styles = {INTEGER: "n0", NUMBER: "n1", DATE: "d", DATETIME: "dt"}

    @staticmethod
    def _date_style(name: str, *, with_time: bool) -> Element:
        date = ods_number.DateStyle(name=name)
        parts = [ods_number.Day(style="long"), "/", ods_number.Month(style="long"), "/", ods_number.Year(style="long")]
        if with_time:
            parts += [" ", ods_number.Hours(style="long"), ":", ods_number.Minutes(style="long")]
        for part in parts:
            date.addElement(ods_number.Text(text=part) if isinstance(part, str) else part)
        return date

    def get(self, *, kind: str = "", weak: bool = False, bold: bool = False, size: str = "") -> Element:
        key = (self.data_styles.get(kind, ""), weak, bold, size)
        if key not in self.cache:
            attributes = {"name": f"c{len(self.cache)}", "family": "table-cell"}
            if key[0]:
                attributes["datastylename"] = key[0]
            cell_style = ods_style.Style(**attributes)
            text = {}
            if weak:
                text.update(color=f"#{GREY}", fontstyle="italic")
            if bold:
                text["fontweight"] = "bold"
            if size:
                text["fontsize"] = size
            if text:
                cell_style.addElement(ods_style.TextProperties(**text))
            self.document.automaticstyles.addElement(cell_style)
            self.cache[key] = cell_style
        return self.cache[key]


def _ods_text_row(text: str, style: Element | None = None) -> Element:
    row = ods_table.TableRow()
    cell = ods_table.TableCell(valuetype="string", **({"stylename": style} if style else {}))
    cell.addElement(P(text=text))
    row.addElement(cell)
    return row


def _ods_cell(cell: Cell, styles: _OdsStyles) -> Element:
    value, kind = typed(cell), cell.column.kind
    if value is None:
        return ods_table.TableCell()
    style = styles.get(kind=kind, weak=cell.weak)
    if kind in (INTEGER, NUMBER):
        target = ods_table.TableCell(valuetype="float", value=value, stylename=style)
        display = french_number(value)
    elif kind == DATE:
        target = ods_table.TableCell(valuetype="date", datevalue=value.isoformat(), stylename=style)
        display = value.strftime("%d/%m/%Y")
    elif kind == DATETIME:
        wall = _wall_clock(value)
        target = ods_table.TableCell(valuetype="date", datevalue=wall.isoformat(timespec="seconds"), stylename=style)
        display = wall.strftime("%d/%m/%Y %H:%M")
    else:
        target = ods_table.TableCell(valuetype="string", stylename=style)
        display = value
    target.addElement(P(text=display))
    return target


def table_ods(tables: list[Table]) -> bytes:
    document = OpenDocumentSpreadsheet()
    styles = _OdsStyles(document)
    for number, (table, name) in enumerate(zip(tables, sheet_names(tables), strict=True)):
        sheet = ods_table.Table(name=name)
        for index, column in enumerate(table.columns):
            width = min(max(len(header_label(column)) * 0.18, 2.5), 9)
            column_style = ods_style.Style(name=f"w{number}-{index}", family="table-column")
            column_style.addElement(ods_style.TableColumnProperties(columnwidth=f"{width:.1f}cm"))
            document.automaticstyles.addElement(column_style)
            sheet.addElement(ods_table.TableColumn(stylename=column_style))
        sheet.addElement(_ods_text_row(table.title, styles.get(bold=True, size="14pt")))
        for line in _heading_lines(table):
            sheet.addElement(_ods_text_row(line))
        sheet.addElement(ods_table.TableRow())
        header = ods_table.TableRow()
        for column in table.columns:
            cell = ods_table.TableCell(valuetype="string", stylename=styles.get(bold=True))
            cell.addElement(P(text=header_label(column)))
            header.addElement(cell)
        sheet.addElement(header)
        for row in table_cells(table):
            target = ods_table.TableRow()
            for cell in row:
                target.addElement(_ods_cell(cell, styles))
            sheet.addElement(target)
        sheet.addElement(ods_table.TableRow())
        for line in notes_lines(table):
            sheet.addElement(_ods_text_row(line))
        document.spreadsheet.addElement(sheet)
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()
