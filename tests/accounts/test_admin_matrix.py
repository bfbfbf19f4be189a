"""The back-office permission matrix, proved through HTTP: every role × every model × every action.

Letters: v view (list page), a add (add page), c change (post a valid change), d delete (confirm a deletion);
"." nothing. Each role is played by its person of the test world. A denial is a 403 for back-office staff and
a redirect to the login page for the others; a denied change or deletion leaves the database as it was.
"""

import datetime as dt
import secrets

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.admin_pages import admin_url, form_data, page_text
from tests.conftest import make_user
from visiorelais.accounts.models import KioskEnrolment, KioskToken, Role, User
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

MATRIX = """
                 operator  observer  partner_admin  partner_agent  site_manager  host_agent
HostAuthority    vacd      v         .              .              .             .
HostSite         vacd      v         .              .              vc            .
SiteOpening      vacd      v         .              .              vacd          .
Kiosk            vacd      v         .              .              vc            .
Partner          vacd      v         vc             .              .             .
Topic            vacd      v         vacd           .              .             .
Station          vacd      v         vacd           .              .             .
Entitlement      vacd      v         v              .              .             .
ServiceWindow    vacd      v         vacd           .              .             .
Closure          vacd      v         vacd           .              .             .
User             vacd      .         vacd           .              vacd          .
KioskEnrolment   vd        .         .              .              .             .
KioskToken       vc        .         .              .              .             .
"""

PLAYED_BY = {
    "operator": "olivia",
    "observer": "oscar",
    "partner_admin": "paula",
    "partner_agent": "alice",
    "site_manager": "mona",
    "host_agent": "hugo",
}
MODELS = {
    model.__name__: model
    for model in (
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
        User,
        KioskEnrolment,
        KioskToken,
    )
}
ACTIONS = {"v": "view", "a": "add", "c": "change", "d": "delete"}


def matrix_cases():
    header, *rows = MATRIX.strip().splitlines()
    roles = header.split()
    assert set(roles) == set(Role.values)
    for row in rows:
        model, *cells = row.split()
        for role, cell in zip(roles, cells, strict=True):
            for letter, action in ACTIONS.items():
                allowed = letter in cell
                yield pytest.param(
                    role, MODELS[model], action, allowed, id=f"{role}-{model}-{action}-{'oui' if allowed else 'non'}"
                )


def assert_denied(response, user) -> None:
    if user.is_staff:
        assert response.status_code == 403, response.status_code
    else:
        assert response.status_code == 302 and response.url.startswith(reverse("admin:login")), response


# --- what each action works on ------------------------------------------------------------------------------


def new_enrolment(world) -> KioskEnrolment:
    return KioskEnrolment.objects.create(
        kiosk=world.kiosk_coutances,
        code_hash=secrets.token_hex(32),
        issued_by=world.olivia,
        expires_at=timezone.now() + dt.timedelta(hours=1),
    )


def new_token(world) -> KioskToken:
    return KioskToken.objects.create(kiosk=world.kiosk_coutances, token_hash=secrets.token_hex(32), prefix="abcd1234")


def new_agent(world, role: str) -> User:
    if role == "site_manager":
        return make_user("hector", Role.HOST_AGENT, sites=[world.coutances])
    return make_user("agathe", Role.PARTNER_AGENT, partner=world.caf)


# For each model: an object in reach of the role where the role reaches any, the field a change posts, the
# posted value and the value expected in the database afterwards. Tokens and codes have no editable field.
CHANGES = {
    HostAuthority: (lambda w, r: w.authority, "siren", "200066827", "200066827"),
    HostSite: (lambda w, r: w.coutances, "phone", "02 33 76 55 00", "02 33 76 55 00"),
    SiteOpening: (
        lambda w, r: SiteOpening.objects.create(site=w.coutances, weekday=0, start=dt.time(9), end=dt.time(12)),
        "end",
        "11:30",
        dt.time(11, 30),
    ),
    Kiosk: (lambda w, r: w.kiosk_coutances, "label", "Borne du hall", "Borne du hall"),
    Partner: (lambda w, r: w.caf, "description", "Allocations, logement", "Allocations, logement"),
    Topic: (lambda w, r: w.caf_topic, "label", "Logement", "Logement"),
    Station: (lambda w, r: w.caf_station_1, "label", "CAF poste A", "CAF poste A"),
    Entitlement: (
        lambda w, r: Entitlement.objects.get(partner=w.caf, kiosk=None),
        "mode",
        "appointment_only",
        "appointment_only",
    ),
    ServiceWindow: (
        lambda w, r: ServiceWindow.objects.get(partner=w.caf, weekday=0, start=dt.time(9)),
        "end",
        "11:30",
        dt.time(11, 30),
    ),
    Closure: (
        lambda w, r: Closure.objects.create(partner=w.caf, first_day=dt.date(2025, 5, 2), last_day=dt.date(2025, 5, 2)),
        "reason",
        "Pont de l'Ascension",
        "Pont de l'Ascension",
    ),
    User: (lambda w, r: w.hugo if r == "site_manager" else w.alice, "first_name", "Modifiée", "Modifiée"),
    KioskEnrolment: (lambda w, r: new_enrolment(w), None, None, None),
    KioskToken: (lambda w, r: new_token(w), None, None, None),
}


def deletion_victim(world, model, role: str):
    """A fresh object with nothing depending on it, in reach of `role` where the role reaches the model."""
    make = {
        HostAuthority: lambda: HostAuthority.objects.create(name="Commune de Gavray", kind=HostAuthority.Kind.COMMUNE),
        HostSite: lambda: HostSite.objects.create(
            authority=world.authority,
            name="Espace numérique de Gavray",
            kind=HostSite.Kind.PUBLIC_DIGITAL_SPACE,
            address="1 place de la Mairie",
            postcode="50450",
            commune="Gavray-sur-Sienne",
            insee_code="50197",
        ),
        SiteOpening: lambda: SiteOpening.objects.create(
            site=world.coutances, weekday=5, start=dt.time(9), end=dt.time(12)
        ),
        Kiosk: lambda: Kiosk.objects.create(site=world.coutances, code="BRN-COUT-02", label="Seconde borne"),
        Partner: lambda: Partner.objects.create(name="Union de recouvrement", short_name="URSSAF"),
        Topic: lambda: Topic.objects.create(partner=world.caf, label="Naissance"),
        Station: lambda: Station.objects.create(partner=world.caf, label="CAF poste 3"),
        Entitlement: lambda: Entitlement.objects.create(partner=world.caf, kiosk=world.kiosk_saint_lo),
        ServiceWindow: lambda: ServiceWindow.objects.create(
            partner=world.caf, weekday=5, start=dt.time(9), end=dt.time(12)
        ),
        Closure: lambda: Closure.objects.create(
            partner=world.caf, first_day=dt.date(2025, 12, 26), last_day=dt.date(2025, 12, 26)
        ),
        User: lambda: new_agent(world, role),
        KioskEnrolment: lambda: new_enrolment(world),
        KioskToken: lambda: new_token(world),
    }[model]
    victim = make()
    if model is HostSite:
        world.mona.host_sites.add(victim)
    return victim


# --- the matrix ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "model", "action", "allowed"), list(matrix_cases()))
def test_each_role_gets_exactly_the_actions_of_the_matrix(client, world, role, model, action, allowed):
    user = getattr(world, PLAYED_BY[role])
    client.force_login(user)

    if action == "view":
        response = client.get(admin_url(model, "changelist"))
        if allowed:
            assert response.status_code == 200
        else:
            assert_denied(response, user)

    elif action == "add":
        response = client.get(admin_url(model, "add"))
        if allowed:
            assert response.status_code == 200
        else:
            assert_denied(response, user)

    elif action == "change":
        make_target, field, posted, expected = CHANGES[model]
        target = make_target(world, role)
        # Logging in touches last_login, which may be the target's own.
        before = model.objects.filter(pk=target.pk).values().get() | {"last_login": None}
        url = admin_url(model, "change", target.pk)
        # A denied user posts what the operator's form would send, as a forged request would.
        client.force_login(user if allowed else world.olivia)
        data = form_data(client.get(url))
        client.force_login(user)
        if field:
            data[field] = [posted]
        response = client.post(url, data)
        after = model.objects.filter(pk=target.pk).values().get() | {"last_login": None}
        if allowed:
            assert response.status_code == 302, page_text(response)
            if field:
                assert after[field] == expected
        else:
            assert_denied(response, user)
            assert after == before

    elif action == "delete":
        victim = deletion_victim(world, model, role)
        response = client.post(admin_url(model, "delete", victim.pk), {"post": "yes"})
        if allowed:
            assert response.status_code == 302, page_text(response)
            assert not model.objects.filter(pk=victim.pk).exists()
        else:
            assert_denied(response, user)
            assert model.objects.filter(pk=victim.pk).exists()


# --- rows out of reach --------------------------------------------------------------------------------------


def test_a_partner_admin_neither_lists_nor_opens_another_partners_station(client, world):
    client.force_login(world.paula)
    listing = page_text(client.get(admin_url(Station, "changelist")))
    assert "CAF poste 1" in listing and "CPAM poste 1" not in listing

    opened = client.get(admin_url(Station, "change", world.cpam_station.pk))
    assert opened.status_code == 302 and opened.url == reverse("admin:index")

    client.post(admin_url(Station, "change", world.cpam_station.pk), {"label": "Pris", "active": "on"})
    client.post(admin_url(Station, "delete", world.cpam_station.pk), {"post": "yes"})
    world.cpam_station.refresh_from_db()
    assert world.cpam_station.label == "CPAM poste 1"


def test_a_site_manager_neither_lists_nor_opens_a_kiosk_of_another_site(client, world):
    client.force_login(world.mona)
    listing = page_text(client.get(admin_url(Kiosk, "changelist")))
    assert "BRN-COUT-01" in listing and "BRN-STLO-01" not in listing
    opened = client.get(admin_url(Kiosk, "change", world.kiosk_saint_lo.pk))
    assert opened.status_code == 302 and opened.url == reverse("admin:index")
    assert client.get(admin_url(HostSite, "change", world.saint_lo.pk)).status_code == 302


def test_a_partner_admin_lists_only_the_agents_of_its_partner(client, world):
    client.force_login(world.paula)
    listing = client.get(admin_url(User, "changelist"))
    listed = {user.username for user in listing.context["cl"].result_list}
    assert listed == {"alice"}
    assert client.get(admin_url(User, "change", world.bob.pk)).status_code == 302
    assert client.get(reverse("admin:auth_user_password_change", args=[world.bob.pk])).status_code == 404


def test_a_site_manager_lists_only_the_host_agents_of_its_sites(client, world):
    make_user("sacha", Role.HOST_AGENT, sites=[world.saint_lo])
    client.force_login(world.mona)
    listing = client.get(admin_url(User, "changelist"))
    assert {user.username for user in listing.context["cl"].result_list} == {"hugo"}


def test_the_index_shows_each_role_only_what_it_reaches(client, world):
    client.force_login(world.oscar)
    observer_index = page_text(client.get(reverse("admin:index")))
    assert "Bornes" in observer_index and "Utilisateurs" not in observer_index

    client.force_login(world.paula)
    partner_index = page_text(client.get(reverse("admin:index")))
    assert "Postes de réception" in partner_index and "Utilisateurs" in partner_index
    assert "Bornes" not in partner_index and "Sites d'accueil" not in partner_index


def test_agents_have_no_back_office_at_all(client, world):
    for agent in (world.alice, world.bob, world.hugo):
        client.force_login(agent)
        response = client.get(reverse("admin:index"))
        assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))


# --- choices in forms ---------------------------------------------------------------------------------------


def test_a_partner_admin_cannot_file_a_station_under_another_partner(client, world):
    client.force_login(world.paula)
    page = client.get(admin_url(Station, "add"))
    assert list(page.context["adminform"].form.fields["partner"].queryset) == [world.caf]

    response = client.post(admin_url(Station, "add"), {"partner": world.cpam.pk, "label": "Intrus", "active": "on"})
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in page_text(response)
    assert not Station.objects.filter(label="Intrus").exists()


def test_a_site_manager_cannot_move_a_kiosk_to_a_site_it_does_not_manage(client, world):
    client.force_login(world.mona)
    url = admin_url(Kiosk, "change", world.kiosk_coutances.pk)
    data = form_data(client.get(url))
    assert "code" not in data  # the code stays the operator's
    data["site"] = [str(world.saint_lo.pk)]
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in page_text(response)
    world.kiosk_coutances.refresh_from_db()
    assert world.kiosk_coutances.site == world.coutances


def test_a_site_managers_kiosk_inline_lists_only_the_kiosks_of_the_site(client, world):
    client.force_login(world.mona)
    page = client.get(admin_url(HostSite, "change", world.coutances.pk))
    [kiosks] = [f for f in page.context["inline_admin_formsets"] if f.opts.model is Kiosk]
    assert [form.instance for form in kiosks.formset.forms] == [world.kiosk_coutances]
    assert not kiosks.has_add_permission and not kiosks.has_delete_permission


def test_a_partner_admin_sees_its_entitlements_but_cannot_change_them_from_the_partner_page(client, world):
    client.force_login(world.paula)
    url = admin_url(Partner, "change", world.caf.pk)
    page = client.get(url)
    [entitlements] = [f for f in page.context["inline_admin_formsets"] if f.opts.model is Entitlement]
    assert not entitlements.has_change_permission

    client.force_login(world.olivia)
    data = form_data(client.get(url))
    data["entitlements-0-mode"] = ["appointment_only"]
    client.force_login(world.paula)
    assert client.post(url, data).status_code == 302
    assert Entitlement.objects.get(partner=world.caf).mode == Entitlement.Mode.WALK_IN


@pytest.mark.parametrize("role", ["operator", "observer", "partner_admin", "site_manager"])
def test_every_page_a_role_reaches_renders(client, world, role):
    new_enrolment(world)
    new_token(world)
    SiteOpening.objects.create(site=world.coutances, weekday=0, start=dt.time(9), end=dt.time(12))
    Closure.objects.create(partner=world.caf, first_day=dt.date(2025, 5, 2), last_day=dt.date(2025, 5, 2))
    client.force_login(getattr(world, PLAYED_BY[role]))
    for model in MODELS.values():
        listing = client.get(admin_url(model, "changelist"))
        if listing.status_code == 403:
            continue
        assert listing.status_code == 200
        rows = listing.context["cl"].result_list
        assert rows, model
        assert client.get(admin_url(model, "change", rows[0].pk)).status_code == 200
        assert client.get(admin_url(model, "history", rows[0].pk)).status_code == 200
