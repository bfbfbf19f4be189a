"""Reads of the live call: accessors, wait estimates, kiosk and console snapshots."""

import datetime as dt

import pytest

from tests.calls.conftest import paris
from visiorelais.calls.errors import CallNotFound
from visiorelais.calls.models import Call
from visiorelais.calls.selectors import (
    call_get_for_agent,
    call_get_for_kiosk,
    estimated_wait_seconds,
    kiosk_snapshot,
    partner_handle_seconds,
    partner_queue_snapshot,
)
from visiorelais.calls.services import (
    call_accept,
    call_end,
    call_give_up,
    call_request,
    station_leave,
    station_set_available,
    station_take,
)
from visiorelais.network.models import Entitlement


def complete_a_call(world, kiosk, clock, seconds):
    call = call_request(kiosk=kiosk, partner_id=world.caf.pk)
    call_accept(agent=world.alice, call_id=call.pk)
    clock.shift(seconds)
    call_end(call_id=call.pk, agent=world.alice)
    station_set_available(agent=world.alice)


def test_an_agent_gets_a_call_of_their_partner(world, alice_seated):
    call = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    assert call_get_for_agent(agent=world.alice, call_id=call.pk) == call


@pytest.mark.parametrize("who", ["bob", "olivia", "mona"])
def test_nobody_else_gets_a_partners_call(world, alice_seated, who):
    call = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    with pytest.raises(CallNotFound):
        call_get_for_agent(agent=getattr(world, who), call_id=call.pk)


def test_a_kiosk_gets_its_own_call_only(world, alice_seated):
    call = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    assert call_get_for_kiosk(kiosk=world.kiosk_coutances, call_id=call.pk) == call
    with pytest.raises(CallNotFound):
        call_get_for_kiosk(kiosk=world.kiosk_saint_lo, call_id=call.pk)
    with pytest.raises(Call.DoesNotExist):
        call_get_for_kiosk(kiosk=world.kiosk_coutances, call_id=999_999)


def test_the_handle_time_defaults_when_the_partner_has_no_history(world, settings):
    settings.CALL_DEFAULT_HANDLE_SECONDS = 480
    assert partner_handle_seconds(partner_id=world.caf.pk) == 480


def test_the_handle_time_is_the_mean_of_completed_calls(world, alice_seated, clock):
    complete_a_call(world, world.kiosk_coutances, clock, 300)
    complete_a_call(world, world.kiosk_saint_lo, clock, 500)
    # An abandoned call does not count.
    call = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    call_give_up(kiosk=world.kiosk_coutances, call_id=call.pk)
    assert partner_handle_seconds(partner_id=world.caf.pk) == 400


def test_the_handle_time_reads_only_the_most_recent_calls(world, alice_seated, clock, settings):
    settings.CALL_HANDLE_TIME_SAMPLE = 1
    complete_a_call(world, world.kiosk_coutances, clock, 300)
    complete_a_call(world, world.kiosk_saint_lo, clock, 500)
    assert partner_handle_seconds(partner_id=world.caf.pk) == 500


def test_the_estimated_wait_is_position_times_handle_time_over_staffed_stations(world, both_caf_seated, settings):
    settings.CALL_DEFAULT_HANDLE_SECONDS = 600
    assert estimated_wait_seconds(partner_id=world.caf.pk, position=3) == 900
    assert estimated_wait_seconds(partner_id=world.caf.pk, position=1, staffed=1) == 600
    assert estimated_wait_seconds(partner_id=world.caf.pk, position=1, staffed=3, handle_seconds=100) == 34


def test_there_is_no_estimated_wait_when_nobody_is_staffed(world):
    assert estimated_wait_seconds(partner_id=world.caf.pk, position=1) is None


def partner_entry(snapshot, partner):
    return next(entry for entry in snapshot["partners"] if entry["partner_id"] == partner.pk)


def test_the_kiosk_snapshot_shows_a_free_partner_as_available(world, alice_seated):
    snapshot = kiosk_snapshot(kiosk=world.kiosk_coutances)
    caf = partner_entry(snapshot, world.caf)
    assert (caf["state"], caf["queue_length"], caf["estimated_wait_seconds"]) == ("available", 0, 0)
    assert (caf["short_name"], caf["mode"], caf["colour"]) == ("CAF", "walk_in", "#0055A4")
    assert snapshot["call"] is None


def test_the_kiosk_snapshot_shows_a_busy_partner_with_its_queue_and_wait(world, alice_seated, settings):
    settings.CALL_DEFAULT_HANDLE_SECONDS = 600
    call_request(kiosk=world.kiosk_saint_lo, partner_id=world.caf.pk)
    caf = partner_entry(kiosk_snapshot(kiosk=world.kiosk_coutances), world.caf)
    assert (caf["state"], caf["queue_length"], caf["estimated_wait_seconds"]) == ("busy", 1, 1200)


def test_the_kiosk_snapshot_shows_a_closed_partner_with_its_next_opening(world, alice_seated, clock):
    clock.move_to(paris(2026, 3, 2, 12, 30), tick=False)
    cpam = partner_entry(kiosk_snapshot(kiosk=world.kiosk_coutances), world.cpam)
    assert (cpam["state"], cpam["closed_reason"]) == ("closed", "closed")
    assert cpam["next_opening"] == paris(2026, 3, 3, 8, 30).isoformat()


def test_the_kiosk_snapshot_shows_a_partner_nobody_staffs_as_closed(world, clock):
    caf = partner_entry(kiosk_snapshot(kiosk=world.kiosk_coutances), world.caf)
    assert (caf["state"], caf["closed_reason"]) == ("closed", "no_station_staffed")
    assert caf["next_opening"] == paris(2026, 3, 2, 13, 30).isoformat()


def test_the_kiosk_snapshot_says_when_a_partner_takes_appointments_only(world, alice_seated):
    Entitlement.objects.create(partner=world.caf, kiosk=world.kiosk_saint_lo, mode=Entitlement.Mode.APPOINTMENT_ONLY)
    caf = partner_entry(kiosk_snapshot(kiosk=world.kiosk_saint_lo), world.caf)
    assert caf["mode"] == "appointment_only"


def test_a_retired_kiosk_snapshot_lists_no_partner(world):
    assert kiosk_snapshot(kiosk=world.kiosk_retired)["partners"] == []


def test_the_kiosk_snapshot_holds_the_kiosks_own_call_with_its_position(world, alice_seated, settings):
    settings.CALL_DEFAULT_HANDLE_SECONDS = 600
    call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    waiting = call_request(kiosk=world.kiosk_saint_lo, partner_id=world.caf.pk)
    own = kiosk_snapshot(kiosk=world.kiosk_saint_lo)["call"]
    assert own["call_id"] == waiting.pk
    assert (own["status"], own["position"], own["estimated_wait_seconds"]) == ("queued", 2, 1200)


def test_the_kiosk_snapshot_names_the_agent_once_connected(world, alice_seated):
    call = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    call_accept(agent=world.alice, call_id=call.pk)
    own = kiosk_snapshot(kiosk=world.kiosk_coutances)["call"]
    assert (own["status"], own["agent_name"], own["position"]) == ("connected", "Alice", None)


def test_the_console_snapshot_says_who_waits_from_where_since_when(world, alice_seated, clock):
    first = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk, topic_id=world.caf_topic.pk)
    clock.shift(45)
    second = call_request(kiosk=world.kiosk_saint_lo, partner_id=world.caf.pk)
    snapshot = partner_queue_snapshot(partner=world.caf)
    assert [entry["call_id"] for entry in snapshot["calls"]] == [first.pk, second.pk]
    head, then = snapshot["calls"]
    assert (head["status"], head["station_id"], head["topic"]) == (
        "offered",
        world.caf_station_1.pk,
        "Prime d'activité",
    )
    assert (then["kiosk_code"], then["site_name"], then["commune"]) == ("BRN-STLO-01", "Mairie de Saint-Lô", "Saint-Lô")
    assert dt.datetime.fromisoformat(then["queued_at"]) == paris(2026, 3, 2, 10, 0, 45)
    stations = {entry["station_id"]: entry for entry in snapshot["stations"]}
    assert stations[world.caf_station_1.pk]["state"] == "ringing"
    assert stations[world.caf_station_1.pk]["call_id"] == first.pk
    assert stations[world.caf_station_2.pk]["state"] == "offline"


def test_the_console_snapshot_forgets_a_station_that_left(world, alice_seated):
    station_leave(agent=world.alice)
    station_take(agent=world.alice, station_id=world.caf_station_2.pk)
    stations = {entry["station_id"]: entry["state"] for entry in partner_queue_snapshot(partner=world.caf)["stations"]}
    assert stations == {world.caf_station_1.pk: "offline", world.caf_station_2.pk: "available"}
