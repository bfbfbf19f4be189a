"""The kiosk's screens. Thin: parse, call one service, render."""

import json

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from visiorelais.accounts.auth import kiosk_from_request, set_kiosk_cookie
from visiorelais.accounts.services import EnrolmentError, kiosk_enrol

MAX_JSON_BODY = 2048
# What the consent screen promises: only a call's date, duration and partner are kept, for this long.
DEFAULT_STATISTICS_RETENTION_MONTHS = 36


class EnrolmentForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code d'enrôlement"),
        max_length=20,
        help_text=gettext_lazy("Le code à 10 caractères donné par l'opérateur du réseau, par exemple ABCDE-23456."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The resident's screen. Everything live comes over the kiosk WebSocket; the page only carries the words,
    the site's help details and the scripts. A browser without a valid device token is sent to enrolment."""
    kiosk = kiosk_from_request(request)
    if kiosk is None:
        return redirect("kiosk:enrol")
    context = {
        "kiosk": kiosk,
        "site": kiosk.site,
        "retention_months": getattr(settings, "CALL_STATISTICS_RETENTION_MONTHS", DEFAULT_STATISTICS_RETENTION_MONTHS),
        "time_zone": settings.TIME_ZONE,
    }
    response = render(request, "kiosk/home.html", context)
    # The page is the start of a wipe (location.replace after each call): never serve it from a cache.
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    """The kiosk browser's enrolment page: the code typed here becomes the device token, kept in a cookie."""
    # A link may carry the code (?code=…) to pre-fill the form; enrolling still takes a touch on the button.
    form = EnrolmentForm(request.POST or None, initial={"code": request.GET.get("code", "")[:20]})
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = kiosk_enrol(code=form.cleaned_data["code"])
        except EnrolmentError as error:
            form.add_error("code", error.message)
        else:
            response = render(request, "kiosk/enrolled.html", {"kiosk": token.kiosk})
            set_kiosk_cookie(response, raw)
            return response
    status = 400 if form.errors else 200
    return render(request, "kiosk/enrol.html", {"form": form, "kiosk": kiosk_from_request(request)}, status=status)


@csrf_exempt  # The bridge posts the code itself; no cookie or session is involved.
@require_POST
def api_enrol(request: HttpRequest) -> JsonResponse:
    """Bridge enrolment: POST {"code": "..."} → 201 {"token": ..., "kiosk": {...}}, or 400 {"error": "..."}."""
    if len(request.body) > MAX_JSON_BODY:
        return JsonResponse({"error": _("Requête trop volumineuse.")}, status=413)
    try:
        payload = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"error": _("Le corps de la requête doit être du JSON.")}, status=400)
    code = payload.get("code") if isinstance(payload, dict) else None
    if not isinstance(code, str):
        return JsonResponse({"error": _("Indiquez le code d'enrôlement dans le champ « code ».")}, status=400)
    try:
        token, raw = kiosk_enrol(code=code)
    except EnrolmentError as error:
        return JsonResponse({"error": error.message}, status=400)
    return JsonResponse({"token": raw, "kiosk": {"code": token.kiosk.code, "label": token.kiosk.label}}, status=201)


@require_GET
def api_me(request: HttpRequest) -> JsonResponse:
    """Which kiosk the presented token authenticates; 401 when none."""
    kiosk = kiosk_from_request(request)
    if kiosk is None:
        return JsonResponse({"error": _("Borne non authentifiée.")}, status=401)
    return JsonResponse({"code": kiosk.code, "label": kiosk.label, "site": str(kiosk.site)})
