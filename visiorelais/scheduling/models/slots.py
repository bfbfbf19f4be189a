"""The times a partner opens for appointments: slots, one by one or from a recurring series."""

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from visiorelais.network.models import Partner, Weekday
from visiorelais.network.selectors import PARIS
from visiorelais.scheduling.errors import MESSAGES, SchedulingRefused
from visiorelais.scheduling.models.places import SlotPlace, as_validation_error

if TYPE_CHECKING:
    from visiorelais.scheduling.models.appointments import Appointment

MIN_SLOT_MINUTES, MAX_SLOT_MINUTES = 5, 240


def local_label(at: dt.datetime) -> str:
    """ "mardi 3 mars 2026 à 9 h 30", in Paris time."""
    local = at.astimezone(PARIS)
    day = Weekday(local.weekday()).label
    minutes = f"{local.minute:02d}" if local.minute else ""
    return f"{day} {date_format(local, 'j F Y')} à {local.hour} h {minutes}".rstrip()


class SlotSeries(SlotPlace):
    """A recurrence rule that opens slots: "the first Thursday of each month, 9:00–12:00, 30-minute slots".

    `slot_series_open` generates its slots some months ahead, idempotently (one slot per series and start).
    """

    class Rule(models.TextChoices):
        MONTHLY = "monthly", _("chaque mois")
        WEEKLY = "weekly", _("chaque semaine")

    class Rank(models.IntegerChoices):
        FIRST = 1, _("1er")
        SECOND = 2, _("2e")
        THIRD = 3, _("3e")
        FOURTH = 4, _("4e")
        LAST = -1, _("dernier")

    partner = models.ForeignKey(
        Partner, verbose_name=_("partenaire"), on_delete=models.CASCADE, related_name="slot_series"
    )
    rule = models.CharField(_("récurrence"), max_length=10, choices=Rule.choices, default=Rule.MONTHLY)
    rank = models.SmallIntegerField(
        _("rang dans le mois"),
        choices=Rank.choices,
        null=True,
        blank=True,
        help_text=_("Pour une récurrence mensuelle : le 1er, 2e… ou dernier jour choisi du mois."),
    )
    weekday = models.PositiveSmallIntegerField(_("jour"), choices=Weekday.choices)
    start_time = models.TimeField(_("de"))
    end_time = models.TimeField(_("à"))
    slot_minutes = models.PositiveSmallIntegerField(
        _("durée d'un créneau (minutes)"),
        default=30,
        validators=[MinValueValidator(MIN_SLOT_MINUTES), MaxValueValidator(MAX_SLOT_MINUTES)],
    )
    first_day = models.DateField(_("à partir du"))
    last_day = models.DateField(_("jusqu'au"), null=True, blank=True, help_text=_("Laissez vide : sans fin."))
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)

    class Meta:
        verbose_name = _("série de créneaux")
        verbose_name_plural = _("séries de créneaux")
        ordering = ["partner", "first_day"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kiosk__isnull=True, site__isnull=False) | Q(kiosk__isnull=False, site__isnull=True),
                name="slotseries_kiosk_or_site",
                violation_error_message=MESSAGES["slot_place"],
            ),
            models.CheckConstraint(
                condition=Q(end_time__gt=models.F("start_time")),
                name="slotseries_end_after_start",
                violation_error_message=MESSAGES["series_times"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner} — {self.describe()}"

    def describe(self) -> str:
        day = Weekday(self.weekday).label
        times = f"{self.start_time:%H:%M}–{self.end_time:%H:%M}, créneaux de {self.slot_minutes} min"
        if self.rule == self.Rule.WEEKLY:
            return f"chaque {day}, {times}"
        rank = self.Rank(self.rank).label if self.rank else "?"
        return f"le {rank} {day} du mois, {times}"

    def clean(self) -> None:
        errors = {}
        if self.rule == self.Rule.MONTHLY and self.rank is None:
            errors["rank"] = MESSAGES["series_rule"]
        if self.start_time and self.end_time and self.slot_minutes:
            start = dt.datetime.combine(dt.date(2000, 1, 1), self.start_time)
            end = dt.datetime.combine(dt.date(2000, 1, 1), self.end_time)
            if end - start < dt.timedelta(minutes=self.slot_minutes):
                errors["end_time"] = MESSAGES["series_times"]
        if self.first_day and self.last_day and self.last_day < self.first_day:
            errors["last_day"] = MESSAGES["series_until"]
        if errors:
            raise ValidationError(errors)
        if self.partner_id and self.station_id:
            refusal = self.place_refusal()
            if refusal:
                raise as_validation_error(refusal)

    def days(self, first: dt.date, last: dt.date) -> list[dt.date]:
        """The days in [first, last] (and within the series' own dates) on which the rule opens slots."""
        first = max(first, self.first_day)
        if self.last_day:
            last = min(last, self.last_day)
        days = []
        day = first
        while day <= last:
            if day.weekday() == self.weekday and (self.rule == self.Rule.WEEKLY or self._has_rank(day)):
                days.append(day)
            day += dt.timedelta(days=1)
        return days

    def _has_rank(self, day: dt.date) -> bool:
        if self.rank == self.Rank.LAST:
            return (day + dt.timedelta(days=7)).month != day.month
        return (day.day - 1) // 7 + 1 == self.rank

    def starts_on(self, day: dt.date) -> list[dt.datetime]:
        """The slot starts of one day, as aware datetimes (Paris wall-clock times)."""
        start = dt.datetime.combine(day, self.start_time, tzinfo=PARIS)
        end = dt.datetime.combine(day, self.end_time, tzinfo=PARIS)
        length = dt.timedelta(minutes=self.slot_minutes)
        starts = []
        while start + length <= end:
            starts.append(start)
            start += length
        return starts


class Slot(SlotPlace):
    """A time at which a partner's station receives one appointment at one place.

    No two active slots overlap on one station, nor on one kiosk (a site's slot covers each of its kiosks);
    `clean()` says which slot is in the way, and `slot_open` checks again under lock.
    """

    partner = models.ForeignKey(Partner, verbose_name=_("partenaire"), on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField(_("début"))
    length_minutes = models.PositiveSmallIntegerField(
        _("durée (minutes)"),
        default=30,
        validators=[MinValueValidator(MIN_SLOT_MINUTES), MaxValueValidator(MAX_SLOT_MINUTES)],
    )
    ends_at = models.DateTimeField(_("fin"), editable=False)
    series = models.ForeignKey(
        SlotSeries,
        verbose_name=_("série"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="slots",
    )
    active = models.BooleanField(
        _("proposé à la réservation"), default=True, help_text=_("Décochez pour retirer ce créneau.")
    )
    created_at = models.DateTimeField(_("ouvert le"), default=timezone.now)

    class Meta:
        verbose_name = _("créneau de rendez-vous")
        verbose_name_plural = _("créneaux de rendez-vous")
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["station", "starts_at"], name="slot_station_start"),
            models.Index(fields=["kiosk", "starts_at"], name="slot_kiosk_start"),
            models.Index(fields=["site", "starts_at"], name="slot_site_start"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kiosk__isnull=True, site__isnull=False) | Q(kiosk__isnull=False, site__isnull=True),
                name="slot_kiosk_or_site",
                violation_error_message=MESSAGES["slot_place"],
            ),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="slot_ends_after_start"),
            # The database backs clean() for the commonest clash, two slots at one time on one station.
            models.UniqueConstraint(
                fields=["station", "starts_at"],
                condition=Q(active=True),
                name="slot_one_start_per_station",
                violation_error_message=MESSAGES["slot_overlap_station"] % {"other": "même horaire"},
            ),
            models.UniqueConstraint(
                fields=["series", "starts_at"], condition=Q(series__isnull=False), name="slot_once_per_series_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner} — {local_label(self.starts_at)} ({self.place})"

    def save(self, *args, **kwargs):
        self.ends_at = self.starts_at + dt.timedelta(minutes=self.length_minutes)
        super().save(*args, **kwargs)

    @property
    def label(self) -> str:
        return local_label(self.starts_at)

    def clashing(self) -> tuple[str, "Slot"] | None:
        """The first active slot in the way of this one: ("slot_overlap_station" | "slot_overlap_kiosk", slot)."""
        if not (self.starts_at and self.length_minutes and self.station_id):
            return None
        ends_at = self.starts_at + dt.timedelta(minutes=self.length_minutes)
        overlapping = Slot.objects.filter(active=True, starts_at__lt=ends_at, ends_at__gt=self.starts_at).exclude(
            pk=self.pk
        )
        other = overlapping.filter(station_id=self.station_id).order_by("starts_at").first()
        if other:
            return "slot_overlap_station", other
        if self.kiosk_id:
            same_place = Q(kiosk_id=self.kiosk_id) | Q(site_id=self.kiosk.site_id)
        else:
            same_place = Q(site_id=self.site_id) | Q(kiosk__site_id=self.site_id)
        other = overlapping.filter(same_place).order_by("starts_at").first()
        return ("slot_overlap_kiosk", other) if other else None

    def refusal(self, *, now: dt.datetime) -> SchedulingRefused | None:
        """Why this slot cannot be saved as it stands, if it cannot (the checks of clean() and slot_open)."""
        if not self.length_minutes or not MIN_SLOT_MINUTES <= self.length_minutes <= MAX_SLOT_MINUTES:
            return SchedulingRefused("slot_length", field="length_minutes")
        refusal = self.place_refusal()
        if refusal:
            return refusal
        if self._state.adding and self.starts_at < now:
            return SchedulingRefused("slot_in_past", field="starts_at")
        if not self._state.adding and not self.active and self.live_appointment() is not None:
            return SchedulingRefused("slot_booked", field="active")
        if self.active:
            clash = self.clashing()
            if clash:
                code, other = clash
                return SchedulingRefused(code, other=other.label)
        return None

    def clean(self) -> None:
        if not (self.partner_id and self.station_id and self.starts_at and self.length_minutes):
            return  # the form reports the missing fields
        self.ends_at = self.starts_at + dt.timedelta(minutes=self.length_minutes)
        refusal = self.refusal(now=timezone.now())
        if refusal:
            raise as_validation_error(refusal)

    def live_appointment(self) -> "Appointment | None":
        # Imported here: appointments.py imports this module for Appointment.slot.
        from visiorelais.scheduling.models.appointments import Appointment

        if self.pk is None:
            return None
        return self.appointments.filter(status__in=Appointment.LIVE_STATUSES).first()
