"""The documents' back-office: each partner's retention, and what the kiosks' bridges report (read only).
Who sees what follows visiorelais.accounts.access."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from visiorelais.accounts.admin import ScopedModelAdmin
from visiorelais.documents.models import BridgeWipe, PartnerDocumentPolicy, PeripheralReport


@admin.register(PartnerDocumentPolicy)
class PartnerDocumentPolicyAdmin(ScopedModelAdmin):
    list_display = ("partner", "retention_hours")
    ordering = ("partner__short_name",)


def _health(part: dict | None) -> str:
    if not part or not part.get("present"):
        return _("absent")
    return _("prêt") if part.get("ready") else _("pas prêt")


@admin.register(PeripheralReport)
class PeripheralReportAdmin(ScopedModelAdmin):
    """The bridges' health over time: a row per change, its last report moving `last_seen_at`."""

    list_display = ("kiosk", "scanner_state", "printer_state", "printer_reasons", "at", "last_seen_at")
    list_filter = ("kiosk__site",)
    search_fields = ("kiosk__code", "kiosk__label")
    readonly_fields = ("kiosk", "at", "last_seen_at", "scanner", "printer")
    list_select_related = ("kiosk",)

    @admin.display(description=_("scanner"))
    def scanner_state(self, report: PeripheralReport) -> str:
        return _health(report.scanner)

    @admin.display(description=_("imprimante"))
    def printer_state(self, report: PeripheralReport) -> str:
        return _health(report.printer)

    @admin.display(description=_("alertes de l'imprimante"))
    def printer_reasons(self, report: PeripheralReport) -> str:
        return ", ".join((report.printer or {}).get("reasons", [])) or "—"


@admin.register(BridgeWipe)
class BridgeWipeAdmin(ScopedModelAdmin):
    """The bridges' records that they wiped a call's files."""

    list_display = ("kiosk", "call", "files", "at")
    search_fields = ("kiosk__code",)
    readonly_fields = ("kiosk", "call", "files", "at")
    list_select_related = ("kiosk",)
