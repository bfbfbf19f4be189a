"""The live call: the Call state machine, its append-only CallEvent record, and presence.

Queue, presence and call state live here, in the database, so that any server process can serve
any kiosk or console (groups only broadcast). Statistics are computed from CallEvent and
StationEvent rows alone; the other tables hold the current state.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from visiorelais.network.models import Kiosk, Partner, Station, Topic


class PartnerQueue(models.Model):
    """One row per partner: the lock that serialises routing for its network-wide queue, and the
    sequence number carried by every event about that partner (see calls/events.py)."""

    partner = models.OneToOneField(
        Partner, verbose_name=_("partenaire"), on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    seq = models.BigIntegerField(_("numéro de séquence"), default=0)

    class Meta:
        verbose_name = _("file d'attente")
        verbose_name_plural = _("files d'attente")

    def __str__(self) -> str:
        return f"{self.partner_id} #{self.seq}"


class Call(models.Model):
    """One resident-to-agent session. Transitions are the services of calls/services; never set
    `status` by hand.

        requested → queued → offered → connected → ended
        requested → ended (unavailable)         offered → queued (declined, ring timeout, station lost)
        queued/offered → ended (abandoned, declined_by_all, unanswered)
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", _("demandé")
        QUEUED = "queued", _("en attente")
        OFFERED = "offered", _("proposé à un poste")
        CONNECTED = "connected", _("en communication")
        ENDED = "ended", _("terminé")

    class Outcome(models.TextChoices):
        COMPLETED = "completed", _("abouti")
        ABANDONED = "abandoned", _("abandonné par l'usager")
        DECLINED_BY_ALL = "declined_by_all", _("refusé par tous les postes")
        UNANSWERED = "unanswered", _("sans réponse")
        UNAVAILABLE = "unavailable", _("partenaire indisponible")
        FAILED = "failed", _("échec technique")

    LIVE_STATUSES = (Status.OFFERED, Status.CONNECTED)
    WAITING_STATUSES = (Status.QUEUED, Status.OFFERED)

    kiosk = models.ForeignKey(Kiosk, verbose_name=_("borne"), on_delete=models.PROTECT, related_name="calls")
    partner = models.ForeignKey(Partner, verbose_name=_("partenaire"), on_delete=models.PROTECT, related_name="calls")
    topic = models.ForeignKey(
        Topic, verbose_name=_("motif"), on_delete=models.SET_NULL, null=True, blank=True, related_name="calls"
    )
    status = models.CharField(_("état"), max_length=20, choices=Status.choices, default=Status.REQUESTED)
    outcome = models.CharField(_("issue"), max_length=20, choices=Outcome.choices, blank=True)
    end_reason = models.CharField(_("motif de fin"), max_length=40, blank=True)
    # The station the call is offered to or connected with; after the end, the last one.
    station = models.ForeignKey(
        Station, verbose_name=_("poste"), on_delete=models.PROTECT, null=True, blank=True, related_name="calls"
    )
    # An appointment's call (see scheduling): offered only to this station, ahead of walk-in calls.
    reserved_station = models.ForeignKey(
        Station,
        verbose_name=_("poste réservé"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="calls",
    )
    requested_at = models.DateTimeField(_("demandé le"))
    # Queue order. A call sent back to the queue keeps it, so it goes back to the head.
    queued_at = models.DateTimeField(_("en attente depuis"), null=True, blank=True)
    offered_at = models.DateTimeField(_("proposé le"), null=True, blank=True)
    ring_deadline = models.DateTimeField(_("fin de sonnerie"), null=True, blank=True)
    connected_at = models.DateTimeField(_("décroché le"), null=True, blank=True)
    ended_at = models.DateTimeField(_("terminé le"), null=True, blank=True)
    next_opening = models.DateTimeField(_("prochaine ouverture"), null=True, blank=True)

    class Meta:
        verbose_name = _("appel")
        verbose_name_plural = _("appels")
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["partner", "status", "queued_at"], name="call_queue_order")]
        constraints = [
            # The database itself refuses a second live call on one station, or on one kiosk.
            models.UniqueConstraint(
                fields=["station"],
                condition=Q(status__in=["offered", "connected"]),
                name="call_one_live_call_per_station",
            ),
            models.UniqueConstraint(
                fields=["kiosk"], condition=~Q(status="ended"), name="call_one_open_call_per_kiosk"
            ),
            models.CheckConstraint(
                condition=Q(status="ended", outcome__gt="") | (~Q(status="ended") & Q(outcome="")),
                name="call_outcome_iff_ended",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kiosk_id}→{self.partner_id} ({self.status})"


class CallEvent(models.Model):
    """Append-only: one row per transition, written in the transaction of the change.

    Offer results stay distinguishable: an `offered` row is followed by exactly one of
    `accepted`, `declined`, `ring_timeout` or `offer_cancelled` for the same call and station.
    """

    class Kind(models.TextChoices):
        REQUESTED = "requested", _("demandé")
        QUEUED = "queued", _("mis en attente")
        OFFERED = "offered", _("proposé à un poste")
        ACCEPTED = "accepted", _("accepté")
        DECLINED = "declined", _("refusé")
        RING_TIMEOUT = "ring_timeout", _("non décroché")
        OFFER_CANCELLED = "offer_cancelled", _("proposition annulée")
        CONNECTED = "connected", _("en communication")
        ENDED = "ended", _("terminé")
        RATED = "rated", _("évalué par l'usager")
        WRAPPED_UP = "wrapped_up", _("clôturé par l'agent")

    call = models.ForeignKey(Call, verbose_name=_("appel"), on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("nature"), max_length=20, choices=Kind.choices)
    at = models.DateTimeField(_("date"))
    station = models.ForeignKey(
        Station, verbose_name=_("poste"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    detail = models.JSONField(_("détail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("événement d'appel")
        verbose_name_plural = _("événements d'appel")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["kind", "at"], name="callevent_kind_at")]

    def __str__(self) -> str:
        return f"#{self.call_id} {self.kind} {self.at:%Y-%m-%d %H:%M:%S}"


class StationPresence(models.Model):
    """Where a station stands now. `idle_since` orders available stations: longest idle first."""

    class State(models.TextChoices):
        OFFLINE = "offline", _("hors ligne")
        AVAILABLE = "available", _("disponible")
        RINGING = "ringing", _("appel entrant")
        BUSY = "busy", _("en communication")
        WRAP_UP = "wrap_up", _("fin d'appel")
        PAUSED = "paused", _("en pause")

    class PauseReason(models.TextChoices):
        AGENT = "agent", _("pause demandée par l'agent")
        RING_TIMEOUT = "ring_timeout", _("appel non décroché")

    # A station whose agent is seated, whatever it is doing; paused stations count (the pause is short).
    STAFFED_STATES = (State.AVAILABLE, State.RINGING, State.BUSY, State.WRAP_UP, State.PAUSED)

    station = models.OneToOneField(
        Station, verbose_name=_("poste"), on_delete=models.CASCADE, primary_key=True, related_name="presence"
    )
    state = models.CharField(_("état"), max_length=20, choices=State.choices, default=State.OFFLINE)
    pause_reason = models.CharField(_("motif de pause"), max_length=20, choices=PauseReason.choices, blank=True)
    agent = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="station_presence",
    )
    since = models.DateTimeField(_("depuis"))
    last_heartbeat = models.DateTimeField(_("dernier signe de vie"), null=True, blank=True)
    idle_since = models.DateTimeField(_("libre depuis"), null=True, blank=True)

    class Meta:
        verbose_name = _("présence d'un poste")
        verbose_name_plural = _("présences des postes")

    def __str__(self) -> str:
        return f"{self.station} : {self.get_state_display()}"


class StationEvent(models.Model):
    """Append-only: one row per change of a station's state."""

    station = models.ForeignKey(Station, verbose_name=_("poste"), on_delete=models.CASCADE, related_name="+")
    state = models.CharField(_("état"), max_length=20, choices=StationPresence.State.choices)
    reason = models.CharField(_("motif"), max_length=40, blank=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    call = models.ForeignKey(
        Call, verbose_name=_("appel"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("date"))

    class Meta:
        verbose_name = _("événement de poste")
        verbose_name_plural = _("événements de poste")
        ordering = ["at", "id"]
        # A station's events in time order: the statistics' refresh and a station's last sign of life.
        indexes = [models.Index(fields=["station", "at"], name="stationevent_station_at")]

    def __str__(self) -> str:
        return f"{self.station_id} {self.state} {self.at:%Y-%m-%d %H:%M:%S}"


class KioskPresence(models.Model):
    """A kiosk's last sign of life. `online` turns false when presence_expire finds it silent."""

    kiosk = models.OneToOneField(
        Kiosk, verbose_name=_("borne"), on_delete=models.CASCADE, primary_key=True, related_name="presence"
    )
    online = models.BooleanField(_("en ligne"), default=True)
    last_heartbeat = models.DateTimeField(_("dernier signe de vie"))

    class Meta:
        verbose_name = _("présence d'une borne")
        verbose_name_plural = _("présences des bornes")

    def __str__(self) -> str:
        return f"{self.kiosk} : {self.last_heartbeat:%H:%M:%S}"


class KioskPresenceEvent(models.Model):
    """Append-only: one row each time a kiosk comes online or goes offline (KioskPresence.online changes).

    An `online` row is written at the first sign of life after a silence (heartbeat or call request); an
    offline row by presence_expire, dated at the kiosk's last sign of life, when it fell silent. Kiosk
    uptime (statistics) is read from these rows.
    """

    kiosk = models.ForeignKey(Kiosk, verbose_name=_("borne"), on_delete=models.CASCADE, related_name="+")
    online = models.BooleanField(_("en ligne"))
    at = models.DateTimeField(_("date"))

    class Meta:
        verbose_name = _("événement de présence d'une borne")
        verbose_name_plural = _("événements de présence des bornes")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["kiosk", "at"], name="kioskpresenceevent_kiosk_at")]

    def __str__(self) -> str:
        return f"{self.kiosk_id} {'online' if self.online else 'offline'} {self.at:%Y-%m-%d %H:%M:%S}"
