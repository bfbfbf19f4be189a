"""The statistics screens' framework: what a page is, who may open it, which period it shows, how a Table is
laid out for the template.

A page is a `Page` in `PAGES` (statistics/views/registry.py): its key is its URL (`/statistiques/<key>/`), its
builder `(user, period) -> list[Table]` computes every table it shows, and its `kinds` are the periods it offers
(the first is the default). The generic views in statistics/views/pages.py then serve, for every page alike:

    /statistiques/<key>/                              the page (its template, default "statistics/page.html")
    /statistiques/<key>/export/<table key>.<fmt>      one of its tables in an export format (exports.FORMATS)

both with `?periode=<Period.code>` ("2026-W10", "2026-03", "2026-T1", "2026", "2026-03-02"). Access is checked
once, by `page_access`: anonymous users go to /statistiques/connexion/ (unless the page is public: roles None),
other roles get a French 403 page.

To add a page: write its builder (statistics/reports/<page>.py), add a Page to PAGES, optionally a template
extending "statistics/page.html" (block `page_links` for extra links), and a test of the role matrix.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from visiorelais.statistics.conf import MIN_SIGNIFICANT_N
from visiorelais.statistics.exports.cells import french_number
from visiorelais.statistics.periods import PARIS, Period
from visiorelais.statistics.tables import DATE, DATETIME, INTEGER, NUMBER, Table

# The period chooser's groups, and how many periods of each kind it offers, newest first.
KIND_LABELS = {
    "day": _("Jour"),
    "week": _("Semaine"),
    "month": _("Mois"),
    "quarter": _("Trimestre"),
    "year": _("Année"),
}
CHOICES_PER_KIND = {"day": 31, "week": 26, "month": 24, "quarter": 12, "year": 5}
# Kinds whose default is the last complete period (a steering committee reviews a closed quarter); the others
# default to the period in progress.
DEFAULT_TO_LAST_COMPLETE = {"quarter", "year"}


@dataclass(frozen=True)
class Page:
    key: str  # the URL slug: /statistiques/<key>/
    title: str  # French, the page's <h1> and its entry in the navigation
    roles: frozenset[str] | None  # the roles that may open it; None: everyone, signed in or not (the public page)
    build: Callable[..., list[Table]]  # (user, period) -> the page's tables, in the order shown
    kinds: tuple[str, ...] = ("month",)  # the periods offered: "day", "week", "month", "quarter", "year"
    template: str = "statistics/page.html"
    intro: str = ""  # a French paragraph under the title
    extra: dict = field(default_factory=dict)  # anything the page's own template needs, as `page.extra`

    def allows(self, user) -> bool:
        if self.roles is None:
            return True
        return bool(user.is_authenticated and getattr(user, "role", None) in self.roles)

    def url(self, period: Period | None = None) -> str:
        url = reverse("statistics:page", kwargs={"page": self.key})
        return f"{url}?periode={period.code}" if period else url


def pages_for(user) -> list[Page]:
    """The pages `user` may open, in the registry's order (the navigation)."""
    from visiorelais.statistics.views.registry import PAGES

    return [page for page in PAGES.values() if page.allows(user)]


def page_get(key: str) -> Page:
    from visiorelais.statistics.views.registry import PAGES

    try:
        return PAGES[key]
    except KeyError:
        raise Http404("no such statistics page") from None


def forbidden(request: HttpRequest, page: Page | None = None) -> HttpResponse:
    return render(
        request, "statistics/forbidden.html", {"page": page, "nav_pages": pages_for(request.user)}, status=403
    )


def page_access(key: str | None = None):
    """Decorates a view of one page: `key` names it, or else the URL's `page` argument does. The view is called
    as view(request, page, …); an unknown page is 404, an anonymous user is sent to the statistics login (unless
    the page is public), a user whose role the page does not list gets the French 403 page."""

    def decorator(view):
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs):
            page = page_get(key or kwargs.pop("page"))
            if page.roles is not None and not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), reverse("statistics:login"))
            if not page.allows(request.user):
                return forbidden(request, page)
            return view(request, page, *args, **kwargs)

        return wrapped

    return decorator


def today() -> dt.date:
    return timezone.now().astimezone(PARIS).date()


def default_period(kind: str, day: dt.date | None = None) -> Period:
    current = Period.containing(kind, day or today())
    return current.previous() if kind in DEFAULT_TO_LAST_COMPLETE else current


def period_from_request(request: HttpRequest, page: Page) -> Period:
    """The period named by `?periode=` if it is one of the page's kinds, else the page's default period."""
    code = request.GET.get("periode", "")
    try:
        period = Period.parse(code)
    except ValueError:
        return default_period(page.kinds[0])
    return period if period.kind in page.kinds else default_period(page.kinds[0])


@dataclass(frozen=True)
class PeriodOption:
    code: str
    label: str
    selected: bool


def period_choices(page: Page, chosen: Period) -> list[tuple[str, list[PeriodOption]]]:
    """The period chooser's options, grouped by kind: the recent periods of each kind the page offers (and the
    chosen one, if older)."""
    groups = []
    for kind in page.kinds:
        period = Period.containing(kind, today())
        periods = []
        for _index in range(CHOICES_PER_KIND[kind]):
            periods.append(period)
            period = period.previous()
        if chosen.kind == kind and chosen not in periods:
            periods.append(chosen)
        options = [PeriodOption(p.code, p.label, p == chosen) for p in periods]
        groups.append((str(KIND_LABELS[kind]), options))
    return groups


# Laying a Table out for statistics/_table.html.


@dataclass(frozen=True)
class Cell:
    text: str  # as shown (French number format, "—" for no value)
    raw: str  # the value for charts.js (a plain number, or "")
    column: str
    weak: bool = False
    suppressed: bool = False
    shade: int | None = None  # 0–5 in a heatmap

    @property
    def css(self) -> str:
        names = ["weak" if self.weak else "", "suppressed" if self.suppressed else ""]
        names.append(f"shade-{self.shade}" if self.shade is not None else "")
        return " ".join(name for name in names if name)


@dataclass(frozen=True)
class HeaderCell:
    key: str
    label: str
    unit: str
    description: str


@dataclass
class TableView:
    table: Table
    headers: list[HeaderCell]
    rows: list[list[Cell]]
    exports: list[tuple[str, str, str]]  # (format key, French label, URL)
    has_weak: bool
    has_suppressed: bool
    is_heatmap: bool

    @property
    def min_significant_n(self) -> int:
        """The n below which a value is weak: the legend and the screen-reader text say it."""
        return MIN_SIGNIFICANT_N


def cell_text(value, kind: str) -> str:
    """A cell as the screen shows it; numbers as the PDF and the French CSV write them (rounded half up)."""
    if value is None:
        return "—"
    if kind == INTEGER:
        return french_number(int(value))
    if kind == NUMBER:
        return french_number(float(value), 1)
    if kind == DATETIME:
        return date_format(value.astimezone(PARIS), "d/m/Y H:i")
    if kind == DATE:
        return date_format(value, "d/m/Y")
    return str(value)


def _raw(value, kind: str) -> str:
    return str(value) if kind in (INTEGER, NUMBER) and value is not None else ""


def _shades(table: Table) -> dict[tuple[int, str], int]:
    """0 to 5 for each numeric cell of a heatmap's series, in proportion to the largest."""
    if not table.chart or table.chart.kind != "heatmap":
        return {}
    cells = {
        (index, key): row[table.index(key)]
        for index, row in enumerate(table.rows)
        for key in table.chart.series
        if isinstance(row[table.index(key)], int | float)
    }
    top = max(cells.values(), default=0)
    return {place: (round(5 * value / top) if top > 0 else 0) for place, value in cells.items()}


def export_formats() -> dict[str, str]:
    from visiorelais.statistics.exports import FORMATS

    return FORMATS


def table_view(table: Table, *, page: Page, period: Period) -> TableView:
    shades = _shades(table)
    rows = []
    for index, row in enumerate(table.rows):
        cells = []
        for column, value in zip(table.columns, row, strict=True):
            place = (index, column.key)
            cells.append(
                Cell(
                    text=cell_text(value, column.kind),
                    raw=_raw(value, column.kind),
                    column=column.key,
                    weak=place in table.weak,
                    suppressed=place in table.suppressed,
                    shade=shades.get(place),
                )
            )
        rows.append(cells)
    headers = [HeaderCell(c.key, c.label, c.unit, c.description) for c in table.columns]
    exports = [
        (
            fmt,
            label,
            reverse("statistics:export", kwargs={"page": page.key, "table": table.key, "fmt": fmt})
            + f"?periode={period.code}",
        )
        for fmt, label in export_formats().items()
    ]
    return TableView(
        table=table,
        headers=headers,
        rows=rows,
        exports=exports,
        has_weak=bool(table.weak),
        has_suppressed=bool(table.suppressed),
        is_heatmap=bool(table.chart and table.chart.kind == "heatmap"),
    )
