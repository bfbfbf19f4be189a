"""Documents across the call: scans (kiosk → agent) and prints (agent → kiosk), their print jobs and scan
requests, who fetched what, the bridge's peripheral health and wipes, and each partner's retention.

A document's content lives encrypted in DOCUMENTS_DIR (see crypto.py and storage.py), never in the database.
When the partner's retention has passed, the file is deleted and `purged_at` set; the row stays for the
statistics. Changes go through documents/services.py; reads of scoped rows through documents/selectors.py.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from visiorelais.calls.models import Call
from visiorelais.network.models import Kiosk, Partner

DEFAULT_RETENTION_HOURS = 24


class Document(models.Model):
    """One sanitised file of a call. `size` and `sha256` are those of the sanitised plaintext (what the
    recipient gets); the encrypted file is named `storage_name`, a random name unrelated to `name`."""

    class Direction(models.TextChoices):
        SCAN = "scan", _("numérisation (de la borne vers l'agent)")
        PRINT = "print", _("impression (de l'agent vers la borne)")

    class ContentType(models.TextChoices):
        PDF = "application/pdf", "PDF"
        JPEG = "image/jpeg", "JPEG"
        PNG = "image/png", "PNG"

    call = models.ForeignKey(Call, verbose_name=_("appel"), on_delete=models.PROTECT, related_name="documents")
    direction = models.CharField(_("sens"), max_length=10, choices=Direction.choices)
    name = models.CharField(_("nom"), max_length=200)
    content_type = models.CharField(_("type"), max_length=40, choices=ContentType.choices)
    pages = models.PositiveIntegerField(_("pages"))
    size = models.PositiveBigIntegerField(_("taille (octets)"))
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    key_id = models.CharField(_("clé de chiffrement"), max_length=32)
    storage_name = models.CharField(_("fichier chiffré"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("reçu le"))
    uploaded_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("envoyé par l'agent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_by_kiosk = models.ForeignKey(
        Kiosk, verbose_name=_("envoyé par la borne"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    purged_at = models.DateTimeField(_("contenu supprimé le"), null=True, blank=True)
    # The call's receipt, printed at the kiosk after the call (services.receipt_print): a print nobody uploaded.
    is_receipt = models.BooleanField(_("récépissé de l'appel"), default=False)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["call", "direction"], name="document_call_direction")]
        constraints = [
            # A scan comes from the call's kiosk, a print from the call's agent: never both, never neither;
            # the receipt, a print made by the server, from nobody.
            models.CheckConstraint(
                condition=Q(direction="scan", uploaded_by_kiosk__isnull=False, uploaded_by_user__isnull=True)
                | Q(direction="print", uploaded_by_user__isnull=False, uploaded_by_kiosk__isnull=True)
                | Q(direction="print", is_receipt=True, uploaded_by_user__isnull=True, uploaded_by_kiosk__isnull=True),
                name="document_uploader_matches_direction",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.direction} {self.name}"

    @property
    def extension(self) -> str:
        return {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}[self.content_type]


class DocumentAccess(models.Model):
    """Append-only: one row per fetch of a document (metadata, content, thumbnail, receipt), by whom."""

    class Action(models.TextChoices):
        METADATA = "metadata", _("description")
        CONTENT = "content", _("contenu")
        THUMBNAIL = "thumbnail", _("aperçu")
        RECEIPT = "receipt", _("récépissé")

    document = models.ForeignKey(
        Document, verbose_name=_("document"), on_delete=models.CASCADE, related_name="accesses"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    kiosk = models.ForeignKey(
        Kiosk, verbose_name=_("borne"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    at = models.DateTimeField(_("date"))

    class Meta:
        verbose_name = _("consultation de document")
        verbose_name_plural = _("consultations de documents")
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, kiosk__isnull=True) | Q(user__isnull=True, kiosk__isnull=False),
                name="documentaccess_one_actor",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.document_id} {self.action} {self.at:%Y-%m-%d %H:%M:%S}"


class PrintJob(models.Model):
    """The printing of one print document on the call's kiosk. Moves (services.print_job_update):

    queued → printing → done | failed;   queued → done | failed
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("en attente")
        PRINTING = "printing", _("en cours d'impression")
        DONE = "done", _("imprimé")
        FAILED = "failed", _("échec")

    class Reason(models.TextChoices):
        NONE = "", _("aucun")
        OUT_OF_PAPER = "out_of_paper", _("plus de papier")
        JAMMED = "jammed", _("bourrage")
        OFFLINE = "offline", _("imprimante hors ligne")
        ERROR = "error", _("erreur")

    TERMINAL_STATES = (State.DONE, State.FAILED)

    document = models.OneToOneField(
        Document, verbose_name=_("document"), on_delete=models.CASCADE, related_name="print_job"
    )
    state = models.CharField(_("état"), max_length=20, choices=State.choices, default=State.QUEUED)
    reason = models.CharField(_("motif"), max_length=20, choices=Reason.choices, blank=True)
    message = models.CharField(_("message"), max_length=200, blank=True)
    submitted_at = models.DateTimeField(_("envoyé à l'imprimante le"), null=True, blank=True)
    updated_at = models.DateTimeField(_("mis à jour le"))

    class Meta:
        verbose_name = _("impression")
        verbose_name_plural = _("impressions")
        constraints = [
            models.CheckConstraint(
                condition=Q(state="failed", reason__gt="") | (~Q(state="failed") & Q(reason="")),
                name="printjob_reason_iff_failed",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.state}"


class ScanRequest(models.Model):
    """A scan asked for by the kiosk or, remotely, by the agent. Moves (services.scan_*):

    requested → scanning → uploading → done;   any but done → failed;   requested|scanning → done
    """

    class RequestedBy(models.TextChoices):
        KIOSK = "kiosk", _("la borne")
        AGENT = "agent", _("l'agent")

    class State(models.TextChoices):
        REQUESTED = "requested", _("demandée")
        SCANNING = "scanning", _("numérisation en cours")
        UPLOADING = "uploading", _("envoi en cours")
        DONE = "done", _("reçue")
        FAILED = "failed", _("échec")

    class Reason(models.TextChoices):
        NONE = "", _("aucun")
        JAMMED = "jammed", _("bourrage")
        NO_DOCS = "no_docs", _("pas de feuille")
        COVER_OPEN = "cover_open", _("capot ouvert")
        NO_SCANNER = "no_scanner", _("pas de scanner")
        ERROR = "error", _("erreur")

    ACTIVE_STATES = (State.REQUESTED, State.SCANNING, State.UPLOADING)

    call = models.ForeignKey(Call, verbose_name=_("appel"), on_delete=models.CASCADE, related_name="scan_requests")
    request_id = models.CharField(_("identifiant"), max_length=64, unique=True)
    requested_by = models.CharField(_("demandée par"), max_length=10, choices=RequestedBy.choices)
    state = models.CharField(_("état"), max_length=20, choices=State.choices, default=State.REQUESTED)
    pages = models.PositiveIntegerField(_("pages"), default=0)
    reason = models.CharField(_("motif"), max_length=20, choices=Reason.choices, blank=True)
    document = models.OneToOneField(
        Document,
        verbose_name=_("document"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="scan_request",
    )
    created_at = models.DateTimeField(_("demandée le"))
    updated_at = models.DateTimeField(_("mise à jour le"))

    class Meta:
        verbose_name = _("demande de numérisation")
        verbose_name_plural = _("demandes de numérisation")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.request_id} {self.state}"


class PeripheralReport(models.Model):
    """The bridge's health reports. A new row only when the health changes; a report saying the same as
    the latest row just moves its `last_seen_at`. The latest row of a kiosk is read through the
    (kiosk, -at) index."""

    kiosk = models.ForeignKey(Kiosk, verbose_name=_("borne"), on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(_("depuis"))
    last_seen_at = models.DateTimeField(_("dernier rapport"))
    scanner = models.JSONField(_("scanner"))
    printer = models.JSONField(_("imprimante"))

    class Meta:
        verbose_name = _("état des périphériques")
        verbose_name_plural = _("états des périphériques")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["kiosk", "-at"], name="peripheralreport_latest")]

    def __str__(self) -> str:
        return f"{self.kiosk_id} {self.at:%Y-%m-%d %H:%M:%S}"


class BridgeWipe(models.Model):
    """Append-only: the bridge says it wiped its working folder after a call (`files` removed)."""

    kiosk = models.ForeignKey(Kiosk, verbose_name=_("borne"), on_delete=models.CASCADE, related_name="+")
    call = models.ForeignKey(Call, verbose_name=_("appel"), on_delete=models.CASCADE, related_name="+")
    files = models.PositiveIntegerField(_("fichiers effacés"))
    at = models.DateTimeField(_("date"))

    class Meta:
        verbose_name = _("effacement sur la borne")
        verbose_name_plural = _("effacements sur les bornes")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kiosk_id} #{self.call_id} {self.files}"


class PartnerDocumentPolicy(models.Model):
    """How long a partner keeps the documents of its calls after the call ended (no row: 24 hours)."""

    partner = models.OneToOneField(
        Partner, verbose_name=_("partenaire"), on_delete=models.CASCADE, related_name="document_policy"
    )
    retention_hours = models.PositiveIntegerField(
        _("durée de conservation (heures)"),
        default=DEFAULT_RETENTION_HOURS,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 31)],
        help_text=_(
            "Les fichiers reçus et envoyés pendant un appel sont supprimés ce nombre d'heures après la fin de "
            "l'appel (de 1 heure à 31 jours)."
        ),
    )

    class Meta:
        verbose_name = _("conservation des documents")
        verbose_name_plural = _("conservation des documents")
        ordering = ["partner"]

    def __str__(self) -> str:
        return f"{self.partner} : {self.retention_hours} h"
