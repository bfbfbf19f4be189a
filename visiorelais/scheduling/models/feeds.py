"""The secrets of the iCalendar feeds."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from visiorelais.network.models import HostSite


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
