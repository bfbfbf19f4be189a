"""The secret addresses of the iCalendar feeds."""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from visiorelais.accounts.models import PARTNER_ROLES, SITE_ROLES, User
from visiorelais.network.models import HostSite
from visiorelais.scheduling.errors import SchedulingRefused
from visiorelais.scheduling.models import CalendarFeedToken


def feed_token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def calendar_feed_token_reset(*, user: User, site: HostSite | None = None) -> tuple[CalendarFeedToken, str]:
    """Gives `user`'s own feed (no `site`) or `site`'s feed a new secret and returns (token, raw secret).

    The old address stops working at once; the raw secret is returned only here (only its hash is kept).
    Allowed: one's own feed for partner and site roles; a site's feed for a host agent or site manager of that
    site. Refused: `feed_not_allowed`.
    """
    if site is None:
        allowed = user.role in PARTNER_ROLES | SITE_ROLES
    else:
        allowed = user.role in SITE_ROLES and user.host_sites.filter(pk=site.pk).exists()
    if not (user.is_authenticated and user.is_active and allowed):
        raise SchedulingRefused("feed_not_allowed")
    raw = secrets.token_urlsafe(24)
    owner = {"site": site} if site else {"user": user}
    with transaction.atomic():
        token, _ = CalendarFeedToken.objects.update_or_create(
            **owner,
            defaults={"token_hash": feed_token_hash(raw), "prefix": raw[:8], "created_at": timezone.now()},
        )
    return token, raw
