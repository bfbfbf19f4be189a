"""The partner agent's console: login, logout, and the page its script runs on.

Thin: the page only says who the agent is and what their partner offers (stations, topics); everything
live (station states, the queue, ringing, the call) comes over the `/ws/console/` socket, see docs/realtime.md.
Only partner agents and partner admins attached to a partner may sit at the console; anyone else logged in
gets a French 403 page with a way to log out.
"""

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView, LogoutView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from visiorelais.accounts.models import PARTNER_ROLES, User
from visiorelais.calls.models import StationPresence
from visiorelais.calls.services import WrapUpOutcome

# What the agent records about a call once it has ended (`call.wrapup`'s `outcome`).
WRAPUP_OUTCOMES = WrapUpOutcome.choices

# The reason sent with `station.pause` when the agent pauses by hand.
AGENT_PAUSE_REASON = StationPresence.PauseReason.AGENT


class ConsoleLoginView(LoginView):
    template_name = "console/login.html"
    redirect_authenticated_user = True
    next_page = reverse_lazy("console:home")


class ConsoleLogoutView(LogoutView):
    """POST logs out. GET only asks for confirmation: a link or a prefetch must never end a session."""

    http_method_names = ["get", "post", "options"]
    template_name = "console/logout.html"
    next_page = reverse_lazy("console:login")


def may_use_console(user: User) -> bool:
    return user.role in PARTNER_ROLES and user.partner_id is not None


@require_GET
@login_required(login_url=reverse_lazy("console:login"))
def console(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not may_use_console(user):
        return render(request, "console/forbidden.html", status=403)
    # Both lists are reached through the agent's own partner, which is the whole of their scope.
    partner = user.partner
    stations = list(partner.stations.filter(active=True).order_by("label", "pk"))
    topics = list(partner.topics.filter(active=True).order_by("label", "pk"))
    config = {
        "socket_path": "/ws/console/",
        "agent": {"id": user.pk, "name": user.get_full_name() or user.get_username()},
        "partner": {"id": partner.pk, "short_name": partner.short_name},
        "pause_reason": AGENT_PAUSE_REASON,
        "topics": [{"id": topic.pk, "label": topic.label} for topic in topics],
    }
    return render(
        request,
        "console/console.html",
        {
            "partner": partner,
            "stations": stations,
            "topics": topics,
            "outcomes": WRAPUP_OUTCOMES,
            "config": config,
            "strings": console_strings(),
        },
    )


def console_strings() -> dict:
    """The sentences console.js shows; `{name}` placeholders are filled in by the script."""
    return {
        "connection": {
            "connecting": _("Connexion au serveur…"),
            "open": _("Connecté"),
            "reconnecting": _("Reconnexion en cours…"),
            "closed": _("Déconnecté du serveur. Rechargez la page."),
        },
        "connection_refused": _("Le serveur a refusé la connexion (session expirée ?). Rechargez la page."),
        "station_states": {value: str(label) for value, label in StationPresence.State.choices},
        "pause_reasons": {value: str(label) for value, label in StationPresence.PauseReason.choices},
        "station_free": _("Libre"),
        "station_agent_none": _("Aucun agent"),
        # Seen: "Prendre"; heard: "Prendre le poste CAF poste 1" (the visible words start the accessible name).
        "station_take": _("Prendre"),
        "station_take_hidden": _("le poste {label}"),
        "station_taken_by": _("Occupé par {name}"),
        "my_station_none": _("Vous n'occupez aucun poste. Choisissez un poste libre ci-dessous."),
        "my_station": _("Vous occupez le poste « {label} »."),
        "my_station_state": _("État : {state}"),
        "my_station_state_reason": _("État : {state} ({reason})"),
        "my_station_taken": _("Vous avez pris le poste « {label} »."),
        "station_mine": _("Votre poste"),
        "my_station_left": _("Vous avez quitté votre poste."),
        "queue_empty": _("Personne n'attend."),
        "queue_count_one": _("1 personne attend"),
        "queue_count_many": _("{count} personnes attendent"),
        "since_now": _("depuis moins d'une minute"),
        "since_minutes": _("depuis {minutes} min"),
        "since_hours": _("depuis {hours} h {minutes} min"),
        "topic_none": _("Motif non précisé"),
        "yes": _("oui"),
        "no": _("non"),
        "ring_title": _("📞 Appel entrant — {site}"),
        "ring_announce": _("Appel entrant : {site}, {commune}. Motif : {topic}."),
        "ring_countdown": _("{seconds} s pour répondre"),
        "ring_over": _("Délai de réponse écoulé"),
        "ring_stopped": _("L'appel entrant n'est plus proposé à votre poste."),
        "ring_accepting": _("Connexion de l'appel…"),
        "call_with": _("En communication avec {site} ({commune}), borne {kiosk}"),
        "call_media_starting": _("Connexion de l'image et du son…"),
        "call_media_ok": _("Image et son établis."),
        "call_reconnecting": _("Reconnexion en cours… L'image et le son continuent tant que possible."),
        "call_ended": _("L'appel est terminé. Complétez la fin d'appel."),
        "call_media_error": _(
            "Caméra ou micro inaccessibles ({error}). Vérifiez les autorisations du navigateur, puis raccrochez."
        ),
        "wrapup_call": _("Appel de {site} ({commune}), borne {kiosk}"),
        "local_mic_off": _("micro coupé"),
        "local_camera_off": _("caméra coupée"),
        "mic_off": _("Couper le micro"),
        "mic_on": _("Rétablir le micro"),
        "camera_off": _("Couper la caméra"),
        "camera_on": _("Rétablir la caméra"),
        "wrapup_sent": _("Fin d'appel enregistrée. Choisissez la suite."),
        "wrapup_outcome_missing": _("Choisissez l'issue de l'appel."),
        "error": _("Erreur : {message}"),
        "not_connected": _("Pas de connexion au serveur : action impossible pour l'instant."),
    }
