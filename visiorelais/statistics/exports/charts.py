"""The steering report's charts, drawn with reportlab.graphics from a Table and its Chart description.

No chart speaks by colour alone: each bar series has its own fill pattern (solid, hatched, crossed, dotted…) as
well as its colour, each line its own dash and marker, every chart with series has a legend, and a heatmap
prints its value in every cell (the shade only repeats it). Withheld cells are not drawn.
"""

import datetime as dt
import math
import os

import reportlab
from reportlab.graphics.shapes import Drawing, Group, Line, PolyLine, Rect, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont

from visiorelais.statistics.exports.cells import french_number, header_label, table_cells
from visiorelais.statistics.tables import Chart, Table

# Bitstream Vera ships with reportlab and has every glyph the report prints (é, œ, ≥, ≤, −, …), unlike the
# PDF base fonts (Latin-1 only).
FONT, FONT_BOLD, FONT_ITALIC, FONT_BOLD_ITALIC = "Vera", "Vera-Bold", "Vera-Italic", "Vera-BoldItalic"


def register_fonts() -> None:
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    folder = os.path.join(os.path.dirname(reportlab.__file__), "fonts")
    for name, file in [(FONT, "Vera"), (FONT_BOLD, "VeraBd"), (FONT_ITALIC, "VeraIt"), (FONT_BOLD_ITALIC, "VeraBI")]:
        pdfmetrics.registerFont(TTFont(name, os.path.join(folder, f"{file}.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC, boldItalic=FONT_BOLD_ITALIC)


# Okabe–Ito: told apart by the colour-blind too; the patterns and markers carry the distinction anyway.
PALETTE = [
    colors.HexColor(code)
    for code in ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#333333", "#F0E442")
]
PATTERNS = ("solid", "diagonal", "horizontal", "cross", "vertical", "dots", "back_diagonal", "outline")
MARKERS = ("FilledCircle", "Square", "FilledTriangle", "Diamond", "Cross", "FilledSquare", "Circle", "StarFive")
DASHES = (None, (6, 3), (2, 2), (8, 3, 2, 3), (1, 3), (10, 4), (4, 2, 1, 2), (3, 5))
SMALL = 7
HEIGHT = 210


def _label(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return french_number(value)
    return str(value)


def _x_labels(values: list) -> list[str]:
    if values and all(isinstance(v, dt.date) and not isinstance(v, dt.datetime) and v.day == 1 for v in values):
        return [v.strftime("%m/%Y") for v in values]  # months
    return [_label(v) for v in values]


def _series(table: Table, chart: Chart) -> dict[str, list[float | None]]:
    """Each series column's values as floats, None for an empty or withheld cell."""
    rows = list(table_cells(table))
    found = {}
    for key in chart.series:
        index = table.index(key)
        found[key] = [None if row[index].value is None else float(row[index].value) for row in rows]
    return found


def _nice_top(largest: float) -> float:
    if largest <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(largest))
    return next(step * power for step in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10) if largest <= step * power)


def _pattern(group: Group, x: float, y: float, w: float, h: float, index: int) -> None:
    """A bar (or legend swatch) of series `index`: its colour and its pattern, clipped to the rectangle."""
    color, pattern = PALETTE[index % len(PALETTE)], PATTERNS[index % len(PATTERNS)]
    solid = pattern == "solid"
    group.add(Rect(x, y, w, h, fillColor=color if solid else colors.white, strokeColor=color, strokeWidth=0.8))
    if solid or w < 1 or h < 1:
        return
    gap = 3.0

    def line(x1, y1, x2, y2):
        group.add(Line(x1, y1, x2, y2, strokeColor=color, strokeWidth=0.7))

    if pattern in ("horizontal", "cross"):
        for step in range(1, int(h / gap) + 1):
            line(x, y + step * gap, x + w, y + step * gap)
    if pattern in ("vertical", "cross"):
        for step in range(1, int(w / gap) + 1):
            line(x + step * gap, y, x + step * gap, y + h)
    if pattern in ("diagonal", "back_diagonal"):
        # Lines at 45°, each clipped to the rectangle: the point (x + c + t, y + t) for t in [0, h].
        offset = -h
        while offset < w:
            start, end = max(0.0, -offset), min(h, w - offset)
            if start < end:
                if pattern == "diagonal":
                    line(x + offset + start, y + start, x + offset + end, y + end)
                else:
                    line(x + w - offset - start, y + start, x + w - offset - end, y + end)
            offset += gap * 1.5
    if pattern == "dots":
        for row in range(int(h / gap)):
            for column in range(int(w / gap)):
                cx, cy = x + (column + 0.5) * gap, y + (row + 0.5) * gap
                group.add(Rect(cx - 0.5, cy - 0.5, 1, 1, fillColor=color, strokeColor=None))


def _legend(drawing: Drawing, entries: list[tuple[str, int]], *, width: float, kind: str) -> float:
    """Legend lines at the bottom of the drawing; returns their height. Each entry shows the series' own
    pattern (bars) or dash and marker (lines) beside its label."""
    x, y, line_height = 0.0, 2.0, 12.0
    placed = []
    for label, index in entries:
        item_width = 22 + stringWidth(label, FONT, SMALL) + 10
        if x and x + item_width > width:
            x, y = 0.0, y + line_height
        placed.append((x, y, label, index))
        x += item_width
    height = y + line_height
    for x, y, label, index in placed:
        base = height - y - line_height + 2
        swatch = Group()
        if kind == "line":
            _line_sample(swatch, x, base + 4, index)
        else:
            _pattern(swatch, x + 2, base, 14, 8, index)
        drawing.add(swatch)
        drawing.add(String(x + 20, base + 1, label, fontName=FONT, fontSize=SMALL))
    return height


def _line_sample(group: Group, x: float, y: float, index: int) -> None:
    color = PALETTE[index % len(PALETTE)]
    group.add(Line(x, y, x + 18, y, strokeColor=color, strokeWidth=1.2, strokeDashArray=DASHES[index % len(DASHES)]))
    group.add(makeMarker(MARKERS[index % len(MARKERS)], x=x + 9, y=y, size=5, fillColor=color, strokeColor=color))


def _axes(drawing, left, bottom, width, height, top_value, labels):
    for step in range(6):
        value = top_value * step / 5
        y = bottom + height * step / 5
        drawing.add(Line(left, y, left + width, y, strokeColor=colors.HexColor("#DDDDDD"), strokeWidth=0.4))
        text = french_number(value, 0 if top_value >= 10 else 1)
        drawing.add(String(left - 3, y - 2, text, fontName=FONT, fontSize=SMALL, textAnchor="end"))
    drawing.add(Line(left, bottom, left + width, bottom, strokeColor=colors.black, strokeWidth=0.6))
    drawing.add(Line(left, bottom, left, bottom + height, strokeColor=colors.black, strokeWidth=0.6))
    slot = width / max(len(labels), 1)
    longest = max((stringWidth(label, FONT, SMALL) for label in labels), default=0)
    every = max(1, math.ceil((longest + 4) / slot))
    for index, label in enumerate(labels):
        if index % every == 0:
            x = left + slot * (index + 0.5)
            drawing.add(String(x, bottom - 9, label, fontName=FONT, fontSize=SMALL, textAnchor="middle"))


def _bars_or_lines(table: Table, chart: Chart, width: float) -> Drawing:
    labels = _x_labels(table.values(chart.x))
    series = _series(table, chart)
    names = [(header_label(table.column(key)), index) for index, key in enumerate(chart.series)]
    drawing = Drawing(width, HEIGHT)
    legend = _legend(drawing, names, width=width, kind=chart.kind)
    left, bottom, top = 42.0, legend + 16, 14.0
    plot_width, plot_height = width - left - 6, HEIGHT - bottom - top
    if chart.kind == "stacked":
        largest = max((sum(v or 0 for v in column) for column in zip(*series.values(), strict=True)), default=0)
    else:
        largest = max((v for values in series.values() for v in values if v is not None), default=0)
    top_value = _nice_top(largest)
    _axes(drawing, left, bottom, plot_width, plot_height, top_value, labels)
    slot = plot_width / max(len(labels), 1)

    def scaled(value: float) -> float:
        return plot_height * max(value, 0) / top_value

    if chart.kind == "line":
        for index, values in enumerate(series.values()):
            color = PALETTE[index % len(PALETTE)]
            points = [(left + slot * (i + 0.5), bottom + scaled(v)) for i, v in enumerate(values) if v is not None]
            if len(points) > 1:
                flat = [coordinate for point in points for coordinate in point]
                dash = DASHES[index % len(DASHES)]
                drawing.add(PolyLine(flat, strokeColor=color, strokeWidth=1.2, strokeDashArray=dash))
            for x, y in points:
                kind = MARKERS[index % len(MARKERS)]
                drawing.add(makeMarker(kind, x=x, y=y, size=5, fillColor=color, strokeColor=color))
    else:
        group = Group()
        for position in range(len(labels)):
            x = left + slot * position + slot * 0.1
            if chart.kind == "stacked":
                y = bottom
                for index, values in enumerate(series.values()):
                    height = scaled(values[position] or 0)
                    if height > 0:
                        _pattern(group, x, y, slot * 0.8, height, index)
                    y += height
            else:
                bar = slot * 0.8 / max(len(series), 1)
                for index, values in enumerate(series.values()):
                    if values[position] is not None:
                        _pattern(group, x + bar * index, bottom, bar, scaled(values[position]), index)
        drawing.add(group)
    return drawing


def _heatmap(table: Table, chart: Chart, width: float) -> Drawing:
    """Series down, x along; each cell shaded from white (lowest) to dark blue (highest) and its value printed."""
    labels = _x_labels(table.values(chart.x))
    series = _series(table, chart)
    names = [header_label(table.column(key)) for key in chart.series]
    left = min(max((stringWidth(name, FONT, SMALL) for name in names), default=0) + 6, width * 0.3)
    cell_width = (width - left) / max(len(labels), 1)
    cell_height, header, legend = 14.0, 12.0, 14.0
    drawing = Drawing(width, header + cell_height * len(names) + legend + 4)
    values = [v for column in series.values() for v in column if v is not None]
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    whole = all(v == int(v) for v in values)
    top = drawing.height - header
    every = max(1, math.ceil((max((stringWidth(x, FONT, SMALL) for x in labels), default=0) + 3) / cell_width))
    for position, label in enumerate(labels):
        if position % every == 0:
            x = left + cell_width * (position + 0.5)
            drawing.add(String(x, top + 3, label, fontName=FONT, fontSize=SMALL, textAnchor="middle"))
    for row, (key, name, column) in enumerate(zip(chart.series, names, series.values(), strict=True)):
        y = top - cell_height * (row + 1)
        drawing.add(String(left - 4, y + 4, name, fontName=FONT, fontSize=SMALL, textAnchor="end"))
        for position, value in enumerate(column):
            x = left + cell_width * position
            share = 0.0 if value is None or high == low else (value - low) / (high - low)
            fill = colors.white if value is None else _shade(share)
            drawing.add(Rect(x, y, cell_width, cell_height, fillColor=fill, strokeColor=colors.HexColor("#BBBBBB")))
            if value is None:  # no value, or withheld: said in words, as on screen
                text = "s" if (position, key) in table.suppressed else "—"
            else:
                text = french_number(value, 0 if whole else 1)
            size = min(SMALL, cell_width / max(len(text), 1) * 1.6)
            ink = colors.white if share > 0.55 else colors.black
            drawing.add(
                String(
                    x + cell_width / 2, y + 4, text, fontName=FONT, fontSize=size, fillColor=ink, textAnchor="middle"
                )
            )
    note = (
        f"Case claire : valeur basse ({french_number(low, 0 if whole else 1)}) ; case foncée : valeur haute "
        f"({french_number(high, 0 if whole else 1)}). La valeur est écrite dans chaque case."
    )
    for step in range(5):
        drawing.add(Rect(step * 10, 3, 10, 8, fillColor=_shade(step / 4), strokeColor=colors.HexColor("#BBBBBB")))
    drawing.add(String(56, 4, note, fontName=FONT, fontSize=SMALL))
    return drawing


def _shade(share: float) -> colors.Color:
    # From white to #08306B (dark blue): lightness alone carries the value, so it prints in greyscale too.
    return colors.Color(1 - 0.97 * share, 1 - 0.81 * share, 1 - 0.58 * share)


def chart_drawing(table: Table, width: float) -> Drawing | None:
    """The drawing of `table.chart` (bar, stacked, line or heatmap), `width` points wide; None without a chart."""
    chart = table.chart
    if chart is None or not table.rows:
        return None
    register_fonts()
    if chart.kind == "heatmap":
        return _heatmap(table, chart, width)
    if chart.kind in ("bar", "stacked", "line"):
        return _bars_or_lines(table, chart, width)
    raise ValueError(f"unknown chart kind {chart.kind}")
