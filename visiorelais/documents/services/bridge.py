"""The bridge's reports: peripheral health and wipes."""

from django.db import transaction

from visiorelais.calls.events import group_for_kiosk, group_for_station
from visiorelais.calls.models import Call
from visiorelais.calls.selectors import call_get_for_kiosk
from visiorelais.documents.errors import InvalidReport
from visiorelais.documents.events import publish_on_commit
from visiorelais.documents.models import BridgeWipe, PeripheralReport
from visiorelais.documents.selectors import peripherals_entry, peripherals_latest
from visiorelais.documents.services.common import now_or
from visiorelais.network.models import Kiosk


def _flag(value, field: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidReport(f"Rapport de la borne mal formé : « {field} » doit être vrai ou faux.")
    return value


def _text(value, field: str, limit: int) -> str:
    if not isinstance(value, str) or len(value) > limit:
        raise InvalidReport(f"Rapport de la borne mal formé : « {field} » doit être un texte court.")
    return value


def _scanner_shape(scanner) -> dict:
    if not isinstance(scanner, dict):
        raise InvalidReport("Rapport de la borne mal formé : « scanner » manque.")
    return {
        "present": _flag(scanner.get("present"), "scanner.present"),
        "ready": _flag(scanner.get("ready"), "scanner.ready"),
        "detail": _text(scanner.get("detail", ""), "scanner.detail", 200),
        "adf": _flag(scanner.get("adf", False), "scanner.adf"),
    }


def _printer_shape(printer) -> dict:
    if not isinstance(printer, dict):
        raise InvalidReport("Rapport de la borne mal formé : « printer » manque.")
    state = printer.get("state")
    if state not in ("idle", "processing", "stopped"):
        raise InvalidReport("Rapport de la borne mal formé : « printer.state » est idle, processing ou stopped.")
    reasons = printer.get("reasons", [])
    if not isinstance(reasons, list) or len(reasons) > 20:
        raise InvalidReport("Rapport de la borne mal formé : « printer.reasons » est une liste courte.")
    return {
        "present": _flag(printer.get("present"), "printer.present"),
        "ready": _flag(printer.get("ready"), "printer.ready"),
        "state": state,
        "reasons": [_text(reason, "printer.reasons", 100) for reason in reasons],
    }


def peripherals_report(*, kiosk: Kiosk, scanner: dict, printer: dict, now=None) -> PeripheralReport:
    """The bridge's health report (on connect and every 10 s).

    `scanner`: {"present", "ready": bool, "detail": str (≤ 200), "adf": bool (has a feeder; default false)};
    `printer`: {"present", "ready": bool, "state": "idle" | "processing" | "stopped", "reasons": [str]}.
    Other keys are dropped. A report equal to the latest only refreshes its `last_seen_at`; a change adds a
    row and publishes `peripherals.state` to the kiosk and to the station of its live call. Raises
    InvalidReport for a wrong shape.
    """
    scanner, printer = _scanner_shape(scanner), _printer_shape(printer)
    at = now_or(now)
    with transaction.atomic():
        latest = peripherals_latest(kiosk_id=kiosk.pk)
        if latest is not None and latest.scanner == scanner and latest.printer == printer:
            PeripheralReport.objects.filter(pk=latest.pk).update(last_seen_at=at)
            latest.last_seen_at = at
            return latest
        report = PeripheralReport.objects.create(kiosk=kiosk, at=at, last_seen_at=at, scanner=scanner, printer=printer)
        payload = dict(peripherals_entry(kiosk_id=kiosk.pk, report=report))
        publish_on_commit(group_for_kiosk(kiosk.pk), "peripherals.state", payload)
        live = Call.objects.filter(kiosk=kiosk, status__in=Call.LIVE_STATUSES).values_list("station_id", flat=True)
        for station_id in live:
            if station_id is not None:
                publish_on_commit(group_for_station(station_id), "peripherals.state", payload)
    return report


def bridge_wiped(*, kiosk: Kiosk, call_id: int, files: int, now=None) -> BridgeWipe:
    """The bridge wiped its working folder after a call of this kiosk (`files` removed). Appends a row.
    Raises CallNotFound (not this kiosk's call), InvalidReport (`files` not a count)."""
    if not isinstance(files, int) or isinstance(files, bool) or not 0 <= files <= 1_000_000:
        raise InvalidReport(code="bad_files")
    call = call_get_for_kiosk(kiosk=kiosk, call_id=call_id)
    return BridgeWipe.objects.create(kiosk=kiosk, call=call, files=files, at=now_or(now))
