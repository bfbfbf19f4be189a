"""The network: who hosts kiosks, who answers, and who may be reached from where and when."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

insee_code_validator = RegexValidator(
    r"^(\d{5}|2[AB]\d{3})$", _("Le code INSEE compte cinq caractères (par exemple 50147, ou 2A004 en Corse).")
)
postcode_validator = RegexValidator(r"^\d{5}$", _("Le code postal compte cinq chiffres."))
colour_validator = RegexValidator(r"^#[0-9A-Fa-f]{6}$", _("Une couleur s'écrit #RRVVBB, par exemple #0055A4."))
kiosk_code_validator = RegexValidator(
    r"^[A-Z0-9][A-Z0-9-]{1,30}$",
    _("Le code d'une borne s'écrit en majuscules, chiffres et tirets (ex. : BRN-COUT-01)."),
)


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("lundi")
    TUESDAY = 1, _("mardi")
    WEDNESDAY = 2, _("mercredi")
    THURSDAY = 3, _("jeudi")
    FRIDAY = 4, _("vendredi")
    SATURDAY = 5, _("samedi")
    SUNDAY = 6, _("dimanche")


class HostAuthority(models.Model):
    class Kind(models.TextChoices):
        COMMUNE = "commune", _("commune")
        INTERCOMMUNALITY = "intercommunality", _("intercommunalité")

    name = models.CharField(_("nom"), max_length=200, unique=True)
    kind = models.CharField(_("nature"), max_length=20, choices=Kind.choices)
    siren = models.CharField(
        _("SIREN"),
        max_length=9,
        blank=True,
        validators=[RegexValidator(r"^\d{9}$", _("Le SIREN compte 9 chiffres."))],
    )

    class Meta:
        verbose_name = _("collectivité d'accueil")
        verbose_name_plural = _("collectivités d'accueil")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class HostSite(models.Model):
    class Kind(models.TextChoices):
        TOWN_HALL = "town_hall", _("mairie")
        FRANCE_SERVICES = "france_services", _("maison France Services")
        PUBLIC_DIGITAL_SPACE = "public_digital_space", _("espace public numérique")
        OTHER = "other", _("autre")

    class Confidentiality(models.TextChoices):
        CLOSED_ROOM = "closed_room", _("pièce fermée")
        BOOTH = "booth", _("cabine")
        OPEN_SPACE = "open_space", _("espace ouvert")

    authority = models.ForeignKey(
        HostAuthority,
        verbose_name=_("collectivité d'accueil"),
        on_delete=models.PROTECT,
        related_name="sites",
    )
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type de site"), max_length=30, choices=Kind.choices)
    address = models.CharField(_("adresse"), max_length=300)
    postcode = models.CharField(_("code postal"), max_length=5, validators=[postcode_validator])
    commune = models.CharField(_("commune"), max_length=200)
    insee_code = models.CharField(_("code INSEE de la commune"), max_length=5, validators=[insee_code_validator])
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=8, decimal_places=5, null=True, blank=True)
    step_free_access = models.BooleanField(_("accès de plain-pied (fauteuil roulant)"), default=False)
    confidentiality = models.CharField(
        _("confidentialité"),
        max_length=20,
        choices=Confidentiality.choices,
        default=Confidentiality.CLOSED_ROOM,
    )
    phone = models.CharField(_("téléphone de l'accueil"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("site d'accueil")
        verbose_name_plural = _("sites d'accueil")
        ordering = ["commune", "name"]
        constraints = [
            models.UniqueConstraint(fields=["commune", "name"], name="hostsite_unique_name_per_commune"),
            models.CheckConstraint(
                condition=(Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90))
                & (Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180)),
                name="hostsite_coordinates_in_range",
                violation_error_message=_("Les coordonnées sont hors des bornes (latitude ±90, longitude ±180)."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.commune})"

    def clean(self) -> None:
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError(_("Indiquez la latitude et la longitude ensemble, ou aucune des deux."))
        if self.latitude is not None and not -90 <= self.latitude <= 90:
            raise ValidationError({"latitude": _("La latitude est comprise entre -90 et 90.")})
        if self.longitude is not None and not -180 <= self.longitude <= 180:
            raise ValidationError({"longitude": _("La longitude est comprise entre -180 et 180.")})


class Kiosk(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("en service")
        MAINTENANCE = "maintenance", _("en maintenance")
        RETIRED = "retired", _("retirée")

    site = models.ForeignKey(
        HostSite, verbose_name=_("site d'accueil"), on_delete=models.PROTECT, related_name="kiosks"
    )
    code = models.CharField(
        _("code"),
        max_length=32,
        unique=True,
        validators=[kiosk_code_validator],
        error_messages={"unique": _("Une borne porte déjà ce code ; choisissez-en un autre.")},
    )
    label = models.CharField(_("libellé"), max_length=200)
    has_camera = models.BooleanField(_("caméra"), default=True)
    has_scanner = models.BooleanField(_("scanner"), default=True)
    has_printer = models.BooleanField(_("imprimante"), default=True)
    has_handset = models.BooleanField(_("combiné téléphonique"), default=False)
    status = models.CharField(_("état"), max_length=20, choices=Status.choices, default=Status.ACTIVE)

    class Meta:
        verbose_name = _("borne")
        verbose_name_plural = _("bornes")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.label}"


class Partner(models.Model):
    name = models.CharField(_("nom"), max_length=200, unique=True)
    short_name = models.CharField(
        _("nom court"),
        max_length=30,
        unique=True,
        error_messages={"unique": _("Un partenaire porte déjà ce nom court.")},
    )
    colour = models.CharField(_("couleur"), max_length=7, default="#2F4F6F", validators=[colour_validator])
    logo = models.ImageField(_("logo"), upload_to="partner-logos/", blank=True)
    description = models.CharField(_("description pour les usagers"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("partenaire")
        verbose_name_plural = _("partenaires")
        ordering = ["short_name"]

    def __str__(self) -> str:
        return self.short_name


class Topic(models.Model):
    partner = models.ForeignKey(Partner, verbose_name=_("partenaire"), on_delete=models.CASCADE, related_name="topics")
    label = models.CharField(_("libellé"), max_length=120)
    active = models.BooleanField(_("proposé aux usagers"), default=True)

    class Meta:
        verbose_name = _("motif")
        verbose_name_plural = _("motifs")
        ordering = ["partner", "label"]
        constraints = [models.UniqueConstraint(fields=["partner", "label"], name="topic_unique_label_per_partner")]

    def __str__(self) -> str:
        return f"{self.partner} — {self.label}"


class Station(models.Model):
    partner = models.ForeignKey(
        Partner, verbose_name=_("partenaire"), on_delete=models.CASCADE, related_name="stations"
    )
    label = models.CharField(_("libellé"), max_length=120)
    active = models.BooleanField(_("en service"), default=True)

    class Meta:
        verbose_name = _("poste de réception")
        verbose_name_plural = _("postes de réception")
        ordering = ["partner", "label"]
        constraints = [models.UniqueConstraint(fields=["partner", "label"], name="station_unique_label_per_partner")]

    def __str__(self) -> str:
        return f"{self.partner} — {self.label}"


class Entitlement(models.Model):
    """Which kiosks reach which partner, and how. A row without a kiosk opens the partner on every kiosk;
    a row for one kiosk overrides that default for it."""

    class Mode(models.TextChoices):
        WALK_IN = "walk_in", _("sans rendez-vous")
        APPOINTMENT_ONLY = "appointment_only", _("sur rendez-vous uniquement")

    partner = models.ForeignKey(
        Partner, verbose_name=_("partenaire"), on_delete=models.CASCADE, related_name="entitlements"
    )
    kiosk = models.ForeignKey(
        Kiosk,
        verbose_name=_("borne"),
        on_delete=models.CASCADE,
        related_name="entitlements",
        null=True,
        blank=True,
        help_text=_("Laissez vide pour ouvrir le partenaire sur toutes les bornes."),
    )
    mode = models.CharField(_("modalité"), max_length=20, choices=Mode.choices, default=Mode.WALK_IN)

    class Meta:
        verbose_name = _("ouverture")
        verbose_name_plural = _("ouvertures")
        ordering = ["partner", "kiosk"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "kiosk"],
                name="entitlement_unique_partner_kiosk",
                violation_error_message=_("Ce partenaire est déjà ouvert sur cette borne."),
            ),
            models.UniqueConstraint(
                fields=["partner"],
                condition=Q(kiosk__isnull=True),
                name="entitlement_unique_all_kiosks",
                violation_error_message=_("Ce partenaire est déjà ouvert sur toutes les bornes."),
            ),
        ]

    def __str__(self) -> str:
        where = self.kiosk.code if self.kiosk_id else _("toutes les bornes")
        return f"{self.partner} → {where} ({self.get_mode_display()})"

    def clean(self) -> None:
        if self.kiosk_id and self.kiosk.status == Kiosk.Status.RETIRED:
            raise ValidationError(
                {"kiosk": _("Cette borne est retirée du réseau : on ne peut plus y ouvrir de partenaire.")}
            )


class WeeklyRange(models.Model):
    """A time range on one weekday. Ranges of one owner never overlap; `owner_field` names the owner.

    `clean()` checks a range against the database. A form that edits several ranges of one owner at once sets
    `defer_overlap_check` on each instance and checks the ranges together, as they will stand once saved.
    """

    owner_field = ""
    defer_overlap_check = False
    weekday = models.PositiveSmallIntegerField(_("jour"), choices=Weekday.choices)
    start = models.TimeField(_("début"))
    end = models.TimeField(_("fin"))

    class Meta:
        abstract = True
        ordering = ["weekday", "start"]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"

    def clean(self) -> None:
        if self.start is None or self.end is None or self.weekday is None:
            return
        if self.end <= self.start:
            raise ValidationError({"end": _("L'heure de fin doit suivre l'heure de début.")})
        owner_id = getattr(self, f"{self.owner_field}_id")
        if owner_id is None or self.defer_overlap_check:
            return
        clash = (
            type(self)
            .objects.filter(**{f"{self.owner_field}_id": owner_id, "weekday": self.weekday})
            .filter(start__lt=self.end, end__gt=self.start)
            .exclude(pk=self.pk)
            .first()
        )
        if clash:
            raise ValidationError(
                _("Cette plage chevauche la plage existante %(other)s ; modifiez l'une des deux.") % {"other": clash}
            )


class ServiceWindow(WeeklyRange):
    """When a partner answers, per weekday. Public holidays and dated closures are taken out at read time."""

    owner_field = "partner"
    partner = models.ForeignKey(
        Partner, verbose_name=_("partenaire"), on_delete=models.CASCADE, related_name="service_windows"
    )

    class Meta(WeeklyRange.Meta):
        verbose_name = _("plage de permanence")
        verbose_name_plural = _("plages de permanence")
        ordering = ["partner", "weekday", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")),
                name="servicewindow_end_after_start",
                violation_error_message=_("L'heure de fin doit suivre l'heure de début."),
            )
        ]


class SiteOpening(WeeklyRange):
    """When a host site is open to the public, per weekday."""

    owner_field = "site"
    site = models.ForeignKey(
        HostSite, verbose_name=_("site d'accueil"), on_delete=models.CASCADE, related_name="openings"
    )

    class Meta(WeeklyRange.Meta):
        verbose_name = _("horaire d'ouverture")
        verbose_name_plural = _("horaires d'ouverture")
        ordering = ["site", "weekday", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")),
                name="siteopening_end_after_start",
                violation_error_message=_("L'heure de fin doit suivre l'heure de début."),
            )
        ]


class Closure(models.Model):
    """A dated closure of a partner (training day, strike, bridge day), whole days, both ends included."""

    partner = models.ForeignKey(
        Partner, verbose_name=_("partenaire"), on_delete=models.CASCADE, related_name="closures"
    )
    first_day = models.DateField(_("premier jour"))
    last_day = models.DateField(_("dernier jour"))
    reason = models.CharField(_("motif"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("fermeture exceptionnelle")
        verbose_name_plural = _("fermetures exceptionnelles")
        ordering = ["partner", "first_day"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_day__gte=models.F("first_day")),
                name="closure_last_after_first",
                violation_error_message=_("Le dernier jour ne peut pas précéder le premier."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.partner} : {self.first_day:%d/%m/%Y}–{self.last_day:%d/%m/%Y}"

    def clean(self) -> None:
        if self.first_day and self.last_day and self.last_day < self.first_day:
            raise ValidationError({"last_day": _("Le dernier jour ne peut pas précéder le premier.")})
