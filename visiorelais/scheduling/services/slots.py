"""Opening slots: one by one, or from a recurrence rule."""

import calendar
import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from visiorelais.network.models import Closure, HostSite, Kiosk, Partner, Station
from visiorelais.network.selectors import PARIS, is_french_public_holiday
from visiorelais.scheduling import conf
from visiorelais.scheduling.errors import SchedulingRefused
from visiorelais.scheduling.models import Slot, SlotSeries


def _lock_place(*, station_id: int, kiosk: Kiosk | None, site: HostSite | None) -> None:
    """Serialises the openings that could clash: one station, one place (on SQLite, every writer waits anyway)."""
    list(Station.objects.select_for_update().filter(pk=station_id))
    site_id = site.pk if site else kiosk.site_id if kiosk else None
    if site_id:
        list(HostSite.objects.select_for_update().filter(pk=site_id))


def slot_open(
    *,
    partner: Partner,
    station: Station,
    starts_at: dt.datetime,
    length_minutes: int,
    kiosk: Kiosk | None = None,
    site: HostSite | None = None,
    series: SlotSeries | None = None,
    now: dt.datetime | None = None,
) -> Slot:
    """Opens one slot of `partner` at `station`, at one kiosk or one host site (exactly one of them).

    Refused (SchedulingRefused, nothing written): `slot_place` (neither or both of kiosk and site),
    `slot_station` (not an active station of the partner), `slot_not_entitled` (no active kiosk of the place
    reaches the partner), `slot_length` (5 to 240 minutes), `slot_in_past`, `slot_overlap_station` and
    `slot_overlap_kiosk` (an active slot overlaps on the station, or on a kiosk of the place).
    """
    now = now or timezone.now()
    with transaction.atomic():
        _lock_place(station_id=station.pk, kiosk=kiosk, site=site)
        slot = Slot(
            partner=partner,
            station=station,
            kiosk=kiosk,
            site=site,
            starts_at=starts_at,
            length_minutes=length_minutes,
            series=series,
        )
        refusal = slot.refusal(now=now)
        if refusal:
            raise refusal
        try:
            with transaction.atomic():
                slot.save()
        except IntegrityError:
            # Another opening at the same start won the race the checks above could not see.
            raise SchedulingRefused("slot_overlap_station", other=slot.label) from None
    return slot


@dataclass
class SeriesOpening:
    """What slot_series_open did: the slots it opened, and the starts it skipped with the reason."""

    created: list[Slot] = field(default_factory=list)
    skipped: list[tuple[dt.datetime, str]] = field(default_factory=list)


def slot_series_open(*, series: SlotSeries, now: dt.datetime | None = None, months: int | None = None) -> SeriesOpening:
    """Opens the slots of `series` from now to `months` months ahead (SLOT_SERIES_MONTHS_AHEAD by default).

    Idempotent: a start the series already has is left alone, so running it again (every day, say) only
    adds the slots that came within reach. French public holidays and the partner's closures are skipped,
    and so are starts in the past and starts that would clash with another slot (each with its reason code
    in `skipped`; the other starts are opened all the same).
    """
    now = now or timezone.now()
    months = conf.series_months_ahead() if months is None else months
    today = now.astimezone(PARIS).date()
    last = _add_months(today, months)
    closed = set()
    for closure in Closure.objects.filter(partner_id=series.partner_id, first_day__lte=last, last_day__gte=today):
        day = closure.first_day
        while day <= closure.last_day:
            closed.add(day)
            day += dt.timedelta(days=1)
    existing = set(series.slots.values_list("starts_at", flat=True))
    result = SeriesOpening()
    for day in series.days(today, last):
        for starts_at in series.starts_on(day):
            if starts_at in existing or starts_at < now:
                continue
            if day in closed or is_french_public_holiday(day):
                result.skipped.append((starts_at, "closed"))
                continue
            try:
                slot = slot_open(
                    partner=series.partner,
                    station=series.station,
                    kiosk=series.kiosk,
                    site=series.site,
                    starts_at=starts_at,
                    length_minutes=series.slot_minutes,
                    series=series,
                    now=now,
                )
            except SchedulingRefused as refusal:
                result.skipped.append((starts_at, refusal.code))
            else:
                result.created.append(slot)
    return result


def slot_series_open_all(*, now: dt.datetime | None = None) -> SeriesOpening:
    """slot_series_open for every series still running (the periodic `open-slot-series` command)."""
    now = now or timezone.now()
    total = SeriesOpening()
    today = now.astimezone(PARIS).date()
    for series in SlotSeries.objects.exclude(last_day__lt=today).select_related("partner", "station", "kiosk", "site"):
        opened = slot_series_open(series=series, now=now)
        total.created += opened.created
        total.skipped += opened.skipped
    return total


def _add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
