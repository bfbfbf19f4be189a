"""The network's back-office: host authorities and sites, kiosks, partners and what they offer.

Who sees and changes what is decided by `visiorelais.accounts.access`; these classes only lay out the pages.
"""

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from visiorelais.accounts.access import ISSUE_ENROLMENT_CODE, may_perform, role_of
from visiorelais.accounts.admin import ScopedModelAdmin, ScopedTabularInline
from visiorelais.accounts.models import Role
from visiorelais.accounts.services import EnrolmentError, kiosk_enrolment_issue
from visiorelais.network.forms import WeeklyRangeInlineFormSet
from visiorelais.network.models import (
    Closure,
    Entitlement,
    HostAuthority,
    HostSite,
    Kiosk,
    Partner,
    ServiceWindow,
    SiteOpening,
    Station,
    Topic,
)

related_only = admin.RelatedOnlyFieldListFilter


def operator_only(request, readonly, *fields: str) -> list[str]:
    """`readonly` plus `fields`, unless the user is the operator, who alone may edit them."""
    return list(readonly) if role_of(request.user) == Role.OPERATOR else [*readonly, *fields]


class SiteOpeningInline(ScopedTabularInline):
    model = SiteOpening
    formset = WeeklyRangeInlineFormSet
    fields = ("weekday", "start", "end")


class KioskInline(ScopedTabularInline):
    """The code identifies the device to the operator and in enrolment: only the operator changes it."""

    model = Kiosk
    fields = ("code", "label", "status", "has_camera", "has_scanner", "has_printer", "has_handset")
    show_change_link = True

    def get_readonly_fields(self, request, obj=None):
        return operator_only(request, super().get_readonly_fields(request, obj), "code")


class StationInline(ScopedTabularInline):
    model = Station
    fields = ("label", "active")


class TopicInline(ScopedTabularInline):
    model = Topic
    fields = ("label", "active")


class ServiceWindowInline(ScopedTabularInline):
    model = ServiceWindow
    formset = WeeklyRangeInlineFormSet
    fields = ("weekday", "start", "end")


class ClosureInline(ScopedTabularInline):
    model = Closure
    fields = ("first_day", "last_day", "reason")


class EntitlementInline(ScopedTabularInline):
    model = Entitlement
    fields = ("kiosk", "mode")


@admin.register(HostAuthority)
class HostAuthorityAdmin(ScopedModelAdmin):
    list_display = ("name", "kind", "siren")
    list_filter = ("kind",)
    search_fields = ("name", "siren")


@admin.register(HostSite)
class HostSiteAdmin(ScopedModelAdmin):
    list_display = ("name", "commune", "kind", "authority", "confidentiality", "step_free_access")
    list_filter = ("kind", ("authority", related_only), "confidentiality", "step_free_access")
    search_fields = ("name", "commune", "postcode", "insee_code")
    list_select_related = ("authority",)
    fieldsets = (
        (None, {"fields": ("authority", "name", "kind")}),
        (_("Adresse"), {"fields": ("address", "postcode", "commune", "insee_code", "latitude", "longitude")}),
        (_("Accueil"), {"fields": ("step_free_access", "confidentiality", "phone")}),
    )
    inlines = (SiteOpeningInline, KioskInline)


@admin.register(SiteOpening)
class SiteOpeningAdmin(ScopedModelAdmin):
    list_display = ("site", "weekday", "start", "end")
    list_filter = (("site", related_only), "weekday")
    search_fields = ("site__name", "site__commune")
    list_select_related = ("site",)


@admin.register(Kiosk)
class KioskAdmin(ScopedModelAdmin):
    list_display = (
        "code",
        "label",
        "site",
        "status",
        "has_camera",
        "has_scanner",
        "has_printer",
        "has_handset",
    )
    list_filter = ("status", ("site", related_only), "has_printer", "has_scanner")
    search_fields = ("code", "label", "site__name", "site__commune")
    list_select_related = ("site",)
    fieldsets = (
        (None, {"fields": ("code", "label", "site", "status")}),
        (_("Périphériques"), {"fields": ("has_camera", "has_scanner", "has_printer", "has_handset")}),
    )
    actions = ["issue_enrolment_code"]

    def get_readonly_fields(self, request, obj=None):
        return operator_only(request, super().get_readonly_fields(request, obj), "code")

    def has_enrol_permission(self, request) -> bool:
        return may_perform(request.user, ISSUE_ENROLMENT_CODE)

    @admin.action(description=_("Émettre un code d'enrôlement"), permissions=["enrol"])
    def issue_enrolment_code(self, request, queryset):
        for kiosk in queryset:
            try:
                enrolment, code = kiosk_enrolment_issue(kiosk=kiosk, issued_by=request.user)
            except EnrolmentError as error:
                self.message_user(request, f"{kiosk.code} : {error.message}", messages.ERROR)
                continue
            expiry = date_format(timezone.localtime(enrolment.expires_at), "DATETIME_FORMAT")
            self.message_user(
                request,
                _(
                    "Code d'enrôlement de la borne %(kiosk)s : %(code)s. Saisissez-le sur la borne avant le "
                    "%(expiry)s ; il ne sera plus affiché."
                )
                % {"kiosk": kiosk.code, "code": code, "expiry": expiry},
                messages.SUCCESS,
            )


@admin.register(Partner)
class PartnerAdmin(ScopedModelAdmin):
    list_display = ("short_name", "name", "colour_swatch")
    search_fields = ("name", "short_name")
    fields = ("name", "short_name", "colour", "logo", "description")
    inlines = (StationInline, TopicInline, ServiceWindowInline, ClosureInline, EntitlementInline)

    def get_readonly_fields(self, request, obj=None):
        # Residents find a partner by its names on every kiosk; the operator keeps them consistent.
        return operator_only(request, super().get_readonly_fields(request, obj), "name", "short_name")

    @admin.display(description=_("couleur"), ordering="colour")
    def colour_swatch(self, partner: Partner):
        return format_html(
            '<span style="display:inline-block;width:1em;height:1em;background:{};vertical-align:middle"></span> {}',
            partner.colour,
            partner.colour,
        )


@admin.register(Topic)
class TopicAdmin(ScopedModelAdmin):
    list_display = ("label", "partner", "active")
    list_filter = (("partner", related_only), "active")
    search_fields = ("label", "partner__short_name")
    list_select_related = ("partner",)


@admin.register(Station)
class StationAdmin(ScopedModelAdmin):
    list_display = ("label", "partner", "active")
    list_filter = (("partner", related_only), "active")
    search_fields = ("label", "partner__short_name")
    list_select_related = ("partner",)


@admin.register(Entitlement)
class EntitlementAdmin(ScopedModelAdmin):
    list_display = ("partner", "where", "mode")
    list_filter = (("partner", related_only), "mode")
    search_fields = ("partner__short_name", "kiosk__code", "kiosk__label")
    list_select_related = ("partner", "kiosk")

    @admin.display(description=_("borne"), ordering="kiosk__code")
    def where(self, entitlement: Entitlement) -> str:
        return str(entitlement.kiosk) if entitlement.kiosk_id else _("toutes les bornes")


@admin.register(ServiceWindow)
class ServiceWindowAdmin(ScopedModelAdmin):
    list_display = ("partner", "weekday", "start", "end")
    list_filter = (("partner", related_only), "weekday")
    search_fields = ("partner__short_name",)
    list_select_related = ("partner",)


@admin.register(Closure)
class ClosureAdmin(ScopedModelAdmin):
    list_display = ("partner", "first_day", "last_day", "reason")
    list_filter = (("partner", related_only),)
    search_fields = ("partner__short_name", "reason")
    date_hierarchy = "first_day"
    list_select_related = ("partner",)
