"""Reads of accounts and device credentials."""

from datetime import timedelta

from django.utils import timezone

from visiorelais.accounts.models import KioskToken
from visiorelais.accounts.services import secret_hash
from visiorelais.network.models import Kiosk

# last_seen_at is a hint for the operator, so it is written at most once a minute per token.
LAST_SEEN_RESOLUTION = timedelta(minutes=1)


def kiosk_token_lookup(raw_token: str | None) -> KioskToken | None:
    """The active token `raw_token` stands for (with its kiosk), or None when it is missing, unknown, revoked,
    or its kiosk retired."""
    if not raw_token or len(raw_token) > 200:
        return None
    token = (
        KioskToken.objects.select_related("kiosk", "kiosk__site")
        .filter(token_hash=secret_hash(raw_token), revoked_at__isnull=True)
        .first()
    )
    if token is None or token.kiosk.status == Kiosk.Status.RETIRED:
        return None
    now = timezone.now()
    if token.last_seen_at is None or now - token.last_seen_at > LAST_SEEN_RESOLUTION:
        KioskToken.objects.filter(pk=token.pk).update(last_seen_at=now)
    return token


def kiosk_from_token(raw_token: str | None) -> Kiosk | None:
    """The kiosk a device token authenticates, or None (see kiosk_token_lookup)."""
    token = kiosk_token_lookup(raw_token)
    return token.kiosk if token else None


def kiosk_token_is_active(token_id: int) -> bool:
    """Whether a token is still good: not revoked, and its kiosk not retired."""
    return (
        KioskToken.objects.filter(pk=token_id, revoked_at__isnull=True)
        .exclude(kiosk__status=Kiosk.Status.RETIRED)
        .exists()
    )
