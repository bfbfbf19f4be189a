"""Kiosk credentials in the back-office: tokens are listed and revoked, never written by hand."""

import secrets

from tests.admin_pages import admin_url, page_text
from visiorelais.accounts.models import KioskToken


def new_token(kiosk) -> KioskToken:
    return KioskToken.objects.create(kiosk=kiosk, token_hash=secrets.token_hex(32), prefix=secrets.token_hex(4))


def test_the_operator_revokes_tokens_from_the_list(client, world):
    active = new_token(world.kiosk_coutances)
    other = new_token(world.kiosk_saint_lo)
    client.force_login(world.olivia)
    response = client.post(
        admin_url(KioskToken, "changelist"),
        {"action": "revoke", "_selected_action": [active.pk]},
        follow=True,
    )
    assert "1 jeton révoqué" in page_text(response)
    active.refresh_from_db()
    other.refresh_from_db()
    assert active.revoked_at is not None and active.revoked_by == world.olivia
    assert other.revoked_at is None


def test_the_token_list_shows_the_prefix_never_the_hash(client, world):
    token = new_token(world.kiosk_coutances)
    client.force_login(world.olivia)
    listing = page_text(client.get(admin_url(KioskToken, "changelist")))
    assert token.prefix in listing and token.token_hash not in listing
    detail = page_text(client.get(admin_url(KioskToken, "change", token.pk)))
    assert token.token_hash not in detail


def test_the_token_list_filters_revoked_tokens(client, world):
    kept = new_token(world.kiosk_coutances)
    gone = new_token(world.kiosk_saint_lo)
    KioskToken.objects.filter(pk=gone.pk).update(revoked_at=gone.created_at)
    client.force_login(world.olivia)
    active = client.get(admin_url(KioskToken, "changelist"), {"etat": "actif"}).context["cl"].result_list
    revoked = client.get(admin_url(KioskToken, "changelist"), {"etat": "revoque"}).context["cl"].result_list
    assert list(active) == [kept] and list(revoked) == [gone]
