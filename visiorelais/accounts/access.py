"""Who may do what in the back-office: one table, read by every admin page and inline.

`POLICY` maps each role to the models it reaches; each entry gives the allowed actions (view, add, change,
delete) and the rows in reach. A model missing from a role's entry is out of reach entirely, and a role
missing from the table (partner agents, host agents) has no back-office at all. Superusers count as operators.

Choices in forms follow the same table: a relation may only point to rows the user reaches (see
`visiorelais.accounts.admin.ScopedAdminMixin`).

Choices made here, beyond the brief:
- a partner admin manages the partner agents of its partner, not itself nor other partner admins (its own
  password is changed through the back-office's "Modifier le mot de passe" link);
- a site manager manages the host agents having at least one of its sites; a host agent's other sites stay
  attached when the manager edits it, out of its sight.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Model, Q, QuerySet

from visiorelais.accounts.models import KioskEnrolment, KioskToken, Role, User
from visiorelais.documents.models import BridgeWipe, PartnerDocumentPolicy, PeripheralReport
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
from visiorelais.scheduling.models import Appointment, CallbackRequest, PartnerCallbackPolicy, Slot, SlotSeries

VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"
ACTIONS = (VIEW, ADD, CHANGE, DELETE)

RowFilter = Callable[[User], Q]


def every_row(user: User) -> Q:
    return Q()


def the_own_partner(user: User) -> Q:
    return Q(pk=user.partner_id)


def of_own_partner(user: User) -> Q:
    return Q(partner_id=user.partner_id)


def appointments_of_own_partner(user: User) -> Q:
    return Q(slot__partner_id=user.partner_id)


def agents_of_own_partner(user: User) -> Q:
    return Q(role=Role.PARTNER_AGENT, partner_id=user.partner_id)


def the_own_sites(user: User) -> Q:
    return Q(pk__in=user.host_sites.values("pk"))


def at_own_sites(user: User) -> Q:
    return Q(site__in=user.host_sites.values("pk"))


def of_kiosks_at_own_sites(user: User) -> Q:
    return Q(kiosk__site__in=user.host_sites.values("pk"))


def host_agents_of_own_sites(user: User) -> Q:
    # A subquery rather than a join, so that an agent of two of the manager's sites is listed once.
    return Q(
        role=Role.HOST_AGENT,
        pk__in=User.objects.filter(host_sites__in=user.host_sites.values("pk")).values("pk"),
    )


@dataclass(frozen=True)
class Rule:
    actions: str  # letters among "vacd": view, add, change, delete
    rows: RowFilter = every_row


NETWORK_MODELS = (
    HostAuthority,
    HostSite,
    SiteOpening,
    Kiosk,
    Partner,
    Topic,
    Station,
    Entitlement,
    ServiceWindow,
    Closure,
)
GOVERNED_MODELS = (*NETWORK_MODELS, User, KioskEnrolment, KioskToken)

POLICY: dict[Role, dict[type[Model], Rule]] = {
    Role.OPERATOR: {
        **{model: Rule("vacd") for model in NETWORK_MODELS},
        User: Rule("vacd"),
        # Codes are issued by an action on the kiosk, tokens by the kiosk itself; by hand, one only
        # deletes a code or revokes a token.
        KioskEnrolment: Rule("vd"),
        KioskToken: Rule("vc"),
        PartnerDocumentPolicy: Rule("vacd"),
        # What the kiosks' bridges report: read only.
        PeripheralReport: Rule("v"),
        BridgeWipe: Rule("v"),
        SlotSeries: Rule("vacd"),
        Slot: Rule("vacd"),
        # Booked through /rendez-vous/ and handled through /rappels/: here, only read.
        Appointment: Rule("v"),
        CallbackRequest: Rule("v"),
        PartnerCallbackPolicy: Rule("vacd"),
    },
    Role.OBSERVER: {model: Rule("v") for model in NETWORK_MODELS},
    Role.PARTNER_ADMIN: {
        Partner: Rule("vc", the_own_partner),
        Station: Rule("vacd", of_own_partner),
        Topic: Rule("vacd", of_own_partner),
        ServiceWindow: Rule("vacd", of_own_partner),
        Closure: Rule("vacd", of_own_partner),
        Entitlement: Rule("v", of_own_partner),
        User: Rule("vacd", agents_of_own_partner),
        PartnerDocumentPolicy: Rule("vac", of_own_partner),
        SlotSeries: Rule("vacd", of_own_partner),
        Slot: Rule("vacd", of_own_partner),
        Appointment: Rule("v", appointments_of_own_partner),
        CallbackRequest: Rule("v", of_own_partner),
        PartnerCallbackPolicy: Rule("vac", of_own_partner),
    },
    Role.SITE_MANAGER: {
        HostSite: Rule("vc", the_own_sites),
        SiteOpening: Rule("vacd", at_own_sites),
        Kiosk: Rule("vc", at_own_sites),
        User: Rule("vacd", host_agents_of_own_sites),
        PeripheralReport: Rule("v", of_kiosks_at_own_sites),
    },
}

# The role given to a user created by someone other than the operator.
CREATED_USER_ROLE: dict[Role, Role] = {
    Role.PARTNER_ADMIN: Role.PARTNER_AGENT,
    Role.SITE_MANAGER: Role.HOST_AGENT,
}

# Operations beyond the four actions, each granted to a set of roles.
ISSUE_ENROLMENT_CODE = "issue_enrolment_code"
OPERATIONS: dict[str, set[Role]] = {
    ISSUE_ENROLMENT_CODE: {Role.OPERATOR},
}

_LETTERS = dict(zip("vacd", ACTIONS, strict=True))


@dataclass(frozen=True)
class Scope:
    """What one user may do on one model: `actions`, and `queryset()` to narrow rows to those in reach."""

    actions: frozenset[str]
    rows: Q | None = None  # None: no row at all

    def allows(self, action: str) -> bool:
        return action in self.actions

    def queryset(self, qs: QuerySet) -> QuerySet:
        if self.rows is None:
            return qs.none()
        return qs.filter(self.rows)


NO_SCOPE = Scope(actions=frozenset())


def role_of(user) -> Role | None:
    """The role the policy applies to `user`: operator for a superuser, none for an inactive or anonymous one."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return Role.OPERATOR
    return Role(user.role) if user.role in Role.values else None


def admin_scope(user, model: type[Model]) -> Scope:
    """The actions and rows of `model` that `user` reaches in the back-office."""
    rule = POLICY.get(role_of(user), {}).get(model)
    if rule is None:
        return NO_SCOPE
    return Scope(actions=frozenset(_LETTERS[letter] for letter in rule.actions), rows=rule.rows(user))


def created_user_role(user) -> Role | None:
    """The role forced on users that `user` creates, or None when `user` chooses it (the operator)."""
    return CREATED_USER_ROLE.get(role_of(user))


def may_perform(user, operation: str) -> bool:
    """Whether `user` may run `operation`, one of `OPERATIONS`."""
    return role_of(user) in OPERATIONS[operation]
