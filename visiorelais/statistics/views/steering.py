"""The steering report: the steering page's tables as one PDF, for the committee's papers."""

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from visiorelais.statistics.reports.steering import report_intro
from visiorelais.statistics.views.base import Page, page_access, period_from_request


@require_GET
@page_access("pilotage")
def report_view(request: HttpRequest, page: Page) -> HttpResponse:
    from visiorelais.statistics.exports import report_response

    period = period_from_request(request, page)
    return report_response(
        page.build(request.user, period),
        title=_("Rapport de pilotage du réseau Visio-relais"),
        subtitle=period.label,
        intro=report_intro(period),
    )
