"""What the documents services and accessors raise. Each carries a French `message` fit for a screen,
and views turn them into `{"error": message}` with the HTTP status in `status`."""

from django.core.exceptions import PermissionDenied

from visiorelais.documents.models import Document, PrintJob, ScanRequest


class DocumentError(Exception):
    """A refused change; `code` is stable (screens and tests), `message` is French."""

    code = "error"
    status = 400
    message = "La demande ne peut pas aboutir."

    def __init__(self, message: str = "", *, code: str | None = None):
        if message:
            self.message = message
        if code:
            self.code = code
        super().__init__(self.message)


class DocumentRefused(DocumentError):
    """An upload refused for what it is (type, size, pages, pixels, a file that does not parse)."""

    code = "refused"
    message = "Ce fichier n'est pas accepté."


class DocumentTooLarge(DocumentRefused):
    code = "too_large"
    status = 413


class CallNotConnected(DocumentError):
    """Documents and scans cross only a connected call."""

    code = "call_not_connected"
    status = 409
    message = "L'appel n'est pas en cours : aucun document ne peut plus être échangé."


class IllegalTransition(DocumentError):
    """A print job or scan request is not in a state that allows this move."""

    code = "illegal_transition"
    status = 409


class InvalidReport(DocumentError):
    """A bridge report of the wrong shape (unknown state or reason, a field of the wrong type)."""

    code = "invalid_report"
    message = "Rapport de la borne mal formé."


class DocumentNotAllowed(PermissionDenied):
    """The caller may not do this (a kiosk sending a print, an agent not on the call)."""

    status = 403

    def __init__(self, message: str = "Vous n'avez pas accès à ce document."):
        self.message = message
        super().__init__(message)


class DocumentNotFound(Document.DoesNotExist):
    """No such document, not one the caller may see, or purged (not told apart, on purpose)."""

    status = 404
    message = "Ce document n'existe pas ou n'est plus disponible."


class ScanRequestNotFound(ScanRequest.DoesNotExist):
    status = 404
    message = "Cette demande de numérisation est inconnue."


class PrintJobNotFound(PrintJob.DoesNotExist):
    status = 404
    message = "Cette impression est inconnue."
