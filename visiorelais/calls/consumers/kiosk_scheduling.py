"""The kiosk socket's appointments and callbacks (docs/scheduling.md, docs/realtime.md): check-in by code and
"être rappelé". Mixed into KioskConsumer; each handler validates its frame, calls one scheduling service, and
answers with a frame, or an `error` frame carrying the service's French sentence as it is.
"""

from channels.db import database_sync_to_async
from django.core.cache import cache

from visiorelais.calls.consumers.base import CloseCode, ProtocolViolation, field_int
from visiorelais.scheduling.errors import SchedulingRefused
from visiorelais.scheduling.models import CallbackRequest
from visiorelais.scheduling.phones import phone_display
from visiorelais.scheduling.services import appointment_check_in, callback_request

# Codes are 6 digits: a kiosk that types many wrong ones in a row is made to wait (per kiosk, not per socket,
# so that reconnecting does not reset it).
WRONG_CODES = frozenset({"code_malformed", "code_unknown"})
WRONG_CODE_LIMIT = 10
WRONG_CODE_WINDOW_SECONDS = 600
TOO_MANY_CODES = (
    "Trop de codes erronés ont été tapés sur cette borne. Attendez quelques minutes, ou demandez à l'accueil."
)
PERIODS = frozenset(CallbackRequest.Period.values)
PERIOD_WORDS = {
    CallbackRequest.Period.MORNING: ", de préférence le matin",
    CallbackRequest.Period.AFTERNOON: ", de préférence l'après-midi",
    CallbackRequest.Period.ANY: "",
}


def field_text(message: dict, name: str, *, max_length: int) -> str:
    value = message.get(name)
    if not isinstance(value, str) or len(value) > max_length:
        raise ProtocolViolation(CloseCode.MALFORMED, f"{name} must be a string of at most {max_length} characters")
    return value


def _wrong_codes_key(kiosk_id: int) -> str:
    return f"visiorelais:check-in:wrong:{kiosk_id}"


class KioskSchedulingHandlers:
    """`appointment.check_in {"code"}` and `callback.request {"partner_id", "phone", "preferred", "topic_id"?}`."""

    async def send_refusal(self, refusal: SchedulingRefused) -> None:
        await self.send_json({"type": "error", "code": refusal.code, "message": refusal.text})

    async def on_appointment_check_in(self, message: dict) -> None:
        code = field_text(message, "code", max_length=16)
        result = await database_sync_to_async(self._check_in)(code)
        if isinstance(result, SchedulingRefused):
            await self.send_refusal(result)
        elif result is None:
            await self.send_json({"type": "error", "code": "too_many_codes", "message": TOO_MANY_CODES})
        else:
            await self.send_json({"type": "appointment", "appointment": result})

    def _check_in(self, code: str) -> dict | SchedulingRefused | None:
        """The checked-in appointment as a frame's payload, the refusal, or None while wrong codes are held back."""
        key = _wrong_codes_key(self.kiosk.pk)
        if cache.get(key, 0) >= WRONG_CODE_LIMIT:
            return None
        try:
            appointment = appointment_check_in(kiosk=self.kiosk, code=code)
        except SchedulingRefused as refusal:
            if refusal.code in WRONG_CODES:
                cache.add(key, 0, WRONG_CODE_WINDOW_SECONDS)
                try:
                    cache.incr(key)
                except ValueError:
                    # The window ended between add and incr: this wrong code opens the next one.
                    cache.add(key, 1, WRONG_CODE_WINDOW_SECONDS)
            return refusal
        slot = appointment.slot
        return {
            "id": appointment.pk,
            "status": appointment.status,
            "partner_id": slot.partner_id,
            "starts_at": slot.starts_at.isoformat(),
            "call_id": appointment.call_id,
        }

    async def on_callback_request(self, message: dict) -> None:
        partner_id = field_int(message, "partner_id")
        topic_id = field_int(message, "topic_id", optional=True)
        phone = field_text(message, "phone", max_length=32)
        preferred = message.get("preferred")
        if preferred not in PERIODS:
            raise ProtocolViolation(CloseCode.MALFORMED, "preferred must be morning, afternoon or any")
        result = await database_sync_to_async(self._callback_request)(partner_id, phone, preferred, topic_id)
        if isinstance(result, SchedulingRefused):
            await self.send_refusal(result)
        else:
            await self.send_json({"type": "callback", "callback": result})

    def _callback_request(self, partner_id: int, phone: str, preferred: str, topic_id: int | None):
        try:
            request = callback_request(
                kiosk=self.kiosk, partner_id=partner_id, phone=phone, preferred_period=preferred, topic_id=topic_id
            )
        except SchedulingRefused as refusal:
            return refusal
        shown = phone_display(request.phone)
        return {
            "id": request.pk,
            "partner_id": request.partner_id,
            "status": request.status,
            "preferred": request.preferred_period,
            "phone_display": shown,
            "message": (
                f"C'est noté : {request.partner.short_name} vous rappellera au {shown}"
                f"{PERIOD_WORDS[request.preferred_period]}."
            ),
        }
