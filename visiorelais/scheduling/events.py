"""Real-time events of scheduling: the partner's consoles learn that its callback requests changed.

Published with the calls domain's one publishing function (calls/events.py), after commit, to the partner's
agent consoles. The payload counts are read after the commit, so that the last event says the last state.
"""

from django.db import transaction

from visiorelais.calls.events import group_for_partner, publish_on_commit
from visiorelais.scheduling.selectors import callbacks_summary


def publish_callbacks_changed(*, partner_id: int) -> None:
    """`callbacks.changed {"partner_id", "pending", "open"}` to the partner's consoles, once the change commits."""

    def send() -> None:
        publish_on_commit(
            group_for_partner(partner_id),
            "callbacks.changed",
            {"partner_id": partner_id, **callbacks_summary(partner_id=partner_id)},
        )

    transaction.on_commit(send)
