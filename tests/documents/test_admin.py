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


def test_the_bridges_health_is_read_only_and_scoped_to_the_site_managers_kiosks(world):
    from django.utils import timezone

    from visiorelais.documents.models import PeripheralReport

    now = timezone.now()
    healthy = {"present": True, "ready": True, "detail": "", "adf": True}
    stopped = {"present": True, "ready": False, "state": "stopped", "reasons": ["media-empty-error"]}
    PeripheralReport.objects.create(
        kiosk=world.kiosk_coutances, at=now, last_seen_at=now, scanner=healthy, printer=stopped
    )
    PeripheralReport.objects.create(kiosk=world.kiosk_saint_lo, at=now, last_seen_at=now, scanner=healthy, printer={})
    url = "/admin/documents/peripheralreport/"

    operator = agent_client(world.olivia).get(url)
    assert operator.status_code == 200
    assert "BRN-COUT-01" in operator.text and "BRN-STLO-01" in operator.text and "media-empty-error" in operator.text
    assert agent_client(world.olivia).get(url + "add/").status_code == 403

    manager = agent_client(world.mona).get(url)  # site manager of Coutances only
    assert manager.status_code == 200
    assert "BRN-COUT-01" in manager.text and "BRN-STLO-01" not in manager.text

    assert agent_client(world.paula).get(url).status_code == 403
