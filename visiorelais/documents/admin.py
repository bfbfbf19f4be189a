"""The documents' back-office: each partner's retention. Who sees what follows visiorelais.accounts.access."""

from django.contrib import admin

from visiorelais.accounts.admin import ScopedModelAdmin
from visiorelais.documents.models import PartnerDocumentPolicy


@admin.register(PartnerDocumentPolicy)
class PartnerDocumentPolicyAdmin(ScopedModelAdmin):
    list_display = ("partner", "retention_hours")
    ordering = ("partner__short_name",)
