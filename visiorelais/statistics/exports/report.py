"""The steering report: a PDF of Tables for the steering committee and the funders (A4, French).

A cover (title, subtitle, date made, the list of tables), then per table its title, period and scope, the table
(split across pages with its header repeated), its chart when it has one, and its notes; last, a page "Méthode"
with every metric's formula and thresholds.
"""

import datetime as dt
import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Table as PdfTable

from visiorelais.statistics import conf
from visiorelais.statistics.exports.cells import Cell, french_number, header_label, notes_lines, table_cells, typed
from visiorelais.statistics.exports.charts import FONT, FONT_BOLD, FONT_ITALIC, chart_drawing, register_fonts
from visiorelais.statistics.metrics import METRICS
from visiorelais.statistics.periods import PARIS
from visiorelais.statistics.tables import DATE, DATETIME, INTEGER, NUMBER, STRING, Table

GREY = colors.HexColor("#6E6E6E")
WIDTH = A4[0] - 40 * mm  # the frame's width with 20 mm margins


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=12.5)
    return {
        "body": base,
        "cover": ParagraphStyle("cover", base, fontName=FONT_BOLD, fontSize=24, leading=30, spaceAfter=10),
        "subtitle": ParagraphStyle("subtitle", base, fontSize=14, leading=18, spaceAfter=18),
        "h1": ParagraphStyle("h1", base, fontName=FONT_BOLD, fontSize=14, leading=18, spaceBefore=6, spaceAfter=4),
        "h2": ParagraphStyle("h2", base, fontName=FONT_BOLD, fontSize=10.5, leading=14, spaceBefore=6, spaceAfter=2),
        "meta": ParagraphStyle("meta", base, textColor=colors.HexColor("#444444"), spaceAfter=6),
        "note": ParagraphStyle("note", base, fontSize=8, leading=10.5, textColor=colors.HexColor("#333333")),
        "cell": ParagraphStyle("cell", base, fontSize=8, leading=10),
        "head": ParagraphStyle("head", base, fontName=FONT_BOLD, fontSize=8, leading=10),
        "head_number": ParagraphStyle(
            "head_number", base, fontName=FONT_BOLD, fontSize=8, leading=10, alignment=TA_RIGHT
        ),
    }


def _display(cell: Cell) -> str:
    """A cell for people: "—" for no value, "s" for a withheld one, French numbers and dates."""
    if cell.suppressed:
        return "s"
    value = typed(cell)
    if value is None:
        return "—"
    if cell.column.kind == INTEGER:
        return french_number(value)
    if cell.column.kind == NUMBER:
        return french_number(value, 2 if cell.column.unit == "/5" else 1)
    if cell.column.kind == DATE:
        return value.strftime("%d/%m/%Y")
    if cell.column.kind == DATETIME:
        return value.strftime("%d/%m/%Y %H:%M")
    return value


def _display_text(value: object, column) -> str:
    return _display(Cell(column, value))


def _column_widths(table: Table) -> list[float]:
    """Widths in points that fill the frame: each column's natural width (its longest value, its header's longest
    word: headers wrap between words, numbers never wrap); when they do not fit, text columns give way, since
    their cells wrap."""
    padding = 12
    natural, least = [], []
    for index, column in enumerate(table.columns):
        words = max(stringWidth(word, FONT_BOLD, 8) for word in header_label(column).split() or [""])
        values = max((stringWidth(_display_text(row[index], column), FONT, 8) for row in table.rows[:300]), default=0)
        natural.append(max(words, min(values, 220)) + padding)
        least.append(max(words, 40 if column.kind == STRING else values) + padding)
    if sum(natural) <= WIDTH:
        return [width * WIDTH / sum(natural) for width in natural]
    slack = sum(n - m for n, m in zip(natural, least, strict=True)) or 1
    excess = sum(natural) - WIDTH
    return [n - (n - m) * min(1.0, excess / slack) for n, m in zip(natural, least, strict=True)]


def _pdf_table(table: Table, styles: dict[str, ParagraphStyle]) -> PdfTable:
    data = [
        [
            Paragraph(escape(header_label(column)), styles["head" if column.kind == STRING else "head_number"])
            for column in table.columns
        ]
    ]
    commands = [
        ("FONT", (0, 0), (-1, -1), FONT, 8),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8E8E8")),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#F5F5F5")]),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
        ("LINEBELOW", (0, -1), (-1, -1), 0.4, colors.HexColor("#999999")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    for index, column in enumerate(table.columns):
        if column.kind != STRING:
            commands.append(("ALIGN", (index, 0), (index, -1), "RIGHT"))
    for row_index, row in enumerate(table_cells(table), start=1):
        cells = []
        for column_index, cell in enumerate(row):
            text = _display(cell)
            cells.append(Paragraph(escape(text), styles["cell"]) if cell.column.kind == STRING else text)
            if cell.weak:
                where = (column_index, row_index)
                commands += [("TEXTCOLOR", where, where, GREY), ("FONT", where, where, FONT_ITALIC, 8)]
        data.append(cells)
    pdf_table = PdfTable(data, colWidths=_column_widths(table), repeatRows=1, hAlign="LEFT")
    pdf_table.setStyle(TableStyle(commands))
    return pdf_table


def _table_flowables(table: Table, styles: dict[str, ParagraphStyle]) -> list:
    meta = " — ".join(escape(label) for label in (table.period_label, table.scope_label) if label)
    heading = [Paragraph(escape(table.title), styles["h1"])]
    if meta:
        heading.append(Paragraph(meta, styles["meta"]))
    flowables = [CondPageBreak(60 * mm), *heading, _pdf_table(table, styles)]
    drawing = chart_drawing(table, WIDTH)
    if drawing is not None:
        caption = Paragraph(escape(table.chart.title or f"Graphique : {table.title}"), styles["h2"])
        flowables += [Spacer(1, 4 * mm), KeepTogether([caption, drawing])]
    notes = [Paragraph(escape(line), styles["note"]) for line in notes_lines(table, suppressed_mark="« s »")]
    if notes:
        flowables += [Spacer(1, 2 * mm), *notes]
    return [*flowables, Spacer(1, 8 * mm)]


def _threshold_text(metric) -> str:
    thresholds = metric.thresholds
    if thresholds is None:
        return "pas de seuil"

    def shown(value: float) -> str:
        if metric.unit == "%":
            return f"{french_number(value * 100, 0)}\u00a0%"
        return f"{french_number(float(value), 0 if value == int(value) else 1)}\u00a0{metric.unit}"

    better, worse = ("≥", "<") if thresholds.higher_is_better else ("≤", ">")
    return f"bon {better} {shown(thresholds.good)}, alerte {worse} {shown(thresholds.alert)}"


def _method(styles: dict[str, ParagraphStyle]) -> list:
    lines = [
        PageBreak(),
        Paragraph("Méthode", styles["h1"]),
        Paragraph(
            escape(
                "Chaque chiffre est calculé à partir du journal des appels, des états des postes et de la présence "
                "des bornes, et de rien d'autre. Un appel appartient à la période de sa demande, en heure de Paris. "
                f"T (niveau de service) = {conf.service_level_seconds()} s ; abandon court : moins de "
                f"{conf.short_abandon_seconds()} s d'attente. Un taux ou une moyenne calculé sur moins de "
                f"{conf.MIN_SIGNIFICANT_N} cas (n < {conf.MIN_SIGNIFICANT_N}) est peu significatif : "
                "il est grisé et ne reçoit pas d'état « bon », « à surveiller » ou « alerte »."
            ),
            styles["body"],
        ),
        Spacer(1, 3 * mm),
    ]
    for metric in METRICS.values():
        unit = f", {metric.unit}" if metric.unit else ""
        lines.append(
            KeepTogether(
                [
                    Paragraph(f"<b>{escape(metric.name)}</b> ({escape(metric.key)}{escape(unit)})", styles["body"]),
                    Paragraph(escape(f"{metric.formula}. Seuils : {_threshold_text(metric)}."), styles["note"]),
                    Spacer(1, 2 * mm),
                ]
            )
        )
    return lines


def report_pdf(tables: list[Table], *, title: str, subtitle: str, intro: list[str] = ()) -> bytes:
    register_fonts()
    styles = _styles()
    made = dt.datetime.now(PARIS)
    story = [
        Spacer(1, 40 * mm),
        Paragraph(escape(title), styles["cover"]),
        Paragraph(escape(subtitle), styles["subtitle"]),
        Paragraph(escape(f"Rapport établi le {made:%d/%m/%Y à %H:%M} (heure de Paris)."), styles["meta"]),
        *(Paragraph(escape(paragraph), styles["body"]) for paragraph in intro),
        Spacer(1, 8 * mm),
        Paragraph("Sommaire", styles["h2"]),
        *(Paragraph(escape(f"{n}. {table.title}"), styles["body"]) for n, table in enumerate(tables, start=1)),
        Paragraph(escape(f"{len(tables) + 1}. Méthode"), styles["body"]),
        PageBreak(),
    ]
    for table in tables:
        story += _table_flowables(table, styles)
    story += _method(styles)

    def footer(canvas, document):
        canvas.saveState()
        canvas.setFont(FONT, 7.5)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawString(20 * mm, 10 * mm, f"Visio-relais — {title}")
        canvas.drawRightString(A4[0] - 20 * mm, 10 * mm, f"page {document.page}")
        canvas.restoreState()

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=title,
        subject=subtitle,
        author="Visio-relais",
        lang="fr-FR",
    )
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
