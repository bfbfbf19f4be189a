"""The refresh's own record (when the figures were last brought up to date), the periodic run's lock, and the
refresh after the demo history is loaded."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from visiorelais.calls.models import Call
from visiorelais.calls.services import call_accept, call_end, call_request
from visiorelais.network.demo import demo_data_load
from visiorelais.statistics import demo
from visiorelais.statistics.models import CallFact, StatisticsRefresh
from visiorelais.statistics.selectors import last_refresh
from visiorelais.statistics.services import (
    REFRESH_LOCK_KEY,
    call_facts_refresh,
    call_facts_refresh_unless_running,
)


def test_each_refresh_is_recorded_and_the_newest_tells_when_the_figures_were_last_refreshed(world, alice_seated, clock):
    assert last_refresh() is None
    call = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    call_accept(agent=world.alice, call_id=call.pk)
    call_end(call_id=call.pk, agent=world.alice)
    call_facts_refresh()
    first = last_refresh()
    clock.shift(300)
    result = call_facts_refresh_unless_running()
    assert result is not None
    assert (last_refresh() - first).total_seconds() == 300
    newest = StatisticsRefresh.objects.first()
    assert (newest.calls, newest.full) == (result.calls, False)


def test_refresh_records_older_than_a_week_are_dropped(world, clock):
    call_facts_refresh()
    clock.shift(8 * 24 * 3600)
    call_facts_refresh()
    assert StatisticsRefresh.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_periodic_refresh_skips_while_another_process_holds_the_lock(world):
    if connection.vendor != "postgresql":
        pytest.skip("the advisory lock exists on PostgreSQL only; SQLite serves one process")
    held, release = threading.Event(), threading.Event()

    def other_process() -> None:
        # Another connection stands in for another server process's refresh.
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [REFRESH_LOCK_KEY])
            held.set()
            release.wait(10)
            cursor.execute("SELECT pg_advisory_unlock(%s)", [REFRESH_LOCK_KEY])
        connections["default"].close()

    thread = threading.Thread(target=other_process)
    thread.start()
    try:
        assert held.wait(10)
        assert call_facts_refresh_unless_running() is None
        assert not StatisticsRefresh.objects.exists()
    finally:
        release.set()
        thread.join(10)
    assert call_facts_refresh_unless_running() is not None


def test_the_demo_history_leaves_no_call_without_its_fact(db, monkeypatch, time_machine):
    """On 5 March 2024 the first call the demo makes is not the earliest of the day (calls are made partner by
    partner): the refresh after the load must still read them all."""
    monkeypatch.setattr(demo, "DAYS", 3)
    time_machine.move_to(dt.datetime(2024, 3, 8, 12, tzinfo=dt.UTC), tick=False)  # history: 5 to 7 March

    demo_data_load()

    assert Call.objects.exists()
    assert set(CallFact.objects.values_list("call_id", flat=True)) == set(Call.objects.values_list("pk", flat=True))
