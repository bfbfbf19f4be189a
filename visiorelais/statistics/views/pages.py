"""The generic views every statistics page shares: the page itself, the export of one of its tables, the
statistics home (which sends each role to its first page) and the login."""

from django.contrib.auth.views import LoginView, LogoutView, redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.http import require_GET

from visiorelais.statistics.views.base import (
    Page,
    forbidden,
    page_access,
    pages_for,
    period_choices,
    period_from_request,
    table_view,
)


class StatisticsLoginView(LoginView):
    template_name = "statistics/login.html"
    redirect_authenticated_user = True
    next_page = reverse_lazy("statistics:index")


class StatisticsLogoutView(LogoutView):
    """POST logs out. GET only asks for confirmation: a link or a prefetch must never end a session."""

    http_method_names = ["get", "post", "options"]
    template_name = "statistics/logout.html"
    next_page = reverse_lazy("statistics:login")


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The first page the user may open; anonymous users sign in first (the public page stays reachable)."""
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("statistics:index"), reverse("statistics:login"))
    signed_in_pages = [page for page in pages_for(request.user) if page.roles is not None]
    if not signed_in_pages:
        return forbidden(request)
    return redirect(signed_in_pages[0].url())


@require_GET
@page_access()
def page_view(request: HttpRequest, page: Page) -> HttpResponse:
    period = period_from_request(request, page)
    tables = page.build(request.user, period)
    return render(
        request,
        page.template,
        {
            "page": page,
            "period": period,
            "period_groups": period_choices(page, period),
            "tables": [table_view(table, page=page, period=period) for table in tables],
            "nav_pages": pages_for(request.user),
        },
    )


@require_GET
@page_access()
def export_view(request: HttpRequest, page: Page, table: str, fmt: str) -> HttpResponse:
    """One table of the page, for the requesting user and the period of `?periode=`, in format `fmt`."""
    from visiorelais.statistics.exports import FORMATS, table_response

    if fmt not in FORMATS:
        raise Http404("no such export format")
    period = period_from_request(request, page)
    for found in page.build(request.user, period):
        if found.key == table:
            return table_response(found, fmt)
    raise Http404("no such table on this page")
