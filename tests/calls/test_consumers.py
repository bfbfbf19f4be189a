"""The two WebSockets through the real ASGI application (origin check, auth middleware, routing, consumers)."""

import json

import pytest
from channels.testing import WebsocketCommunicator
from django.test import Client

from tests.calls.conftest import MONDAY_10AM
from visiorelais.accounts.auth import KIOSK_COOKIE
from visiorelais.accounts.services import kiosk_enrol, kiosk_enrolment_issue
from visiorelais.asgi import application
from visiorelais.calls.models import Call, CallEvent

pytestmark = pytest.mark.django_db(transaction=True)
ORIGIN = (b"origin", b"http://127.0.0.1")
SDP = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"


@pytest.fixture
def open_now(time_machine):
    # The consumers run in other threads: the clock moves but ticks, so timeouts still fire.
    time_machine.move_to(MONDAY_10AM, tick=True)


def kiosk_cookie(world, kiosk):
    _, code = kiosk_enrolment_issue(kiosk=kiosk, issued_by=world.olivia)
    token, raw = kiosk_enrol(code=code)
    return token, raw


async def kiosk_socket(raw_token, path="/ws/kiosk/", origin=ORIGIN):
    headers = [(b"host", b"127.0.0.1"), origin]
    if raw_token:
        headers.append((b"cookie", f"{KIOSK_COOKIE}={raw_token}".encode()))
    return WebsocketCommunicator(application, path, headers=headers)


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


async def console_socket(session_key):
    headers = [(b"host", b"127.0.0.1"), ORIGIN, (b"cookie", f"sessionid={session_key}".encode())]
    return WebsocketCommunicator(application, "/ws/console/", headers=headers)


async def receive_until(communicator, predicate, limit=20):
    for _ in range(limit):
        frame = await communicator.receive_json_from(timeout=5)
        if predicate(frame):
            return frame
    raise AssertionError("expected frame never came")


async def receive_text_until(communicator, predicate, limit=20):
    """The text of the first frame for which `predicate` is true, as the consumer sent it (not decoded)."""
    for _ in range(limit):
        text = (await communicator.receive_output(timeout=5))["text"]
        if predicate(json.loads(text)):
            return text
    raise AssertionError("expected frame never came")


@pytest.fixture
def kiosk_token(world):
    return kiosk_cookie(world, world.kiosk_coutances)[1]


async def test_a_kiosk_without_a_token_is_closed_with_4001(world):
    communicator = await kiosk_socket(None)
    connected, _ = await communicator.connect()
    assert connected
    assert (await communicator.receive_output(timeout=5)) == {"type": "websocket.close", "code": 4001}


async def test_a_handshake_from_another_origin_is_refused(world, kiosk_token):
    communicator = await kiosk_socket(kiosk_token, origin=(b"origin", b"http://evil.example"))
    connected, _ = await communicator.connect()
    assert not connected


async def test_a_kiosk_gets_a_snapshot_of_its_partners(world, kiosk_token, open_now):
    communicator = await kiosk_socket(kiosk_token)
    assert (await communicator.connect())[0]
    snapshot = await communicator.receive_json_from(timeout=5)
    assert snapshot["type"] == "snapshot"
    assert snapshot["kiosk"]["code"] == "BRN-COUT-01"
    names = {p["short_name"]: p for p in snapshot["partners"]}
    assert set(names) == {"CAF", "CPAM"}
    assert names["CAF"]["state"] == "unstaffed"
    assert names["CAF"]["topics"] == [{"id": world.caf_topic.pk, "label": "Prime d'activité"}]
    await communicator.disconnect()


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        (b"\x00\x01", 4400),
        ("not json", 4400),
        ("[1, 2]", 4400),
        ('{"type": 3}', 4400),
        ('{"type": "call.explode"}', 4400),
        ('{"type": "call.request", "partner_id": "1"}', 4400),
        ('{"type": "call.request", "partner_id": true}', 4400),
        (json.dumps({"type": "heartbeat", "pad": "x" * 20000}), 4413),
    ],
)
async def test_a_malformed_frame_closes_only_that_socket(world, kiosk_token, open_now, frame, code):
    bad = await kiosk_socket(kiosk_token)
    good = await kiosk_socket(kiosk_token)
    await bad.connect()
    await good.connect()
    await bad.receive_json_from(timeout=5)
    await good.receive_json_from(timeout=5)
    if isinstance(frame, bytes):
        await bad.send_to(bytes_data=frame)
    else:
        await bad.send_to(text_data=frame)
    assert (await bad.receive_output(timeout=5)) == {"type": "websocket.close", "code": code}
    await good.send_json_to({"type": "resync"})
    assert (await good.receive_json_from(timeout=5))["type"] == "snapshot"
    await good.disconnect()
    assert not await Call.objects.filter().aexists()


async def test_a_call_from_kiosk_to_agent_and_back(world, kiosk_token, open_now):
    agent = await console_socket(await sync(session_cookie)(world.alice))
    assert (await agent.connect())[0]
    snapshot = await agent.receive_json_from(timeout=5)
    assert snapshot["type"] == "snapshot" and snapshot["my_station"] is None
    await agent.send_json_to({"type": "station.take", "station_id": world.caf_station_1.pk})
    await receive_until(agent, lambda f: f["type"] == "station" and f["station"]["agent_id"] == world.alice.pk)

    kiosk = await kiosk_socket(kiosk_token)
    await kiosk.connect()
    await kiosk.receive_json_from(timeout=5)
    await kiosk.send_json_to({"type": "call.request", "partner_id": world.caf.pk, "topic_id": world.caf_topic.pk})

    offer = await receive_until(agent, lambda f: f["type"] == "offer")
    assert offer["call"]["site"] == "France Services de Coutances"
    assert offer["call"]["peripherals"] == {"camera": True, "scanner": True, "printer": True, "handset": False}
    call_id = offer["call"]["id"]
    await agent.send_json_to({"type": "call.accept", "call_id": call_id})

    agent_call = await receive_until(agent, lambda f: f["type"] == "call" and f["call"]["status"] == "connected")
    kiosk_call = await receive_until(kiosk, lambda f: f["type"] == "call" and f["call"]["status"] == "connected")
    assert kiosk_call["call"]["agent_name"] == "Alice"
    assert isinstance(agent_call["call"]["ice_servers"], list)

    await agent.send_json_to({"type": "signal", "call_id": call_id, "signal": {"kind": "offer", "sdp": SDP}})
    relayed = await receive_until(kiosk, lambda f: f["type"] == "signal")
    assert relayed == {"type": "signal", "call_id": call_id, "signal": {"kind": "offer", "sdp": SDP}}
    await kiosk.send_json_to({"type": "signal", "call_id": call_id, "signal": {"kind": "answer", "sdp": SDP}})
    relayed = await receive_until(agent, lambda f: f["type"] == "signal")
    assert relayed["signal"] == {"kind": "answer", "sdp": SDP}

    await kiosk.send_json_to({"type": "call.hangup", "call_id": call_id})
    ended = await receive_until(kiosk, lambda f: f["type"] == "call" and f["call"]["status"] == "ended")
    assert ended["call"]["outcome"] == "completed"
    await receive_until(agent, lambda f: f["type"] == "call" and f["call"]["status"] == "ended")
    await kiosk.send_json_to({"type": "call.rate", "call_id": call_id, "rating": 5})
    # A socket handles its frames in order: the snapshot answering this resync comes after the rating is stored.
    await kiosk.send_json_to({"type": "resync"})
    await receive_until(kiosk, lambda f: f["type"] == "snapshot")
    await agent.send_json_to({"type": "call.wrapup", "call_id": call_id, "outcome": "resolved"})
    await agent.send_json_to({"type": "resync"})
    await receive_until(agent, lambda f: f["type"] == "snapshot")
    kinds = [kind async for kind in CallEvent.objects.filter(call_id=call_id).values_list("kind", flat=True)]
    assert kinds == ["requested", "queued", "offered", "accepted", "connected", "ended", "rated", "wrapped_up"]
    await kiosk.disconnect()
    await agent.disconnect()


async def test_signaling_outside_a_connected_call_closes_with_4003(world, kiosk_token, open_now):
    other = (await sync(kiosk_cookie)(world, world.kiosk_saint_lo))[1]
    kiosk = await kiosk_socket(other)
    await kiosk.connect()
    await kiosk.receive_json_from(timeout=5)
    await kiosk.send_json_to({"type": "signal", "call_id": 12345, "signal": {"kind": "restart"}})
    assert (await kiosk.receive_output(timeout=5)) == {"type": "websocket.close", "code": 4003}


async def test_revoking_the_token_closes_the_kiosk_socket(world, open_now):
    token, raw = await sync(kiosk_cookie)(world, world.kiosk_coutances)
    kiosk = await kiosk_socket(raw)
    await kiosk.connect()
    await kiosk.receive_json_from(timeout=5)
    from visiorelais.accounts.services import kiosk_token_revoke

    await sync(kiosk_token_revoke)(token=token, revoked_by=world.olivia)
    assert (await kiosk.receive_output(timeout=5)) == {"type": "websocket.close", "code": 4001}


async def test_logging_out_closes_the_console_socket(world, open_now):
    client = Client()
    await sync(client.force_login)(world.alice)
    agent = await console_socket(client.cookies["sessionid"].value)
    await agent.connect()
    await agent.receive_json_from(timeout=5)
    await sync(client.post)("/console/deconnexion/")
    assert (await agent.receive_output(timeout=5)) == {"type": "websocket.close", "code": 4001}


@pytest.mark.parametrize("who", ["olivia", "hugo"])
async def test_only_partner_people_open_a_console(world, who):
    agent = await console_socket(await sync(session_cookie)(getattr(world, who)))
    await agent.connect()
    assert (await agent.receive_output(timeout=5)) == {"type": "websocket.close", "code": 4001}


async def test_an_agent_of_another_partner_never_sees_nor_answers_the_call(world, kiosk_token, open_now):
    caf = await console_socket(await sync(session_cookie)(world.alice))
    cpam = await console_socket(await sync(session_cookie)(world.bob))
    for socket in (caf, cpam):
        await socket.connect()
        await socket.receive_json_from(timeout=5)
    await caf.send_json_to({"type": "station.take", "station_id": world.caf_station_1.pk})
    await cpam.send_json_to({"type": "station.take", "station_id": world.caf_station_2.pk})
    refused = await receive_until(cpam, lambda f: f["type"] == "error")
    assert refused["message"]
    kiosk = await kiosk_socket(kiosk_token)
    await kiosk.connect()
    await kiosk.receive_json_from(timeout=5)
    await kiosk.send_json_to({"type": "call.request", "partner_id": world.caf.pk})
    offer = await receive_until(caf, lambda f: f["type"] == "offer")
    await cpam.send_json_to({"type": "call.accept", "call_id": offer["call"]["id"]})
    error = await receive_until(cpam, lambda f: f["type"] in ("error", "offer"))
    assert error["type"] == "error"
    assert await cpam.receive_nothing(timeout=0.2)
    for socket in (caf, cpam, kiosk):
        await socket.disconnect()


def sync(fn):
    from asgiref.sync import sync_to_async

    return sync_to_async(fn)


async def test_a_console_heartbeat_keeps_it_open_until_the_session_is_gone(world, open_now):
    from django.contrib.sessions.models import Session

    session_key = await sync(session_cookie)(world.alice)
    agent = await console_socket(session_key)
    await agent.connect()
    await agent.receive_json_from(timeout=5)
    await agent.send_json_to({"type": "heartbeat"})
    assert await agent.receive_nothing(timeout=0.3)
    await Session.objects.filter(session_key=session_key).adelete()
    await agent.send_json_to({"type": "heartbeat"})
    assert (await agent.receive_output(timeout=5)) == {"type": "websocket.close", "code": 4001}


async def test_a_kiosk_heartbeat_records_presence_and_notices_a_revoked_token(world, open_now):
    from visiorelais.accounts.models import KioskToken
    from visiorelais.calls.models import KioskPresence

    token, raw = await sync(kiosk_cookie)(world, world.kiosk_coutances)
    kiosk = await kiosk_socket(raw)
    await kiosk.connect()
    await kiosk.receive_json_from(timeout=5)
    await kiosk.send_json_to({"type": "heartbeat"})
    assert await kiosk.receive_nothing(timeout=0.3)
    assert await KioskPresence.objects.filter(kiosk=world.kiosk_coutances, online=True).aexists()
    # Revoked behind the service's back (no event): the next heartbeat still closes the socket.
    await KioskToken.objects.filter(pk=token.pk).aupdate(revoked_at=MONDAY_10AM)
    await kiosk.send_json_to({"type": "heartbeat"})
    assert (await kiosk.receive_output(timeout=5)) == {"type": "websocket.close", "code": 4001}


async def test_kiosks_hear_a_partner_change_as_one_frame_encoded_once(world, open_now):
    first = await kiosk_socket((await sync(kiosk_cookie)(world, world.kiosk_coutances))[1])
    second = await kiosk_socket((await sync(kiosk_cookie)(world, world.kiosk_saint_lo))[1])
    for socket in (first, second):
        await socket.connect()
        await socket.receive_json_from(timeout=5)
    agent = await console_socket(await sync(session_cookie)(world.alice))
    await agent.connect()
    await agent.receive_json_from(timeout=5)
    await agent.send_json_to({"type": "station.take", "station_id": world.caf_station_1.pk})
    texts = [
        await receive_text_until(socket, lambda f: f["type"] == "partner" and f["partner"]["id"] == world.caf.pk)
        for socket in (first, second)
    ]
    # The very same string for both sockets: the frame was encoded once, not once per socket.
    assert texts[0] is texts[1]
    frames = [json.loads(text) for text in texts]
    assert frames[0]["partner"]["state"] == "available" and frames[0]["seq"] == frames[0]["partner"]["seq"]
    for socket in (first, second, agent):
        await socket.disconnect()
