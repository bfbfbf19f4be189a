"""Every figure's way out of the app: each statistics Table (statistics/tables.py) as CSV for open data with its
TableSchema, CSV for French spreadsheets, XLSX and ODS, and Tables together as the PDF steering report; plus the
streamed call-level CSV. See docs/statistics.md, "Exports"."""

from visiorelais.statistics.exports.calls import call_facts_csv, call_facts_schema
from visiorelais.statistics.exports.opendata import table_csv, table_csv_fr, table_schema
from visiorelais.statistics.exports.report import report_pdf
from visiorelais.statistics.exports.responses import FORMATS, report_response, table_response
from visiorelais.statistics.exports.spreadsheets import table_ods, table_xlsx

__all__ = [
    "FORMATS",
    "call_facts_csv",
    "call_facts_schema",
    "report_pdf",
    "report_response",
    "table_csv",
    "table_csv_fr",
    "table_ods",
    "table_response",
    "table_schema",
    "table_xlsx",
]
