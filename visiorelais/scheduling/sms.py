"""Sending SMS: a small base class and a registry (STYLE.md 7). A real gateway is one subclass of SmsSender,
named in the SMS_SENDER setting by its dotted path (or registered here under a short name)."""

import json
import logging
import threading

from django.utils import timezone
from django.utils.module_loading import import_string

from visiorelais.scheduling import conf

logger = logging.getLogger(__name__)


class SmsError(Exception):
    """The sender could not hand the message over; the text says why (kept in the reminder log)."""


class SmsSender:
    """Sends one text to one number. `to` is in E.164 (+33612345678); raise SmsError on failure."""

    name = ""

    def send(self, *, to: str, text: str) -> None:
        raise NotImplementedError


class ConsoleSmsSender(SmsSender):
    """Writes each SMS to the log: for development and demos."""

    name = "console"

    def send(self, *, to: str, text: str) -> None:
        logger.info("SMS to %s: %s", to, text)


class FileSmsSender(SmsSender):
    """Appends each SMS as one JSON line to SMS_FILE_PATH: for tests and trials that read what was sent."""

    name = "file"
    _lock = threading.Lock()

    def send(self, *, to: str, text: str) -> None:
        path = conf.sms_file_path()
        line = json.dumps({"to": to, "text": text, "at": timezone.now().isoformat()}, ensure_ascii=False)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with self._lock, path.open("a", encoding="utf-8") as handle:
                handle.write(line + "\n")
        except OSError as error:
            raise SmsError(f"cannot write {path}: {error}") from error


SENDERS: dict[str, type[SmsSender]] = {sender.name: sender for sender in (ConsoleSmsSender, FileSmsSender)}


def sms_sender() -> SmsSender:
    """The sender the SMS_SENDER setting names: a key of SENDERS or the dotted path of a SmsSender subclass."""
    name = conf.sms_sender_name()
    sender = SENDERS.get(name) or import_string(name)
    if not (isinstance(sender, type) and issubclass(sender, SmsSender)):
        raise TypeError(f"SMS_SENDER {name!r} is not a SmsSender subclass")
    return sender()
