"""The public page's tables: weekly counts per partner, counts of 1 to 5 suppressed, no total, built once a day."""

import datetime as dt

import pytest
from django.core.cache import cache

from tests.calls.conftest import paris
from tests.statistics.reports.conftest import calls_in_week
from visiorelais.statistics.reports.public import public_tables, public_weeks
from visiorelais.statistics.services import call_facts_refresh

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def rows_by_week(table) -> dict[dt.date, dict]:
    keys = [column.key for column in table.columns]
    return {row[1]: dict(zip(keys, row, strict=True)) for row in table.rows}


def test_the_page_shows_the_twelve_complete_weeks_before_this_one():
    found = public_weeks(dt.date(2026, 4, 1))

    assert len(found) == 12
    assert (found[0].first, found[-1].first, found[-1].last) == (
        dt.date(2026, 1, 5),
        dt.date(2026, 3, 23),
        dt.date(2026, 3, 29),
    )


def test_counts_of_1_to_5_are_suppressed_and_0_and_6_are_shown(weeks):
    requests, answered = public_tables()
    rows = rows_by_week(requests)
    index = {row[1]: position for position, row in enumerate(requests.rows)}

    assert (rows[dt.date(2026, 3, 23)]["caf"], rows[dt.date(2026, 3, 23)]["cpam"]) == (6, None)
    assert (index[dt.date(2026, 3, 23)], "cpam") in requests.suppressed
    assert rows[dt.date(2026, 3, 16)]["caf"] is None and (index[dt.date(2026, 3, 16)], "caf") in requests.suppressed
    assert rows[dt.date(2026, 3, 16)]["cpam"] == 0
    assert rows[dt.date(2026, 3, 9)]["caf"] is None
    assert rows[dt.date(2026, 3, 2)]["caf"] == 7
    assert dt.date(2026, 3, 30) not in rows
    done = rows_by_week(answered)
    assert (done[dt.date(2026, 3, 23)]["caf"], done[dt.date(2026, 3, 23)]["cpam"]) == (None, 0)
    assert done[dt.date(2026, 3, 2)]["caf"] == 6
    suppressed = {
        (row, key) for row, r in enumerate(requests.rows) for key in ("caf", "cpam") if r[requests.index(key)] is None
    }
    assert suppressed == requests.suppressed


def test_no_total_lets_a_reader_recover_a_suppressed_cell(weeks):
    for table in public_tables():
        assert [column.key for column in table.columns] == ["periode", "debut", "caf", "cpam"]
        assert len(table.rows) == 12
        assert any("Aucun total" in note for note in table.notes)
        assert any("de 1 à 5" in note for note in table.notes)


def test_nothing_names_an_agent_a_station_a_kiosk_or_a_site(weeks):
    text = repr([(t.title, t.columns, t.rows, t.notes, t.chart) for t in public_tables()])

    for name in ("Alice", "Bob", "poste 1", "BRN-", "Coutances", "Saint-Lô"):
        assert name not in text


def test_the_tables_are_built_once_a_day(weeks, django_assert_num_queries, time_machine):
    first = public_tables()
    calls_in_week(weeks.kiosk_coutances, weeks.caf, dt.date(2026, 3, 25), 3, 3)  # late calls of the week of 23 March
    call_facts_refresh()
    time_machine.move_to(paris(2026, 4, 1, 23, 59), tick=False)

    with django_assert_num_queries(0):
        again = public_tables()

    assert (
        rows_by_week(again[0])[dt.date(2026, 3, 23)]["caf"] == rows_by_week(first[0])[dt.date(2026, 3, 23)]["caf"] == 6
    )
    time_machine.move_to(paris(2026, 4, 2, 0, 1), tick=False)
    assert rows_by_week(public_tables()[0])[dt.date(2026, 3, 23)]["caf"] == 9
