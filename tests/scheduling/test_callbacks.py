"""Callbacks: offered only when the partner cannot answer now; taken, attempted, closed; the number erased."""

import datetime as dt

import pytest

from tests.scheduling.conftest import paris
from visiorelais.calls.services import call_request, station_take
from visiorelais.network.models import Kiosk
from visiorelais.scheduling.errors import SchedulingRefused
from visiorelais.scheduling.models import CallbackEvent, CallbackRequest, PartnerCallbackPolicy
from visiorelais.scheduling.selectors import callback_get_for_agent, callbacks_for_partner
from visiorelais.scheduling.services import callback_attempt, callback_request, callback_take, callbacks_erase

Status = CallbackRequest.Status
FRIDAY_6PM = paris(2026, 3, 6, 18, 0)  # CAF and CPAM are closed


def days_after_friday(days: int) -> dt.datetime:
    """Elapsed time, not wall-clock time: summer time starts within the month."""
    return FRIDAY_6PM.astimezone(dt.UTC) + dt.timedelta(days=days)


def request_callback(world, partner=None, **kwargs):
    values = {
        "kiosk": world.kiosk_coutances,
        "partner_id": (partner or world.caf).pk,
        "phone": "02 33 45 67 89",
        "preferred_period": "morning",
        "topic_id": world.caf_topic.pk if partner in (None, world.caf) else None,
        **kwargs,
    }
    return callback_request(**values)


def refused(code, call):
    before = CallbackRequest.objects.count()
    with pytest.raises(SchedulingRefused) as caught:
        call()
    assert caught.value.code == code
    assert CallbackRequest.objects.count() == before
    return caught.value.text


@pytest.fixture
def closed_hours(clock):
    clock.move_to(FRIDAY_6PM, tick=False)


def test_a_resident_leaves_a_number_when_the_partner_is_closed(world, closed_hours):
    request = request_callback(world)
    assert (request.status, request.reason, request.phone) == (Status.PENDING, "closed", "+33233456789")
    assert request.events.get().kind == CallbackEvent.Kind.REQUESTED


def test_a_callback_is_offered_when_no_station_is_staffed(world, clock):
    assert request_callback(world).reason == "no_station_staffed"


def test_a_callback_is_offered_when_the_wait_is_over_the_partners_limit(world, clock):
    station_take(agent=world.alice, station_id=world.caf_station_1.pk)
    for code in ("BRN-A", "BRN-B", "BRN-C"):
        kiosk = Kiosk.objects.create(site=world.saint_lo, code=code, label=code)
        call_request(kiosk=kiosk, partner_id=world.caf.pk)
    # Three ahead, ten minutes each, one station: thirty minutes, over the default twenty.
    assert request_callback(world).reason == "wait_too_long"
    PartnerCallbackPolicy.objects.create(partner=world.caf, wait_limit_minutes=60)
    text = refused("callback_not_needed", lambda: request_callback(world, phone="02 33 45 67 88"))
    assert text == "Ce partenaire peut vous répondre maintenant : touchez son nom pour l'appeler."


def test_no_callback_while_the_partner_can_answer_now(world, clock):
    station_take(agent=world.alice, station_id=world.caf_station_1.pk)
    refused("callback_not_needed", lambda: request_callback(world))


@pytest.mark.parametrize("phone", ["", "12", "02 33 45", "+1 202 555 0100", "téléphone"])
def test_a_malformed_phone_number_is_refused(world, closed_hours, phone):
    text = refused("bad_phone", lambda: request_callback(world, phone=phone))
    assert "n'est pas un numéro de téléphone français valide" in text


def test_other_bad_requests_are_refused(world, closed_hours):
    refused("bad_period", lambda: request_callback(world, preferred_period="la nuit"))
    refused("bad_topic", lambda: request_callback(world, topic_id=world.cpam_topic.pk))
    refused("callback_not_entitled", lambda: request_callback(world, kiosk=world.kiosk_saint_lo, partner=world.cpam))
    request_callback(world)
    refused("callback_duplicate", lambda: request_callback(world, phone="0233456789"))


def test_the_lifecycle_take_fail_retake_done(world, closed_hours, carla, clock):
    request = request_callback(world)
    taken = callback_take(agent=world.alice, request_id=request.pk)
    assert (taken.status, taken.taken_by) == (Status.TAKEN, world.alice)
    text = refused("callback_not_pending", lambda: callback_take(agent=carla, request_id=request.pk))
    assert text == "Cette demande a déjà été prise par un autre agent, ou elle est close."
    with pytest.raises(SchedulingRefused, match="Prenez d'abord cette demande"):
        callback_attempt(agent=carla, request_id=request.pk, outcome="done")

    clock.shift(60)
    after_failure = callback_attempt(agent=world.alice, request_id=request.pk, outcome="failed", note="messagerie")
    assert (after_failure.status, after_failure.taken_by) == (Status.PENDING, None)
    callback_take(agent=carla, request_id=request.pk)
    done = callback_attempt(agent=carla, request_id=request.pk, outcome="done")
    assert (done.status, done.closed_at) == (Status.DONE, FRIDAY_6PM + dt.timedelta(seconds=60))
    assert [(a.agent, a.outcome, a.note) for a in done.attempts.all()] == [
        (world.alice, "failed", "messagerie"),
        (carla, "done", ""),
    ]
    assert list(done.events.values_list("kind", flat=True)) == [
        "requested",
        "taken",
        "attempt_failed",
        "taken",
        "attempt_done",
    ]
    assert list(callbacks_for_partner(partner=world.caf)) == []


def test_after_three_failed_attempts_the_request_is_closed_as_failed(world, closed_hours):
    request = request_callback(world)
    for _attempt in range(3):
        callback_take(agent=world.alice, request_id=request.pk)
        request = callback_attempt(agent=world.alice, request_id=request.pk, outcome="failed")
    assert request.status == Status.FAILED
    assert request.closed_at is not None
    assert request.events.last().kind == CallbackEvent.Kind.FAILED


def test_a_partner_sees_and_handles_only_its_own_callbacks(world, closed_hours):
    caf_request = request_callback(world)
    cpam_request = request_callback(world, partner=world.cpam, phone="02 33 45 67 80")
    assert list(callbacks_for_partner(partner=world.caf)) == [caf_request]
    assert list(callbacks_for_partner(partner=world.cpam)) == [cpam_request]
    with pytest.raises(SchedulingRefused) as caught:
        callback_get_for_agent(agent=world.bob, request_id=caf_request.pk)
    assert caught.value.code == "callback_unknown"
    refused("callback_unknown", lambda: callback_take(agent=world.bob, request_id=caf_request.pk))
    refused("not_partner_agent", lambda: callback_take(agent=world.hugo, request_id=caf_request.pk))
    assert CallbackRequest.objects.get(pk=caf_request.pk).status == Status.PENDING


def test_the_number_is_erased_thirty_days_after_closing_and_the_row_stays(world, closed_hours, clock):
    request = request_callback(world)
    callback_take(agent=world.alice, request_id=request.pk)
    callback_attempt(agent=world.alice, request_id=request.pk, outcome="done")
    clock.move_to(days_after_friday(30) - dt.timedelta(seconds=1), tick=False)
    assert callbacks_erase() == 0
    clock.move_to(days_after_friday(30), tick=False)
    assert callbacks_erase() == 1
    assert callbacks_erase() == 0
    request.refresh_from_db()
    assert (request.phone, request.status, request.erased_at) == ("", Status.DONE, days_after_friday(30))
    assert request.events.last().kind == CallbackEvent.Kind.ERASED


def test_the_erase_delay_is_the_partners_own(world, closed_hours, clock):
    PartnerCallbackPolicy.objects.create(partner=world.caf, erase_after_days=7)
    request = request_callback(world)
    callback_take(agent=world.alice, request_id=request.pk)
    callback_attempt(agent=world.alice, request_id=request.pk, outcome="done")
    clock.move_to(days_after_friday(7), tick=False)
    assert callbacks_erase() == 1


def test_a_request_left_open_past_the_delay_expires_and_is_erased(world, closed_hours, clock, settings):
    settings.CALLBACK_ERASE_DAYS = 10
    request = request_callback(world)
    clock.move_to(days_after_friday(10), tick=False)
    assert callbacks_erase() == 1
    request.refresh_from_db()
    assert (request.status, request.phone) == (Status.EXPIRED, "")
    assert list(request.events.values_list("kind", flat=True)) == ["requested", "expired", "erased"]
