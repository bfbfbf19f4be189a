"""Booked slots, their event rows and reminders, and the printing of their tickets at a kiosk."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from visiorelais.calls.models import Call
from visiorelais.documents.models import PrintJob
from visiorelais.network.models import Kiosk, Topic
from visiorelais.scheduling.models.slots import Slot


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
