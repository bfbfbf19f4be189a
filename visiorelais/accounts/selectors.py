"""Reads of accounts and device credentials."""

from datetime import timedelta

from django.utils import timezone

from visiorelais.accounts.models import KioskToken
from visiorelais.accounts.services import secret_hash
from visiorelais.network.models import Kiosk

# last_seen_at is a hint for the operator, so it is written at most once a minute per token.
LAST_SEEN_RESOLUTION = timedelta(minutes=1)


def kiosk_from_token(raw_token: str | None) -> Kiosk | None:
    """The kiosk a device token authenticates, or None when it is missing, unknown, revoked, or its kiosk retired."""
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
    return token.kiosk
