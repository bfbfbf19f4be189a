"""The .ics feeds behind secret addresses: parsed back with icalendar; a reset invalidates the old address."""

import datetime as dt

import pytest
from django.urls import reverse
from icalendar import Calendar

from tests.conftest import PASSWORD
from tests.scheduling.conftest import book, open_ft_slot, paris
from visiorelais.scheduling.errors import SchedulingRefused
from visiorelais.scheduling.models import CalendarFeedToken
from visiorelais.scheduling.services import appointment_cancel, calendar_feed_token_reset


def feed_url(raw):
    return reverse("scheduling:feed", kwargs={"secret": raw})


def events_of(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return list(Calendar.from_ical(response.content).walk("VEVENT"))


def test_an_agents_feed_lists_its_partners_appointments(client, world, ft, booked):
    book(world, ft, open_ft_slot(world, ft, starts_at=paris(2026, 3, 5, 9, 30)), name="M. Osmont")
    _token, raw = calendar_feed_token_reset(user=ft.karim)
    events = events_of(client.get(feed_url(raw)))
    assert [str(event["SUMMARY"]) for event in events] == ["France Travail — Mme Lehoux", "France Travail — M. Osmont"]
    first = events[0]
    assert first.decoded("DTSTART") == paris(2026, 3, 5, 9, 0)
    assert first.decoded("DTEND") - first.decoded("DTSTART") == dt.timedelta(minutes=30)
    assert "France Services de Coutances" in str(first["LOCATION"])
    assert "Motif : Indemnisation" in str(first["DESCRIPTION"])
    assert str(first["STATUS"]) == "CONFIRMED"
    assert "06" not in first.to_ical().decode() and "lehoux@" not in first.to_ical().decode()


def test_a_sites_feed_lists_the_appointments_there_and_marks_cancellations(client, world, ft, booked):
    _token, raw = calendar_feed_token_reset(user=world.hugo, site=world.coutances)
    appointment_cancel(user=world.hugo, appointment_id=booked.pk)
    [event] = events_of(client.get(feed_url(raw)))
    assert str(event["STATUS"]) == "CANCELLED"
    calendar = Calendar.from_ical(client.get(feed_url(raw)).content)
    assert str(calendar["X-WR-CALNAME"]) == "Rendez-vous — France Services de Coutances"


def test_another_partners_agent_feed_does_not_show_them(client, world, ft, booked):
    _token, raw = calendar_feed_token_reset(user=world.alice)
    assert events_of(client.get(feed_url(raw))) == []


def test_a_reset_invalidates_the_old_address(client, world, ft, booked):
    _token, old = calendar_feed_token_reset(user=ft.karim)
    _token, new = calendar_feed_token_reset(user=ft.karim)
    assert client.get(feed_url(old)).status_code == 404
    assert len(events_of(client.get(feed_url(new)))) == 1
    assert CalendarFeedToken.objects.filter(user=ft.karim).count() == 1


def test_an_unknown_address_is_not_found(client, world):
    assert client.get(feed_url("pas-un-secret")).status_code == 404


def test_only_the_sites_staff_reset_its_feed(world, ft):
    for user in (ft.sarah, ft.karim):
        with pytest.raises(SchedulingRefused) as caught:
            calendar_feed_token_reset(user=user, site=world.coutances)
        assert caught.value.code == "feed_not_allowed"
    with pytest.raises(SchedulingRefused):
        calendar_feed_token_reset(user=world.oscar)


def test_the_page_shows_a_new_address_once_and_the_reset_button_replaces_it(client, world, ft, booked):
    client.login(username="hugo", password=PASSWORD)
    page = client.get(reverse("scheduling:calendars"))
    assert "France Services de Coutances" in page.content.decode()
    response = client.post(reverse("scheduling:calendars"), {"site": world.coutances.pk})
    url = response.context["new_url"]
    assert url.startswith("http://testserver/agenda/")
    assert len(events_of(client.get(url.removeprefix("http://testserver")))) == 1
    client.post(reverse("scheduling:calendars"), {"site": world.coutances.pk})
    assert client.get(url.removeprefix("http://testserver")).status_code == 404
    assert client.get(reverse("scheduling:calendars")).context["new_url"] is None


def test_a_host_agent_cannot_reset_the_feed_of_a_site_not_theirs(client, world, ft):
    client.login(username="sarah", password=PASSWORD)
    assert client.post(reverse("scheduling:calendars"), {"site": world.coutances.pk}).status_code == 404
    assert not CalendarFeedToken.objects.exists()


def test_the_page_lists_ones_own_feed_then_each_site_with_the_address_made_for_it(client, world, ft):
    own, _raw = calendar_feed_token_reset(user=world.hugo)
    calendar_feed_token_reset(user=world.mona, site=world.coutances)
    calendar_feed_token_reset(user=world.mona)  # another person's own feed: not hugo's
    client.login(username="hugo", password=PASSWORD)

    feeds = client.get(reverse("scheduling:calendars")).context["feeds"]

    site_token = CalendarFeedToken.objects.get(site=world.coutances)
    assert [tuple(row) for row in feeds] == [
        ("me", "Mon agenda", own),
        (world.coutances.pk, world.coutances.name, site_token),
    ]
