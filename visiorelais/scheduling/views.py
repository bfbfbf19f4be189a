"""The booking pages (/rendez-vous/), the callback list (/rappels/), the calendar feeds (/agenda/…), and the
ticket PDF the kiosk's bridge fetches (/api/tickets/…).

Thin: find who asks, call one accessor or service, render. Partner agents and admins see their partner's slots
and callbacks; host agents and site managers see the slots at their sites, and print tickets on their kiosks;
nobody else gets past the login.
"""

import datetime as dt
from collections import defaultdict
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView, LogoutView
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from visiorelais.accounts.auth import kiosk_from_request
from visiorelais.accounts.models import PARTNER_ROLES, SITE_ROLES
from visiorelais.network.selectors import PARIS
from visiorelais.scheduling.errors import SchedulingRefused
from visiorelais.scheduling.forms import BookingForm, CallbackAttemptForm
from visiorelais.scheduling.ics import appointments_ics
from visiorelais.scheduling.models import CallbackAttempt, CallbackRequest, local_label
from visiorelais.scheduling.phones import phone_display
from visiorelais.scheduling.selectors import (
    appointment_get_for_user,
    appointment_ticket,
    calendar_feed_for_secret,
    calendar_feed_sites,
    calendar_feeds_for_user,
    callbacks_for_partner,
    slot_get_for_user,
    slots_for_user,
    ticket_kiosks_for_user,
    ticket_print_get_for_kiosk,
    ticket_print_latest_status,
)
from visiorelais.scheduling.services import (
    appointment_book,
    appointment_cancel,
    calendar_feed_token_reset,
    callback_attempt,
    callback_take,
    ticket_print,
)
from visiorelais.scheduling.services.feeds import feed_token_hash
from visiorelais.scheduling.ticket_pdf import ticket_pdf

BOOKING_DAYS_AHEAD = 92
FEED_DAYS_BEHIND = 30


class SchedulingLoginView(LoginView):
    template_name = "scheduling/login.html"
    redirect_authenticated_user = True
    next_page = reverse_lazy("scheduling:slots")


class SchedulingLogoutView(LogoutView):
    http_method_names = ["get", "post", "options"]
    template_name = "scheduling/logout.html"
    next_page = reverse_lazy("scheduling:login")


def _for_roles(roles):
    def decorator(view):
        @wraps(view)
        @login_required(login_url=reverse_lazy("scheduling:login"))
        def wrapped(request: HttpRequest, *args, **kwargs):
            if request.user.role not in roles:
                return render(request, "scheduling/forbidden.html", status=403)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


booking_staff = _for_roles(PARTNER_ROLES | SITE_ROLES)
partner_staff = _for_roles(PARTNER_ROLES)


def _refused_to_404(refusal: SchedulingRefused):
    raise Http404(refusal.text)


@require_GET
@booking_staff
def slots(request: HttpRequest) -> HttpResponse:
    """Upcoming slots in the user's reach, day by day: free ones to book, booked ones to print or cancel."""
    now = timezone.now()
    days = defaultdict(list)
    for slot in slots_for_user(user=request.user, since=now, until=now + dt.timedelta(days=BOOKING_DAYS_AHEAD)):
        days[slot.starts_at.astimezone(PARIS).date()].append(slot)
    return render(
        request,
        "scheduling/slots.html",
        {"days": sorted(days.items()), "is_partner": request.user.role in PARTNER_ROLES},
    )


@require_http_methods(["GET", "POST"])
@booking_staff
def book(request: HttpRequest, slot_id: int) -> HttpResponse:
    try:
        slot = slot_get_for_user(user=request.user, slot_id=slot_id)
    except SchedulingRefused as refusal:
        _refused_to_404(refusal)
    form = BookingForm(request.POST or None, partner=slot.partner)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            appointment = appointment_book(
                user=request.user,
                slot_id=slot.pk,
                name=data["name"],
                topic_id=data["topic"].pk,
                phone=data["phone"],
                email=data["email"],
            )
        except SchedulingRefused as refusal:
            form.add_error(refusal.field if refusal.field in form.fields else None, refusal)
        else:
            return redirect("scheduling:ticket", appointment_id=appointment.pk)
    status = 400 if form.errors else 200
    return render(request, "scheduling/book.html", {"slot": slot, "form": form}, status=status)


@require_GET
@booking_staff
def ticket(request: HttpRequest, appointment_id: int) -> HttpResponse:
    try:
        appointment = appointment_get_for_user(user=request.user, appointment_id=appointment_id)
    except SchedulingRefused as refusal:
        _refused_to_404(refusal)
    context = {
        "appointment": appointment,
        "ticket": appointment_ticket(appointment=appointment),
        "kiosks": ticket_kiosks_for_user(user=request.user, appointment=appointment)
        if appointment.status == appointment.Status.BOOKED
        else [],
        "print_status": ticket_print_latest_status(appointment=appointment, now=timezone.now()),
    }
    response = render(request, "scheduling/ticket.html", context)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@booking_staff
def ticket_print_view(request: HttpRequest, appointment_id: int) -> HttpResponse:
    """Prints the ticket on the kiosk named in the form; back to the ticket page, which follows the print."""
    try:
        kiosk_id = int(request.POST.get("kiosk", ""))
    except ValueError:
        kiosk_id = 0
    try:
        ticket_print(user=request.user, appointment_id=appointment_id, kiosk_id=kiosk_id)
    except SchedulingRefused as refusal:
        if refusal.code == "appointment_unknown":
            _refused_to_404(refusal)
        messages.error(request, refusal.text)
    return redirect("scheduling:ticket", appointment_id=appointment_id)


@require_GET
@booking_staff
def ticket_print_status_view(request: HttpRequest, appointment_id: int) -> HttpResponse:
    """The latest print of the ticket, as JSON, for the ticket page to follow it ({"print": null}: none)."""
    try:
        appointment = appointment_get_for_user(user=request.user, appointment_id=appointment_id)
    except SchedulingRefused as refusal:
        _refused_to_404(refusal)
    response = JsonResponse({"print": ticket_print_latest_status(appointment=appointment, now=timezone.now())})
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def ticket_pdf_for_bridge(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """GET /api/tickets/<id>.pdf: the ticket to print, for the bridge of the print's kiosk (`Authorization:
    Bearer <device token>`), while the print is queued or printing. Drawn on each request, never stored."""
    kiosk = kiosk_from_request(request) if request.headers.get("Authorization", "").startswith("Bearer ") else None
    if kiosk is None:
        return JsonResponse({"error": "Adresse réservée au boîtier de la borne."}, status=403)
    try:
        ticket = ticket_print_get_for_kiosk(kiosk=kiosk, ticket_id=ticket_id)
    except SchedulingRefused as refusal:
        return JsonResponse({"error": refusal.text}, status=404)
    response = HttpResponse(ticket_pdf(appointment=ticket.appointment), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="ticket-{ticket.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@booking_staff
def cancel(request: HttpRequest, appointment_id: int) -> HttpResponse:
    try:
        appointment = appointment_cancel(user=request.user, appointment_id=appointment_id)
    except SchedulingRefused as refusal:
        messages.error(request, refusal.text)
    else:
        messages.success(request, f"Le rendez-vous de {appointment.name} est annulé ; le créneau est de nouveau libre.")
    return redirect("scheduling:slots")


@require_http_methods(["GET", "POST"])
@booking_staff
def calendars(request: HttpRequest) -> HttpResponse:
    """The user's own feed and those of their sites: when each was made, and a button to get a new address.
    The address itself is shown only right after a reset (only its hash is kept)."""
    user = request.user
    sites = calendar_feed_sites(user=user)
    new_url = new_for = None
    if request.method == "POST":
        site = None
        if request.POST.get("site"):
            site = next((site for site in sites if str(site.pk) == request.POST["site"]), None)
            if site is None:
                raise Http404
        try:
            _token, raw = calendar_feed_token_reset(user=user, site=site)
        except SchedulingRefused as refusal:
            messages.error(request, refusal.text)
        else:
            new_url = request.build_absolute_uri(reverse("scheduling:feed", kwargs={"secret": raw}))
            new_for = site.pk if site else "me"
    feeds = calendar_feeds_for_user(user=user, sites=sites)
    response = render(request, "scheduling/calendars.html", {"feeds": feeds, "new_url": new_url, "new_for": new_for})
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def feed(request: HttpRequest, secret: str) -> HttpResponse:
    """The .ics feed behind a secret address; 404 for an address that was reset or never existed."""
    now = timezone.now()
    found = calendar_feed_for_secret(
        token_hash=feed_token_hash(secret), since=now - dt.timedelta(days=FEED_DAYS_BEHIND)
    )
    if found is None:
        raise Http404("Agenda inconnu")
    body = appointments_ics(title=found.title, appointments=found.appointments, now=now)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
@partner_staff
def callbacks(request: HttpRequest) -> HttpResponse:
    partner = request.user.partner
    open_requests = [
        {"request": request_, "phone": phone_display(request_.phone), "requested": local_label(request_.requested_at)}
        for request_ in callbacks_for_partner(partner=partner)
    ]
    closed = callbacks_for_partner(
        partner=partner,
        statuses=[CallbackRequest.Status.DONE, CallbackRequest.Status.FAILED, CallbackRequest.Status.EXPIRED],
    ).order_by("-closed_at")[:20]
    return render(
        request,
        "scheduling/callbacks.html",
        {
            "open_requests": open_requests,
            "closed": closed,
            "outcomes": CallbackAttempt.Outcome.choices,
            "partner": partner,
        },
    )


@require_POST
@partner_staff
def callback_take_view(request: HttpRequest, request_id: int) -> HttpResponse:
    try:
        callback_take(agent=request.user, request_id=request_id)
    except SchedulingRefused as refusal:
        messages.error(request, refusal.text)
    return redirect(f"{reverse('scheduling:callbacks')}#demande-{request_id}")


@require_POST
@partner_staff
def callback_attempt_view(request: HttpRequest, request_id: int) -> HttpResponse:
    form = CallbackAttemptForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
        return redirect(f"{reverse('scheduling:callbacks')}#demande-{request_id}")
    try:
        callback_request = callback_attempt(
            agent=request.user,
            request_id=request_id,
            outcome=form.cleaned_data["outcome"],
            note=form.cleaned_data["note"],
        )
    except SchedulingRefused as refusal:
        messages.error(request, refusal.text)
    else:
        messages.success(request, f"Demande n° {callback_request.pk} : {callback_request.get_status_display()}.")
    return redirect("scheduling:callbacks")
