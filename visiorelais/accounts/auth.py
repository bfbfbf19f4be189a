"""How a request proves it comes from a kiosk device: a bearer token (the bridge) or a cookie (the kiosk browser)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from visiorelais.accounts.selectors import kiosk_from_token
from visiorelais.network.models import Kiosk

KIOSK_COOKIE = "visiorelais_kiosk"
KIOSK_COOKIE_MAX_AGE = 5 * 365 * 24 * 3600


def kiosk_token_from_headers(authorization: str | None, cookie: str | None) -> str | None:
    if authorization and authorization.startswith("Bearer "):
        return authorization.removeprefix("Bearer ").strip()
    return cookie or None


def kiosk_from_request(request: HttpRequest) -> Kiosk | None:
    token = kiosk_token_from_headers(request.headers.get("Authorization"), request.COOKIES.get(KIOSK_COOKIE))
    return kiosk_from_token(token)


def set_kiosk_cookie(response: HttpResponse, raw_token: str) -> None:
    """The kiosk browser keeps its token in an HttpOnly cookie: page scripts never see it."""
    response.set_cookie(
        KIOSK_COOKIE,
        raw_token,
        max_age=KIOSK_COOKIE_MAX_AGE,
        httponly=True,
        secure=not settings.DEBUG,
        samesite="Strict",
    )
