"""Helpers of the statistics tests: the live-call fixtures (frozen clock, seated agents), and `record_call`,
which writes one call's CallEvent rows directly, for fixtures of volume."""

import datetime as dt

import pytest

from tests.calls.conftest import MONDAY_10AM, alice_seated, both_caf_seated, carla, clock, paris  # noqa: F401
from visiorelais.calls.models import Call, CallEvent

__all__ = ["MONDAY_10AM", "paris", "record_call"]


def record_call(
    kiosk,
    partner,
    at: dt.datetime,
    *,
    outcome: str,
    reason: str = "",
    wait: float = 0,
    talk: float | None = None,
    rating: int | None = None,
    station=None,
    declines: int = 0,
    timeouts: int = 0,
) -> Call:
    """One ended call as the services would record it: requested, queued (unless unavailable), the offers
    (declined, timed out, then accepted when `talk` is given), connected, ended, rated."""
    call = Call.objects.create(
        kiosk=kiosk, partner=partner, requested_at=at, status=Call.Status.ENDED, outcome=outcome, end_reason=reason
    )

    def event(kind, seconds, **detail):
        CallEvent.objects.create(
            call=call,
            kind=kind,
            at=at + dt.timedelta(seconds=seconds),
            detail=detail,
            station=station if kind not in ("requested", "queued", "rated") else None,
        )

    event("requested", 0, kiosk_id=kiosk.pk, site_id=kiosk.site_id, partner_id=partner.pk, topic_id=None)
    if outcome == Call.Outcome.UNAVAILABLE:
        event("ended", 0, outcome=outcome, reason=reason)
        return call
    event("queued", 0, position=1)
    for _ in range(declines):
        event("offered", 0)
        event("declined", 0)
    for _ in range(timeouts):
        event("offered", 0)
        event("ring_timeout", 0)
    if talk is not None:
        event("offered", wait)
        event("accepted", wait)
        event("connected", wait)
        event("ended", wait + talk, outcome=outcome, reason=reason or "hung_up_by_agent")
        if rating is not None:
            event("rated", wait + talk + 5, rating=rating)
    else:
        event("ended", wait, outcome=outcome, reason=reason)
    return call


@pytest.fixture
def refresh(db):
    from visiorelais.statistics.services import call_facts_refresh

    return call_facts_refresh
