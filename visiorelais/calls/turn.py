"""ICE servers handed to a browser (or to the test peer) for one call, with time-limited TURN credentials.

TURN credentials follow coturn's TURN REST scheme (`use-auth-secret`): the username is `"{expiry}:{principal}"`
where `expiry` is a Unix time, and the password is base64(HMAC-SHA1(TURN_SECRET, username)). coturn recomputes
the password from the username and refuses it once `expiry` has passed, so the server never stores them.
"""

import base64
import datetime as dt
import hashlib
import hmac

from django.conf import settings
from django.utils import timezone


def turn_credential(*, username: str, secret: str) -> str:
    """The TURN REST password of `username`: base64 of its HMAC-SHA1 keyed with the shared secret."""
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def ice_servers_for(*, principal: str, now: dt.datetime | None = None) -> list[dict]:
    """RTCIceServer dictionaries for `principal` (e.g. "call-42-kiosk"), ready for `new RTCPeerConnection`.

    STUN_URLS come as one entry without credentials; TURN_URLS as one entry whose credentials expire TURN_TTL
    seconds after `now` (default: the current time). No STUN entry when STUN_URLS is empty; no TURN entry when
    TURN_URLS or TURN_SECRET is empty. `principal` must not contain ":", which separates it from the expiry;
    `now` must be timezone-aware.
    """
    if ":" in principal:
        raise ValueError("a TURN principal cannot contain ':'")
    if now is not None and timezone.is_naive(now):
        raise ValueError("now must be timezone-aware")
    servers: list[dict] = []
    if settings.STUN_URLS:
        servers.append({"urls": list(settings.STUN_URLS)})
    if settings.TURN_URLS and settings.TURN_SECRET:
        now = now or timezone.now()
        expiry = int(now.timestamp()) + int(settings.TURN_TTL)
        username = f"{expiry}:{principal}"
        servers.append(
            {
                "urls": list(settings.TURN_URLS),
                "username": username,
                "credential": turn_credential(username=username, secret=settings.TURN_SECRET),
            }
        )
    return servers
