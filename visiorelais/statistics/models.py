"""Derived tables of the figures: one row per call, one row per interval of a station's state.

Both are rebuilt from the event record (CallEvent, StationEvent) by statistics/services.py and hold nothing
else: dropping them and running `visiorelais refresh-statistics --full` gives them back. The screens and
exports read these tables only, through the statistics/metrics package.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from visiorelais.calls.models import StationPresence
from visiorelais.network.models import HostSite, Kiosk, Partner, Station


class CallFact(models.Model):
    """One call, as the figures see it. `call_id` is the Call's id (no foreign key: a derived table; the
    retention purge of calls removes the facts of the calls it deletes on the next refresh).

    Dates are the request's, in Europe/Paris: a call belongs to the period of its request.
    """

    class Outcome(models.TextChoices):
        # In the order of the rules (statistics/outcomes.py): the first that matches wins.
        FAILED = "failed", _("échec technique")
        UNAVAILABLE_CLOSED = "unavailable_closed", _("indisponible : hors horaires")
        UNAVAILABLE_UNSTAFFED = "unavailable_unstaffed", _("indisponible : aucun poste tenu")
        COMPLETED = "completed", _("abouti")
        ABANDONED_SHORT = "abandoned_short", _("abandon court")
        ABANDONED = "abandoned", _("abandonné")
        DECLINED = "declined", _("refusé par tous les postes")
        UNANSWERED = "unanswered", _("sans réponse")
        OPEN = "open", _("en cours")

    UNAVAILABLE = (Outcome.UNAVAILABLE_CLOSED, Outcome.UNAVAILABLE_UNSTAFFED)
    ABANDONS = (Outcome.ABANDONED_SHORT, Outcome.ABANDONED)

    call_id = models.BigIntegerField(_("appel"), primary_key=True)
    partner = models.ForeignKey(Partner, verbose_name=_("partenaire"), on_delete=models.CASCADE, related_name="+")
    kiosk = models.ForeignKey(Kiosk, verbose_name=_("borne"), on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey(HostSite, verbose_name=_("site d'accueil"), on_delete=models.CASCADE, related_name="+")
    topic_id = models.BigIntegerField(_("motif"), null=True, blank=True)
    appointment = models.BooleanField(_("sur rendez-vous"), default=False)
    requested_at = models.DateTimeField(_("demandé le"))
    day = models.DateField(_("jour (Paris)"))
    week = models.DateField(_("semaine (lundi, Paris)"))
    month = models.DateField(_("mois (1er du mois, Paris)"))
    hour_of_week = models.PositiveSmallIntegerField(_("heure de la semaine (0 = lundi 0 h, Paris)"))
    ended_at = models.DateTimeField(_("terminé le"), null=True, blank=True)
    outcome = models.CharField(_("issue"), max_length=24, choices=Outcome.choices)
    end_reason = models.CharField(_("motif de fin"), max_length=40, blank=True)
    answered = models.BooleanField(_("décroché"), default=False)
    # Request → connected for an answered call, request → end otherwise; null while the call waits.
    wait_seconds = models.FloatField(_("attente (s)"), null=True, blank=True)
    talk_seconds = models.FloatField(_("communication (s)"), null=True, blank=True)
    wrap_up_seconds = models.FloatField(_("fin d'appel (s)"), null=True, blank=True)
    offers = models.PositiveSmallIntegerField(_("propositions"), default=0)
    offers_accepted = models.PositiveSmallIntegerField(_("propositions acceptées"), default=0)
    offers_declined = models.PositiveSmallIntegerField(_("propositions refusées"), default=0)
    offers_timed_out = models.PositiveSmallIntegerField(_("propositions non décrochées"), default=0)
    offers_cancelled = models.PositiveSmallIntegerField(_("propositions annulées"), default=0)
    rating = models.PositiveSmallIntegerField(_("évaluation (1 à 5)"), null=True, blank=True)
    station_id = models.BigIntegerField(_("poste"), null=True, blank=True)
    agent_id = models.BigIntegerField(_("agent"), null=True, blank=True)
    # The newest CallEvent read for this call: the incremental refresh starts after the largest.
    last_event_id = models.BigIntegerField(_("dernier événement lu"))

    class Meta:
        verbose_name = _("appel (statistiques)")
        verbose_name_plural = _("appels (statistiques)")
        ordering = ["requested_at"]
        indexes = [
            # The dashboard filters a period by day and groups by month and partner; scopes add one column.
            models.Index(fields=["day", "partner"], name="callfact_day_partner"),
            models.Index(fields=["partner", "day"], name="callfact_partner_day"),
            models.Index(fields=["site", "day"], name="callfact_site_day"),
            models.Index(fields=["kiosk", "day"], name="callfact_kiosk_day"),
            models.Index(fields=["outcome", "ended_at"], name="callfact_outcome_ended"),
            models.Index(fields=["last_event_id"], name="callfact_last_event"),
        ]

    def __str__(self) -> str:
        return f"#{self.call_id} {self.day} {self.outcome}"


class StationInterval(models.Model):
    """One stretch of time a station spent in one state: from one StationEvent to the next of that station
    (`end` null while it lasts). A wrap-up interval names its call: its length is the call's wrap-up time."""

    station = models.ForeignKey(Station, verbose_name=_("poste"), on_delete=models.CASCADE, related_name="+")
    partner = models.ForeignKey(Partner, verbose_name=_("partenaire"), on_delete=models.CASCADE, related_name="+")
    state = models.CharField(_("état"), max_length=20, choices=StationPresence.State.choices)
    reason = models.CharField(_("motif"), max_length=40, blank=True)
    call_id = models.BigIntegerField(_("appel"), null=True, blank=True)
    agent_id = models.BigIntegerField(_("agent"), null=True, blank=True)
    start = models.DateTimeField(_("début"))
    end = models.DateTimeField(_("fin"), null=True, blank=True)
    start_event_id = models.BigIntegerField(_("événement de début"), unique=True)

    class Meta:
        verbose_name = _("intervalle d'état d'un poste")
        verbose_name_plural = _("intervalles d'état des postes")
        ordering = ["station", "start"]
        indexes = [
            models.Index(fields=["partner", "start"], name="stationinterval_partner_start"),
            models.Index(fields=["call_id", "state"], name="stationinterval_call_state"),
        ]

    def __str__(self) -> str:
        return f"{self.station_id} {self.state} {self.start:%Y-%m-%d %H:%M:%S}"


class StatisticsRefresh(models.Model):
    """One run of `call_facts_refresh` (the periodic one or the command): the screens say how fresh their
    figures are from the newest row."""

    started_at = models.DateTimeField(_("commencée le"))
    finished_at = models.DateTimeField(_("terminée le"))
    calls = models.PositiveIntegerField(_("appels relus"))
    station_intervals = models.PositiveIntegerField(_("intervalles de postes écrits"))
    full = models.BooleanField(_("reconstruction complète"), default=False)

    class Meta:
        verbose_name = _("mise à jour des statistiques")
        verbose_name_plural = _("mises à jour des statistiques")
        ordering = ["-finished_at"]
        indexes = [models.Index(fields=["-finished_at"], name="statsrefresh_finished")]

    def __str__(self) -> str:
        return f"{self.finished_at:%Y-%m-%d %H:%M:%S} ({self.calls})"
