"""Settings of the live call, read at use time so that tests can override them."""

from django.conf import settings


def ring_timeout_seconds() -> int:
    """How long a station rings before the call goes back to the queue and the station is paused."""
    return int(getattr(settings, "CALL_RING_TIMEOUT_SECONDS", 30))


def presence_timeout_seconds() -> int:
    """How long a console or kiosk may stay silent before presence_expire takes it out."""
    return int(getattr(settings, "PRESENCE_TIMEOUT_SECONDS", 30))


def in_call_presence_timeout_seconds() -> int:
    """How long either side of a connected call may stay silent before presence_expire ends the call."""
    return int(getattr(settings, "IN_CALL_PRESENCE_TIMEOUT_SECONDS", 60))


def default_handle_seconds() -> int:
    """The handle time assumed for a partner with no completed call yet (wait estimates)."""
    return int(getattr(settings, "CALL_DEFAULT_HANDLE_SECONDS", 600))


def handle_time_sample() -> int:
    """How many recent completed calls the measured handle time averages."""
    return int(getattr(settings, "CALL_HANDLE_TIME_SAMPLE", 20))
