"""What the calls services and accessors raise. Consumers turn these into a refusal message."""

from django.core.exceptions import PermissionDenied

from visiorelais.calls.models import Call


class CallNotFound(Call.DoesNotExist):
    """No such call, or not one the caller may see (the two are not told apart, on purpose)."""


class NotAllowed(PermissionDenied):
    """The caller may not do this: an agent of another partner, a kiosk that is not the call's."""


class CallError(Exception):
    """A refused change; `code` is stable and meant for screens and tests."""

    code = "error"

    def __init__(self, message: str = "", *, code: str | None = None):
        super().__init__(message or self.code)
        if code:
            self.code = code


class IllegalTransition(CallError):
    """The call or station is not in a state that allows this move (e.g. accepting an ended call)."""

    code = "illegal_transition"


class CallRefused(CallError):
    """A request that cannot become a call: codes `not_entitled`, `appointment_only`, `bad_topic`,
    `kiosk_busy` (the kiosk already has an open call); for an appointment's call, `bad_station` and
    `station_not_staffed` (see call_request)."""

    code = "refused"
