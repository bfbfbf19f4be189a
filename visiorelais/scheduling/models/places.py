"""What a slot and a slot series share: a partner's station and a place (one kiosk, or one host site when any of
its kiosks will do), the check that the partner may take slots there, and how its refusals reach a form."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from visiorelais.network.models import HostSite, Kiosk, Partner, Station
from visiorelais.network.selectors import kiosk_entitlement_mode
from visiorelais.scheduling.errors import SchedulingRefused


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
