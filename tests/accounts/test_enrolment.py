from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from visiorelais.accounts.models import KioskEnrolment, KioskToken
from visiorelais.accounts.selectors import kiosk_from_token
from visiorelais.accounts.services import (
    EnrolmentError,
    kiosk_enrol,
    kiosk_enrolment_issue,
    kiosk_token_revoke,
    secret_hash,
)


def test_an_issued_code_is_kept_only_as_a_hash(world):
    enrolment, code = kiosk_enrolment_issue(kiosk=world.kiosk_coutances, issued_by=world.olivia)
    assert len(code) == 11 and code[5] == "-"
    assert enrolment.code_hash == secret_hash(code.replace("-", ""))
    assert code.replace("-", "") not in str(KioskEnrolment.objects.values_list().get())


def test_a_code_becomes_a_token_that_authenticates_its_kiosk(world):
    _, code = kiosk_enrolment_issue(kiosk=world.kiosk_coutances, issued_by=world.olivia)
    token, raw = kiosk_enrol(code=code.lower())
    assert token.token_hash == secret_hash(raw) and raw not in token.token_hash
    assert kiosk_from_token(raw) == world.kiosk_coutances


def test_a_code_serves_only_once(world):
    _, code = kiosk_enrolment_issue(kiosk=world.kiosk_coutances, issued_by=world.olivia)
    kiosk_enrol(code=code)
    with pytest.raises(EnrolmentError, match="déjà servi"):
        kiosk_enrol(code=code)
    assert KioskToken.objects.count() == 1


def test_an_expired_code_is_refused(world, settings):
    settings.KIOSK_ENROLMENT_TTL_MINUTES = 30
    _, code = kiosk_enrolment_issue(kiosk=world.kiosk_coutances, issued_by=world.olivia)
    with (
        time_machine.travel(timezone.now() + timedelta(minutes=31)),
        pytest.raises(EnrolmentError, match="expiré"),
    ):
        kiosk_enrol(code=code)
    assert not KioskToken.objects.exists()


def test_an_unknown_or_malformed_code_is_refused(world):
    with pytest.raises(EnrolmentError, match="inconnu"):
        kiosk_enrol(code="ABCDE-23456")
    with pytest.raises(EnrolmentError, match="format"):
        kiosk_enrol(code="abc")


def test_a_retired_kiosk_gets_no_code(world):
    with pytest.raises(EnrolmentError, match="retirée"):
        kiosk_enrolment_issue(kiosk=world.kiosk_retired, issued_by=world.olivia)


def test_a_revoked_token_no_longer_authenticates(world):
    _, code = kiosk_enrolment_issue(kiosk=world.kiosk_coutances, issued_by=world.olivia)
    token, raw = kiosk_enrol(code=code)
    kiosk_token_revoke(token=token, revoked_by=world.olivia)
    assert kiosk_from_token(raw) is None
    token.refresh_from_db()
    assert token.revoked_by == world.olivia


def test_a_token_of_a_kiosk_retired_later_no_longer_authenticates(world):
    _, code = kiosk_enrolment_issue(kiosk=world.kiosk_saint_lo, issued_by=world.olivia)
    _, raw = kiosk_enrol(code=code)
    world.kiosk_saint_lo.status = "retired"
    world.kiosk_saint_lo.save()
    assert kiosk_from_token(raw) is None


@pytest.mark.parametrize("raw", [None, "", "x" * 500, "not-a-token"])
def test_garbage_tokens_authenticate_nothing(world, raw):
    assert kiosk_from_token(raw) is None
