"""Real-time contract (STYLE.md 15): a snapshot plus the deltas published since equals a fresh snapshot.

The events are captured from the real (in-memory) channel layer, as a consumer would receive them,
and applied the way the events module tells clients to.
"""

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from visiorelais.calls.errors import IllegalTransition
from visiorelais.calls.events import (
    MESSAGE_TYPE,
    group_for_kiosk,
    group_for_partner,
    group_for_partner_kiosks,
    group_for_station,
)
from visiorelais.calls.selectors import kiosk_snapshot, partner_queue_snapshot
from visiorelais.calls.services import (
    call_accept,
    call_decline,
    call_end,
    call_expire_rings,
    call_give_up,
    call_request,
    presence_expire,
    presence_heartbeat,
    station_leave,
    station_set_available,
    station_take,
)
from visiorelais.network.models import Kiosk


class Client:
    """One screen's subscription: a channel in some groups, drained from the in-memory layer."""

    def __init__(self, *groups):
        self.layer = get_channel_layer()
        self.channel = async_to_sync(self.layer.new_channel)()
        self.replay: list[tuple[str, dict]] = []
        for group in groups:
            async_to_sync(self.layer.group_add)(group, self.channel)

    def drain(self) -> list[tuple[str, dict]]:
        received = []
        # Only receive what is already queued, so the layer never waits across event loops.
        while (queue := self.layer.channels.get(self.channel)) is not None and not queue.empty():
            message = async_to_sync(self.layer.receive)(self.channel)
            assert message["type"] == MESSAGE_TYPE
            received.append((message["event"], message["payload"]))
        return received


@pytest.fixture
def layer(settings):
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels.layers.InMemoryChannelLayer", "CONFIG": {"capacity": 10_000}}
    }
    return get_channel_layer()


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Runs a service and its after-commit callbacks, as a real commit would."""

    def run(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return run


def apply_to_kiosk(snapshot, events):
    partners = {entry["partner_id"]: dict(entry) for entry in snapshot["partners"]}
    start_seq = {partner_id: entry["seq"] for partner_id, entry in partners.items()}
    call = snapshot["call"]
    for event, payload in events:
        if event == "partner.state":
            entry = partners[payload["partner_id"]]
            if payload["seq"] <= entry["seq"]:
                continue
            assert payload["seq"] == entry["seq"] + 1, "a gap: the client would take a fresh snapshot"
            entry.update(payload)
        elif event == "kiosk.call" and payload["seq"] > start_seq[payload["partner_id"]]:
            call = None if payload["status"] == "ended" else payload
    return {"partners": list(partners.values()), "call": call}


def apply_to_console(snapshot, events):
    seq = snapshot["seq"]
    calls = {entry["call_id"]: entry for entry in snapshot["calls"]}
    stations = {entry["station_id"]: entry for entry in snapshot["stations"]}
    for event, payload in events:
        assert event == "queue.changed"
        if payload["seq"] <= seq:
            continue
        assert payload["seq"] == seq + 1, "a gap: the client would take a fresh snapshot"
        seq = payload["seq"]
        for op in payload["ops"]:
            if op["op"] == "call.upsert":
                calls[op["call"]["call_id"]] = op["call"]
            elif op["op"] == "call.remove":
                calls.pop(op["call_id"], None)
            else:
                stations[op["station"]["station_id"]] = op["station"]
    ordered = sorted(calls.values(), key=lambda entry: (entry["queued_at"], entry["call_id"]))
    return {
        "partner_id": snapshot["partner_id"],
        "seq": seq,
        "calls": ordered,
        "stations": [stations[entry["station_id"]] for entry in snapshot["stations"]],
    }


def apply_to_station(entry, events):
    for event, payload in events:
        assert event == "station.state"
        entry = {key: value for key, value in payload.items() if key != "seq"}
    return entry


def without_time(snapshot):
    return {key: value for key, value in snapshot.items() if key not in ("at", "kiosk_id")}


def test_snapshot_plus_deltas_equals_a_fresh_snapshot(world, layer, run, clock, carla):
    kiosk = world.kiosk_coutances
    extra = Kiosk.objects.create(site=world.saint_lo, code="BRN-STLO-02", label="Seconde borne de Saint-Lô")
    run(station_take, agent=world.alice, station_id=world.caf_station_1.pk)
    clock.shift(10)
    run(station_take, agent=carla, station_id=world.caf_station_2.pk)

    kiosk_client = Client(
        group_for_kiosk(kiosk.pk), group_for_partner_kiosks(world.caf.pk), group_for_partner_kiosks(world.cpam.pk)
    )
    console_client = Client(group_for_partner(world.caf.pk))
    station_client = Client(group_for_station(world.caf_station_1.pk))
    kiosk_start = kiosk_snapshot(kiosk=kiosk)
    console_start = partner_queue_snapshot(partner=world.caf)
    station_start = next(s for s in console_start["stations"] if s["station_id"] == world.caf_station_1.pk)

    def step(service, **kwargs):
        # Every step is checked from the same starting snapshots: all deltas so far are replayed.
        result = run(service, **kwargs)
        clock.shift(3)
        for client in (kiosk_client, console_client, station_client):
            client.replay.extend(client.drain())
        assert apply_to_kiosk(kiosk_start, kiosk_client.replay) == without_time(kiosk_snapshot(kiosk=kiosk))
        fresh_console = partner_queue_snapshot(partner=world.caf)
        assert apply_to_console(console_start, console_client.replay) == fresh_console
        fresh_station = next(s for s in fresh_console["stations"] if s["station_id"] == world.caf_station_1.pk)
        assert apply_to_station(station_start, station_client.replay) == fresh_station
        return result

    first = step(call_request, kiosk=kiosk, partner_id=world.caf.pk, topic_id=world.caf_topic.pk)
    second = step(call_request, kiosk=world.kiosk_saint_lo, partner_id=world.caf.pk)
    third = step(call_request, kiosk=extra, partner_id=world.caf.pk)
    step(call_decline, agent=world.alice, call_id=first.pk)  # station 1 then rings with the third call
    step(call_accept, agent=carla, call_id=second.pk)
    clock.shift(30)
    step(call_expire_rings)  # the third call rings out at station 1, which is paused
    step(station_set_available, agent=world.alice)
    step(call_accept, agent=world.alice, call_id=third.pk)
    step(call_end, agent=carla, call_id=second.pk)
    step(station_set_available, agent=carla)  # station 2 takes the first call, declined by station 1
    step(call_give_up, kiosk=kiosk, call_id=first.pk)
    step(station_leave, agent=carla)
    step(call_end, kiosk=extra, call_id=third.pk)
    step(station_take, agent=world.bob, station_id=world.cpam_station.pk)
    step(call_request, kiosk=kiosk, partner_id=world.cpam.pk)
    step(call_accept, agent=world.bob, call_id=kiosk.calls.get(partner=world.cpam).pk)
    clock.shift(31)
    step(presence_heartbeat, agent=world.bob)
    step(presence_expire)  # alice silent: offline; the kiosk in a connected call is given longer
    clock.shift(30)
    step(presence_heartbeat, agent=world.bob)
    step(presence_expire)  # the kiosk fell silent mid-call for a minute: failed
    assert kiosk_snapshot(kiosk=kiosk)["call"] is None


def test_each_change_bumps_the_partner_seq_once(world, layer, run, alice_seated):
    kiosks_side = Client(group_for_partner_kiosks(world.caf.pk))
    console = Client(group_for_partner(world.caf.pk))
    start = partner_queue_snapshot(partner=world.caf)["seq"]
    call = run(call_request, kiosk=world.kiosk_coutances, partner_id=world.caf.pk)  # requested, queued, offered
    run(call_accept, agent=world.alice, call_id=call.pk)
    assert [payload["seq"] for _, payload in kiosks_side.drain()] == [start + 1, start + 2]
    assert [payload["seq"] for _, payload in console.drain()] == [start + 1, start + 2]


def test_the_agent_is_told_why_the_station_was_paused(world, layer, run, alice_seated, clock):
    station = Client(group_for_station(world.caf_station_1.pk))
    run(call_request, kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    ringing = station.drain()[-1][1]
    assert (ringing["state"], ringing["ring_deadline"] is not None) == ("ringing", True)
    clock.shift(30)
    run(call_expire_rings)
    paused = station.drain()[-1][1]
    assert (paused["state"], paused["pause_reason"], paused["call_id"]) == ("paused", "ring_timeout", None)


def test_the_kiosk_hears_why_its_call_ended_unavailable(world, layer, run, clock):
    kiosk = Client(group_for_kiosk(world.kiosk_coutances.pk))
    run(call_request, kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    ((event, payload),) = kiosk.drain()
    assert event == "kiosk.call"
    assert (payload["status"], payload["outcome"], payload["end_reason"]) == (
        "ended",
        "unavailable",
        "no_station_staffed",
    )
    assert payload["next_opening"] is not None


def test_a_refused_change_publishes_nothing(world, layer, run, alice_seated):
    call = run(call_request, kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    everyone = Client(
        group_for_kiosk(world.kiosk_coutances.pk),
        group_for_partner(world.caf.pk),
        group_for_partner_kiosks(world.caf.pk),
        group_for_station(world.caf_station_1.pk),
    )
    with pytest.raises(IllegalTransition):
        run(call_end, agent=world.alice, call_id=call.pk)
    assert everyone.drain() == []
