"""Callback requests left at a kiosk, the agents' attempts, their event rows, and each partner's settings for
callbacks and personal data."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from visiorelais.network.models import Kiosk, Partner, Topic
from visiorelais.scheduling import conf


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
