"""The one shape every figure leaves the statistics app in: a Table.

Screens render a Table as an HTML table with its chart beside it; every export format (CSV with its TableSchema,
the French CSV, XLSX, ODS, the PDF steering report) is written from the same Table. So what a screen reader hears,
what a spreadsheet holds and what a chart draws are the same numbers.

Values in `rows` are plain Python: str, int, float, datetime.date, datetime.datetime (aware, shown in Paris
time) or None (no value: "—" on screen, an empty cell in exports). A rate is a float in percent (77.8, not
0.778); a duration is a float in seconds.
"""

from dataclasses import dataclass, field

# Column kinds; the TableSchema field types they map to.
STRING, INTEGER, NUMBER, DATE, DATETIME = "string", "integer", "number", "date", "datetime"
KINDS = (STRING, INTEGER, NUMBER, DATE, DATETIME)


@dataclass(frozen=True)
class Column:
    key: str  # machine name: the CSV header and the TableSchema field name (ASCII, snake_case)
    label: str  # French header on screen and in XLSX, ODS, PDF and the French CSV
    kind: str = STRING
    unit: str = ""  # "%", "s", "appels", "h"…: shown beside the label
    description: str = ""  # the formula, for a metric column

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"bad column kind {self.kind}")


@dataclass(frozen=True)
class Chart:
    """How a Table is drawn: `kind` is "bar", "stacked", "line" or "heatmap"; `x` names the column along the
    horizontal axis (the row labels); `series` the value columns drawn. A heatmap draws every series column as
    one row of cells (x along, series down). Charts never speak by colour alone: series carry labels and
    distinct patterns or markers, and cells print their values."""

    kind: str
    x: str
    series: tuple[str, ...]
    title: str = ""


@dataclass
class Table:
    key: str  # slug for file names and anchors, e.g. "reseau-par-mois"
    title: str  # French
    columns: list[Column]
    rows: list[tuple]
    period_label: str = ""  # e.g. "du 01/01/2026 au 31/12/2026"
    scope_label: str = ""  # e.g. "Réseau", "CAF de la Manche", "Mairie de Coutances"
    notes: list[str] = field(default_factory=list)  # French: formulas, thresholds, n, suppression rule
    # (row index, column key) of rates computed over fewer than MIN_SIGNIFICANT_N: shown greyed, flagged in exports.
    weak: set[tuple[int, str]] = field(default_factory=set)
    # (row index, column key) of counts withheld (1 to 5 on the public page): the value in `rows` is None.
    suppressed: set[tuple[int, str]] = field(default_factory=set)
    chart: Chart | None = None

    def __post_init__(self) -> None:
        width = len(self.columns)
        for index, row in enumerate(self.rows):
            if len(row) != width:
                raise ValueError(f"{self.key}: row {index} has {len(row)} values for {width} columns")

    def column(self, key: str) -> Column:
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(key)

    def values(self, key: str) -> list:
        index = self.index(key)
        return [row[index] for row in self.rows]

    def index(self, key: str) -> int:
        return [column.key for column in self.columns].index(key)
