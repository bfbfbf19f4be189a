"""Appointments and callbacks.

A partner opens slots (one by one, or from a SlotSeries): a station of the partner, a place (one kiosk, or a
host site when any of its kiosks will do), a start and a length. An Appointment books a slot with the least
personal data that works and a check-in code; a live appointment reserves the place, and its ticket may be
printed on a kiosk of the place (TicketPrint). A CallbackRequest is left at a kiosk when the partner cannot answer
now. Each state change is a service of scheduling/services that appends an event row (AppointmentEvent,
CallbackEvent); statistics read those rows. Personal data (an appointment's name, phone and e-mail; a callback's
phone) is erased at the partner's delay (PartnerCallbackPolicy.erase_after_days); the rows stay.
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from visiorelais.calls.models import Call
from visiorelais.documents.models import PrintJob
from visiorelais.network.models import HostSite, Kiosk, Partner, Station, Topic, Weekday
from visiorelais.network.selectors import PARIS, kiosk_entitlement_mode
from visiorelais.scheduling import conf
from visiorelais.scheduling.errors import MESSAGES, SchedulingRefused

MIN_SLOT_MINUTES, MAX_SLOT_MINUTES = 5, 240


def local_label(at: dt.datetime) -> str:
    """ "mardi 3 mars 2026 à 9 h 30", in Paris time."""
    local = at.astimezone(PARIS)
    day = Weekday(local.weekday()).label
    minutes = f"{local.minute:02d}" if local.minute else ""
    return f"{day} {local.day} {MONTHS[local.month - 1]} {local.year} à {local.hour} h {minutes}".rstrip()


MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


class SlotPlace(models.Model):
    """What a slot and a series share: a partner's station and the place, one kiosk or one host site."""

    partner = models.ForeignKey(Partner, verbose_name=_("partenaire"), on_delete=models.CASCADE, related_name="+")
    station = models.ForeignKey(
        Station, verbose_name=_("poste de réception"), on_delete=models.PROTECT, related_name="+"
    )
    kiosk = models.ForeignKey(
        Kiosk,
        verbose_name=_("borne"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("La borne du rendez-vous ; ou bien laissez vide et choisissez un site d'accueil."),
    )
    site = models.ForeignKey(
        HostSite,
        verbose_name=_("site d'accueil"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("N'importe quelle borne du site fera l'affaire (le site en a plusieurs)."),
    )

    class Meta:
        abstract = True

    @property
    def place(self) -> Kiosk | HostSite | None:
        return self.kiosk or self.site

    def place_kiosks(self):
        """The kiosks the place covers."""
        if self.kiosk_id:
            return Kiosk.objects.filter(pk=self.kiosk_id)
        return Kiosk.objects.filter(site_id=self.site_id)

    def place_refusal(self) -> SchedulingRefused | None:
        """Why this station and place cannot take slots of the partner, if they cannot."""
        if (self.kiosk_id is None) == (self.site_id is None):
            return SchedulingRefused("slot_place", field="kiosk")
        if self.station.partner_id != self.partner_id or not self.station.active:
            return SchedulingRefused("slot_station", field="station")
        kiosks = [kiosk for kiosk in self.place_kiosks() if kiosk.status == Kiosk.Status.ACTIVE]
        if not any(kiosk_entitlement_mode(kiosk=kiosk, partner=self.partner) for kiosk in kiosks):
            return SchedulingRefused("slot_not_entitled", field="kiosk" if self.kiosk_id else "site")
        return None


def as_validation_error(refusal: SchedulingRefused) -> ValidationError:
    """A refusal as clean() raises it: on its field when it has one, so that the form shows it there."""
    if refusal.field:
        return ValidationError({refusal.field: ValidationError(refusal.text, code=refusal.code)})
    return ValidationError(refusal.text, code=refusal.code)


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
        if self.pk is None:
            return None
        return self.appointments.filter(status__in=Appointment.LIVE_STATUSES).first()


class Appointment(models.Model):
    """A booked slot. Transitions are the services of scheduling/services/appointments.py:

        booked ──check in at the kiosk──▶ checked_in ──its call connected, then ended──▶ completed
        booked ──cancel──▶ cancelled        booked ──grace period over──▶ no_show
        checked_in, its call ended unanswered: the code works again within the grace period; after the
        slot, the appointment is closed (`closed_at`, a `missed` event) and stays checked_in.

    The check-in code is kept in clear: it is printed on the ticket and sent in the reminder, and must be
    shown again to the host agent who booked it; six digits would not resist a brute force of their hash
    anyway. What protects it is its narrow use: it opens only the booked slot, at its place, within the
    grace period, once. It is unique among live appointments (booked, or checked in and not closed).

    The name, phone and e-mail are erased (`erased_at`) the partner's delay after the slot ends
    (services.appointments_erase); status, times, partner, kiosk and topic stay for the statistics.
    """

    class Status(models.TextChoices):
        BOOKED = "booked", _("réservé")
        CHECKED_IN = "checked_in", _("arrivé")
        COMPLETED = "completed", _("honoré")
        NO_SHOW = "no_show", _("absent")
        CANCELLED = "cancelled", _("annulé")

    LIVE_STATUSES = (Status.BOOKED, Status.CHECKED_IN)

    slot = models.ForeignKey(Slot, verbose_name=_("créneau"), on_delete=models.PROTECT, related_name="appointments")
    name = models.CharField(_("nom"), max_length=120)
    phone = models.CharField(_("téléphone (pour le rappel)"), max_length=16, blank=True)
    email = models.EmailField(_("e-mail (pour le rappel)"), blank=True)
    topic = models.ForeignKey(
        Topic, verbose_name=_("motif"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    code = models.CharField(_("code de rendez-vous"), max_length=6)
    status = models.CharField(_("état"), max_length=20, choices=Status.choices, default=Status.BOOKED)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("réservé par"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    booked_at = models.DateTimeField(_("réservé le"))
    checked_in_at = models.DateTimeField(_("arrivé le"), null=True, blank=True)
    closed_at = models.DateTimeField(_("clos le"), null=True, blank=True)
    call = models.OneToOneField(
        Call, verbose_name=_("appel"), on_delete=models.SET_NULL, null=True, blank=True, related_name="appointment"
    )
    erased_at = models.DateTimeField(_("données personnelles effacées le"), null=True, blank=True)

    class Meta:
        verbose_name = _("rendez-vous")
        verbose_name_plural = _("rendez-vous")
        ordering = ["slot__starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(erased_at__isnull=True) | Q(name="", phone="", email=""),
                name="appointment_erased_has_no_contact",
            ),
            models.UniqueConstraint(
                fields=["slot"], condition=Q(status__in=["booked", "checked_in"]), name="appointment_one_live_per_slot"
            ),
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(status__in=["booked", "checked_in"], closed_at__isnull=True),
                name="appointment_code_unique_live",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} — {self.slot}"

    @property
    def display_name(self) -> str:
        return "(nom effacé)" if self.erased_at else self.name


class AppointmentEvent(models.Model):
    """Append-only: one row per change of an appointment, and per reminder sent."""

    class Kind(models.TextChoices):
        BOOKED = "booked", _("réservé")
        CANCELLED = "cancelled", _("annulé")
        CHECKED_IN = "checked_in", _("arrivé à la borne")
        COMPLETED = "completed", _("honoré")
        NO_SHOW = "no_show", _("absent")
        MISSED = "missed", _("arrivé, appel non abouti")
        REMINDER_SENT = "reminder_sent", _("rappel envoyé")
        REMINDER_FAILED = "reminder_failed", _("rappel en échec")
        ERASED = "erased", _("données personnelles effacées")

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("nature"), max_length=20, choices=Kind.choices)
    at = models.DateTimeField(_("date"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("par"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kiosk = models.ForeignKey(Kiosk, verbose_name=_("borne"), on_delete=models.SET_NULL, null=True, related_name="+")
    detail = models.JSONField(_("détail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("événement de rendez-vous")
        verbose_name_plural = _("événements de rendez-vous")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["kind", "at"], name="appointmentevent_kind_at")]

    def __str__(self) -> str:
        return f"#{self.appointment_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class ReminderLog(models.Model):
    """One reminder sending, whatever its outcome. The recipient is kept masked."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("e-mail")
        SMS = "sms", _("SMS")

    class Outcome(models.TextChoices):
        SENT = "sent", _("envoyé")
        FAILED = "failed", _("échec")

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="reminders")
    channel = models.CharField(_("canal"), max_length=10, choices=Channel.choices)
    recipient = models.CharField(_("destinataire (masqué)"), max_length=120)
    outcome = models.CharField(_("résultat"), max_length=10, choices=Outcome.choices)
    sender = models.CharField(_("expéditeur"), max_length=120, blank=True)
    error = models.CharField(_("erreur"), max_length=300, blank=True)
    at = models.DateTimeField(_("date"))

    class Meta:
        verbose_name = _("envoi de rappel")
        verbose_name_plural = _("envois de rappels")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"#{self.appointment_id} {self.channel} {self.outcome}"


class CalendarFeedToken(models.Model):
    """The secret of one iCalendar feed: a person's (a partner agent: its partner's appointments; a host agent:
    those of its sites) or a host site's. Only its SHA-256 is kept: the address is shown once, at reset."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("personne"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calendar_feed",
    )
    site = models.OneToOneField(
        HostSite,
        verbose_name=_("site d'accueil"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calendar_feed",
    )
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("début du secret"), max_length=8)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)

    class Meta:
        verbose_name = _("agenda partagé")
        verbose_name_plural = _("agendas partagés")
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=True, site__isnull=False) | Q(user__isnull=False, site__isnull=True),
                name="calendarfeedtoken_one_owner",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user or self.site} — {self.prefix}…"


class TicketPrint(models.Model):
    """The printing of an appointment's ticket on a kiosk of its place, asked by the host site's staff
    (services.ticket_print). Moves, as the kiosk's bridge reports them (services.ticket_print_update):

        queued → printing → done | failed;   queued → done | failed

    The ticket is not stored: the bridge fetches it, drawn at that moment from the appointment, while the print
    is queued or printing, prints it and deletes its copy (and the printing system's)."""

    class State(models.TextChoices):
        QUEUED = "queued", _("envoyé à la borne")
        PRINTING = "printing", _("en cours d'impression")
        DONE = "done", _("imprimé")
        FAILED = "failed", _("échec")

    # A ticket fails for the reasons a call's print job fails: the bridge reports both alike.
    Reason = PrintJob.Reason

    PENDING_STATES = (State.QUEUED, State.PRINTING)

    appointment = models.ForeignKey(
        Appointment, verbose_name=_("rendez-vous"), on_delete=models.CASCADE, related_name="ticket_prints"
    )
    kiosk = models.ForeignKey(Kiosk, verbose_name=_("borne"), on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("demandé par"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("demandé le"))
    state = models.CharField(_("état"), max_length=20, choices=State.choices, default=State.QUEUED)
    reason = models.CharField(_("motif"), max_length=20, choices=Reason.choices, blank=True)
    updated_at = models.DateTimeField(_("mis à jour le"))

    class Meta:
        verbose_name = _("impression de ticket")
        verbose_name_plural = _("impressions de tickets")
        ordering = ["requested_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="failed", reason__gt="") | (~Q(state="failed") & Q(reason="")),
                name="ticketprint_reason_iff_failed",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.appointment_id} {self.kiosk_id} {self.state}"


class PartnerCallbackPolicy(models.Model):
    """A partner's settings for callbacks and personal data (no row: the defaults from the settings)."""

    partner = models.OneToOneField(
        Partner, verbose_name=_("partenaire"), on_delete=models.CASCADE, related_name="callback_policy"
    )
    wait_limit_minutes = models.PositiveSmallIntegerField(
        _("attente au-delà de laquelle proposer un rappel (minutes)"),
        default=conf.callback_wait_limit_minutes,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
    )
    erase_after_days = models.PositiveSmallIntegerField(
        _("effacement des données personnelles (jours)"),
        default=conf.callback_erase_days,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_(
            "Le numéro d'une demande de rappel est effacé ce nombre de jours après la clôture de la demande ; "
            "le nom, le téléphone et l'e-mail d'un rendez-vous, ce nombre de jours après la fin du créneau."
        ),
    )

    class Meta:
        verbose_name = _("réglage des rappels")
        verbose_name_plural = _("réglages des rappels")
        ordering = ["partner"]

    def __str__(self) -> str:
        return f"{self.partner} : {self.wait_limit_minutes} min, {self.erase_after_days} j"


class CallbackRequest(models.Model):
    """A resident's request to be called back. Transitions are the services of services/callbacks.py:

        pending ──take──▶ taken ──attempt: done──▶ done
                          taken ──attempt: failed──▶ pending (or failed, after CALLBACK_MAX_ATTEMPTS)
        pending ──still open after the erase delay──▶ expired
    The phone number is erased (`erased_at`) the partner's delay after `closed_at`; the row stays for statistics.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("à rappeler")
        TAKEN = "taken", _("pris en charge")
        DONE = "done", _("rappelé")
        FAILED = "failed", _("injoignable")
        EXPIRED = "expired", _("expiré")

    class Period(models.TextChoices):
        MORNING = "morning", _("le matin")
        AFTERNOON = "afternoon", _("l'après-midi")
        ANY = "any", _("indifférent")

    class Reason(models.TextChoices):
        CLOSED = "closed", _("partenaire fermé")
        NO_STATION_STAFFED = "no_station_staffed", _("aucun poste ouvert")
        WAIT_TOO_LONG = "wait_too_long", _("attente trop longue")
        APPOINTMENT_ONLY = "appointment_only", _("sur rendez-vous uniquement")

    OPEN_STATUSES = (Status.PENDING, Status.TAKEN)

    partner = models.ForeignKey(
        Partner, verbose_name=_("partenaire"), on_delete=models.PROTECT, related_name="callback_requests"
    )
    kiosk = models.ForeignKey(Kiosk, verbose_name=_("borne"), on_delete=models.PROTECT, related_name="+")
    topic = models.ForeignKey(
        Topic, verbose_name=_("motif"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    phone = models.CharField(_("téléphone"), max_length=16, blank=True)
    preferred_period = models.CharField(_("moment préféré"), max_length=10, choices=Period.choices)
    reason = models.CharField(_("motif de la demande"), max_length=20, choices=Reason.choices)
    status = models.CharField(_("état"), max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField(_("demandé le"))
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("pris par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    taken_at = models.DateTimeField(_("pris le"), null=True, blank=True)
    closed_at = models.DateTimeField(_("clos le"), null=True, blank=True)
    erased_at = models.DateTimeField(_("numéro effacé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("demande de rappel")
        verbose_name_plural = _("demandes de rappel")
        ordering = ["requested_at", "pk"]
        indexes = [models.Index(fields=["partner", "status", "requested_at"], name="callback_partner_queue")]
        constraints = [
            models.CheckConstraint(
                condition=Q(erased_at__isnull=True) | Q(phone=""), name="callbackrequest_erased_has_no_phone"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "taken"], closed_at__isnull=True)
                | (~Q(status__in=["pending", "taken"]) & Q(closed_at__isnull=False)),
                name="callbackrequest_closed_iff_closed_status",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.partner} ({self.get_status_display()})"


class CallbackAttempt(models.Model):
    """One attempt to call a resident back, as the agent records it."""

    class Outcome(models.TextChoices):
        DONE = "done", _("abouti")
        FAILED = "failed", _("échoué")

    request = models.ForeignKey(CallbackRequest, on_delete=models.CASCADE, related_name="attempts")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("agent"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    outcome = models.CharField(_("résultat"), max_length=10, choices=Outcome.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    at = models.DateTimeField(_("date"))

    class Meta:
        verbose_name = _("tentative de rappel")
        verbose_name_plural = _("tentatives de rappel")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"#{self.request_id} {self.outcome} {self.at:%Y-%m-%d %H:%M}"


class CallbackEvent(models.Model):
    """Append-only: one row per change of a callback request (statistics read these)."""

    class Kind(models.TextChoices):
        REQUESTED = "requested", _("demandé")
        TAKEN = "taken", _("pris en charge")
        ATTEMPT_DONE = "attempt_done", _("rappel abouti")
        ATTEMPT_FAILED = "attempt_failed", _("rappel échoué")
        FAILED = "failed", _("clos : injoignable")
        EXPIRED = "expired", _("clos : expiré")
        ERASED = "erased", _("numéro effacé")

    request = models.ForeignKey(CallbackRequest, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("nature"), max_length=20, choices=Kind.choices)
    at = models.DateTimeField(_("date"))
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("agent"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    detail = models.JSONField(_("détail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("événement de rappel")
        verbose_name_plural = _("événements de rappel")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"#{self.request_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"
