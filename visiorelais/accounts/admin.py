"""The back-office for people and kiosk credentials, and the admin base classes that apply the access policy.

Every admin page and inline of the project derives from `ScopedModelAdmin` or `ScopedTabularInline`, so
`visiorelais.accounts.access.POLICY` alone decides what a user sees, may do, and may pick in a form.
Django's per-user permission tables play no part.
"""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Model
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from visiorelais.accounts.access import (
    ADD,
    CHANGE,
    DELETE,
    GOVERNED_MODELS,
    VIEW,
    Scope,
    admin_scope,
    created_user_role,
    role_of,
)
from visiorelais.accounts.models import PARTNER_ROLES, KioskEnrolment, KioskToken, Role, User
from visiorelais.accounts.services import kiosk_token_revoke
from visiorelais.network.models import HostSite


class ScopedAdminMixin:
    """Permissions, rows and form choices from the access policy, for model admins and inlines alike.

    A relation to a model the user does not reach at all is shown read-only; any other relation offers only
    the rows the user reaches.
    """

    def scope(self, request, model: type[Model] | None = None) -> Scope:
        model = model or self.model
        # One policy lookup per model and request: permission checks run many times per page.
        cache = request.__dict__.setdefault("_admin_scopes", {})
        if model not in cache:
            cache[model] = admin_scope(request.user, model)
        return cache[model]

    def get_queryset(self, request):
        return self.scope(request).queryset(super().get_queryset(request))

    def has_module_permission(self, request):
        return bool(self.scope(request).actions)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        self._limit_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        self._limit_choices(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def _limit_choices(self, db_field, request, kwargs) -> None:
        related = db_field.remote_field.model
        if related in GOVERNED_MODELS:
            queryset = kwargs["queryset"] if "queryset" in kwargs else related._default_manager.all()
            kwargs["queryset"] = self.scope(request, related).queryset(queryset)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        parent = getattr(self, "parent_model", None)
        for field in [*self.model._meta.fields, *self.model._meta.many_to_many]:
            related = field.related_model if field.is_relation else None
            if (
                related in GOVERNED_MODELS
                and related is not parent
                and field.editable
                and field.name not in readonly
                and not self.scope(request, related).actions
            ):
                readonly.append(field.name)
        return readonly


class ScopedModelAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """A model admin whose permissions, rows and choices follow the access policy."""

    def in_scope(self, request, obj) -> bool:
        return obj is None or obj.pk is None or self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_view_permission(self, request, obj=None):
        scope = self.scope(request)
        return (scope.allows(VIEW) or scope.allows(CHANGE)) and self.in_scope(request, obj)

    def has_add_permission(self, request):
        return self.scope(request).allows(ADD)

    def has_change_permission(self, request, obj=None):
        return self.scope(request).allows(CHANGE) and self.in_scope(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.scope(request).allows(DELETE) and self.in_scope(request, obj)


class ScopedTabularInline(ScopedAdminMixin, admin.TabularInline):
    """An inline whose permissions, rows and choices follow the access policy for its own model.

    `obj` is the parent object here; the rows themselves are narrowed by `get_queryset`.
    """

    extra = 0

    def has_view_permission(self, request, obj=None):
        scope = self.scope(request)
        return scope.allows(VIEW) or scope.allows(CHANGE)

    def has_add_permission(self, request, obj):
        return self.scope(request).allows(ADD)

    def has_change_permission(self, request, obj=None):
        return self.scope(request).allows(CHANGE)

    def has_delete_permission(self, request, obj=None):
        return self.scope(request).allows(DELETE)


@admin.register(User)
class UserAdmin(ScopedModelAdmin, DjangoUserAdmin):
    """Users, on Django's user admin. Roles replace Django's groups and permissions, which are not shown.

    A partner admin creates partner agents of its own partner, a site manager host agents of its own sites:
    the role (and partner) are forced on save, whatever was posted.
    """

    list_display = ("username", "full_name", "role", "partner", "is_active", "last_login")
    list_filter = (
        "role",
        ("partner", admin.RelatedOnlyFieldListFilter),
        ("host_sites", admin.RelatedOnlyFieldListFilter),
        "is_active",
    )
    search_fields = ("username", "first_name", "last_name", "email")
    filter_horizontal = ("host_sites",)

    def get_list_display(self, request):
        if role_of(request.user) == Role.OPERATOR:
            return self.list_display
        # Everyone else sees one role and, for a partner admin, one partner: columns that would never vary.
        return ("username", "full_name", "email", "is_active", "last_login")

    def get_list_filter(self, request):
        forced = created_user_role(request.user)
        if forced is None:
            return self.list_filter
        if forced == Role.HOST_AGENT:
            return (("host_sites", admin.RelatedOnlyFieldListFilter), "is_active")
        return ("is_active",)

    @admin.display(description=_("nom"), ordering="last_name")
    def full_name(self, obj: User) -> str:
        return obj.get_full_name()

    def get_fieldsets(self, request, obj=None):
        role = role_of(request.user)
        if obj is None:
            account = (
                None,
                {"classes": ("wide",), "fields": ("username", "usable_password", "password1", "password2")},
            )
        else:
            account = (None, {"fields": ("username", "password")})
        forced = created_user_role(request.user)
        if role == Role.OPERATOR:
            attachment = ("role", "partner", "host_sites")
            status = ("is_active", "is_superuser")
        else:
            attachment = ("host_sites",) if forced == Role.HOST_AGENT else ()
            if obj is not None:
                attachment = ("role", *(("partner",) if forced in PARTNER_ROLES else ()), *attachment)
            status = ("is_active",)
        fieldsets = [account, (_("Identité"), {"fields": ("first_name", "last_name", "email")})]
        if obj is None and forced is not None:
            description = _("Le compte créé sera celui d'un %(role)s.") % {"role": forced.label}
            fieldsets.append((_("Rôle et rattachement"), {"fields": attachment, "description": description}))
        elif attachment:
            fieldsets.append((_("Rôle et rattachement"), {"fields": attachment}))
        fieldsets.append((_("Statut"), {"fields": status}))
        if obj is not None:
            fieldsets.append((_("Dates importantes"), {"fields": ("last_login", "date_joined")}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        readonly = [*super().get_readonly_fields(request, obj), "last_login", "date_joined"]
        if role_of(request.user) != Role.OPERATOR:
            readonly += ["role", "partner"]
        return readonly

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "host_sites" and created_user_role(request.user) == Role.HOST_AGENT:
            # A host agent with none of the manager's sites would drop out of the manager's reach.
            kwargs["required"] = True
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        forced = created_user_role(request.user)
        if forced is not None and not change:
            obj.role = forced
            obj.partner_id = request.user.partner_id if forced in PARTNER_ROLES else None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        user = form.instance
        # The form offers only the sites the editor reaches; the user's other sites must survive the save.
        hidden_sites = []
        if change and "host_sites" in form.fields:
            reachable = self.scope(request, HostSite).queryset(HostSite.objects.all())
            hidden_sites = list(user.host_sites.exclude(pk__in=reachable.values("pk")))
        super().save_related(request, form, formsets, change)
        if hidden_sites:
            user.host_sites.add(*hidden_sites)


@admin.register(KioskEnrolment)
class KioskEnrolmentAdmin(ScopedModelAdmin):
    """Enrolment codes: issued by the "Émettre un code d'enrôlement" action on kiosks, only listed here."""

    list_display = ("kiosk", "issued_by", "issued_at", "expires_at", "used_at")
    list_filter = (("kiosk", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("kiosk__code", "kiosk__label")
    fields = ("kiosk", "issued_by", "issued_at", "expires_at", "used_at")
    readonly_fields = fields
    list_select_related = ("kiosk", "issued_by")


class TokenStateFilter(admin.SimpleListFilter):
    title = _("état")
    parameter_name = "etat"

    def lookups(self, request, model_admin):
        return [("actif", _("actif")), ("revoque", _("révoqué"))]

    def queryset(self, request, queryset):
        if self.value() == "actif":
            return queryset.filter(revoked_at__isnull=True)
        if self.value() == "revoque":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(KioskToken)
class KioskTokenAdmin(ScopedModelAdmin):
    """Device tokens: created when a kiosk enrols, revoked from here, never edited."""

    list_display = ("kiosk", "prefix", "created_at", "last_seen_at", "revoked_at", "revoked_by")
    list_filter = (TokenStateFilter, ("kiosk", admin.RelatedOnlyFieldListFilter))
    search_fields = ("kiosk__code", "prefix")
    fields = ("kiosk", "prefix", "enrolment", "created_at", "last_seen_at", "revoked_at", "revoked_by")
    readonly_fields = fields
    list_select_related = ("kiosk", "revoked_by")
    actions = ["revoke"]

    @admin.action(description=_("Révoquer les jetons sélectionnés"), permissions=["change"])
    def revoke(self, request, queryset):
        active = list(queryset.filter(revoked_at__isnull=True))
        for token in active:
            kiosk_token_revoke(token=token, revoked_by=request.user)
        if active:
            self.message_user(
                request,
                ngettext(
                    "%(count)d jeton révoqué : sa borne devra être enrôlée à nouveau.",
                    "%(count)d jetons révoqués : leurs bornes devront être enrôlées à nouveau.",
                    len(active),
                )
                % {"count": len(active)},
                messages.SUCCESS,
            )
        else:
            self.message_user(request, _("Ces jetons étaient déjà révoqués."), messages.WARNING)
