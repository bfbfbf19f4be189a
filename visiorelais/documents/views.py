"""The documents' HTTP endpoints (docs/documents.md). Thin: find who asks, call one accessor or service,
record the fetch, answer JSON or the file.

Who asks: a request with `Authorization: Bearer <device token>` is that kiosk (the bridge), and is exempt
from CSRF (no cookie is involved). Otherwise the session's partner agent, or the kiosk browser's cookie;
both are cookies, so a POST from them must carry the CSRF token in the `X-CSRFToken` header (the body is a
raw file: it is never parsed as a form).
"""

import urllib.parse

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiValueDict
from django.http.request import QueryDict
from django.middleware.csrf import CsrfViewMiddleware
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from visiorelais.accounts.auth import kiosk_from_request
from visiorelais.accounts.models import PARTNER_ROLES
from visiorelais.calls.errors import CallNotFound
from visiorelais.calls.selectors import call_get_for_kiosk
from visiorelais.documents import conf, render, storage
from visiorelais.documents.crypto import DocumentKeyError
from visiorelais.documents.errors import (
    DocumentError,
    DocumentNotAllowed,
    DocumentNotFound,
)
from visiorelais.documents.models import Document, DocumentAccess
from visiorelais.documents.receipt import receipt_pdf
from visiorelais.documents.selectors import (
    call_documents,
    document_entry,
    document_get_for_agent,
    document_get_for_kiosk,
    document_plaintext,
)
from visiorelais.documents.services import document_access_record, document_store

NOT_AUTHENTICATED = "Identifiez-vous : cette adresse est réservée à la borne et à l'agent de l'appel."
CSRF_REFUSED = "Jeton CSRF absent ou invalide : rechargez la page puis recommencez."
NOT_FOUND = "Ce document n'existe pas ou n'est plus disponible."
CALL_NOT_FOUND = "Cet appel n'existe pas ou ne vous concerne pas."


def _error(message: str, status: int) -> JsonResponse:
    response = JsonResponse({"error": message}, status=status)
    response["Cache-Control"] = "no-store"
    return response


class Actor:
    """Who is asking: a kiosk (by bearer token or cookie) or a partner agent (by session)."""

    def __init__(self, *, kiosk=None, agent=None, by_bearer=False):
        self.kiosk, self.agent, self.by_bearer = kiosk, agent, by_bearer

    def record(self, document: Document, action: str) -> None:
        document_access_record(document=document, action=action, user=self.agent, kiosk=self.kiosk)


def _actor(request: HttpRequest) -> Actor | None:
    if request.headers.get("Authorization", "").startswith("Bearer "):
        kiosk = kiosk_from_request(request)
        return Actor(kiosk=kiosk, by_bearer=True) if kiosk else None
    user = request.user
    if user.is_authenticated and user.is_active and user.role in PARTNER_ROLES and user.partner_id:
        return Actor(agent=user)
    kiosk = kiosk_from_request(request)
    return Actor(kiosk=kiosk) if kiosk else None


def _csrf_refused(request: HttpRequest) -> bool:
    """Django's CSRF check, reading the token from the header only: the body is a file, not a form."""
    request._post, request._files = QueryDict(), MultiValueDict()  # never parse the body as a form
    return CsrfViewMiddleware(lambda r: HttpResponse()).process_view(request, lambda r: None, (), {}) is not None


def _document_for(actor: Actor, document_id: int) -> Document:
    if actor.agent is not None:
        return document_get_for_agent(agent=actor.agent, document_id=document_id)
    return document_get_for_kiosk(kiosk=actor.kiosk, document_id=document_id)


@csrf_exempt  # checked below for cookie-authenticated requests, from the header only
@require_POST
def upload(request: HttpRequest, call_id: int) -> HttpResponse:
    """POST /api/calls/<call_id>/documents: the raw file as the body; `X-Document-Name` (URL-encoded),
    optional `X-Scan-Request`. A kiosk sends a scan, the agent on the call a document to print."""
    actor = _actor(request)
    if actor is None:
        return _error(NOT_AUTHENTICATED, 403)
    if not actor.by_bearer and _csrf_refused(request):
        return _error(CSRF_REFUSED, 403)
    try:
        declared = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        declared = 0
    if declared > conf.max_bytes():
        return _error(storage.too_large(conf.max_bytes()).message, 413)
    name = urllib.parse.unquote(request.headers.get("X-Document-Name", ""))[:500]
    try:
        document = document_store(
            call_id=call_id,
            direction=Document.Direction.SCAN if actor.kiosk else Document.Direction.PRINT,
            stream=request,
            name=name,
            kiosk=actor.kiosk,
            agent=actor.agent,
            scan_request_id=request.headers.get("X-Scan-Request") or None,
        )
    except CallNotFound:
        return _error(CALL_NOT_FOUND, 404)
    except DocumentNotAllowed as error:
        return _error(error.message, 403)
    except DocumentError as error:
        return _error(error.message, error.status)
    return JsonResponse(document_entry(document), status=201)


def _fetch(request: HttpRequest, document_id: int, action: str):
    """(actor, document) or an error response."""
    actor = _actor(request)
    if actor is None:
        return None, _error(NOT_AUTHENTICATED, 403)
    try:
        document = _document_for(actor, document_id)
    except DocumentNotFound:
        return None, _error(NOT_FOUND, 404)
    actor.record(document, action)
    return document, None


@require_GET
def metadata(request: HttpRequest, document_id: int) -> HttpResponse:
    document, refusal = _fetch(request, document_id, DocumentAccess.Action.METADATA)
    if refusal:
        return refusal
    response = JsonResponse(document_entry(document))
    response["Cache-Control"] = "no-store"
    return response


def _plaintext_or_error(document: Document):
    try:
        return document_plaintext(document), None
    except DocumentNotFound:
        return None, _error(NOT_FOUND, 404)
    except DocumentKeyError as error:
        return None, _error(error.message, 500)


@require_GET
def content(request: HttpRequest, document_id: int) -> HttpResponse:
    document, refusal = _fetch(request, document_id, DocumentAccess.Action.CONTENT)
    if refusal:
        return refusal
    data, refusal = _plaintext_or_error(document)
    if refusal:
        return refusal
    response = HttpResponse(data, content_type=document.content_type)
    response["Content-Disposition"] = _attachment(document.name)
    response["Cache-Control"] = "no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_GET
def page_thumbnail(request: HttpRequest, document_id: int, page: int) -> HttpResponse:
    actor = _actor(request)
    if actor is None:
        return _error(NOT_AUTHENTICATED, 403)
    if actor.agent is None:
        # Thumbnails are for the agent's console (scans); a kiosk has none.
        return _error(NOT_FOUND, 404)
    document, refusal = _fetch(request, document_id, DocumentAccess.Action.THUMBNAIL)
    if refusal:
        return refusal
    data, refusal = _plaintext_or_error(document)
    if refusal:
        return refusal
    try:
        png = render.thumbnail(data, content_type=document.content_type, page=page, pages=document.pages)
    except DocumentError as error:
        return _error(error.message, error.status)
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def receipt(request: HttpRequest, call_id: int) -> HttpResponse:
    actor = _actor(request)
    if actor is None:
        return _error(NOT_AUTHENTICATED, 403)
    if actor.kiosk is None:
        return _error(CALL_NOT_FOUND, 404)
    try:
        call = call_get_for_kiosk(kiosk=actor.kiosk, call_id=call_id)
    except CallNotFound:
        return _error(CALL_NOT_FOUND, 404)
    documents = list(call_documents(call_id=call.pk))
    for document in documents:
        actor.record(document, DocumentAccess.Action.RECEIPT)
    response = HttpResponse(receipt_pdf(call=call, documents=documents), content_type="application/pdf")
    response["Content-Disposition"] = _attachment(f"recepisse-appel-{call.pk}.pdf")
    response["Cache-Control"] = "no-store"
    return response


def _attachment(name: str) -> str:
    ascii_name = name.encode("ascii", "replace").decode().replace('"', "'").replace("?", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{urllib.parse.quote(name)}"
