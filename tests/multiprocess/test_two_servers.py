"""The live call across two server processes (PostgreSQL + Redis), through real sockets.

Kiosks and agents talk to different uvicorn processes, as they would behind a load balancer: the call state lives
in the database, the groups travel through Redis, and the routing lock serialises the two processes. Each scenario
runs in one asyncio loop with a deadline; what happened is then read from the CallEvent and StationEvent rows.
"""

import asyncio
import itertools
import random
import time

import pytest
from asgiref.sync import sync_to_async
from django.db import connection

from bench._servers import http_status
from tests.conftest import make_user
from tests.multiprocess.clients import Client, is_call, kiosk_cookie, session_cookie
from tests.multiprocess.conftest import NEEDS_POSTGRES, enrolled_token, logged_in_session
from visiorelais.accounts.models import Role
from visiorelais.calls.models import Call, CallEvent, StationEvent, StationPresence
from visiorelais.network.models import Kiosk, Station

pytestmark = [NEEDS_POSTGRES, pytest.mark.django_db(transaction=True)]

SDP = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
ONE_CALL_KINDS = ["requested", "queued", "offered", "accepted", "connected", "ended"]
RELEASES = {CallEvent.Kind.DECLINED, CallEvent.Kind.RING_TIMEOUT, CallEvent.Kind.OFFER_CANCELLED}
State = StationPresence.State
STATION_MOVES = {
    State.OFFLINE: {State.AVAILABLE},
    State.AVAILABLE: {State.RINGING, State.PAUSED, State.OFFLINE},
    State.RINGING: {State.BUSY, State.AVAILABLE, State.PAUSED, State.OFFLINE},
    State.BUSY: {State.WRAP_UP, State.OFFLINE},
    State.WRAP_UP: {State.AVAILABLE, State.PAUSED, State.OFFLINE},
    State.PAUSED: {State.AVAILABLE, State.PAUSED, State.OFFLINE},
}


def kiosk_client(server, token: str, name: str, *, reconnect: bool = False) -> Client:
    return Client(f"{server.ws_url}/ws/kiosk/", kiosk_cookie(token), name=name, reconnect=reconnect)


def console_client(server, session_key: str, name: str) -> Client:
    return Client(f"{server.ws_url}/ws/console/", session_cookie(session_key), name=name)


async def take_station(agent: Client, station_id: int) -> None:
    await agent.send({"type": "station.take", "station_id": station_id})
    await agent.expect(
        lambda f: f["type"] == "station" and f["station"]["id"] == station_id and f["station"]["state"] == "available"
    )


async def connect_a_call(kiosk: Client, agent: Client, partner_id: int) -> int:
    """The kiosk requests, the agent gets the offer and accepts; both see `connected`. Returns the call id."""
    await kiosk.send({"type": "call.request", "partner_id": partner_id})
    offer = await agent.expect(lambda f: f["type"] == "offer")
    call_id = offer["call"]["id"]
    await agent.send({"type": "call.accept", "call_id": call_id})
    await agent.expect(is_call("connected"))
    connected = await kiosk.expect(is_call("connected"))
    assert connected["call"]["id"] == call_id
    assert connected["call"]["agent_name"] == "Alice"
    return call_id


async def signal_both_ways(kiosk: Client, agent: Client, call_id: int) -> None:
    await agent.send({"type": "signal", "call_id": call_id, "signal": {"kind": "offer", "sdp": SDP}})
    relayed = await kiosk.expect(lambda f: f["type"] == "signal")
    assert relayed == {"type": "signal", "call_id": call_id, "signal": {"kind": "offer", "sdp": SDP}}
    await kiosk.send({"type": "signal", "call_id": call_id, "signal": {"kind": "answer", "sdp": SDP}})
    relayed = await agent.expect(lambda f: f["type"] == "signal")
    assert relayed["signal"] == {"kind": "answer", "sdp": SDP}


def assert_one_completed_call(call_id: int, *, station: Station, agent) -> None:
    call = Call.objects.get()
    assert (call.pk, call.status, call.outcome) == (call_id, Call.Status.ENDED, Call.Outcome.COMPLETED)
    assert (call.station_id, call.agent_id) == (station.pk, agent.pk)
    assert list(CallEvent.objects.filter(call=call).values_list("kind", flat=True)) == ONE_CALL_KINDS
    states = list(StationEvent.objects.filter(station=station).values_list("state", flat=True))
    assert states == ["available", "ringing", "busy", "wrap_up"]


def test_a_kiosk_on_one_server_talks_with_an_agent_on_the_other(world, servers):
    server_a, server_b = servers
    token = enrolled_token(world.kiosk_coutances, issued_by=world.olivia)
    session_key = logged_in_session(world.alice)

    async def scenario() -> int:
        agent = console_client(server_b, session_key, "alice@B")
        kiosk = kiosk_client(server_a, token, "kiosk@A")
        try:
            await agent.start()
            await take_station(agent, world.caf_station_1.pk)
            snapshot = await kiosk.start()
            caf = next(p for p in snapshot["partners"] if p["id"] == world.caf.pk)
            assert caf["state"] == "available"
            call_id = await connect_a_call(kiosk, agent, world.caf.pk)
            await signal_both_ways(kiosk, agent, call_id)
            await agent.send({"type": "call.hangup", "call_id": call_id})
            await agent.expect(is_call("ended"))
            ended = await kiosk.expect(is_call("ended"))
            assert ended["call"]["outcome"] == "completed"
            return call_id
        finally:
            await kiosk.stop()
            await agent.stop()

    call_id = asyncio.run(asyncio.wait_for(scenario(), 60))
    assert_one_completed_call(call_id, station=world.caf_station_1, agent=world.alice)


def test_kiosks_on_both_servers_see_a_station_taken_on_one(world, servers):
    """Each process's kiosk fan-out (calls/consumers/fanout.py) gets the partner's change through Redis, next to
    the sockets that share its process's blocking read, and writes it to every local kiosk."""
    server_a, server_b = servers
    tokens = [enrolled_token(kiosk, issued_by=world.olivia) for kiosk in (world.kiosk_coutances, world.kiosk_saint_lo)]
    session_key = logged_in_session(world.alice)

    async def scenario() -> list[dict]:
        kiosks = [
            kiosk_client(server, token, f"kiosk{n}@{name}")
            for n, token in enumerate(tokens)
            for server, name in ((server_a, "A"), (server_b, "B"))
        ]
        agent = console_client(server_b, session_key, "alice@B")
        try:
            snapshots = [await kiosk.start() for kiosk in kiosks]
            seqs = [next(p["seq"] for p in snapshot["partners"] if p["id"] == world.caf.pk) for snapshot in snapshots]
            await agent.start()
            await take_station(agent, world.caf_station_1.pk)
            frames = await asyncio.gather(
                *(
                    kiosk.expect(lambda f: f["type"] == "partner" and f["partner"]["id"] == world.caf.pk)
                    for kiosk in kiosks
                )
            )
            assert [frame["seq"] for frame in frames] == [seq + 1 for seq in seqs]
            return frames
        finally:
            for kiosk in kiosks:
                await kiosk.stop()
            await agent.stop()

    frames = asyncio.run(asyncio.wait_for(scenario(), 60))
    assert {frame["partner"]["state"] for frame in frames} == {"available"}


CALLS = 50
STATIONS = 5
RUSH_SECONDS = 120


def my_station_now(frame: dict, station_id: int) -> tuple[str, int | None] | None:
    """What a console frame says of its own station: (state, call id), or None when it says nothing of it."""
    if frame["type"] == "snapshot" and frame["my_station"]:
        return frame["my_station"]["state"], frame["my_station"]["call_id"]
    if frame["type"] == "station" and frame["station"]["id"] == station_id:
        return frame["station"]["state"], frame["station"]["call_id"]
    if frame["type"] == "offer":
        return State.RINGING, frame["call"]["id"]
    if frame["type"] == "call":
        return {"connected": State.BUSY, "ended": State.WRAP_UP}.get(frame["call"]["status"]), frame["call"]["id"]
    return None


async def answer_calls(agent: Client, station_id: int, *, until: asyncio.Event) -> None:
    """An agent who takes the station, accepts what rings, talks a moment, hangs up and is ready again.

    It acts on what the console learns of its station from any frame (an offer, a call, the partner's `station`
    deltas, a snapshot after a resync), once per (state, call), as the console screen does.
    """
    await take_station(agent, station_id)
    done: set[tuple[str, int]] = set()
    for _ in range(100 * CALLS):
        if until.is_set():
            return
        frame = await agent.next_frame(timeout=0.5)
        now = my_station_now(frame, station_id) if frame else None
        if now is None or now in done:
            continue
        state, call_id = now
        if state == State.RINGING and call_id:
            done.add(now)
            await agent.send({"type": "call.accept", "call_id": call_id})
        elif state == State.BUSY and call_id:
            done.add(now)
            await asyncio.sleep(random.uniform(0.02, 0.2))  # the conversation
            await agent.send({"type": "call.hangup", "call_id": call_id})
        elif state in (State.WRAP_UP, State.PAUSED):
            await agent.send({"type": "station.available"})  # a no-op when it already is


def all_calls_ended(partner_id: int) -> bool:
    try:
        calls = Call.objects.filter(partner_id=partner_id)
        return calls.count() == CALLS and not calls.exclude(status=Call.Status.ENDED).exists()
    finally:
        connection.close()


async def wait_until_every_call_ended(partner_id: int, *, timeout: float) -> None:
    """Polls the database (the record), not the kiosks' frames (delivered at most once)."""
    deadline = time.monotonic() + timeout
    while not await sync_to_async(all_calls_ended, thread_sensitive=False)(partner_id):
        assert time.monotonic() < deadline, "calls still open after the deadline"
        await asyncio.sleep(0.2)


def assert_no_station_held_two_calls_and_no_call_rang_twice(events: list[dict]) -> None:
    holder: dict[int, int | None] = {}  # station → the call ringing or connected there
    ringing_at: dict[int, int | None] = {}  # call → the station it is offered to or connected with
    for event in events:
        call, station, kind = event["call_id"], event["station_id"], event["kind"]
        if kind == CallEvent.Kind.OFFERED:
            assert holder.get(station) is None, f"station {station} offered call {call} while holding {holder[station]}"
            assert ringing_at.get(call) is None, f"call {call} offered to {station} while at {ringing_at[call]}"
            holder[station], ringing_at[call] = call, station
        elif kind in RELEASES or kind == CallEvent.Kind.ACCEPTED:
            assert holder.get(station) == call and ringing_at.get(call) == station, event
            if kind in RELEASES:
                holder[station] = ringing_at[call] = None
        elif kind == CallEvent.Kind.ENDED and ringing_at.get(call) is not None:
            holder[ringing_at[call]] = ringing_at[call] = None


def assert_stations_moved_one_step_at_a_time(station_ids: list[int]) -> None:
    for station_id in station_ids:
        states = list(StationEvent.objects.filter(station_id=station_id).order_by("id").values_list("state", flat=True))
        for before, after in itertools.pairwise([State.OFFLINE, *states]):
            assert after in STATION_MOVES[before], f"station {station_id}: {before} → {after}"
    for station_id in station_ids:
        spans = list(
            Call.objects.filter(station_id=station_id, connected_at__isnull=False)
            .order_by("connected_at")
            .values_list("connected_at", "ended_at")
        )
        for (_, ended_at), (next_connected_at, _) in itertools.pairwise(spans):
            assert ended_at <= next_connected_at, f"station {station_id} was in two calls at once"


def test_fifty_calls_for_five_stations_on_two_servers_are_served_one_at_a_time_first_come_first_served(world, servers):
    stations = [world.caf_station_1, world.caf_station_2]
    stations += [Station.objects.create(partner=world.caf, label=f"CAF poste {n}") for n in range(3, STATIONS + 1)]
    agents = [world.alice]
    agents += [make_user(f"agent{n}", Role.PARTNER_AGENT, partner=world.caf) for n in range(2, STATIONS + 1)]
    kiosks = [world.kiosk_coutances, world.kiosk_saint_lo]
    kiosks += [
        Kiosk.objects.create(site=world.coutances, code=f"BRN-TEST-{n:02}", label=f"Borne {n}")
        for n in range(len(kiosks), CALLS)
    ]
    tokens = [enrolled_token(kiosk, issued_by=world.olivia) for kiosk in kiosks]
    sessions = [logged_in_session(agent) for agent in agents]

    async def scenario() -> None:
        consoles = [console_client(servers[n % 2], key, f"agent{n}@{'AB'[n % 2]}") for n, key in enumerate(sessions)]
        screens = [kiosk_client(servers[n % 2], token, f"kiosk{n}@{'AB'[n % 2]}") for n, token in enumerate(tokens)]
        over = asyncio.Event()
        answering = []
        try:
            await asyncio.gather(*(console.start() for console in consoles))
            answering = [
                asyncio.create_task(answer_calls(console, station.pk, until=over))
                for console, station in zip(consoles, stations, strict=True)
            ]
            await asyncio.gather(*(screen.start() for screen in screens))
            await asyncio.gather(
                *(screen.send({"type": "call.request", "partner_id": world.caf.pk}) for screen in screens)
            )
            await wait_until_every_call_ended(world.caf.pk, timeout=RUSH_SECONDS)
        finally:
            over.set()
            await asyncio.gather(*answering, return_exceptions=True)
            await asyncio.gather(*(client.stop() for client in consoles + screens))
            resyncs = sum(client.resyncs for client in consoles + screens)
            print(f"clients asked for {resyncs} fresh snapshots after a gap in seq")

    asyncio.run(asyncio.wait_for(scenario(), RUSH_SECONDS + 30))

    calls = list(Call.objects.filter(partner=world.caf).order_by("queued_at", "pk"))
    assert len(calls) == CALLS
    assert [(call.status, call.outcome) for call in calls] == [(Call.Status.ENDED, Call.Outcome.COMPLETED)] * CALLS
    events = list(
        CallEvent.objects.filter(call__partner=world.caf).order_by("id").values("call_id", "station_id", "kind")
    )
    assert_no_station_held_two_calls_and_no_call_rang_twice(events)
    assert_stations_moved_one_step_at_a_time([station.pk for station in stations])
    first_offers: dict[int, int] = {}
    for position, event in enumerate(events):
        if event["kind"] == CallEvent.Kind.OFFERED:
            first_offers.setdefault(event["call_id"], position)
    assert sorted(first_offers, key=first_offers.get) == [call.pk for call in calls], "offers left queue order"
    assert set(Call.objects.values_list("station_id", flat=True)) == {station.pk for station in stations}


def test_a_connected_call_survives_a_restart_of_the_kiosks_server(world, servers):
    server_a, server_b = servers
    token = enrolled_token(world.kiosk_coutances, issued_by=world.olivia)
    session_key = logged_in_session(world.alice)

    async def scenario() -> int:
        agent = console_client(server_b, session_key, "alice@B")
        kiosk = kiosk_client(server_a, token, "kiosk@A", reconnect=True)
        try:
            await agent.start()
            await take_station(agent, world.caf_station_1.pk)
            await kiosk.start()
            call_id = await connect_a_call(kiosk, agent, world.caf.pk)

            await asyncio.to_thread(server_a.stop)  # SIGTERM, waited for
            await asyncio.to_thread(server_a.start)  # the same port
            snapshot = await kiosk.expect(lambda f: f["type"] == "snapshot", timeout=30)
            assert kiosk.connections == 2
            assert snapshot["call"]["id"] == call_id
            assert snapshot["call"]["status"] == "connected"

            await signal_both_ways(kiosk, agent, call_id)
            await kiosk.send({"type": "call.hangup", "call_id": call_id})
            await agent.expect(is_call("ended"))
            assert (await kiosk.expect(is_call("ended")))["call"]["outcome"] == "completed"
            return call_id
        finally:
            await kiosk.stop()
            await agent.stop()

    call_id = asyncio.run(asyncio.wait_for(scenario(), 90))
    assert_one_completed_call(call_id, station=world.caf_station_1, agent=world.alice)


def test_an_idle_socket_outlives_the_redis_blocking_read(world, servers):
    # redis-py 8's default 5 s socket timeout would cut channels_redis's 5 s blocking read
    # (django/channels_redis#422): settings.CHANNEL_LAYERS lifts it.
    server_a, _ = servers
    token = enrolled_token(world.kiosk_coutances, issued_by=world.olivia)

    async def scenario() -> Client:
        kiosk = kiosk_client(server_a, token, "kiosk@A")
        try:
            await kiosk.start()
            # Longer than the blocking read, and than the server's heartbeat period: at least one heartbeat comes.
            await kiosk.expect(lambda f: f["type"] == "heartbeat", timeout=15)
            await kiosk.send({"type": "resync"})
            await kiosk.expect(lambda f: f["type"] == "snapshot", timeout=5)
            return kiosk
        finally:
            await kiosk.stop()

    kiosk = asyncio.run(asyncio.wait_for(scenario(), 40))
    assert kiosk.connections == 1
    assert kiosk.closes == [1000]


def test_readyz_answers_while_a_socket_is_open(world, servers):
    # A probe on its own inbox prefix would wait on the receive lock a listening consumer holds: 503 with Redis.
    server_a, _ = servers
    token = enrolled_token(world.kiosk_coutances, issued_by=world.olivia)

    async def scenario() -> int | None:
        kiosk = kiosk_client(server_a, token, "kiosk@A")
        try:
            await kiosk.start()
            return await asyncio.to_thread(http_status, f"{server_a.url}/readyz", timeout=10)
        finally:
            await kiosk.stop()

    assert asyncio.run(asyncio.wait_for(scenario(), 40)) == 200
