"""The operator's own downloads beside the network page: the call-level CSV (one line per call, streamed; no
resident's data) and its TableSchema."""

from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.views.decorators.http import require_GET

from visiorelais.statistics.views.base import Page, page_access, period_from_request


@require_GET
@page_access("reseau")
def call_facts_csv_view(request: HttpRequest, page: Page) -> HttpResponse:
    from visiorelais.statistics.exports import call_facts_csv

    period = period_from_request(request, page)
    response = StreamingHttpResponse(call_facts_csv(period=period), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="appels-{period.code}.csv"'
    return response


@require_GET
@page_access("reseau")
def call_facts_schema_view(request: HttpRequest, page: Page) -> HttpResponse:
    from visiorelais.statistics.exports import call_facts_schema

    response = JsonResponse(call_facts_schema(), json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = 'attachment; filename="appels.schema.json"'
    return response
