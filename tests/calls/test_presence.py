"""Presence: taking a station, pausing, leaving, heartbeats, and what a silence does to a call."""

import pytest

from visiorelais.calls.errors import IllegalTransition, NotAllowed
from visiorelais.calls.models import Call, CallEvent, KioskPresence, StationEvent, StationPresence
from visiorelais.calls.services import (
    call_accept,
    call_request,
    presence_expire,
    presence_heartbeat,
    station_leave,
    station_pause,
    station_set_available,
    station_take,
)

State, Status, Outcome = StationPresence.State, Call.Status, Call.Outcome


def presence(station):
    return StationPresence.objects.get(station=station)


def test_an_agent_takes_a_station_of_their_own_partner(world, clock):
    taken = station_take(agent=world.alice, station_id=world.caf_station_1.pk)
    assert (taken.state, taken.agent) == (State.AVAILABLE, world.alice)
    assert taken.idle_since is not None
    row = StationEvent.objects.get()
    assert (row.station, row.state, row.reason, row.agent) == (
        world.caf_station_1,
        State.AVAILABLE,
        "taken",
        world.alice,
    )


def test_an_agent_cannot_take_a_station_of_another_partner(world, clock):
    with pytest.raises(NotAllowed):
        station_take(agent=world.bob, station_id=world.caf_station_1.pk)


def test_an_inactive_station_cannot_be_taken(world, clock):
    world.caf_station_1.active = False
    world.caf_station_1.save()
    with pytest.raises(NotAllowed):
        station_take(agent=world.alice, station_id=world.caf_station_1.pk)


def test_people_who_are_not_partner_agents_cannot_take_a_station(world, clock):
    with pytest.raises(NotAllowed):
        station_take(agent=world.olivia, station_id=world.caf_station_1.pk)


def test_a_station_held_by_another_agent_cannot_be_taken(world, alice_seated, carla):
    with pytest.raises(IllegalTransition) as error:
        station_take(agent=carla, station_id=world.caf_station_1.pk)
    assert error.value.code == "station_taken"


def test_an_agent_holds_one_station_at_a_time(world, alice_seated):
    with pytest.raises(IllegalTransition) as error:
        station_take(agent=world.alice, station_id=world.caf_station_2.pk)
    assert error.value.code == "agent_seated"


def test_taking_again_ones_own_station_only_refreshes_it(world, alice_seated, clock):
    clock.shift(20)
    again = station_take(agent=world.alice, station_id=world.caf_station_1.pk)
    assert again.state == State.AVAILABLE
    assert StationEvent.objects.count() == 1


def test_pausing_and_coming_back_are_recorded(world, alice_seated, clock):
    station_pause(agent=world.alice)
    paused = presence(world.caf_station_1)
    assert (paused.state, paused.pause_reason) == (State.PAUSED, StationPresence.PauseReason.AGENT)
    clock.shift(300)
    station_set_available(agent=world.alice)
    assert presence(world.caf_station_1).state == State.AVAILABLE
    assert list(StationEvent.objects.values_list("state", "reason")) == [
        (State.AVAILABLE, "taken"),
        (State.PAUSED, "agent"),
        (State.AVAILABLE, "ready"),
    ]


def test_an_agent_cannot_pause_while_a_call_rings_or_is_connected(world, alice_seated):
    call = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    with pytest.raises(IllegalTransition):
        station_pause(agent=world.alice)
    call_accept(agent=world.alice, call_id=call.pk)
    with pytest.raises(IllegalTransition):
        station_pause(agent=world.alice)


def test_an_agent_cannot_leave_in_the_middle_of_a_call(world, alice_seated):
    call = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    call_accept(agent=world.alice, call_id=call.pk)
    with pytest.raises(IllegalTransition):
        station_leave(agent=world.alice)


def test_leaving_frees_the_station_for_another_agent(world, alice_seated, carla):
    station_leave(agent=world.alice)
    left = presence(world.caf_station_1)
    assert (left.state, left.agent) == (State.OFFLINE, None)
    assert StationEvent.objects.last().agent == world.alice
    assert station_take(agent=carla, station_id=world.caf_station_1.pk).agent == carla


def test_an_agent_without_a_station_cannot_pause_or_leave(world, clock):
    with pytest.raises(IllegalTransition):
        station_pause(agent=world.alice)
    with pytest.raises(IllegalTransition):
        station_leave(agent=world.alice)


def test_heartbeats_keep_a_console_and_a_kiosk_in(world, alice_seated, clock):
    call = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    for _ in range(4):
        clock.shift(20)
        assert presence_heartbeat(agent=world.alice)
        presence_heartbeat(kiosk=world.kiosk_coutances)
    assert presence_expire() == {"stations": [], "kiosks": []}
    call.refresh_from_db()
    assert call.status == Status.OFFERED


def test_a_heartbeat_of_an_agent_without_a_station_is_refused(world, clock):
    assert not presence_heartbeat(agent=world.alice)


def test_the_agent_gone_while_ringing_sends_the_call_to_another_station(world, both_caf_seated, clock):
    call = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    assert call.station == world.caf_station_1
    clock.shift(10)
    presence_heartbeat(agent=both_caf_seated)
    presence_heartbeat(kiosk=world.kiosk_coutances)
    clock.shift(25)  # alice: silent 35 s (her last sign was station_take, 2 min before the call)
    assert presence_expire() == {"stations": [world.caf_station_1.pk], "kiosks": []}
    call.refresh_from_db()
    assert (call.status, call.station) == (Status.OFFERED, world.caf_station_2)
    cancelled = call.events.get(kind=CallEvent.Kind.OFFER_CANCELLED)
    assert (cancelled.station, cancelled.detail) == (world.caf_station_1, {"reason": "station_gone"})
    assert presence(world.caf_station_1).state == State.OFFLINE
    assert StationEvent.objects.filter(station=world.caf_station_1).last().reason == "heartbeat_lost"


def test_the_last_agent_gone_while_ringing_leaves_the_call_unanswered(world, alice_seated, clock):
    call = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    clock.shift(31)
    presence_heartbeat(kiosk=world.kiosk_coutances)
    presence_expire()
    call.refresh_from_db()
    assert (call.status, call.outcome, call.end_reason) == (Status.ENDED, Outcome.UNANSWERED, "no_station_staffed")


def test_the_agent_gone_during_a_call_ends_it_as_failed_after_the_in_call_delay(world, alice_seated, clock):
    call = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    call_accept(agent=world.alice, call_id=call.pk)
    clock.shift(45)
    presence_heartbeat(kiosk=world.kiosk_coutances)
    # A connected console may be silent for a network cut of up to 30 s: nothing happens yet.
    assert presence_expire() == {"stations": [], "kiosks": []}
    clock.shift(16)
    presence_heartbeat(kiosk=world.kiosk_coutances)
    presence_expire()
    call.refresh_from_db()
    assert (call.status, call.outcome, call.end_reason) == (Status.ENDED, Outcome.FAILED, "station_gone")
    assert presence(world.caf_station_1).state == State.OFFLINE


def test_the_kiosk_gone_while_queued_abandons_the_call(world, alice_seated, clock):
    call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    queued = call_request(kiosk=world.kiosk_saint_lo, partner_id=world.caf.pk)
    clock.shift(31)
    presence_heartbeat(agent=world.alice)
    presence_heartbeat(kiosk=world.kiosk_coutances)
    assert presence_expire() == {"stations": [], "kiosks": [world.kiosk_saint_lo.pk]}
    queued.refresh_from_db()
    assert (queued.status, queued.outcome, queued.end_reason) == (Status.ENDED, Outcome.ABANDONED, "kiosk_gone")
    assert not KioskPresence.objects.get(kiosk=world.kiosk_saint_lo).online


def test_the_kiosk_gone_while_ringing_abandons_the_call_and_frees_the_station(world, alice_seated, clock):
    call = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    clock.shift(31)
    presence_heartbeat(agent=world.alice)
    presence_expire()
    call.refresh_from_db()
    assert (call.outcome, call.end_reason) == (Outcome.ABANDONED, "kiosk_gone")
    assert call.events.get(kind=CallEvent.Kind.OFFER_CANCELLED).detail == {"reason": "kiosk_gone"}
    assert presence(world.caf_station_1).state == State.AVAILABLE


def test_the_kiosk_gone_during_a_call_ends_it_as_failed_after_the_in_call_delay(world, alice_seated, clock):
    call = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    call_accept(agent=world.alice, call_id=call.pk)
    clock.shift(45)
    presence_heartbeat(agent=world.alice)
    # A kiosk in a connected call may be cut from the network for up to 30 s: the call goes on.
    assert presence_expire() == {"stations": [], "kiosks": []}
    call.refresh_from_db()
    assert call.status == Status.CONNECTED
    clock.shift(16)
    presence_heartbeat(agent=world.alice)
    presence_expire()
    call.refresh_from_db()
    assert (call.outcome, call.end_reason) == (Outcome.FAILED, "kiosk_gone")
    assert presence(world.caf_station_1).state == State.WRAP_UP


def test_a_silent_kiosk_without_a_call_just_goes_offline_and_comes_back(world, clock):
    presence_heartbeat(kiosk=world.kiosk_saint_lo)
    clock.shift(31)
    assert presence_expire()["kiosks"] == [world.kiosk_saint_lo.pk]
    assert not KioskPresence.objects.get(kiosk=world.kiosk_saint_lo).online
    presence_heartbeat(kiosk=world.kiosk_saint_lo)
    assert KioskPresence.objects.get(kiosk=world.kiosk_saint_lo).online


def test_the_presence_timeout_follows_the_setting(world, alice_seated, clock, settings):
    settings.PRESENCE_TIMEOUT_SECONDS = 90
    clock.shift(60)
    assert presence_expire()["stations"] == []
    clock.shift(31)
    assert presence_expire()["stations"] == [world.caf_station_1.pk]
