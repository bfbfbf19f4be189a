"""After the call: the resident's rating and the agent's wrap-up. Both only append CallEvent rows."""

import datetime as dt

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from visiorelais.accounts.models import User
from visiorelais.calls.errors import CallNotFound, IllegalTransition, NotAllowed
from visiorelais.calls.models import Call, CallEvent
from visiorelais.network.models import Kiosk, Topic

RATINGS = range(1, 6)


class WrapUpOutcome(models.TextChoices):
    RESOLVED = "resolved", _("Résolu")
    FOLLOW_UP = "follow_up", _("Suite à donner")
    REDIRECTED = "redirected", _("Réorienté vers un autre service")
    OTHER = "other", _("Autre")


@transaction.atomic
def call_rate(*, kiosk: Kiosk, call_id: int, rating: int, now: dt.datetime | None = None) -> CallEvent:
    """The resident's satisfaction, 1 (worst face) to 5 (best), once per call, after a connected call ended.

    Refused (IllegalTransition) for a call not ended, never connected, or already rated; CallNotFound for a
    call of another kiosk.
    """
    if isinstance(rating, bool) or not isinstance(rating, int) or rating not in RATINGS:
        raise IllegalTransition("a rating is an integer from 1 to 5", code="bad_rating")
    call = Call.objects.select_for_update().filter(pk=call_id, kiosk=kiosk).first()
    if call is None:
        raise CallNotFound(f"call {call_id}")
    if call.status != Call.Status.ENDED or call.connected_at is None:
        raise IllegalTransition(f"call {call_id} cannot be rated now", code="not_rateable")
    if call.events.filter(kind=CallEvent.Kind.RATED).exists():
        raise IllegalTransition(f"call {call_id} is already rated", code="already_rated")
    return CallEvent.objects.create(
        call=call, kind=CallEvent.Kind.RATED, at=now or timezone.now(), detail={"rating": rating}
    )


@transaction.atomic
def call_wrap_up(
    *, agent: User, call_id: int, outcome: str, topic_id: int | None = None, now: dt.datetime | None = None
) -> CallEvent:
    """The agent's closing of a call they answered: its outcome for the partner and its topic.

    Allowed once per call, after it ended, by the agent who took it. The station's own state (wrap-up, then
    available or paused) is the agent's next move, through the presence services.
    """
    if outcome not in WrapUpOutcome.values:
        raise IllegalTransition("unknown wrap-up outcome", code="bad_outcome")
    call = Call.objects.select_for_update().filter(pk=call_id, partner_id=agent.partner_id).first()
    if call is None:
        raise CallNotFound(f"call {call_id}")
    if call.agent_id != agent.pk:
        raise NotAllowed("only the agent who took the call may wrap it up")
    if call.status != Call.Status.ENDED:
        raise IllegalTransition(f"call {call_id} is not over", code="not_ended")
    if call.events.filter(kind=CallEvent.Kind.WRAPPED_UP).exists():
        raise IllegalTransition(f"call {call_id} is already wrapped up", code="already_wrapped_up")
    topic = None
    if topic_id is not None:
        topic = Topic.objects.filter(pk=topic_id, partner_id=call.partner_id).first()
        if topic is None:
            raise IllegalTransition("this topic is not the partner's", code="bad_topic")
    return CallEvent.objects.create(
        call=call,
        kind=CallEvent.Kind.WRAPPED_UP,
        at=now or timezone.now(),
        station_id=call.station_id,
        agent=agent,
        detail={"outcome": outcome, "topic_id": topic.pk if topic else None},
    )
