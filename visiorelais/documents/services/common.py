"""What the documents services share: the clock, and finding the call an actor may act on."""

import datetime as dt

from django.utils import timezone

from visiorelais.accounts.models import User
from visiorelais.calls.models import Call
from visiorelais.calls.selectors import call_get_for_agent, call_get_for_kiosk
from visiorelais.documents.errors import CallNotConnected, DocumentNotAllowed
from visiorelais.documents.models import Document
from visiorelais.network.models import Kiosk

Direction = Document.Direction


def now_or(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def call_of_actor(*, call_id: int, kiosk: Kiosk | None, agent: User | None) -> Call:
    """The call, seen by its kiosk or by an agent of its partner (CallNotFound otherwise); an agent must be
    the one on the call."""
    if (kiosk is None) == (agent is None):
        raise ValueError("exactly one of kiosk or agent")
    if kiosk is not None:
        return call_get_for_kiosk(kiosk=kiosk, call_id=call_id)
    call = call_get_for_agent(agent=agent, call_id=call_id)
    if call.agent_id != agent.pk:
        raise DocumentNotAllowed("Seul l'agent en communication avec cette borne peut faire cela.")
    return call


def locked_connected_call(call_id: int) -> Call:
    call = Call.objects.select_for_update().get(pk=call_id)
    if call.status != Call.Status.CONNECTED:
        raise CallNotConnected()
    return call
