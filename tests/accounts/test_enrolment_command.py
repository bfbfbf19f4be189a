import pytest
from django.core.management import CommandError, call_command

from visiorelais.accounts.models import KioskEnrolment
from visiorelais.accounts.services import kiosk_enrol


def test_the_command_prints_a_code_and_a_link_that_enrol_the_kiosk(world, capsys, client):
    call_command("enrolment-code", "BRN-COUT-01", "--ttl-minutes", "1440")
    out = capsys.readouterr().out
    link = next(line for line in out.splitlines() if "/borne/enrolement/?code=" in line).split()[-1]
    code = link.split("code=")[1]
    page = client.get(link.replace("http://127.0.0.1:8000", ""))
    assert f'value="{code}"' in page.text
    token, _ = kiosk_enrol(code=code)
    assert token.kiosk == world.kiosk_coutances
    enrolment = KioskEnrolment.objects.get()
    assert (enrolment.expires_at - enrolment.issued_at).total_seconds() == 1440 * 60


@pytest.mark.parametrize(("args", "message"), [(["NOPE-01"], "Aucune borne"), (["BRN-OLD-01"], "retirée")])
def test_the_command_refuses_unknown_and_retired_kiosks(world, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("enrolment-code", *args)
    assert not KioskEnrolment.objects.exists()
