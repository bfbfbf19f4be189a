"""The public page: anonymised weekly counts, built once per Paris day, for anyone without a login.

What it shows: for each of the last WEEKS complete weeks (Monday to Sunday, Paris time), the requests and the
answered calls of each partner. Nothing else: no agent, station, kiosk or call, no rate, no total.

Disclosure control:
- a count of 1 to 5 is suppressed (no value; "1 à 5" on screen, an empty cell in exports); 0 and 6 or more are
  shown. A small count could point at one resident of a small commune.
- no total is published (per week, per partner, overall), since a total and the visible cells of its row would
  give back a suppressed cell by difference. Leaving totals out is simpler and safer than complementary
  suppression, and a reader can still add the visible cells.
- no count per host site either: the weekly counts per site and per partner are two splits of the same weekly
  total, so a week whose cells are all visible in one table would give the total that recovers a lone
  suppressed cell in the other. (Per site over the whole window has the same flaw against the partners' cells.)
- answered ≤ requests of the same partner and week, and no other count is published, so the two tables
  together only tell that a suppressed answered count is at most its requests.

Cached: the tables are built once per Paris day (Django's cache, shared between processes when the lead's
Redis cache is configured), under a key naming the day, until the next Paris midnight.
"""

import datetime as dt

from django.core.cache import cache
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from visiorelais.network.models import Partner
from visiorelais.statistics.models import CallFact
from visiorelais.statistics.periods import Period, paris_day, paris_midnight
from visiorelais.statistics.reports import common
from visiorelais.statistics.tables import INTEGER, Chart, Column, Table

WEEKS = 12
# Counts from SUPPRESSED_MIN to SUPPRESSED_MAX (both included) are withheld.
SUPPRESSED_MIN, SUPPRESSED_MAX = 1, 5
CACHE_KEY = "statistics:public:{language}:{day}"


def public_weeks(today: dt.date) -> list[Period]:
    """The WEEKS complete weeks before the week of `today`, oldest first."""
    last = Period.iso_week(today).previous()
    return common.last_periods(last, WEEKS)


def is_suppressed(count: int) -> bool:
    return SUPPRESSED_MIN <= count <= SUPPRESSED_MAX


def public_tables(user=None, period: Period | None = None) -> list[Table]:
    """The public page's tables (the page registry's builder: the user and the period asked for do not
    matter, the page always shows the last WEEKS weeks). Built at most once per Paris day and cached until the
    next Paris midnight."""
    now = timezone.now()
    today = paris_day(now)
    key = CACHE_KEY.format(language=get_language() or "fr", day=today.isoformat())
    tables = cache.get(key)
    if tables is None:
        tables = public_tables_build(today)
        until_midnight = (paris_midnight(today + dt.timedelta(days=1)) - now).total_seconds()
        cache.set(key, tables, timeout=max(1, int(until_midnight)))
    return tables


def _column_keys(partners: list[tuple[int, str]]) -> dict[int, str]:
    """Open-data column names from the partners' short names ("caf", "cpam"), their id when two collide."""
    keys: dict[int, str] = {}
    for pid, short_name in partners:
        key = slugify(short_name).replace("-", "_") or f"partenaire_{pid}"
        keys[pid] = key if key not in keys.values() and not key[0].isdigit() else f"partenaire_{pid}"
    return keys


def public_tables_build(today: dt.date) -> list[Table]:
    weeks = public_weeks(today)
    window = Period(weeks[0].first, weeks[-1].last)
    partners = list(Partner.objects.order_by("short_name").values_list("pk", "short_name"))
    found = {
        (week, partner_id): (requests, answered)
        for week, partner_id, requests, answered in CallFact.objects.filter(day__gte=window.first, day__lte=window.last)
        .values("week", "partner_id")
        .annotate(requests=Count("call_id"), answered=Count("call_id", filter=Q(answered=True)))
        .order_by()
        .values_list("week", "partner_id", "requests", "answered")
    }
    notes = public_notes(today)
    return [
        _counts_table(
            0,
            found,
            weeks,
            partners,
            key="public-demandes-par-partenaire",
            title=_("Demandes d'appel par partenaire et par semaine"),
            period=window,
            notes=notes,
        ),
        _counts_table(
            1,
            found,
            weeks,
            partners,
            key="public-appels-decroches-par-partenaire",
            title=_("Appels décrochés par partenaire et par semaine"),
            period=window,
            notes=notes,
        ),
    ]


def public_notes(today: dt.date) -> list[str]:
    return [
        _(
            "Secret statistique : une case qui compte de %(low)d à %(high)d appels est masquée (« 1 à 5 » à "
            "l'écran, vide dans les fichiers), pour qu'aucun usager ne puisse être reconnu ; 0 est affiché."
        )
        % {"low": SUPPRESSED_MIN, "high": SUPPRESSED_MAX},
        _(
            "Aucun total n'est publié : rapproché des cases visibles, un total permettrait de retrouver une case "
            "masquée. Pour la même raison, les chiffres ne sont pas publiés par site d'accueil."
        ),
        _(
            "Semaines du lundi au dimanche, heure de Paris ; un appel compte dans la semaine de sa demande. "
            "Chiffres calculés le %(day)s, mis à jour chaque jour."
        )
        % {"day": f"{today:%d/%m/%Y}"},
    ]


def _counts_table(
    which: int,
    found: dict[tuple[dt.date, int], tuple[int, int]],
    weeks: list[Period],
    partners: list[tuple[int, str]],
    *,
    key: str,
    title: str,
    period: Period,
    notes: list[str],
) -> Table:
    """One row per week, one column per partner; `which` picks requests (0) or answered calls (1)."""
    keys = _column_keys(partners)
    table = Table(
        key=key,
        title=title,
        columns=[
            *common.period_columns(),
            *[Column(keys[pid], short_name, INTEGER, "appels") for pid, short_name in partners],
        ],
        rows=[],
        period_label=period.label,
        scope_label=_("Réseau"),
        notes=list(notes),
        chart=Chart("bar", "periode", tuple(keys[pid] for pid, _name in partners), title),
    )
    for row_index, (label, monday) in enumerate(common.period_rows(weeks)):
        row: list = [label, monday]
        for pid, _name in partners:
            count = found.get((monday, pid), (0, 0))[which]
            if is_suppressed(count):
                table.suppressed.add((row_index, keys[pid]))
                row.append(None)
            else:
                row.append(count)
        table.rows.append(tuple(row))
    return table
