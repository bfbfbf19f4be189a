"""Reads of appointments and callbacks: accessors (STYLE.md 5), lists in a person's reach, what a kiosk shows.

Reach: a partner agent or admin reaches its partner's slots, appointments and callbacks; a host agent or site
manager reaches the slots and appointments at its sites (a slot's kiosk's site, or its site). Nobody else
reaches any through these screens (the operator works in the back-office).
"""

import datetime as dt
from typing import NamedTuple, TypedDict

from django.db.models import Prefetch, Q, QuerySet

from visiorelais.accounts.models import PARTNER_ROLES, SITE_ROLES, User
from visiorelais.calls.models import Call
from visiorelais.network.models import Entitlement, HostSite, Kiosk, Partner
from visiorelais.network.selectors import PARIS, kiosk_entitlements
from visiorelais.scheduling import conf
from visiorelais.scheduling.errors import SchedulingRefused
from visiorelais.scheduling.models import (
    Appointment,
    CalendarFeedToken,
    CallbackRequest,
    PartnerCallbackPolicy,
    Slot,
    TicketPrint,
    local_label,
)

# Appointments that hold their slot and their code: booked, or checked in and not closed.
LIVE = Q(status__in=Appointment.LIVE_STATUSES, closed_at__isnull=True)


class CallbackPolicyValues(NamedTuple):
    wait_limit_minutes: int
    erase_after_days: int


def callback_policy(*, partner: Partner) -> CallbackPolicyValues:
    """The partner's callback settings, or the defaults (CALLBACK_WAIT_LIMIT_MINUTES, CALLBACK_ERASE_DAYS)."""
    row = PartnerCallbackPolicy.objects.filter(partner=partner).first()
    if row is None:
        return CallbackPolicyValues(conf.callback_wait_limit_minutes(), conf.callback_erase_days())
    return CallbackPolicyValues(row.wait_limit_minutes, row.erase_after_days)


# Reach.


def _at_sites(site_ids, prefix: str = "") -> Q:
    return Q(**{f"{prefix}kiosk__site__in": site_ids}) | Q(**{f"{prefix}site__in": site_ids})


def slot_reach(user: User) -> Q | None:
    """The slots `user` reaches on the booking pages, as a filter; None: none at all."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.role in PARTNER_ROLES and user.partner_id:
        return Q(partner_id=user.partner_id)
    if user.role in SITE_ROLES:
        return _at_sites(user.host_sites.values("pk"))
    return None


def slots_for_user(*, user: User, since: dt.datetime, until: dt.datetime | None = None) -> QuerySet[Slot]:
    """Active slots in `user`'s reach starting in [since, until), with their live appointment prefetched
    (`slot.live` is a list of zero or one appointment)."""
    reach = slot_reach(user)
    if reach is None:
        return Slot.objects.none()
    slots = Slot.objects.filter(reach, active=True, starts_at__gte=since)
    if until is not None:
        slots = slots.filter(starts_at__lt=until)
    live = Appointment.objects.filter(LIVE).select_related("topic")
    return slots.select_related("partner", "station", "kiosk__site", "site").prefetch_related(
        Prefetch("appointments", queryset=live, to_attr="live")
    )


def appointments_for_site(*, site: HostSite, since: dt.datetime) -> QuerySet[Appointment]:
    """Appointments at `site`: those of slots at one of its kiosks, or at the site itself."""
    return Appointment.objects.filter(_at_sites([site.pk], "slot__"), slot__starts_at__gte=since)


def slot_get_for_user(*, user: User, slot_id: int) -> Slot:
    """The slot if `user` reaches it; SchedulingRefused `slot_unknown` otherwise (the two look the same)."""
    reach = slot_reach(user)
    slot = None
    if reach is not None:
        slot = (
            Slot.objects.filter(reach, pk=slot_id).select_related("partner", "station", "kiosk__site", "site").first()
        )
    if slot is None:
        raise SchedulingRefused("slot_unknown")
    return slot


def appointment_get_for_user(*, user: User, appointment_id: int) -> Appointment:
    """The appointment if `user` reaches its slot; SchedulingRefused `appointment_unknown` otherwise."""
    reach = slot_reach(user)
    appointment = None
    if reach is not None:
        slots = Slot.objects.filter(reach)
        appointment = (
            Appointment.objects.filter(pk=appointment_id, slot__in=slots)
            .select_related("slot__partner", "slot__station", "slot__kiosk__site", "slot__site", "topic")
            .first()
        )
    if appointment is None:
        raise SchedulingRefused("appointment_unknown")
    return appointment


# Callbacks.


def callbacks_for_partner(*, partner: Partner, statuses=CallbackRequest.OPEN_STATUSES) -> QuerySet[CallbackRequest]:
    """The partner's callback requests in `statuses` (open ones by default), oldest first."""
    return (
        CallbackRequest.objects.filter(partner=partner, status__in=statuses)
        .select_related("kiosk__site", "topic", "taken_by")
        .prefetch_related("attempts")
        .order_by("requested_at", "pk")
    )


def callback_get_for_agent(*, agent: User, request_id: int) -> CallbackRequest:
    """The request if it is one of the agent's partner; SchedulingRefused `callback_unknown` otherwise."""
    request = None
    if agent.role in PARTNER_ROLES and agent.partner_id:
        request = CallbackRequest.objects.filter(pk=request_id, partner_id=agent.partner_id).first()
    if request is None:
        raise SchedulingRefused("callback_unknown")
    return request


# What the kiosk shows.


class KioskReservation(TypedDict):
    """The kiosk is reserved for an appointment: the home shows it, hides `hidden_partner_ids` (every walk-in
    partner: a walk-in call now would run into the appointment), and reaches the booked partner by check-in."""

    slot_id: int
    partner_id: int
    partner_short_name: str
    starts_at: str
    ends_at: str
    checked_in: bool
    hidden_partner_ids: list[int]


def kiosk_reservation(*, kiosk: Kiosk, now: dt.datetime) -> KioskReservation | None:
    """The appointment that holds the kiosk now, if any: a live appointment of a slot at this kiosk (or at its
    site) starting within APPOINTMENT_RESERVE_MINUTES_BEFORE, or under way (until the slot ends, or earlier
    when its call was answered and has ended)."""
    appointment = (
        Appointment.objects.filter(
            LIVE,
            Q(slot__kiosk=kiosk) | Q(slot__site_id=kiosk.site_id),
            slot__starts_at__lte=now + conf.reserve_before(),
            slot__ends_at__gt=now,
        )
        .exclude(call__status=Call.Status.ENDED, call__connected_at__isnull=False)
        .select_related("slot__partner")
        .order_by("slot__starts_at")
        .first()
    )
    if appointment is None:
        return None
    slot = appointment.slot
    walk_in = [partner.pk for partner, mode in kiosk_entitlements(kiosk=kiosk) if mode == Entitlement.Mode.WALK_IN]
    return {
        "slot_id": slot.pk,
        "partner_id": slot.partner_id,
        "partner_short_name": slot.partner.short_name,
        "starts_at": slot.starts_at.isoformat(),
        "ends_at": slot.ends_at.isoformat(),
        "checked_in": appointment.status == Appointment.Status.CHECKED_IN,
        "hidden_partner_ids": walk_in,
    }


def kiosk_reservation_changes_at(
    *, kiosk: Kiosk, now: dt.datetime, current: KioskReservation | None
) -> dt.datetime | None:
    """When the kiosk's reservation next changes by the clock: the end of the `current` one (kiosk_reservation at
    `now`), or the moment the next booked slot at this kiosk (or its site) becomes a reservation
    (APPOINTMENT_RESERVE_MINUTES_BEFORE before it). A booking or a cancellation changes it too: screens also
    refresh now and then."""
    if current is not None:
        return dt.datetime.fromisoformat(current["ends_at"])
    upcoming = (
        Appointment.objects.filter(
            LIVE, Q(slot__kiosk=kiosk) | Q(slot__site_id=kiosk.site_id), slot__starts_at__gt=now + conf.reserve_before()
        )
        .order_by("slot__starts_at")
        .values_list("slot__starts_at", flat=True)
        .first()
    )
    return upcoming - conf.reserve_before() if upcoming else None


def callback_reason_for(*, mode: str, state: dict, wait_limit_minutes: int) -> str | None:
    """Why "être rappelé" may be offered (a CallbackRequest.Reason), from a partner's entitlement mode and live
    state (calls.selectors.partner_state), or None when it can answer now within `wait_limit_minutes`."""
    if mode == Entitlement.Mode.APPOINTMENT_ONLY:
        return CallbackRequest.Reason.APPOINTMENT_ONLY
    if state["state"] == "closed":
        if state["closed_reason"] == "no_station_staffed":
            return CallbackRequest.Reason.NO_STATION_STAFFED
        return CallbackRequest.Reason.CLOSED
    wait = state["estimated_wait_seconds"]
    if wait is not None and wait > wait_limit_minutes * 60:
        return CallbackRequest.Reason.WAIT_TOO_LONG
    return None


def kiosk_scheduling_snapshot(*, kiosk: Kiosk, partners: list[dict], now: dt.datetime) -> dict:
    """What the kiosk snapshot adds for appointments and callbacks (`partners`: the snapshot's partner entries,
    each a partner_state with its `mode`): the reservation, when it next changes, whether to show "J'ai un
    rendez-vous", and per partner id the callback `reason` (or None) and the partner's wait limit in seconds."""
    limits = dict(
        PartnerCallbackPolicy.objects.filter(partner_id__in=[p["partner_id"] for p in partners]).values_list(
            "partner_id", "wait_limit_minutes"
        )
    )
    callbacks = {}
    for entry in partners:
        limit = limits.get(entry["partner_id"], conf.callback_wait_limit_minutes())
        reason = callback_reason_for(mode=entry["mode"], state=entry, wait_limit_minutes=limit)
        callbacks[entry["partner_id"]] = {"reason": reason, "wait_limit_s": limit * 60}
    reservation = kiosk_reservation(kiosk=kiosk, now=now)
    changes_at = kiosk_reservation_changes_at(kiosk=kiosk, now=now, current=reservation)
    return {
        "reservation": reservation,
        "reservation_changes_at": changes_at.isoformat() if changes_at else None,
        "takes_appointments": kiosk_takes_appointments(kiosk=kiosk, now=now),
        "callbacks": callbacks,
    }


def callbacks_summary(*, partner_id: int) -> dict:
    """How many callback requests of the partner wait: `pending` (nobody took them) and `open` (pending or taken)."""
    open_requests = CallbackRequest.objects.filter(partner_id=partner_id, status__in=CallbackRequest.OPEN_STATUSES)
    return {
        "pending": open_requests.filter(status=CallbackRequest.Status.PENDING).count(),
        "open": open_requests.count(),
    }


def kiosk_takes_appointments(*, kiosk: Kiosk, now: dt.datetime) -> bool:
    """Whether the kiosk shows "J'ai un rendez-vous": a live appointment at it (or its site) starts today."""
    local = now.astimezone(PARIS).date()
    start = dt.datetime.combine(local, dt.time(0), tzinfo=PARIS)
    return Appointment.objects.filter(
        LIVE,
        Q(slot__kiosk=kiosk) | Q(slot__site_id=kiosk.site_id),
        slot__starts_at__gte=start,
        slot__starts_at__lt=start + dt.timedelta(days=1),
    ).exists()


# Words.


def place_label(slot: Slot) -> str:
    site = slot.kiosk.site if slot.kiosk_id else slot.site
    return f"{site.name}, {site.address}, {site.commune}"


def appointment_reminder_text(*, appointment: Appointment) -> tuple[str, str]:
    """The reminder's subject and text (the same text goes by e-mail and SMS)."""
    slot = appointment.slot
    subject = f"Rappel : rendez-vous {slot.partner.short_name} demain"
    text = (
        f"Bonjour, rappel de votre rendez-vous en visio avec {slot.partner.short_name} "
        f"le {local_label(slot.starts_at)}, à la borne de {place_label(slot)}. "
        f"Votre code : {appointment.code}. Venez quelques minutes avant. "
        "Pour annuler, prévenez l'accueil du site."
    )
    return subject, text


def appointment_ticket(*, appointment: Appointment) -> dict:
    """What the printed ticket says."""
    slot = appointment.slot
    return {
        "partner": slot.partner.name,
        "when": local_label(slot.starts_at),
        "where": place_label(slot),
        "code": appointment.code,
        "code_spaced": f"{appointment.code[:3]} {appointment.code[3:]}",
        "name": appointment.name,
        "topic": appointment.topic.label if appointment.topic_id else "",
        "grace_minutes": int(conf.grace_before().total_seconds() // 60),
    }


# Printing the ticket on a kiosk.


def ticket_kiosks_for_user(*, user: User, appointment: Appointment) -> list[Kiosk]:
    """The kiosks where `user` may print the appointment's ticket: the active kiosks of the slot's place (its
    kiosk, or every kiosk of its site), when `user` is a host agent or site manager of that site. A partner agent
    gets none: it books remotely, and the resident is not at the kiosk."""
    if not user.is_authenticated or not user.is_active or user.role not in SITE_ROLES:
        return []
    kiosks = appointment.slot.place_kiosks().filter(status=Kiosk.Status.ACTIVE, site__in=user.host_sites.values("pk"))
    return list(kiosks.select_related("site").order_by("code"))


def ticket_print_get_for_kiosk(*, kiosk: Kiosk, ticket_id: int) -> TicketPrint:
    """The ticket print `ticket_id` if it is this kiosk's and still waits to come out (queued or printing), with
    its appointment and slot loaded; SchedulingRefused `ticket_print_unknown` otherwise (another kiosk's, a
    finished one, none)."""
    ticket = (
        TicketPrint.objects.filter(
            pk=ticket_id, kiosk=kiosk, state__in=TicketPrint.PENDING_STATES, appointment__erased_at__isnull=True
        )
        .select_related(
            "appointment__slot__partner",
            "appointment__slot__kiosk__site",
            "appointment__slot__site",
            "appointment__topic",
        )
        .first()
    )
    if ticket is None:
        raise SchedulingRefused("ticket_print_unknown")
    return ticket


TICKET_PRINT_MESSAGES = {
    "queued": "Ticket envoyé à la borne %(kiosk)s : impression en attente…",
    "printing": "Impression en cours sur la borne %(kiosk)s…",
    "done": "Ticket imprimé sur la borne %(kiosk)s : remettez-le à la personne.",
    "out_of_paper": "Le ticket n'a pas été imprimé : l'imprimante de la borne %(kiosk)s n'a plus de papier.",
    "jammed": "Le ticket n'a pas été imprimé : une feuille est coincée dans l'imprimante de la borne %(kiosk)s.",
    "offline": "Le ticket n'a pas été imprimé : l'imprimante de la borne %(kiosk)s ne répond pas.",
    "error": "Le ticket n'a pas été imprimé : l'impression a échoué sur la borne %(kiosk)s.",
    "unconfirmed": (
        "La borne %(kiosk)s n'a pas confirmé l'impression : vérifiez l'imprimante, ou recopiez le code pour la "
        "personne."
    ),
}


class TicketPrintStatus(TypedDict):
    id: int
    state: str
    reason: str
    kiosk: str
    message: str
    finished: bool
    succeeded: bool


def ticket_print_status(*, ticket: TicketPrint, now: dt.datetime) -> TicketPrintStatus:
    """Where a ticket print stands, in words for the host agent. A print still queued or printing
    TICKET_PRINT_WAIT_SECONDS after it was asked is `unconfirmed` (finished: the bridge may never answer)."""
    key = ticket.reason or ticket.state
    finished = ticket.state not in TicketPrint.PENDING_STATES
    if not finished and now - ticket.updated_at > conf.ticket_print_wait():
        key, finished = "unconfirmed", True
    return {
        "id": ticket.pk,
        "state": ticket.state,
        "reason": ticket.reason,
        "kiosk": ticket.kiosk.code,
        "message": TICKET_PRINT_MESSAGES[key] % {"kiosk": ticket.kiosk.code},
        "finished": finished,
        "succeeded": ticket.state == TicketPrint.State.DONE,
    }


def ticket_print_latest_status(*, appointment: Appointment, now: dt.datetime) -> TicketPrintStatus | None:
    """Where the appointment's latest ticket print stands (ticket_print_status); None when none was asked."""
    latest = appointment.ticket_prints.select_related("kiosk").order_by("-requested_at", "-pk").first()
    return ticket_print_status(ticket=latest, now=now) if latest else None


# Calendar feeds.


def calendar_feed_sites(*, user: User) -> list[HostSite]:
    """The sites whose feed `user` may see and reset, by name: a host agent's or site manager's; [] otherwise."""
    return list(user.host_sites.order_by("name")) if user.role in SITE_ROLES else []


class CalendarFeedRow(NamedTuple):
    key: int | str  # "me" for the user's own feed, else the site's pk
    label: str
    token: CalendarFeedToken | None  # None: no address made yet


def calendar_feeds_for_user(*, user: User, sites: list[HostSite]) -> list[CalendarFeedRow]:
    """`user`'s own feed ("Mon agenda"), then the feed of each of `sites` (calendar_feed_sites), each with its
    current secret's token, in one query."""
    tokens = CalendarFeedToken.objects.filter(Q(user=user) | Q(site__in=sites))
    by_site = {token.site_id: token for token in tokens}  # the user's own token under None
    return [
        CalendarFeedRow("me", "Mon agenda", by_site.get(None)),
        *(CalendarFeedRow(site.pk, site.name, by_site.get(site.pk)) for site in sites),
    ]


class CalendarFeed(NamedTuple):
    title: str
    appointments: QuerySet[Appointment]


def calendar_feed_for_secret(*, token_hash: str, since: dt.datetime) -> CalendarFeed | None:
    """The feed a secret opens (by its hash), with its appointments from `since`; None for an unknown secret,
    or a person who no longer reaches any (deactivated, or without role)."""
    token = CalendarFeedToken.objects.filter(token_hash=token_hash).select_related("user", "site").first()
    if token is None:
        return None
    if token.site_id:
        site = token.site
        return CalendarFeed(f"Rendez-vous — {site.name}", appointments_for_site(site=site, since=since))
    user = token.user
    reach = slot_reach(user)
    if reach is None:
        return None
    who = user.partner.short_name if user.role in PARTNER_ROLES else user.get_full_name() or user.get_username()
    return CalendarFeed(
        f"Rendez-vous — {who}",
        Appointment.objects.filter(slot__in=Slot.objects.filter(reach), slot__starts_at__gte=since),
    )
