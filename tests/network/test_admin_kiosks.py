"""Kiosks in the back-office: enrolment codes are issued from the kiosk list, by the operator only."""

from django.utils import timezone
from django.utils.formats import date_format

from tests.admin_pages import admin_url, page_text
from visiorelais.accounts.models import KioskEnrolment
from visiorelais.accounts.services import secret_hash
from visiorelais.network.models import Kiosk


def issue_codes(client, *kiosks):
    return client.post(
        admin_url(Kiosk, "changelist"),
        {"action": "issue_enrolment_code", "_selected_action": [kiosk.pk for kiosk in kiosks]},
        follow=True,
    )


def test_the_operator_gets_a_code_shown_once_with_its_expiry(client, world):
    client.force_login(world.olivia)
    response = issue_codes(client, world.kiosk_coutances)
    [message] = [str(m) for m in response.context["messages"]]
    enrolment = KioskEnrolment.objects.get()
    assert enrolment.kiosk == world.kiosk_coutances and enrolment.issued_by == world.olivia
    code = message.split(" : ")[1].split(".")[0]
    assert enrolment.code_hash == secret_hash(code.replace("-", ""))
    assert date_format(timezone.localtime(enrolment.expires_at), "DATETIME_FORMAT") in message
    assert "il ne sera plus affiché" in message

    again = page_text(client.get(admin_url(Kiosk, "changelist")))
    assert code not in again


def test_a_retired_kiosk_gets_no_code_and_the_operator_is_told_why(client, world):
    client.force_login(world.olivia)
    response = issue_codes(client, world.kiosk_retired)
    [message] = list(response.context["messages"])
    assert message.level_tag == "error"
    assert "BRN-OLD-01" in str(message) and "retirée du réseau" in str(message)
    assert not KioskEnrolment.objects.exists()


def test_a_site_manager_cannot_issue_codes_for_its_kiosks(client, world):
    client.force_login(world.mona)
    listing = client.get(admin_url(Kiosk, "changelist"))
    action_form = listing.context["action_form"]
    assert action_form is None or "issue_enrolment_code" not in dict(action_form.fields["action"].choices)
    issue_codes(client, world.kiosk_coutances)
    assert not KioskEnrolment.objects.exists()


def test_the_kiosk_list_is_searchable_and_filterable(client, world):
    client.force_login(world.olivia)
    found = client.get(admin_url(Kiosk, "changelist"), {"q": "Saint-Lô"}).context["cl"].result_list
    assert set(found) == {world.kiosk_saint_lo, world.kiosk_retired}
    retired = client.get(admin_url(Kiosk, "changelist"), {"status__exact": "retired"}).context["cl"].result_list
    assert list(retired) == [world.kiosk_retired]
