"""The statistics pages in a real Chromium: the charts are drawn from their tables (Chart.js, vendored), with
no script error, and axe-core (WCAG 2.2 A and AA) finds no serious or critical violation on any of them: the
operator's, the observers', the partner's, the site manager's, the agent's, the public page and the login."""

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.harness import assert_no_serious_a11y_violations
from tests.e2e.harness.browser import login
from tests.statistics.conftest import record_call
from visiorelais.calls.models import Call
from visiorelais.statistics.services import call_facts_refresh


def some_history(world) -> None:
    """A dozen calls over the last weeks, answered or not, so that every table and chart has something."""
    now = timezone.now().replace(microsecond=0)
    for days in range(12):
        at = now - dt.timedelta(days=days, hours=2)
        if days % 4 == 3:
            record_call(world.kiosk_saint_lo, world.caf, at, outcome=Call.Outcome.UNAVAILABLE, reason="closed")
        else:
            record_call(
                world.kiosk_coutances,
                world.caf if days % 2 else world.cpam,
                at,
                outcome=Call.Outcome.COMPLETED,
                wait=20 + days,
                talk=300,
                rating=5,
                station=world.caf_station_1 if days % 2 else world.cpam_station,
            )
    call_facts_refresh()


def charts_drawn(page) -> None:
    """Every table that asks for a chart (heatmaps are their own table) got its canvas beside it."""
    expect(page.locator("figure[data-chart-for] canvas").first).to_be_visible()
    charted = page.locator("table[data-chart]").count()
    assert charted > 0
    assert page.locator("figure[data-chart-for] canvas").count() == charted


def test_the_statistics_pages_draw_their_charts_and_pass_axe(asgi_server, world, new_page):
    some_history(world)

    operator = new_page(name="operator")
    errors: list[str] = []
    operator.on("pageerror", lambda error: errors.append(str(error)))
    login(operator, world.olivia, origin=asgi_server.url)
    operator.goto("/statistiques/reseau/")
    expect(operator.locator("h1")).to_contain_text("réseau")
    charts_drawn(operator)
    assert_no_serious_a11y_violations(operator)
    assert errors == []

    observer = new_page(name="observer")
    login(observer, world.oscar, origin=asgi_server.url)
    observer.goto("/statistiques/pilotage/")
    expect(observer.locator("h1")).to_contain_text("Pilotage")
    assert_no_serious_a11y_violations(observer)

    for person, path in ((world.paula, "partenaire"), (world.mona, "site"), (world.alice, "ma-journee")):
        page = new_page(name=path)
        login(page, person, origin=asgi_server.url)
        page.goto(f"/statistiques/{path}/")
        expect(page.locator("table").first).to_be_visible()
        assert_no_serious_a11y_violations(page)

    public = new_page(name="public")
    public.goto("/statistiques/publiques/")
    expect(public.locator("table").first).to_be_visible()
    assert_no_serious_a11y_violations(public)

    login_page = new_page(name="login")
    login_page.goto("/statistiques/reseau/")
    expect(login_page).to_have_url(f"{asgi_server.url}/statistiques/connexion/?next=/statistiques/reseau/")
    assert_no_serious_a11y_violations(login_page)
