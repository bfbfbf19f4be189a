"""The back-office of appointments and callbacks: a partner admin opens slots, one by one or as a series, and
sets its callback delays. Who sees what follows visiorelais.accounts.access; bookings and callbacks are handled
on their own pages (/rendez-vous/, /rappels/) and only read here."""

from django.contrib import admin, messages
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from visiorelais.accounts.access import role_of
from visiorelais.accounts.admin import ScopedModelAdmin
from visiorelais.accounts.models import Role
from visiorelais.network.models import Entitlement, HostSite, Kiosk
from visiorelais.scheduling.models import (
    Appointment,
    CallbackRequest,
    PartnerCallbackPolicy,
    Slot,
    SlotSeries,
)
from visiorelais.scheduling.phones import phone_masked
from visiorelais.scheduling.selectors import LIVE
from visiorelais.scheduling.services import slot_series_open


def partner_kiosks(request):
    """The kiosks a slot of the user's partner may name: those where the partner is open (the operator: all)."""
    kiosks = Kiosk.objects.exclude(status=Kiosk.Status.RETIRED)
    if role_of(request.user) == Role.OPERATOR:
        return kiosks
    rows = Entitlement.objects.filter(partner_id=request.user.partner_id)
    if rows.filter(kiosk__isnull=True).exists():
        return kiosks
    return kiosks.filter(pk__in=rows.values("kiosk"))


class SlotPlaceAdmin(ScopedModelAdmin):
    """A partner admin reaches no kiosk nor site in the back-office, yet places its slots at one: the choices
    are the kiosks where the partner is open, and their sites."""

    PLACE_FIELDS = ("kiosk", "site")

    def get_readonly_fields(self, request, obj=None):
        return [name for name in super().get_readonly_fields(request, obj) if name not in self.PLACE_FIELDS]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "kiosk":
            kwargs["queryset"] = partner_kiosks(request).select_related("site")
            return admin.ModelAdmin.formfield_for_foreignkey(self, db_field, request, **kwargs)
        if db_field.name == "site":
            kwargs["queryset"] = HostSite.objects.filter(kiosks__in=partner_kiosks(request)).distinct()
            return admin.ModelAdmin.formfield_for_foreignkey(self, db_field, request, **kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change and role_of(request.user) != Role.OPERATOR:
            obj.partner_id = request.user.partner_id
        super().save_model(request, obj, form, change)


@admin.register(SlotSeries)
class SlotSeriesAdmin(SlotPlaceAdmin):
    """A series opens its slots on save, some months ahead; the `open-slot-series` command extends it daily."""

    list_display = ("partner", "describe", "station", "kiosk", "site", "first_day", "last_day")
    list_filter = (("partner", admin.RelatedOnlyFieldListFilter),)
    fieldsets = [
        (None, {"fields": ("partner", "station", "kiosk", "site")}),
        (_("Récurrence"), {"fields": ("rule", "rank", "weekday", "start_time", "end_time", "slot_minutes")}),
        (_("Période"), {"fields": ("first_day", "last_day")}),
    ]
    actions = ["open_slots"]

    @admin.display(description=_("règle"))
    def describe(self, obj: SlotSeries) -> str:
        return obj.describe()

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self._open(request, [obj])

    @admin.action(description=_("Ouvrir les créneaux des séries choisies"))
    def open_slots(self, request, queryset):
        self._open(request, list(queryset))

    def _open(self, request, series_list) -> None:
        created = skipped = 0
        for series in series_list:
            opened = slot_series_open(series=series)
            created += len(opened.created)
            skipped += len([start for start, code in opened.skipped if code != "closed"])
        self.message_user(
            request,
            ngettext("%(count)d créneau ouvert.", "%(count)d créneaux ouverts.", created) % {"count": created},
            messages.SUCCESS,
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d créneau non ouvert : il en chevauche un autre.",
                    "%(count)d créneaux non ouverts : ils en chevauchent d'autres.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )


class UpcomingFilter(admin.SimpleListFilter):
    title = _("période")
    parameter_name = "periode"

    def lookups(self, request, model_admin):
        return [("a-venir", _("à venir")), ("passes", _("passés"))]

    def queryset(self, request, queryset):
        if self.value() == "a-venir":
            return queryset.filter(ends_at__gt=timezone.now())
        if self.value() == "passes":
            return queryset.filter(ends_at__lte=timezone.now())
        return queryset


@admin.register(Slot)
class SlotAdmin(SlotPlaceAdmin):
    list_display = ("starts_at", "length_minutes", "partner", "station", "kiosk", "site", "active", "booked")
    list_filter = (UpcomingFilter, ("partner", admin.RelatedOnlyFieldListFilter), "active")
    fields = ("partner", "station", "kiosk", "site", "starts_at", "length_minutes", "active", "series")
    readonly_fields = ("series",)
    date_hierarchy = "starts_at"
    list_select_related = ("partner", "station", "kiosk", "site")

    def get_queryset(self, request):
        # Whether each slot is booked, read with the list rather than once per row.
        held = Appointment.objects.filter(LIVE | Q(status=Appointment.Status.COMPLETED), slot=OuterRef("pk"))
        return super().get_queryset(request).annotate(is_booked=Exists(held))

    @admin.display(description=_("réservé"), boolean=True)
    def booked(self, obj: Slot) -> bool:
        return obj.is_booked


@admin.register(Appointment)
class AppointmentAdmin(ScopedModelAdmin):
    list_display = ("slot", "name", "topic", "status", "booked_at", "booked_by", "erased_at")
    list_filter = ("status",)
    search_fields = ("name", "code")
    fields = (
        "slot",
        "name",
        "topic",
        "status",
        "code",
        "booked_by",
        "booked_at",
        "checked_in_at",
        "closed_at",
        "erased_at",
    )
    readonly_fields = fields
    list_select_related = ("slot__partner", "slot__kiosk", "slot__site", "topic", "booked_by")


@admin.register(CallbackRequest)
class CallbackRequestAdmin(ScopedModelAdmin):
    list_display = ("requested_at", "partner", "kiosk", "topic", "reason", "status", "masked_phone", "erased_at")
    list_filter = ("status", "reason")
    fields = (
        "partner",
        "kiosk",
        "topic",
        "masked_phone",
        "preferred_period",
        "reason",
        "status",
        "requested_at",
        "taken_by",
        "closed_at",
        "erased_at",
    )
    readonly_fields = fields
    list_select_related = ("partner", "kiosk", "topic")

    @admin.display(description=_("téléphone"))
    def masked_phone(self, obj: CallbackRequest) -> str:
        return phone_masked(obj.phone) if obj.phone else "—"


@admin.register(PartnerCallbackPolicy)
class PartnerCallbackPolicyAdmin(ScopedModelAdmin):
    list_display = ("partner", "wait_limit_minutes", "erase_after_days")
    ordering = ("partner__short_name",)
