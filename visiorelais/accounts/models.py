"""People and devices: users with one role each, and the credentials of kiosk devices."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from visiorelais.network.models import HostSite, Kiosk, Partner


class Role(models.TextChoices):
    OPERATOR = "operator", _("opérateur du réseau")
    OBSERVER = "observer", _("observateur (lecture seule)")
    PARTNER_ADMIN = "partner_admin", _("administrateur partenaire")
    PARTNER_AGENT = "partner_agent", _("agent partenaire")
    SITE_MANAGER = "site_manager", _("responsable de site d'accueil")
    HOST_AGENT = "host_agent", _("agent d'accueil")


PARTNER_ROLES = {Role.PARTNER_ADMIN, Role.PARTNER_AGENT}
SITE_ROLES = {Role.SITE_MANAGER, Role.HOST_AGENT}
# Roles that work in the back-office (the Django admin); the others have screens of their own.
BACKOFFICE_ROLES = {Role.OPERATOR, Role.OBSERVER, Role.PARTNER_ADMIN, Role.SITE_MANAGER}


class User(AbstractUser):
    """A person. Exactly one role; a partner role belongs to one partner, a site role to one or more sites."""

    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices)
    partner = models.ForeignKey(
        Partner,
        verbose_name=_("partenaire"),
        on_delete=models.PROTECT,
        related_name="users",
        null=True,
        blank=True,
    )
    host_sites = models.ManyToManyField(HostSite, verbose_name=_("sites d'accueil"), related_name="users", blank=True)

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        ordering = ["username"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=sorted(r.value for r in PARTNER_ROLES), partner__isnull=False)
                | (~Q(role__in=sorted(r.value for r in PARTNER_ROLES)) & Q(partner__isnull=True)),
                name="user_partner_iff_partner_role",
                violation_error_message=_(
                    "Un rôle partenaire exige un partenaire, et seul un rôle partenaire en a un."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def clean(self) -> None:
        super().clean()
        if self.role in PARTNER_ROLES and not self.partner_id:
            raise ValidationError({"partner": _("Choisissez le partenaire de cet agent.")})
        if self.role not in PARTNER_ROLES and self.partner_id:
            raise ValidationError({"partner": _("Seuls les rôles partenaires sont rattachés à un partenaire.")})

    def save(self, *args, **kwargs):
        # Back-office access follows the role; a superuser keeps it whatever the role says.
        self.is_staff = self.is_superuser or self.role in BACKOFFICE_ROLES
        super().save(*args, **kwargs)


class KioskEnrolment(models.Model):
    """A one-time code the operator issues for a kiosk; the kiosk exchanges it for a device token.

    Only a hash of the code is kept. A code is usable once, before `expires_at`.
    """

    kiosk = models.ForeignKey(Kiosk, verbose_name=_("borne"), on_delete=models.CASCADE, related_name="enrolments")
    code_hash = models.CharField(max_length=64, unique=True)
    issued_by = models.ForeignKey(
        User, verbose_name=_("émis par"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    issued_at = models.DateTimeField(_("émis le"), default=timezone.now)
    expires_at = models.DateTimeField(_("expire le"))
    used_at = models.DateTimeField(_("utilisé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("code d'enrôlement")
        verbose_name_plural = _("codes d'enrôlement")
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return f"{self.kiosk.code} — {self.issued_at:%d/%m/%Y %H:%M}"


class KioskToken(models.Model):
    """A kiosk's long-lived device credential. Only its SHA-256 is stored; revoking it is final."""

    kiosk = models.ForeignKey(Kiosk, verbose_name=_("borne"), on_delete=models.CASCADE, related_name="tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(
        _("début du jeton"), max_length=8, help_text=_("Pour reconnaître le jeton, sans le révéler.")
    )
    enrolment = models.OneToOneField(
        KioskEnrolment, on_delete=models.SET_NULL, null=True, blank=True, related_name="token"
    )
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("vu pour la dernière fois"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User,
        verbose_name=_("révoqué par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("jeton de borne")
        verbose_name_plural = _("jetons de borne")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kiosk.code} — {self.prefix}…"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
