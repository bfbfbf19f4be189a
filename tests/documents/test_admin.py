"""Each partner's retention in the back-office: the operator sees every partner's, a partner admin its own."""

from tests.documents.conftest import agent_client
from visiorelais.documents.models import PartnerDocumentPolicy

URL = "/admin/documents/partnerdocumentpolicy/"


def test_the_operator_sees_every_policy_and_a_partner_admin_only_its_own(world):
    caf = PartnerDocumentPolicy.objects.create(partner=world.caf, retention_hours=48)
    cpam = PartnerDocumentPolicy.objects.create(partner=world.cpam, retention_hours=12)
    assert agent_client(world.olivia).get(URL).status_code == 200
    paula = agent_client(world.paula)
    listing = paula.get(URL)
    assert listing.status_code == 200
    assert list(listing.context["cl"].queryset) == [caf]
    assert paula.get(f"{URL}{cpam.pk}/change/").status_code in (302, 403, 404)
    response = paula.post(f"{URL}{caf.pk}/change/", {"partner": world.caf.pk, "retention_hours": 72})
    assert response.status_code == 302
    caf.refresh_from_db()
    assert caf.retention_hours == 72


def test_a_partner_admin_cannot_give_itself_another_partners_policy(world):
    response = agent_client(world.paula).post(f"{URL}add/", {"partner": world.cpam.pk, "retention_hours": 1})
    assert response.status_code == 200  # the form is shown again with an error
    assert not PartnerDocumentPolicy.objects.exists()


def test_agents_and_site_managers_have_no_access(world):
    for user in (world.alice, world.mona, world.oscar):
        assert agent_client(user).get(URL).status_code in (302, 403)


def test_a_retention_outside_one_hour_to_31_days_is_refused(world):
    response = agent_client(world.olivia).post(f"{URL}add/", {"partner": world.caf.pk, "retention_hours": 0})
    assert response.status_code == 200
    assert not PartnerDocumentPolicy.objects.exists()
