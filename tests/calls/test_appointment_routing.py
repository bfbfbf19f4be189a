"""An appointment's call (`reserved_station`): offered only to its station, ahead of every walk-in call.

These are the calls-domain rules the scheduling app's check-in relies on (see docs/scheduling.md).
"""

import pytest

from tests.calls.conftest import paris
from visiorelais.calls.errors import CallRefused
from visiorelais.calls.models import Call, CallEvent
from visiorelais.calls.selectors import call_queue_position, partner_waiting_calls
from visiorelais.calls.services import (
    call_accept,
    call_decline,
    call_end,
    call_request,
    station_set_available,
    station_take,
)
from visiorelais.network.models import Entitlement, Kiosk

Status = Call.Status


@pytest.fixture
def third_kiosk(world):
    return Kiosk.objects.create(site=world.saint_lo, code="BRN-STLO-02", label="Seconde borne de Saint-Lô")


@pytest.fixture
def alice_busy(world, alice_seated, clock):
    """Alice (CAF station 1) in a call from Saint-Lô."""
    call = call_request(kiosk=world.kiosk_saint_lo, partner_id=world.caf.pk)
    call_accept(agent=world.alice, call_id=call.pk)
    clock.shift(60)
    return call


def reserved(world, station, kiosk=None):
    return call_request(
        kiosk=kiosk or world.kiosk_coutances, partner_id=station.partner_id, reserved_station_id=station.pk
    )


def test_a_reserved_call_is_offered_to_its_station(world, alice_seated):
    call = reserved(world, world.caf_station_1)
    assert (call.status, call.station, call.reserved_station) == (
        Status.OFFERED,
        world.caf_station_1,
        world.caf_station_1,
    )


def test_a_reserved_call_is_never_offered_to_another_station(world, both_caf_seated, alice_busy):
    call = reserved(world, world.caf_station_1)
    assert call.status == Status.QUEUED  # station 2 is free, but it is not the booked one


def test_a_reserved_call_goes_ahead_of_an_earlier_walk_in(world, alice_busy, third_kiosk, clock):
    walk_in = call_request(kiosk=third_kiosk, partner_id=world.caf.pk)
    clock.shift(60)
    appointment_call = reserved(world, world.caf_station_1)
    assert [call.pk for call in partner_waiting_calls(partner_id=world.caf.pk)] == [appointment_call.pk, walk_in.pk]
    assert call_queue_position(call=appointment_call) == 1
    assert call_queue_position(call=walk_in) == 2

    call_end(call_id=alice_busy.pk, agent=world.alice)
    station_set_available(agent=world.alice)

    appointment_call.refresh_from_db()
    walk_in.refresh_from_db()
    assert (appointment_call.status, appointment_call.station) == (Status.OFFERED, world.caf_station_1)
    assert walk_in.status == Status.QUEUED


def test_walk_ins_still_go_to_the_other_stations(world, both_caf_seated, clock, third_kiosk):
    first_walk_in = call_request(kiosk=world.kiosk_saint_lo, partner_id=world.caf.pk)
    call_accept(agent=world.alice, call_id=first_walk_in.pk)
    appointment_call = reserved(world, world.caf_station_1)
    walk_in = call_request(kiosk=third_kiosk, partner_id=world.caf.pk)
    assert walk_in.station == world.caf_station_2
    assert appointment_call.status == Status.QUEUED


def test_an_appointment_only_partner_is_reached_with_a_reserved_station(world, alice_seated):
    Entitlement.objects.create(partner=world.cpam, kiosk=world.kiosk_saint_lo, mode=Entitlement.Mode.APPOINTMENT_ONLY)
    station_take(agent=world.bob, station_id=world.cpam_station.pk)
    with pytest.raises(CallRefused) as caught:
        call_request(kiosk=world.kiosk_saint_lo, partner_id=world.cpam.pk)
    assert caught.value.code == "appointment_only"
    call = reserved(world, world.cpam_station, kiosk=world.kiosk_saint_lo)
    assert call.status == Status.OFFERED
    assert call.events.first().detail["reserved_station_id"] == world.cpam_station.pk


def test_a_reserved_call_ignores_the_service_windows(world, alice_seated, clock):
    clock.move_to(paris(2026, 3, 2, 12, 30), tick=False)  # between CAF's two windows
    assert reserved(world, world.caf_station_1).status == Status.OFFERED


def test_a_reserved_station_with_nobody_seated_is_refused_and_nothing_is_written(world, carla, clock):
    station_take(agent=carla, station_id=world.caf_station_2.pk)
    with pytest.raises(CallRefused) as caught:
        reserved(world, world.caf_station_1)
    assert caught.value.code == "station_not_staffed"
    assert not Call.objects.exists()
    assert not CallEvent.objects.exists()


def test_a_station_of_another_partner_is_refused(world, alice_seated):
    with pytest.raises(CallRefused) as caught:
        call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk, reserved_station_id=world.cpam_station.pk)
    assert caught.value.code == "bad_station"
    assert not Call.objects.exists()


def test_a_reserved_call_declined_by_its_station_ends_at_once(world, both_caf_seated):
    call = reserved(world, world.caf_station_1)
    declined = call_decline(agent=world.alice, call_id=call.pk)
    assert (declined.status, declined.outcome) == (Status.ENDED, Call.Outcome.DECLINED_BY_ALL)


def test_walk_in_calls_route_as_before(world, both_caf_seated):
    call = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    assert (call.status, call.station, call.reserved_station) == (Status.OFFERED, world.caf_station_1, None)
