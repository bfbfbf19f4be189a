"""Fuzzed frames against the kiosk socket: whatever arrives, the socket answers within the protocol (a snapshot,
an error frame, or a close with a 44xx code) and the server goes on serving others."""

import json

import pytest
from asgiref.sync import async_to_sync
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.calls.test_consumers import kiosk_cookie, kiosk_socket
from visiorelais.calls.models import Call

pytestmark = pytest.mark.django_db(transaction=True)

TYPES = ["call.request", "call.give_up", "call.hangup", "call.rate", "signal", "heartbeat", "resync", "help.request"]
json_leaf = st.none() | st.booleans() | st.integers(-(2**60), 2**60) | st.floats(allow_nan=False) | st.text(max_size=30)
json_value = st.recursive(
    json_leaf,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3),
    max_leaves=8,
)
frames = st.one_of(
    st.binary(max_size=64).map(lambda b: ("bytes", b)),
    st.text(max_size=64).map(lambda t: ("text", t)),
    json_value.map(lambda v: ("text", json.dumps(v))),
    st.fixed_dictionaries(
        {"type": st.sampled_from(TYPES)},
        optional={
            "partner_id": json_value,
            "topic_id": json_value,
            "call_id": json_value,
            "rating": json_value,
            "signal": json_value,
        },
    ).map(lambda v: ("text", json.dumps(v))),
)


@pytest.fixture
def raw_token(world):
    return kiosk_cookie(world, world.kiosk_coutances)[1]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(frame=frames)
def test_any_frame_gets_a_protocol_answer_and_the_server_keeps_serving(world, raw_token, frame):
    async def exchange():
        socket = await kiosk_socket(raw_token)
        assert (await socket.connect())[0]
        assert (await socket.receive_json_from(timeout=5))["type"] == "snapshot"
        kind, data = frame
        # send_input, not send_to: real clients may send empty frames, which send_to refuses to build.
        await socket.send_input({"type": "websocket.receive", kind: data})
        if await socket.receive_nothing(timeout=0.2):
            await socket.send_json_to({"type": "resync"})
        answer = await socket.receive_output(timeout=5)
        if answer["type"] == "websocket.close":
            assert 4000 <= answer["code"] < 4500
        else:
            body = json.loads(answer["text"])
            assert body["type"] in {"snapshot", "error", "call", "partner"}
            if body["type"] == "error":
                assert body["message"]
        await socket.disconnect()
        # The server still serves a new connection.
        other = await kiosk_socket(raw_token)
        assert (await other.connect())[0]
        assert (await other.receive_json_from(timeout=5))["type"] == "snapshot"
        await other.disconnect()

    async_to_sync(exchange)()
    # The world has no staffed station: whatever the frame, no call may be queued or offered.
    assert not Call.objects.exclude(status__in=[Call.Status.ENDED]).exists()
