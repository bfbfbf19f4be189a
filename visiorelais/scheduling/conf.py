"""The scheduling settings, read at use time so that tests can override them (see docs/scheduling.md)."""

import datetime as dt
from pathlib import Path

from django.conf import settings


def grace_before() -> dt.timedelta:
    """How early before the slot a check-in is accepted."""
    return dt.timedelta(minutes=int(getattr(settings, "APPOINTMENT_GRACE_MINUTES_BEFORE", 15)))


def grace_after() -> dt.timedelta:
    """How late after the start of the slot a check-in is still accepted; later, the appointment is a no-show."""
    return dt.timedelta(minutes=int(getattr(settings, "APPOINTMENT_GRACE_MINUTES_AFTER", 15)))


def reserve_before() -> dt.timedelta:
    """How long before a booked slot the kiosk shows itself as reserved and hides walk-in partners."""
    return dt.timedelta(minutes=int(getattr(settings, "APPOINTMENT_RESERVE_MINUTES_BEFORE", 15)))


def series_months_ahead() -> int:
    """How many months ahead a slot series generates its slots."""
    return int(getattr(settings, "SLOT_SERIES_MONTHS_AHEAD", 3))


def sms_sender_name() -> str:
    """A registered sender name (`console`, `file`) or the dotted path of a SmsSender subclass."""
    return getattr(settings, "SMS_SENDER", "console") or "console"


def sms_file_path() -> Path:
    return Path(getattr(settings, "SMS_FILE_PATH", None) or Path(settings.DATA_DIR) / "sms-outbox.jsonl")


def callback_erase_days() -> int:
    """The default delay before personal data is erased: after a callback request is closed (its phone number),
    after an appointment's slot ends (its name, phone and e-mail)."""
    return int(getattr(settings, "CALLBACK_ERASE_DAYS", 30))


def ticket_print_wait() -> dt.timedelta:
    """How long the ticket page waits for the bridge's news of a print before saying it did not confirm."""
    return dt.timedelta(seconds=int(getattr(settings, "TICKET_PRINT_WAIT_SECONDS", 60)))


# The bridge reports its health every 10 s: silent for longer than this, it is taken as gone (as calls/wire.py).
BRIDGE_ONLINE_SECONDS = 30


def callback_wait_limit_minutes() -> int:
    """The default wait beyond which a kiosk offers a callback instead of queueing."""
    return int(getattr(settings, "CALLBACK_WAIT_LIMIT_MINUTES", 20))


def callback_max_attempts() -> int:
    """Failed attempts after which a callback request is closed as failed."""
    return int(getattr(settings, "CALLBACK_MAX_ATTEMPTS", 3))
