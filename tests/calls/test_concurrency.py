"""Routing under real concurrency: threads, each with its own database connection, on PostgreSQL.

SQLite serialises every writer (IMMEDIATE transactions), so there is no race to observe there.
"""

import threading
from collections import defaultdict

import pytest
from django.db import connection

from tests.calls.conftest import MONDAY_10AM
from tests.conftest import make_user
from visiorelais.accounts.models import Role
from visiorelais.calls.models import Call, CallEvent
from visiorelais.calls.services import call_accept, call_end, call_request, station_set_available, station_take
from visiorelais.network.models import Kiosk, Station

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL row locks; SQLite serialises writers (run with DATABASE_URL=postgres://...)",
    ),
]

CALLS, STATIONS = 50, 5


def in_thread(target, errors):
    def run():
        try:
            target()
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    return threading.Thread(target=run)


def test_fifty_concurrent_requests_against_five_stations_never_double_book(world, time_machine):
    time_machine.move_to(MONDAY_10AM, tick=True)
    Station.objects.filter(partner=world.caf).delete()
    agents = []
    for i in range(STATIONS):
        station = Station.objects.create(partner=world.caf, label=f"CAF poste {i + 1}")
        agent = make_user(f"agent{i}", Role.PARTNER_AGENT, partner=world.caf)
        station_take(agent=agent, station_id=station.pk)
        agents.append(agent)
    kiosks = [
        Kiosk.objects.create(site=world.coutances, code=f"BRN-LOAD-{i:02d}", label=f"Borne {i}") for i in range(CALLS)
    ]

    errors: list[BaseException] = []
    start = threading.Barrier(CALLS + STATIONS)
    finished = threading.Event()

    def resident(kiosk):
        def go():
            start.wait()
            call_request(kiosk=kiosk, partner_id=world.caf.pk)

        return go

    def agent_loop(agent):
        def go():
            start.wait()
            while not finished.is_set():
                ringing = Call.objects.filter(status=Call.Status.OFFERED, station__presence__agent=agent).first()
                if ringing is None:
                    if Call.objects.filter(status=Call.Status.ENDED).count() == CALLS:
                        finished.set()
                    continue
                call_accept(agent=agent, call_id=ringing.pk)
                call_end(call_id=ringing.pk, agent=agent)
                station_set_available(agent=agent)

        return go

    threads = [in_thread(resident(kiosk), errors) for kiosk in kiosks]
    threads += [in_thread(agent_loop(agent), errors) for agent in agents]
    for thread in threads:
        thread.start()
    for thread in threads[:CALLS]:
        thread.join(timeout=60)
    finished.wait(timeout=120)
    finished.set()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    calls = list(Call.objects.order_by("queued_at", "pk"))
    assert len(calls) == CALLS
    assert {call.outcome for call in calls} == {Call.Outcome.COMPLETED}

    events = list(CallEvent.objects.order_by("pk"))
    # No station ever holds two calls: per station, every offer is closed before the next one.
    per_station = defaultdict(list)
    for event in events:
        if event.station_id and event.kind in (CallEvent.Kind.OFFERED, CallEvent.Kind.ENDED):
            per_station[event.station_id].append(event.kind)
    for kinds in per_station.values():
        assert kinds == [CallEvent.Kind.OFFERED, CallEvent.Kind.ENDED] * (len(kinds) // 2)
    # No call ever at two stations: one offer per call, accepted at the station it rang.
    offers = [event for event in events if event.kind == CallEvent.Kind.OFFERED]
    assert sorted(event.call_id for event in offers) == sorted(call.pk for call in calls)
    accepted = {event.call_id: event.station_id for event in events if event.kind == CallEvent.Kind.ACCEPTED}
    assert accepted == {event.call_id: event.station_id for event in offers}
    # FIFO: calls were offered in the order they joined the queue.
    assert [event.call_id for event in offers] == [call.pk for call in calls]
