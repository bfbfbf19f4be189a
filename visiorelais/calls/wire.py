"""What goes on the wire: the frames of docs/realtime.md, built from the domain's snapshots and events.

The domain speaks in its own payloads (calls/events.py, calls/selectors.py); the screens speak the protocol of
docs/realtime.md. This module is the only translation between the two, so either side can change alone.
"""

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from visiorelais.calls.models import Call
from visiorelais.calls.turn import ice_servers_for
from visiorelais.documents.selectors import peripherals_entry
from visiorelais.network.models import Entitlement, Kiosk, Partner, Topic
from visiorelais.scheduling.selectors import kiosk_scheduling_snapshot

# The bridge reports every 10 s: silent for longer than this, it is taken as gone.
BRIDGE_ONLINE_SECONDS = 30


def partner_state_name(*, state: str, closed_reason: str, mode: str | None = None) -> str:
    """available | busy | closed | unstaffed | appointment_only (see docs/realtime.md `Partner`)."""
    if mode == Entitlement.Mode.APPOINTMENT_ONLY:
        return "appointment_only"
    if state == "closed" and closed_reason == "no_station_staffed":
        return "unstaffed"
    return state


def partner_live(payload: dict, *, mode: str | None) -> dict:
    """The live part of a wire Partner, from a domain partner state (a `partner.state` payload)."""
    return {
        "id": payload["partner_id"],
        "state": partner_state_name(state=payload["state"], closed_reason=payload["closed_reason"], mode=mode),
        "queue_length": payload["queue_length"],
        "estimated_wait_s": payload["estimated_wait_seconds"],
        "next_opening": payload["next_opening"],
        "seq": payload["seq"],
    }


def kiosk_snapshot_frame(*, kiosk: Kiosk, snapshot: dict) -> dict:
    """The kiosk's `snapshot` frame: its identity, its partners (static and live parts), its open call."""
    partner_ids = [entry["partner_id"] for entry in snapshot["partners"]]
    topics: dict[int, list[dict]] = {pid: [] for pid in partner_ids}
    for topic in Topic.objects.filter(partner_id__in=partner_ids, active=True).order_by("label"):
        topics[topic.partner_id].append({"id": topic.pk, "label": topic.label})
    descriptions = dict(Partner.objects.filter(pk__in=partner_ids).values_list("pk", "description"))
    partners = [
        {
            **partner_live(entry, mode=entry["mode"]),
            "name": entry["name"],
            "short_name": entry["short_name"],
            "colour": entry["colour"],
            "description": descriptions.get(entry["partner_id"], ""),
            "topics": topics[entry["partner_id"]],
            "mode": entry["mode"],
        }
        for entry in snapshot["partners"]
    ]
    call = snapshot["call"]
    return {
        "type": "snapshot",
        "seq": max((p["seq"] for p in partners), default=0),
        "kiosk": {
            "id": kiosk.pk,
            "code": kiosk.code,
            "label": kiosk.label,
            "site": kiosk.site.name,
            "site_phone": kiosk.site.phone,
        },
        "partners": partners,
        "call": kiosk_call(call) if call else None,
        **kiosk_scheduling(kiosk=kiosk, snapshot=snapshot, partners=partners),
        # What the kiosk may offer in a call: its scanner and printer, and whether its bridge reports them.
        "peripherals": kiosk_peripherals(kiosk),
    }


def kiosk_peripherals(kiosk: Kiosk) -> dict:
    """The kiosk's own peripherals for its screen: fitted (`has_scanner`, `has_printer`), and the bridge's
    last health (`scanner`/`printer` None: never reported) with `online`: reported within BRIDGE_ONLINE_SECONDS."""
    entry = peripherals_entry(kiosk_id=kiosk.pk)
    seen = parse_datetime(entry["at"]) if entry["at"] else None
    online = seen is not None and (timezone.now() - seen).total_seconds() < BRIDGE_ONLINE_SECONDS
    return {**entry, "has_scanner": kiosk.has_scanner, "has_printer": kiosk.has_printer, "online": online}


def kiosk_call(entry: dict) -> dict:
    """A wire `Call` for the kiosk, from a domain KioskCall; ICE servers only while connected."""
    connected = entry["status"] == Call.Status.CONNECTED
    return {
        "id": entry["call_id"],
        "partner_id": entry["partner_id"],
        "status": entry["status"],
        "position": entry["position"],
        "estimated_wait_s": entry["estimated_wait_seconds"],
        "agent_name": entry["agent_name"],
        "outcome": entry["outcome"],
        "end_reason": entry["end_reason"],
        "next_opening": entry["next_opening"],
        "ice_servers": ice_servers_for(principal=f"call-{entry['call_id']}-kiosk") if connected else None,
        "ice_transport_policy": settings.ICE_TRANSPORT_POLICY,
    }


def station(entry: dict) -> dict:
    """A wire `Station` from a domain StationEntry."""
    return {
        "id": entry["station_id"],
        "label": entry["label"],
        "state": entry["state"],
        "agent_id": entry["agent_id"],
        "agent_name": entry["agent_name"],
        "pause_reason": entry["pause_reason"],
        "since": entry["since"],
        "call_id": entry["call_id"],
        "ring_deadline": entry["ring_deadline"],
    }


def waiting(entry: dict) -> dict:
    """A wire `Waiting` (a line of the console's queue) from a domain QueueCallEntry."""
    return {
        "call_id": entry["call_id"],
        "status": entry["status"],
        "site": entry["site_name"],
        "commune": entry["commune"],
        "kiosk_code": entry["kiosk_code"],
        "since": entry["queued_at"],
        "topic": entry["topic"],
        "station_id": entry["station_id"],
    }


def agent_call(call: Call) -> dict:
    """A wire `AgentCall`: what the console shows of a call ringing at, or connected with, its station."""
    kiosk = call.kiosk
    connected = call.status == Call.Status.CONNECTED
    return {
        "id": call.pk,
        "status": call.status,
        "site": kiosk.site.name,
        "commune": kiosk.site.commune,
        "kiosk_code": kiosk.code,
        "kiosk_label": kiosk.label,
        "peripherals": {
            "camera": kiosk.has_camera,
            "scanner": kiosk.has_scanner,
            "printer": kiosk.has_printer,
            "handset": kiosk.has_handset,
        },
        "topic": call.topic.label if call.topic_id else "",
        "ring_deadline": call.ring_deadline.isoformat() if call.ring_deadline else None,
        "ice_servers": ice_servers_for(principal=f"call-{call.pk}-agent") if connected else None,
        "ice_transport_policy": settings.ICE_TRANSPORT_POLICY,
        "outcome": call.outcome,
        # The bridge's last health report (docs/documents.md); `peripherals` frames update it.
        "peripherals_health": kiosk_peripherals(kiosk),
    }


def kiosk_scheduling(*, kiosk: Kiosk, snapshot: dict, partners: list[dict]) -> dict:
    """The snapshot's appointments and callbacks (docs/scheduling.md): adds to each wire Partner `callback` (why
    "être rappelé" is offered now, or null) and `callback_wait_limit_s` (beyond that estimated wait it is offered
    too); returns `reservation`, `reservation_changes_at` and `takes_appointments`. Read at the snapshot's time;
    the clock and bookings change them without an event, so the kiosk asks again (docs/realtime.md)."""
    scheduling = kiosk_scheduling_snapshot(
        kiosk=kiosk, partners=snapshot["partners"], now=dt.datetime.fromisoformat(snapshot["at"])
    )
    for partner in partners:
        offer = scheduling["callbacks"][partner["id"]]
        partner["callback"] = offer["reason"]
        partner["callback_wait_limit_s"] = offer["wait_limit_s"]
    return {
        "reservation": scheduling["reservation"],
        "reservation_changes_at": scheduling["reservation_changes_at"],
        "takes_appointments": scheduling["takes_appointments"],
    }
