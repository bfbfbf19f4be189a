"""The Call state machine: every transition, the illegal moves, the queue order, the event record."""

import datetime as dt

import pytest

from tests.calls.conftest import paris
from visiorelais.calls.errors import CallNotFound, CallRefused, IllegalTransition, NotAllowed
from visiorelais.calls.models import Call, CallEvent, StationPresence
from visiorelais.calls.services import (
    call_accept,
    call_decline,
    call_end,
    call_expire_rings,
    call_give_up,
    call_request,
    call_ring_timeout,
    station_leave,
    station_pause,
    station_set_available,
    station_take,
)
from visiorelais.network.models import Closure, Entitlement, Kiosk

Status, Outcome, Kind = Call.Status, Call.Outcome, CallEvent.Kind
State = StationPresence.State


def kinds(call):
    return list(call.events.order_by("pk").values_list("kind", flat=True))


def presence(station):
    return StationPresence.objects.get(station=station)


# Requesting.


def test_a_request_is_offered_at_once_to_a_free_station(world, alice_seated):
    call = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk, topic_id=world.caf_topic.pk)
    assert call.status == Status.OFFERED
    assert call.station == world.caf_station_1
    assert presence(world.caf_station_1).state == State.RINGING
    assert kinds(call) == [Kind.REQUESTED, Kind.QUEUED, Kind.OFFERED]


def test_a_request_waits_in_the_queue_while_every_station_is_busy(world, alice_seated):
    first = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    second = call_request(kiosk=world.kiosk_saint_lo, partner_id=world.caf.pk)
    assert first.status == Status.OFFERED
    assert second.status == Status.QUEUED
    assert kinds(second) == [Kind.REQUESTED, Kind.QUEUED]


def test_a_request_outside_service_windows_ends_unavailable_with_the_next_opening(world, alice_seated, clock):
    clock.move_to(paris(2026, 3, 6, 17, 0), tick=False)  # Friday evening
    call = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    assert (call.status, call.outcome, call.end_reason) == (Status.ENDED, Outcome.UNAVAILABLE, "closed")
    assert call.next_opening == paris(2026, 3, 9, 9, 0)
    assert kinds(call) == [Kind.REQUESTED, Kind.ENDED]
    ended = call.events.get(kind=Kind.ENDED)
    assert ended.detail == {"outcome": "unavailable", "reason": "closed", "next_opening": "2026-03-09T09:00:00+01:00"}


def test_a_request_on_a_closure_day_ends_unavailable(world, alice_seated):
    Closure.objects.create(partner=world.caf, first_day=dt.date(2026, 3, 2), last_day=dt.date(2026, 3, 2))
    call = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    assert (call.outcome, call.end_reason) == (Outcome.UNAVAILABLE, "closed")
    assert call.next_opening == paris(2026, 3, 3, 9, 0)


def test_a_request_with_no_station_staffed_ends_unavailable(world, clock):
    call = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    assert (call.status, call.outcome, call.end_reason) == (Status.ENDED, Outcome.UNAVAILABLE, "no_station_staffed")
    assert call.next_opening == paris(2026, 3, 2, 13, 30)  # after this morning's window
    assert call.events.get(kind=Kind.ENDED).detail["reason"] == "no_station_staffed"


def test_a_paused_agent_still_counts_as_staffed(world, alice_seated):
    station_pause(agent=world.alice)
    call = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    assert call.status == Status.QUEUED


def test_the_requested_row_says_who_asked_whom_about_what(world, alice_seated):
    call = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk, topic_id=world.caf_topic.pk)
    requested = call.events.get(kind=Kind.REQUESTED)
    assert requested.detail == {
        "kiosk_id": world.kiosk_coutances.pk,
        "kiosk_code": "BRN-COUT-01",
        "site_id": world.coutances.pk,
        "partner_id": world.caf.pk,
        "topic_id": world.caf_topic.pk,
    }


def test_a_kiosk_cannot_call_a_partner_it_does_not_reach(world, clock):
    with pytest.raises(CallRefused) as refused:
        call_request(kiosk=world.kiosk_saint_lo, partner_id=world.cpam.pk)
    assert refused.value.code == "not_entitled"
    assert not Call.objects.exists()


def test_a_retired_kiosk_cannot_call(world, clock):
    with pytest.raises(CallRefused) as refused:
        call_request(kiosk=world.kiosk_retired, partner_id=world.caf.pk)
    assert refused.value.code == "not_entitled"


def test_a_partner_reached_by_appointment_only_cannot_be_called_now(world, alice_seated):
    Entitlement.objects.create(partner=world.caf, kiosk=world.kiosk_saint_lo, mode=Entitlement.Mode.APPOINTMENT_ONLY)
    with pytest.raises(CallRefused) as refused:
        call_request(kiosk=world.kiosk_saint_lo, partner_id=world.caf.pk)
    assert refused.value.code == "appointment_only"


def test_a_topic_of_another_partner_is_refused(world, alice_seated):
    with pytest.raises(CallRefused) as refused:
        call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk, topic_id=world.cpam_topic.pk)
    assert refused.value.code == "bad_topic"


def test_a_kiosk_holds_one_open_call_at_a_time(world, alice_seated):
    call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    with pytest.raises(CallRefused) as refused:
        call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    assert refused.value.code == "kiosk_busy"
    assert Call.objects.count() == 1


# Accepting, declining, ringing out.


def test_accepting_connects_the_call_and_makes_the_station_busy(world, alice_seated):
    call = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    call = call_accept(agent=world.alice, call_id=call.pk)
    assert call.status == Status.CONNECTED
    assert call.agent == world.alice
    assert presence(world.caf_station_1).state == State.BUSY
    assert kinds(call)[-2:] == [Kind.ACCEPTED, Kind.CONNECTED]
    accepted = call.events.get(kind=Kind.ACCEPTED)
    assert (accepted.station, accepted.agent) == (world.caf_station_1, world.alice)


def test_an_agent_cannot_accept_a_call_ringing_at_another_station(world, both_caf_seated):
    call = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    assert call.station == world.caf_station_1
    with pytest.raises(IllegalTransition):
        call_accept(agent=both_caf_seated, call_id=call.pk)


def test_an_agent_of_another_partner_cannot_even_see_the_call(world, alice_seated):
    station_take(agent=world.bob, station_id=world.cpam_station.pk)
    call = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    with pytest.raises(CallNotFound):
        call_accept(agent=world.bob, call_id=call.pk)


def test_a_person_who_is_not_a_partner_agent_cannot_accept(world, alice_seated):
    call = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    with pytest.raises(CallNotFound):
        call_accept(agent=world.olivia, call_id=call.pk)


def test_accepting_a_queued_call_is_illegal(world, alice_seated):
    call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    queued = call_request(kiosk=world.kiosk_saint_lo, partner_id=world.caf.pk)
    with pytest.raises(IllegalTransition):
        call_accept(agent=world.alice, call_id=queued.pk)


def test_declining_sends_the_call_back_to_the_head_without_pausing_the_station(world, both_caf_seated, clock):
    first = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    second = call_request(kiosk=world.kiosk_saint_lo, partner_id=world.caf.pk)
    assert (first.station, second.station) == (world.caf_station_1, world.caf_station_2)
    call_accept(agent=both_caf_seated, call_id=second.pk)
    first = call_decline(agent=world.alice, call_id=first.pk)
    # Back at the head; station 1 stays available, but is never offered this call again.
    assert first.status == Status.QUEUED
    assert presence(world.caf_station_1).state == State.AVAILABLE
    assert kinds(first)[-1] == Kind.DECLINED
    declined = first.events.get(kind=Kind.DECLINED)
    assert (declined.station, declined.agent) == (world.caf_station_1, world.alice)
    # When station 2 is free again, it takes the declined call.
    call_end(call_id=second.pk, agent=both_caf_seated)
    station_set_available(agent=both_caf_seated)
    first.refresh_from_db()
    assert (first.status, first.station) == (Status.OFFERED, world.caf_station_2)


def test_a_station_that_declined_the_head_takes_the_next_call(world, both_caf_seated, clock):
    first = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    second = call_request(kiosk=world.kiosk_saint_lo, partner_id=world.caf.pk)
    call_accept(agent=both_caf_seated, call_id=second.pk)
    call_decline(agent=world.alice, call_id=first.pk)
    call_end(call_id=second.pk, agent=both_caf_seated)
    station_pause(agent=both_caf_seated)
    kiosk = Kiosk.objects.create(site=world.coutances, code="BRN-COUT-02", label="Deuxième borne")
    third = call_request(kiosk=kiosk, partner_id=world.caf.pk)
    assert (third.status, third.station) == (Status.OFFERED, world.caf_station_1)
    first.refresh_from_db()
    assert first.status == Status.QUEUED


def test_a_call_declined_by_every_staffed_station_ends_declined_by_all(world, both_caf_seated):
    call = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    call = call_decline(agent=world.alice, call_id=call.pk)
    assert (call.status, call.station) == (Status.OFFERED, world.caf_station_2)
    call = call_decline(agent=both_caf_seated, call_id=call.pk)
    assert (call.status, call.outcome) == (Status.ENDED, Outcome.DECLINED_BY_ALL)
    assert kinds(call) == [
        Kind.REQUESTED, Kind.QUEUED, Kind.OFFERED, Kind.DECLINED, Kind.OFFERED, Kind.DECLINED, Kind.ENDED,
    ]  # fmt: skip
    assert presence(world.caf_station_1).state == State.AVAILABLE
    assert presence(world.caf_station_2).state == State.AVAILABLE


def test_ring_timeout_sends_the_call_back_to_the_head_and_pauses_the_station(world, alice_seated, clock):
    call = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    later = call_request(kiosk=world.kiosk_saint_lo, partner_id=world.caf.pk)
    clock.shift(30)
    call = call_ring_timeout(call_id=call.pk)
    assert call.status == Status.QUEUED
    station = presence(world.caf_station_1)
    assert (station.state, station.pause_reason) == (State.PAUSED, StationPresence.PauseReason.RING_TIMEOUT)
    timeout = call.events.get(kind=Kind.RING_TIMEOUT)
    assert (timeout.station, timeout.agent) == (world.caf_station_1, world.alice)
    # The agent comes back: the timed-out call, still at the head, rings again before the later one.
    station_set_available(agent=world.alice)
    call.refresh_from_db()
    later.refresh_from_db()
    assert (call.status, later.status) == (Status.OFFERED, Status.QUEUED)


def test_ring_timeout_before_the_deadline_is_illegal(world, alice_seated, clock):
    call = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    clock.shift(29)
    with pytest.raises(IllegalTransition):
        call_ring_timeout(call_id=call.pk)


def test_ring_timeout_of_a_connected_call_is_illegal(world, alice_seated, clock):
    call = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    call_accept(agent=world.alice, call_id=call.pk)
    clock.shift(60)
    with pytest.raises(IllegalTransition):
        call_ring_timeout(call_id=call.pk)


def test_the_ring_timeout_follows_the_setting(world, alice_seated, clock, settings):
    settings.CALL_RING_TIMEOUT_SECONDS = 10
    call = call_request(kiosk=world.kiosk_saint_lo, partner_id=world.caf.pk)
    assert call.ring_deadline == paris(2026, 3, 2, 10, 0, 10)


def test_expiring_rings_times_out_only_the_calls_past_their_deadline(world, both_caf_seated, clock):
    first = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    clock.shift(15)
    second = call_request(kiosk=world.kiosk_saint_lo, partner_id=world.caf.pk)
    clock.shift(15)
    assert call_expire_rings() == [first.pk]
    second.refresh_from_db()
    assert second.status == Status.OFFERED


# Giving up and ending.


def test_giving_up_while_queued_abandons_the_call(world, alice_seated):
    call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    queued = call_request(kiosk=world.kiosk_saint_lo, partner_id=world.caf.pk)
    call = call_give_up(kiosk=world.kiosk_saint_lo, call_id=queued.pk)
    assert (call.status, call.outcome, call.end_reason) == (Status.ENDED, Outcome.ABANDONED, "given_up")
    assert kinds(call) == [Kind.REQUESTED, Kind.QUEUED, Kind.ENDED]


def test_giving_up_while_ringing_cancels_the_offer_and_frees_the_station(world, alice_seated):
    call = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    call = call_give_up(kiosk=world.kiosk_coutances, call_id=call.pk)
    assert (call.status, call.outcome) == (Status.ENDED, Outcome.ABANDONED)
    assert kinds(call) == [Kind.REQUESTED, Kind.QUEUED, Kind.OFFERED, Kind.OFFER_CANCELLED, Kind.ENDED]
    assert call.events.get(kind=Kind.OFFER_CANCELLED).detail == {"reason": "kiosk_gave_up"}
    assert presence(world.caf_station_1).state == State.AVAILABLE


def test_a_kiosk_cannot_give_up_the_call_of_another_kiosk(world, alice_seated):
    call = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    with pytest.raises(CallNotFound):
        call_give_up(kiosk=world.kiosk_saint_lo, call_id=call.pk)


def test_giving_up_a_connected_call_is_illegal(world, alice_seated):
    call = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    call_accept(agent=world.alice, call_id=call.pk)
    with pytest.raises(IllegalTransition):
        call_give_up(kiosk=world.kiosk_coutances, call_id=call.pk)


@pytest.mark.parametrize("who", ["kiosk", "agent"])
def test_hanging_up_completes_the_call_and_the_station_wraps_up(world, alice_seated, clock, who):
    call = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    call_accept(agent=world.alice, call_id=call.pk)
    clock.shift(600)
    actor = {"kiosk": world.kiosk_coutances} if who == "kiosk" else {"agent": world.alice}
    call = call_end(call_id=call.pk, **actor)
    assert (call.status, call.outcome, call.end_reason) == (Status.ENDED, Outcome.COMPLETED, f"hung_up_by_{who}")
    assert presence(world.caf_station_1).state == State.WRAP_UP
    ended = call.events.get(kind=Kind.ENDED)
    assert (ended.station, ended.agent) == (world.caf_station_1, world.alice)
    assert ended.at - call.events.get(kind=Kind.CONNECTED).at == dt.timedelta(seconds=600)


def test_a_client_may_end_a_connected_call_as_failed(world, alice_seated):
    call = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    call_accept(agent=world.alice, call_id=call.pk)
    call = call_end(call_id=call.pk, kiosk=world.kiosk_coutances, outcome=Outcome.FAILED, reason="ice_failed")
    assert (call.outcome, call.end_reason) == (Outcome.FAILED, "ice_failed")


def test_call_end_refuses_outcomes_that_other_services_decide(world, alice_seated):
    call = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    call_accept(agent=world.alice, call_id=call.pk)
    with pytest.raises(IllegalTransition):
        call_end(call_id=call.pk, agent=world.alice, outcome=Outcome.UNAVAILABLE)


def test_ending_a_call_that_is_not_connected_is_illegal(world, alice_seated):
    call = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    with pytest.raises(IllegalTransition):
        call_end(call_id=call.pk, agent=world.alice)


def test_an_ended_call_cannot_be_accepted_nor_ended_again(world, alice_seated):
    call = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    call_accept(agent=world.alice, call_id=call.pk)
    call_end(call_id=call.pk, agent=world.alice)
    with pytest.raises(IllegalTransition):
        call_accept(agent=world.alice, call_id=call.pk)
    with pytest.raises(IllegalTransition):
        call_end(call_id=call.pk, kiosk=world.kiosk_coutances)


def test_only_the_agent_on_the_call_may_hang_it_up(world, both_caf_seated):
    call = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    call_accept(agent=world.alice, call_id=call.pk)
    with pytest.raises(NotAllowed):
        call_end(call_id=call.pk, agent=both_caf_seated)


def test_the_last_agent_leaving_ends_the_waiting_calls_as_unanswered(world, alice_seated):
    ringing = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    queued = call_request(kiosk=world.kiosk_saint_lo, partner_id=world.caf.pk)
    station_leave(agent=world.alice)
    for call in (ringing, queued):
        call.refresh_from_db()
        assert (call.status, call.outcome, call.end_reason) == (Status.ENDED, Outcome.UNANSWERED, "no_station_staffed")
    assert kinds(ringing)[-2:] == [Kind.OFFER_CANCELLED, Kind.ENDED]


def test_unknown_calls_are_not_found(world, alice_seated):
    with pytest.raises(CallNotFound):
        call_ring_timeout(call_id=999_999)
    with pytest.raises(CallNotFound):
        call_give_up(kiosk=world.kiosk_coutances, call_id=999_999)


# Queue order.


def test_the_queue_is_first_come_first_served_across_kiosks(world, alice_seated, clock):
    kiosks = [world.kiosk_coutances, world.kiosk_saint_lo] + [
        Kiosk.objects.create(site=world.coutances, code=f"BRN-COUT-1{i}", label=f"Borne {i}") for i in range(3)
    ]
    calls = []
    for kiosk in kiosks:
        calls.append(call_request(kiosk=kiosk, partner_id=world.caf.pk))
        clock.shift(5)
    answered = []
    for _ in calls:
        ringing = Call.objects.get(status=Status.OFFERED)
        answered.append(ringing.pk)
        call_accept(agent=world.alice, call_id=ringing.pk)
        call_end(call_id=ringing.pk, agent=world.alice)
        station_set_available(agent=world.alice)
    assert answered == [call.pk for call in calls]


def test_the_longest_idle_station_takes_the_next_call(world, both_caf_seated, clock):
    # Station 1 was taken first, so it has been idle longest.
    first = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    assert first.station == world.caf_station_1
    call_give_up(kiosk=world.kiosk_coutances, call_id=first.pk)
    # Station 1 finishes a call now: it becomes the most recently idle, station 2 the longest.
    call = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    assert call.station == world.caf_station_1
    call_accept(agent=world.alice, call_id=call.pk)
    call_end(call_id=call.pk, agent=world.alice)
    station_set_available(agent=world.alice)
    clock.shift(10)
    call = call_request(kiosk=world.kiosk_saint_lo, partner_id=world.caf.pk)
    assert call.station == world.caf_station_2


# The statistics-grade record.


def test_a_full_call_leaves_a_complete_event_record(world, both_caf_seated, clock):
    call = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk, topic_id=world.caf_topic.pk)
    clock.shift(30)
    call_ring_timeout(call_id=call.pk)  # station 1 silent; station 2 takes it
    clock.shift(5)
    call_decline(agent=both_caf_seated, call_id=call.pk)
    station_set_available(agent=world.alice)
    clock.shift(3)
    call_accept(agent=world.alice, call_id=call.pk)
    clock.shift(420)
    call_end(call_id=call.pk, kiosk=world.kiosk_coutances)
    rows = list(call.events.order_by("pk").values_list("kind", "station_id", "agent_id"))
    s1, s2 = world.caf_station_1.pk, world.caf_station_2.pk
    alice, carla = world.alice.pk, both_caf_seated.pk
    assert rows == [
        (Kind.REQUESTED, None, None),
        (Kind.QUEUED, None, None),
        (Kind.OFFERED, s1, alice),
        (Kind.RING_TIMEOUT, s1, alice),
        (Kind.OFFERED, s2, carla),
        (Kind.DECLINED, s2, carla),
        (Kind.OFFERED, s1, alice),
        (Kind.ACCEPTED, s1, alice),
        (Kind.CONNECTED, s1, alice),
        (Kind.ENDED, s1, alice),
    ]
    times = [event.at - MONDAY for event in call.events.order_by("pk")]
    assert times[0] == dt.timedelta(minutes=2)
    assert call.events.get(kind=Kind.ENDED).detail == {"outcome": "completed", "reason": "hung_up_by_kiosk"}
    assert call.events.get(kind=Kind.QUEUED).detail["position"] == 1


MONDAY = paris(2026, 3, 2, 10, 0)


def test_a_failed_transition_writes_nothing(world, alice_seated):
    call = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    before = CallEvent.objects.count()
    with pytest.raises(IllegalTransition):
        call_end(call_id=call.pk, agent=world.alice)
    assert CallEvent.objects.count() == before
