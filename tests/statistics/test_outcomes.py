"""Each call gets exactly one outcome by the ordered rules, on every path of the state machine, from the events
that the real services write (frozen clock)."""

import datetime as dt

from tests.calls.conftest import paris
from visiorelais.calls.models import KioskPresenceEvent
from visiorelais.calls.services import (
    call_accept,
    call_decline,
    call_end,
    call_give_up,
    call_rate,
    call_request,
    call_ring_timeout,
    presence_expire,
    presence_heartbeat,
    station_leave,
    station_set_available,
)
from visiorelais.statistics.models import CallFact, StationInterval
from visiorelais.statistics.services import call_facts_refresh

Outcome = CallFact.Outcome


def fact(call) -> CallFact:
    call_facts_refresh()
    return CallFact.objects.get(call_id=call.pk)


def test_a_call_answered_hung_up_and_wrapped_up_is_completed_with_its_wait_talk_and_wrap_up(world, alice_seated, clock):
    call = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    clock.shift(12)
    call_accept(agent=world.alice, call_id=call.pk)
    clock.shift(300)
    call_end(call_id=call.pk, agent=world.alice)
    clock.shift(45)
    station_set_available(agent=world.alice)
    call_rate(kiosk=world.kiosk_coutances, call_id=call.pk, rating=5)

    row = fact(call)

    assert row.outcome == Outcome.COMPLETED
    assert row.answered
    assert (row.wait_seconds, row.talk_seconds, row.wrap_up_seconds) == (12, 300, 45)
    assert (row.offers, row.offers_accepted, row.rating) == (1, 1, 5)
    assert (row.partner_id, row.kiosk_id, row.site_id) == (world.caf.pk, world.kiosk_coutances.pk, world.coutances.pk)
    assert row.station_id == world.caf_station_1.pk


def test_a_connected_call_that_breaks_is_failed_not_completed(world, alice_seated, clock):
    call = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    call_accept(agent=world.alice, call_id=call.pk)
    clock.shift(60)
    call_end(call_id=call.pk, kiosk=world.kiosk_coutances, outcome="failed")
    row = fact(call)
    assert row.outcome == Outcome.FAILED
    assert row.answered


def test_giving_up_within_the_short_abandon_threshold_is_a_short_abandon(world, alice_seated, clock):
    call = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    clock.shift(5)
    call_give_up(kiosk=world.kiosk_coutances, call_id=call.pk)
    row = fact(call)
    assert row.outcome == Outcome.ABANDONED_SHORT
    assert (row.wait_seconds, row.offers, row.offers_cancelled) == (5, 1, 1)


def test_giving_up_after_the_threshold_is_an_abandon(world, alice_seated, clock, settings):
    settings.STATS_SHORT_ABANDON_SECONDS = 20
    call = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    clock.shift(20)
    call_give_up(kiosk=world.kiosk_coutances, call_id=call.pk)
    assert fact(call).outcome == Outcome.ABANDONED


def test_a_kiosk_gone_silent_while_waiting_is_an_abandon(world, alice_seated, clock):
    call = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    clock.shift(10)
    call_decline(agent=world.alice, call_id=call.pk)  # the only station declined: declined_by_all instead
    assert fact(call).outcome == Outcome.DECLINED
    other = call_request(kiosk=world.kiosk_saint_lo, partner_id=world.caf.pk)
    clock.shift(120)
    presence_heartbeat(agent=world.alice)
    presence_expire()
    row = fact(other)
    assert (row.outcome, row.end_reason) == (Outcome.ABANDONED, "kiosk_gone")


def test_a_call_whose_last_station_leaves_is_unanswered(world, alice_seated, clock):
    call = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    clock.shift(20)
    station_leave(agent=world.alice)
    row = fact(call)
    assert row.outcome == Outcome.UNANSWERED
    assert (row.wait_seconds, row.offers_cancelled) == (20, 1)


def test_a_request_outside_the_service_windows_is_unavailable_closed(world, alice_seated, clock):
    clock.move_to(paris(2026, 3, 6, 17, 0), tick=False)
    call = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    assert fact(call).outcome == Outcome.UNAVAILABLE_CLOSED


def test_a_request_with_nobody_seated_is_unavailable_unstaffed(world, clock):
    call = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    assert fact(call).outcome == Outcome.UNAVAILABLE_UNSTAFFED


def test_offer_results_are_counted_apart_timeout_then_decline_then_accept(world, both_caf_seated, clock, carla):
    call = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    clock.shift(31)
    call_ring_timeout(call_id=call.pk)  # station 1 paused; offered to station 2
    call_accept(agent=carla, call_id=call.pk)
    row = fact(call)
    assert (row.offers, row.offers_timed_out, row.offers_declined, row.offers_accepted) == (2, 1, 0, 1)
    assert row.outcome == Outcome.OPEN
    assert row.wait_seconds == 31


def test_an_open_call_is_picked_up_again_by_the_incremental_refresh(world, alice_seated, clock):
    call = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    assert fact(call).outcome == Outcome.OPEN
    call_accept(agent=world.alice, call_id=call.pk)
    clock.shift(100)
    call_end(call_id=call.pk, agent=world.alice)
    assert fact(call).outcome == Outcome.COMPLETED
    assert fact(call).talk_seconds == 100


def test_refreshing_twice_writes_the_same_rows(world, alice_seated, clock):
    call = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    call_accept(agent=world.alice, call_id=call.pk)
    call_end(call_id=call.pk, agent=world.alice)
    call_facts_refresh()
    before = (list(CallFact.objects.values()), list(StationInterval.objects.order_by("start_event_id").values()))
    call_facts_refresh()
    call_facts_refresh(since=paris(2026, 3, 1, 0, 0))
    assert (
        list(CallFact.objects.values()),
        list(StationInterval.objects.order_by("start_event_id").values()),
    ) == before
    call_facts_refresh(full=True)
    assert list(CallFact.objects.values()) == before[0]


def test_station_intervals_follow_the_station_events(world, alice_seated, clock):
    call = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    clock.shift(10)
    call_accept(agent=world.alice, call_id=call.pk)
    clock.shift(60)
    call_end(call_id=call.pk, agent=world.alice)
    call_facts_refresh()
    states = list(StationInterval.objects.order_by("start", "start_event_id").values_list("state", "end"))
    assert [state for state, _ in states] == ["available", "ringing", "busy", "wrap_up"]
    assert states[-1][1] is None


def test_a_kiosk_going_silent_and_coming_back_leaves_offline_and_online_rows(world, clock):
    presence_heartbeat(kiosk=world.kiosk_coutances)
    presence_heartbeat(kiosk=world.kiosk_coutances)
    clock.shift(60)
    presence_expire()
    clock.shift(60)
    presence_heartbeat(kiosk=world.kiosk_coutances)
    rows = list(KioskPresenceEvent.objects.filter(kiosk=world.kiosk_coutances).values_list("online", "at"))
    start = paris(2026, 3, 2, 10, 0)
    assert rows == [(True, start), (False, start), (True, start + dt.timedelta(seconds=120))]
