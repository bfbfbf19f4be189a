"""People in the back-office: who creates whom, with which role, and passwords that work."""

from django.urls import reverse

from tests.admin_pages import admin_url, form_data, page_text
from tests.conftest import make_user
from visiorelais.accounts.models import Role, User

NEW_PASSWORD = "Une-phrase-de-passe-2025"


def add_user(client, **fields):
    """Posts the add-user form as the logged-in user, starting from what the form offers."""
    url = admin_url(User, "add")
    data = form_data(client.get(url))
    data |= {"password1": [NEW_PASSWORD], "password2": [NEW_PASSWORD]}
    data |= {name: value if isinstance(value, list) else [value] for name, value in fields.items()}
    return client.post(url, data)


def test_the_operator_creates_a_partner_agent_who_can_log_in(client, world):
    client.force_login(world.olivia)
    response = add_user(client, username="camille", role=Role.PARTNER_AGENT, partner=str(world.cpam.pk))
    assert response.status_code == 302, page_text(response)
    camille = User.objects.get(username="camille")
    assert (camille.role, camille.partner, camille.is_staff) == (Role.PARTNER_AGENT, world.cpam, False)
    client.logout()
    assert client.login(username="camille", password=NEW_PASSWORD)


def test_the_operator_is_told_in_french_that_a_partner_agent_needs_a_partner(client, world):
    client.force_login(world.olivia)
    response = add_user(client, username="camille", role=Role.PARTNER_AGENT)
    assert response.status_code == 200
    assert "Choisissez le partenaire de cet agent." in page_text(response)
    assert not User.objects.filter(username="camille").exists()


def test_a_site_manager_created_by_the_operator_gets_the_back_office(client, world):
    client.force_login(world.olivia)
    response = add_user(client, username="sylvie", role=Role.SITE_MANAGER, host_sites=[str(world.saint_lo.pk)])
    assert response.status_code == 302, page_text(response)
    sylvie = User.objects.get(username="sylvie")
    assert sylvie.is_staff and list(sylvie.host_sites.all()) == [world.saint_lo]


def test_the_operator_sets_a_new_password_for_someone(client, world):
    client.force_login(world.olivia)
    url = reverse("admin:auth_user_password_change", args=[world.bob.pk])
    response = client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"})
    assert response.status_code == 302, page_text(response)
    client.logout()
    assert client.login(username="bob", password=NEW_PASSWORD)


def test_a_partner_admin_sets_the_password_of_its_agent(client, world):
    client.force_login(world.paula)
    url = reverse("admin:auth_user_password_change", args=[world.alice.pk])
    response = client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"})
    assert response.status_code == 302, page_text(response)
    world.alice.refresh_from_db()
    assert world.alice.check_password(NEW_PASSWORD)


def test_a_partner_admin_creates_only_agents_of_its_own_partner(client, world):
    client.force_login(world.paula)
    form = client.get(admin_url(User, "add")).context["adminform"].form
    assert not {"role", "partner", "host_sites", "is_superuser"} & set(form.fields)

    response = add_user(client, username="camille", role=Role.OPERATOR, partner=str(world.cpam.pk), is_superuser="on")
    assert response.status_code == 302, page_text(response)
    camille = User.objects.get(username="camille")
    assert (camille.role, camille.partner, camille.is_superuser, camille.is_staff) == (
        Role.PARTNER_AGENT,
        world.caf,
        False,
        False,
    )


def test_a_partner_admin_cannot_promote_its_agent(client, world):
    client.force_login(world.paula)
    url = admin_url(User, "change", world.alice.pk)
    data = form_data(client.get(url))
    data |= {"role": [Role.OPERATOR], "partner": [str(world.cpam.pk)], "is_superuser": ["on"]}
    assert client.post(url, data).status_code == 302
    world.alice.refresh_from_db()
    assert (world.alice.role, world.alice.partner, world.alice.is_superuser) == (
        Role.PARTNER_AGENT,
        world.caf,
        False,
    )


def test_a_site_manager_creates_host_agents_of_its_own_sites_only(client, world):
    client.force_login(world.mona)
    form = client.get(admin_url(User, "add")).context["adminform"].form
    assert list(form.fields["host_sites"].queryset) == [world.coutances]

    refused = add_user(client, username="yann", host_sites=[str(world.saint_lo.pk)])
    assert refused.status_code == 200 and "Sélectionnez un choix valide" in page_text(refused)
    without_site = add_user(client, username="yann", host_sites=[])
    assert without_site.status_code == 200 and "Ce champ est obligatoire" in page_text(without_site)
    assert not User.objects.filter(username="yann").exists()

    created = add_user(client, username="yann", role=Role.OPERATOR, host_sites=[str(world.coutances.pk)])
    assert created.status_code == 302, page_text(created)
    yann = User.objects.get(username="yann")
    assert (yann.role, yann.partner, yann.is_staff) == (Role.HOST_AGENT, None, False)
    assert list(yann.host_sites.all()) == [world.coutances]


def test_a_site_manager_editing_a_host_agent_keeps_its_other_sites(client, world):
    both = make_user("lea", Role.HOST_AGENT, sites=[world.coutances, world.saint_lo])
    client.force_login(world.mona)
    url = admin_url(User, "change", both.pk)
    data = form_data(client.get(url))
    assert data["host_sites"] == [str(world.coutances.pk)]
    data["last_name"] = ["Martin"]
    assert client.post(url, data).status_code == 302
    both.refresh_from_db()
    assert both.last_name == "Martin"
    assert set(both.host_sites.all()) == {world.coutances, world.saint_lo}
