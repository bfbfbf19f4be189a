"""The kiosk socket's appointments and callbacks, and the console's callback count (docs/scheduling.md).

Through the real ASGI application, in the scheduling world (tests/scheduling/conftest.py): France Travail by
appointment at BRN-COUT-01, Mme Lehoux booked for Thursday 5 March 2026 at 9:00. The clock is Thursday 8:55,
ticking (the consumers run in other threads, their timeouts must fire).
"""

import datetime as dt

import pytest
from channels.db import database_sync_to_async
from django.core.cache import cache

from tests.calls.test_consumers import console_socket, kiosk_cookie, kiosk_socket, receive_until, session_cookie
from tests.scheduling.conftest import FIRST_THURSDAY_9AM, book, ft, ft_slot, paris  # noqa: F401 (fixtures)
from visiorelais.calls.consumers.kiosk_scheduling import TOO_MANY_CODES, WRONG_CODE_LIMIT
from visiorelais.calls.models import Call
from visiorelais.calls.services import station_take
from visiorelais.scheduling.errors import MESSAGES
from visiorelais.scheduling.models import Appointment, CallbackRequest

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(paris(2026, 3, 5, 8, 55), tick=True)
    cache.clear()
    return time_machine


@pytest.fixture
def booked(world, ft, ft_slot):  # noqa: F811 (the fixtures above)
    return book(world, ft, ft_slot)


@pytest.fixture
def kiosk_token(world):
    return kiosk_cookie(world, world.kiosk_coutances)[1]


async def open_kiosk(token):
    communicator = await kiosk_socket(token)
    assert (await communicator.connect())[0]
    snapshot = await communicator.receive_json_from(timeout=5)
    assert snapshot["type"] == "snapshot"
    return communicator, snapshot


async def closed_with(communicator, code):
    assert (await communicator.receive_output(timeout=5)) == {"type": "websocket.close", "code": code}


async def test_the_snapshot_shows_the_reservation_and_what_each_partner_can_offer(world, ft, booked, kiosk_token):  # noqa: F811
    communicator, snapshot = await open_kiosk(kiosk_token)
    reservation = snapshot["reservation"]
    assert reservation["partner_id"] == ft.partner.pk
    assert reservation["partner_short_name"] == "France Travail"
    assert dt.datetime.fromisoformat(reservation["starts_at"]) == FIRST_THURSDAY_9AM
    assert set(reservation["hidden_partner_ids"]) == {world.caf.pk, world.cpam.pk}
    assert dt.datetime.fromisoformat(snapshot["reservation_changes_at"]) == booked.slot.ends_at
    assert snapshot["takes_appointments"] is True
    partners = {p["short_name"]: p for p in snapshot["partners"]}
    assert partners["France Travail"]["callback"] == "appointment_only"
    assert partners["CAF"]["callback"] == "closed"  # CAF opens at 9:00
    assert partners["CAF"]["callback_wait_limit_s"] == 20 * 60
    await communicator.disconnect()


async def test_before_the_reservation_the_snapshot_says_when_it_starts(world, ft, booked, kiosk_token, clock):  # noqa: F811
    clock.move_to(paris(2026, 3, 5, 8, 30), tick=True)
    communicator, snapshot = await open_kiosk(kiosk_token)
    assert snapshot["reservation"] is None
    assert dt.datetime.fromisoformat(snapshot["reservation_changes_at"]) == paris(2026, 3, 5, 8, 45)
    await communicator.disconnect()


async def test_a_check_in_places_the_call_for_the_booked_station(world, ft, booked, kiosk_token):  # noqa: F811
    await station_take_async(ft.karim, ft.station)
    communicator, _ = await open_kiosk(kiosk_token)
    await communicator.send_json_to({"type": "appointment.check_in", "code": f"{booked.code[:3]} {booked.code[3:]}"})
    answer = await receive_until(communicator, lambda f: f["type"] == "appointment")
    assert answer["appointment"]["partner_id"] == ft.partner.pk
    assert answer["appointment"]["status"] == "checked_in"
    frame = await receive_until(communicator, lambda f: f["type"] == "call")
    assert frame["call"]["status"] in ("queued", "offered")
    call = await Call.objects.aget(pk=answer["appointment"]["call_id"])
    assert call.reserved_station_id == ft.station.pk
    assert (await Appointment.objects.aget(pk=booked.pk)).status == Appointment.Status.CHECKED_IN
    await communicator.disconnect()


async def station_take_async(agent, station):
    await database_sync_to_async(station_take)(agent=agent, station_id=station.pk)


@pytest.mark.parametrize(
    ("code", "refusal"),
    [("12", "code_malformed"), ("234567", "code_unknown"), ("BOOKED", "station_not_staffed")],
)
async def test_a_refused_check_in_answers_the_french_sentence_and_keeps_the_socket(
    world,
    ft,  # noqa: F811
    booked,
    kiosk_token,
    code,
    refusal,
):
    communicator, _ = await open_kiosk(kiosk_token)
    if code == "BOOKED":
        code = booked.code
    elif code == booked.code:
        pytest.skip("the random code is the booked one")
    await communicator.send_json_to({"type": "appointment.check_in", "code": code})
    error = await receive_until(communicator, lambda f: f["type"] == "error")
    assert error == {"type": "error", "code": refusal, "message": MESSAGES[refusal]}
    await communicator.send_json_to({"type": "heartbeat"})
    await communicator.send_json_to({"type": "resync"})
    assert (await receive_until(communicator, lambda f: f["type"] == "snapshot"))["type"] == "snapshot"
    assert not await Call.objects.aexists()
    await communicator.disconnect()


async def test_too_early_names_the_times(world, ft, booked, kiosk_token, clock):  # noqa: F811
    clock.move_to(paris(2026, 3, 5, 8, 30), tick=True)
    communicator, _ = await open_kiosk(kiosk_token)
    await communicator.send_json_to({"type": "appointment.check_in", "code": booked.code})
    error = await receive_until(communicator, lambda f: f["type"] == "error")
    assert error["code"] == "too_early"
    assert error["message"] == "Votre rendez-vous est à 9 h. Revenez à partir de 8 h 45 et tapez à nouveau votre code."
    await communicator.disconnect()


async def test_wrong_codes_are_held_back_after_the_limit(world, ft, booked, kiosk_token):  # noqa: F811
    communicator, _ = await open_kiosk(kiosk_token)
    for _ in range(WRONG_CODE_LIMIT):
        await communicator.send_json_to({"type": "appointment.check_in", "code": "1"})
        assert (await receive_until(communicator, lambda f: f["type"] == "error"))["code"] == "code_malformed"
    await communicator.send_json_to({"type": "appointment.check_in", "code": booked.code})
    error = await receive_until(communicator, lambda f: f["type"] == "error")
    assert error == {"type": "error", "code": "too_many_codes", "message": TOO_MANY_CODES}
    await communicator.disconnect()


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "appointment.check_in"},
        {"type": "appointment.check_in", "code": 234567},
        {"type": "appointment.check_in", "code": "2" * 17},
        {"type": "callback.request", "partner_id": "1", "phone": "0612345678", "preferred": "any"},
        {"type": "callback.request", "partner_id": 1, "phone": 612345678, "preferred": "any"},
        {"type": "callback.request", "partner_id": 1, "phone": "0" * 33, "preferred": "any"},
        {"type": "callback.request", "partner_id": 1, "phone": "0612345678", "preferred": "soir"},
        {"type": "callback.request", "partner_id": 1, "phone": "0612345678"},
        {"type": "callback.request", "partner_id": 1, "phone": "0612345678", "preferred": "any", "topic_id": "x"},
    ],
)
async def test_a_malformed_scheduling_frame_closes_with_4400(world, kiosk_token, clock, frame):
    communicator, _ = await open_kiosk(kiosk_token)
    await communicator.send_json_to(frame)
    await closed_with(communicator, 4400)
    assert not await CallbackRequest.objects.aexists()


async def test_a_callback_request_is_confirmed_and_reaches_the_partner_console(world, kiosk_token, clock):
    console = await console_socket(await database_sync_to_async(session_cookie)(world.alice))
    assert (await console.connect())[0]
    console_snapshot = await receive_until(console, lambda f: f["type"] == "snapshot")
    assert console_snapshot["callbacks"] == {"pending": 0, "open": 0}
    communicator, _ = await open_kiosk(kiosk_token)
    await communicator.send_json_to(
        {"type": "callback.request", "partner_id": world.caf.pk, "phone": "0612345678", "preferred": "morning"}
    )
    answer = await receive_until(communicator, lambda f: f["type"] in ("callback", "error"))
    assert answer["type"] == "callback"
    assert answer["callback"]["phone_display"] == "06 12 34 56 78"
    assert (
        answer["callback"]["message"] == "C'est noté : CAF vous rappellera au 06 12 34 56 78, de préférence le matin."
    )
    request = await CallbackRequest.objects.aget()
    assert (request.partner_id, request.phone, request.reason) == (world.caf.pk, "+33612345678", "closed")
    live = await receive_until(console, lambda f: f["type"] == "callbacks")
    assert live["callbacks"] == {"pending": 1, "open": 1}
    await communicator.disconnect()
    await console.disconnect()


@pytest.mark.parametrize(
    ("phone", "preferred", "refusal"),
    [("0612", "any", "bad_phone"), ("06 12 34 56 78", "any", "callback_duplicate")],
)
async def test_a_refused_callback_answers_the_french_sentence(world, kiosk_token, clock, phone, preferred, refusal):
    communicator, _ = await open_kiosk(kiosk_token)
    for _ in range(2 if refusal == "callback_duplicate" else 1):
        await communicator.send_json_to(
            {"type": "callback.request", "partner_id": world.caf.pk, "phone": phone, "preferred": preferred}
        )
        answer = await receive_until(communicator, lambda f: f["type"] in ("callback", "error"))
    assert answer == {"type": "error", "code": refusal, "message": MESSAGES[refusal]}
    await communicator.disconnect()


async def test_a_callback_for_a_partner_answering_now_is_refused(world, kiosk_token, clock):
    clock.move_to(paris(2026, 3, 5, 10, 0), tick=True)
    await station_take_async(world.alice, world.caf_station_1)
    communicator, _ = await open_kiosk(kiosk_token)
    await communicator.send_json_to(
        {"type": "callback.request", "partner_id": world.caf.pk, "phone": "0612345678", "preferred": "any"}
    )
    answer = await receive_until(communicator, lambda f: f["type"] in ("callback", "error"))
    assert answer == {"type": "error", "code": "callback_not_needed", "message": MESSAGES["callback_not_needed"]}
    await communicator.disconnect()
