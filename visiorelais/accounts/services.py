"""Changes to accounts and device credentials."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from visiorelais.accounts.models import KioskEnrolment, KioskToken, User
from visiorelais.calls.events import group_for_kiosk, publish_on_commit
from visiorelais.network.models import Kiosk

# No 0/O, 1/I/L: the code is read off one screen and typed on another.
ENROLMENT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
ENROLMENT_CODE_LENGTH = 10


class EnrolmentError(Exception):
    """A refused enrolment; `message` is the French text to show."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def secret_hash(value: str) -> str:
    """SHA-256 of a high-entropy secret (codes and tokens are random, so no salt or slow hash is needed)."""
    return hashlib.sha256(value.encode()).hexdigest()


def normalise_enrolment_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def kiosk_enrolment_issue(
    *, kiosk: Kiosk, issued_by: User | None, ttl_minutes: int | None = None
) -> tuple[KioskEnrolment, str]:
    """Issues a one-time enrolment code for `kiosk` and returns it in clear, once; only its hash is kept.

    The code lives `ttl_minutes` (KIOSK_ENROLMENT_TTL_MINUTES by default). Refused for a retired kiosk.
    Earlier unused codes of the kiosk stay valid until they expire.
    """
    if kiosk.status == Kiosk.Status.RETIRED:
        raise EnrolmentError(_("Cette borne est retirée du réseau : on ne peut plus l'enrôler."))
    raw = "".join(secrets.choice(ENROLMENT_ALPHABET) for _ in range(ENROLMENT_CODE_LENGTH))
    now = timezone.now()
    enrolment = KioskEnrolment.objects.create(
        kiosk=kiosk,
        code_hash=secret_hash(raw),
        issued_by=issued_by,
        issued_at=now,
        expires_at=now + timedelta(minutes=ttl_minutes or settings.KIOSK_ENROLMENT_TTL_MINUTES),
    )
    return enrolment, f"{raw[:5]}-{raw[5:]}"


@transaction.atomic
def kiosk_enrol(*, code: str) -> tuple[KioskToken, str]:
    """Exchanges an enrolment code for a new device token, returned in clear once.

    Refused, with a French message, when the code is unknown, already used, expired, or its kiosk retired.
    The code is marked used in the same transaction, under a row lock, so it can never yield two tokens.
    """
    normalised = normalise_enrolment_code(code)
    if len(normalised) != ENROLMENT_CODE_LENGTH:
        raise EnrolmentError(_("Ce code n'a pas le bon format : il compte 10 caractères, par exemple ABCDE-23456."))
    enrolment = (
        KioskEnrolment.objects.select_for_update()
        .select_related("kiosk")
        .filter(code_hash=secret_hash(normalised))
        .first()
    )
    if enrolment is None:
        raise EnrolmentError(_("Ce code d'enrôlement est inconnu. Vérifiez-le ou demandez-en un nouveau."))
    if enrolment.used_at is not None:
        raise EnrolmentError(_("Ce code d'enrôlement a déjà servi. Demandez-en un nouveau à l'opérateur du réseau."))
    now = timezone.now()
    if enrolment.expires_at <= now:
        raise EnrolmentError(_("Ce code d'enrôlement a expiré. Demandez-en un nouveau à l'opérateur du réseau."))
    if enrolment.kiosk.status == Kiosk.Status.RETIRED:
        raise EnrolmentError(_("Cette borne est retirée du réseau : on ne peut plus l'enrôler."))
    enrolment.used_at = now
    enrolment.save(update_fields=["used_at"])
    raw = secrets.token_urlsafe(32)
    token = KioskToken.objects.create(
        kiosk=enrolment.kiosk,
        token_hash=secret_hash(raw),
        prefix=raw[:8],
        enrolment=enrolment,
        created_at=now,
    )
    return token, raw


@transaction.atomic
def kiosk_token_revoke(*, token: KioskToken, revoked_by: User | None) -> None:
    """Revokes a device token for good; revoking a revoked token changes nothing."""
    if token.revoked_at is not None:
        return
    token.revoked_at = timezone.now()
    token.revoked_by = revoked_by
    token.save(update_fields=["revoked_at", "revoked_by"])
    # Open sockets of that device close as soon as this commits (docs/realtime.md).
    publish_on_commit(group_for_kiosk(token.kiosk_id), "credentials.revoked", {"token_id": token.pk})
