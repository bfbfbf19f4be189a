"""Printing an appointment's ticket on a kiosk: who may print where, when the kiosk can, what the bridge hears and
reports, what the ticket page says, the PDF the bridge fetches, and the ticket itself."""

import datetime as dt
import html
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from tests.conftest import PASSWORD
from tests.documents.conftest import Subscriber, device_token
from tests.scheduling.conftest import book, open_ft_slot, paris
from visiorelais.documents.events import group_for_bridge
from visiorelais.documents.services import peripherals_report
from visiorelais.network.models import Kiosk
from visiorelais.scheduling.errors import SchedulingRefused
from visiorelais.scheduling.models import TicketPrint
from visiorelais.scheduling.selectors import ticket_kiosks_for_user, ticket_print_status
from visiorelais.scheduling.services import appointment_cancel, ticket_print, ticket_print_update
from visiorelais.scheduling.ticket_pdf import ticket_pdf

SCANNER = {"present": True, "ready": True, "detail": "test:0", "adf": True}
PRINTER = {"present": True, "ready": True, "state": "idle", "reasons": []}


@pytest.fixture(autouse=True)
def channel_layer(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


def bridge_reports(kiosk, **printer) -> None:
    peripherals_report(kiosk=kiosk, scanner=SCANNER, printer={**PRINTER, **printer})


@pytest.fixture
def online(world, clock):
    """The Coutances kiosk's bridge has just reported a printer present and ready."""
    bridge_reports(world.kiosk_coutances)


def refusal_of(call) -> str:
    with pytest.raises(SchedulingRefused) as refused:
        call()
    return refused.value.code


def login(client, username):
    assert client.login(username=username, password=PASSWORD)


def page_text(response) -> str:
    return html.unescape(response.content.decode())


# Who may print, and where.


def test_a_host_agent_prints_the_ticket_and_the_bridge_hears_it_after_commit(
    world, booked, online, django_capture_on_commit_callbacks
):
    bridge = Subscriber(group_for_bridge(world.kiosk_coutances.pk))

    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_print(user=world.hugo, appointment_id=booked.pk, kiosk_id=world.kiosk_coutances.pk)

    assert (ticket.state, ticket.kiosk, ticket.requested_by) == ("queued", world.kiosk_coutances, world.hugo)
    assert bridge.drain() == [("bridge.ticket", {"ticket_id": ticket.pk})]


def test_the_site_manager_of_the_site_may_print_too(world, booked, online):
    ticket = ticket_print(user=world.mona, appointment_id=booked.pk, kiosk_id=world.kiosk_coutances.pk)

    assert ticket.state == "queued"


@pytest.mark.parametrize(
    ("username", "code"),
    [
        ("karim", "ticket_print_not_allowed"),  # France Travail's agent booked remotely: the resident is not there
        ("sarah", "appointment_unknown"),  # a host agent of another site
        ("alice", "appointment_unknown"),  # another partner's agent
        ("olivia", "appointment_unknown"),  # the operator books nothing
    ],
)
def test_only_the_host_sites_staff_may_print_and_nothing_is_sent_otherwise(
    world, ft, booked, online, username, code, django_capture_on_commit_callbacks
):
    user = {"karim": ft.karim, "sarah": ft.sarah, "alice": world.alice, "olivia": world.olivia}[username]
    bridge = Subscriber(group_for_bridge(world.kiosk_coutances.pk))

    with django_capture_on_commit_callbacks(execute=True):
        refused = refusal_of(
            lambda: ticket_print(user=user, appointment_id=booked.pk, kiosk_id=world.kiosk_coutances.pk)
        )

    assert refused == code
    assert not TicketPrint.objects.exists()
    assert bridge.drain() == []


def test_a_kiosk_of_the_site_outside_the_slots_place_is_refused(world, booked, online):
    other = Kiosk.objects.create(site=world.coutances, code="BRN-COUT-02", label="Seconde borne de Coutances")
    bridge_reports(other)

    refused = refusal_of(lambda: ticket_print(user=world.hugo, appointment_id=booked.pk, kiosk_id=other.pk))

    assert refused == "ticket_print_not_allowed"
    assert ticket_kiosks_for_user(user=world.hugo, appointment=booked) == [world.kiosk_coutances]


def test_a_slot_at_the_site_offers_each_active_kiosk_of_the_site(world, ft, clock):
    other = Kiosk.objects.create(site=world.coutances, code="BRN-COUT-02", label="Seconde borne de Coutances")
    Kiosk.objects.create(site=world.coutances, code="BRN-COUT-09", label="Retirée", status=Kiosk.Status.RETIRED)
    slot = open_ft_slot(world, ft, starts_at=paris(2026, 3, 5, 10, 0), site=world.coutances)
    appointment = book(world, ft, slot)

    assert ticket_kiosks_for_user(user=world.hugo, appointment=appointment) == [world.kiosk_coutances, other]
    assert ticket_kiosks_for_user(user=ft.karim, appointment=appointment) == []


def test_a_cancelled_appointments_ticket_is_not_printed(world, booked, online):
    appointment_cancel(user=world.hugo, appointment_id=booked.pk)

    refused = refusal_of(
        lambda: ticket_print(user=world.hugo, appointment_id=booked.pk, kiosk_id=world.kiosk_coutances.pk)
    )

    assert refused == "ticket_not_printable"


# When the kiosk can print.


def test_a_kiosk_without_a_printer_says_so_in_french(world, booked, online):
    Kiosk.objects.filter(pk=world.kiosk_coutances.pk).update(has_printer=False)

    with pytest.raises(SchedulingRefused) as refused:
        ticket_print(user=world.hugo, appointment_id=booked.pk, kiosk_id=world.kiosk_coutances.pk)

    assert refused.value.code == "kiosk_no_printer"
    assert refused.value.text == "La borne BRN-COUT-01 n'a pas d'imprimante : recopiez le code pour la personne."


def test_a_kiosk_whose_bridge_never_reported_is_offline(world, booked, clock):
    refused = refusal_of(
        lambda: ticket_print(user=world.hugo, appointment_id=booked.pk, kiosk_id=world.kiosk_coutances.pk)
    )

    assert refused == "kiosk_offline"


def test_a_kiosk_whose_bridge_fell_silent_is_offline(world, booked, online, clock):
    clock.shift(dt.timedelta(seconds=31))

    with pytest.raises(SchedulingRefused) as refused:
        ticket_print(user=world.hugo, appointment_id=booked.pk, kiosk_id=world.kiosk_coutances.pk)

    assert refused.value.code == "kiosk_offline"
    assert "BRN-COUT-01 est hors ligne" in refused.value.text
    assert not TicketPrint.objects.exists()


def test_a_printer_the_bridge_reports_absent_is_refused(world, booked, clock):
    bridge_reports(world.kiosk_coutances, present=False, ready=False, state="stopped")

    refused = refusal_of(
        lambda: ticket_print(user=world.hugo, appointment_id=booked.pk, kiosk_id=world.kiosk_coutances.pk)
    )

    assert refused == "printer_offline"


def test_a_second_print_waits_for_the_first_unless_the_bridge_never_answered(world, booked, online, clock, settings):
    settings.TICKET_PRINT_WAIT_SECONDS = 60
    first = ticket_print(user=world.hugo, appointment_id=booked.pk, kiosk_id=world.kiosk_coutances.pk)

    refused = refusal_of(
        lambda: ticket_print(user=world.hugo, appointment_id=booked.pk, kiosk_id=world.kiosk_coutances.pk)
    )
    clock.shift(dt.timedelta(seconds=61))
    bridge_reports(world.kiosk_coutances)
    second = ticket_print(user=world.hugo, appointment_id=booked.pk, kiosk_id=world.kiosk_coutances.pk)

    assert refused == "ticket_printing"
    assert second.pk != first.pk
    assert ticket_print_status(ticket=first, now=clock_now())["message"] == (
        "La borne BRN-COUT-01 n'a pas confirmé l'impression : vérifiez l'imprimante, ou recopiez le code pour la "
        "personne."
    )


def clock_now():
    from django.utils import timezone

    return timezone.now()


# What the bridge reports.


def test_the_bridges_reports_move_the_print_to_its_end(world, booked, online):
    ticket = ticket_print(user=world.hugo, appointment_id=booked.pk, kiosk_id=world.kiosk_coutances.pk)

    ticket_print_update(kiosk=world.kiosk_coutances, ticket_id=ticket.pk, state="queued")
    ticket_print_update(kiosk=world.kiosk_coutances, ticket_id=ticket.pk, state="printing")
    done = ticket_print_update(kiosk=world.kiosk_coutances, ticket_id=ticket.pk, state="done")
    again = ticket_print_update(kiosk=world.kiosk_coutances, ticket_id=ticket.pk, state="done")
    crossed = refusal_of(
        lambda: ticket_print_update(kiosk=world.kiosk_coutances, ticket_id=ticket.pk, state="printing")
    )

    assert (done.state, again.state, crossed) == ("done", "done", "ticket_print_finished")
    status = ticket_print_status(ticket=done, now=clock_now())
    assert status["message"] == "Ticket imprimé sur la borne BRN-COUT-01 : remettez-le à la personne."
    assert (status["finished"], status["succeeded"]) == (True, True)


def test_a_failure_is_said_with_its_reason(world, booked, online):
    ticket = ticket_print(user=world.hugo, appointment_id=booked.pk, kiosk_id=world.kiosk_coutances.pk)

    failed = ticket_print_update(
        kiosk=world.kiosk_coutances, ticket_id=ticket.pk, state="failed", reason="out_of_paper"
    )

    status = ticket_print_status(ticket=failed, now=clock_now())
    assert status["message"] == (
        "Le ticket n'a pas été imprimé : l'imprimante de la borne BRN-COUT-01 n'a plus de papier."
    )
    assert (status["finished"], status["succeeded"]) == (True, False)


def test_another_kiosks_bridge_cannot_report_on_the_print(world, booked, online):
    ticket = ticket_print(user=world.hugo, appointment_id=booked.pk, kiosk_id=world.kiosk_coutances.pk)

    refused = refusal_of(lambda: ticket_print_update(kiosk=world.kiosk_saint_lo, ticket_id=ticket.pk, state="done"))

    assert refused == "ticket_print_unknown"
    ticket.refresh_from_db()
    assert ticket.state == "queued"


# The ticket page and the bridge's download, over HTTP.


def test_the_ticket_page_offers_the_kiosk_to_the_host_agent_and_not_to_the_partner_agent(client, world, booked):
    login(client, "hugo")
    page = page_text(client.get(reverse("scheduling:ticket", args=[booked.pk])))
    client.logout()
    login(client, "karim")
    remote = page_text(client.get(reverse("scheduling:ticket", args=[booked.pk])))

    assert "Imprimer sur la borne BRN-COUT-01" in page
    assert "Imprimer sur la borne" not in remote
    assert f"{booked.code[:3]} {booked.code[3:]}" in remote


def test_one_click_prints_and_the_page_follows_the_print(client, world, booked, online):
    login(client, "hugo")

    response = client.post(
        reverse("scheduling:ticket-print", args=[booked.pk]), {"kiosk": world.kiosk_coutances.pk}, follow=True
    )
    ticket = TicketPrint.objects.get()
    ticket_print_update(kiosk=world.kiosk_coutances, ticket_id=ticket.pk, state="done")
    status = client.get(reverse("scheduling:ticket-print-status", args=[booked.pk])).json()

    assert "Ticket envoyé à la borne BRN-COUT-01 : impression en attente…" in page_text(response)
    assert status["print"]["message"] == "Ticket imprimé sur la borne BRN-COUT-01 : remettez-le à la personne."
    assert status["print"]["finished"] is True


def test_an_offline_kiosk_is_said_on_the_page_and_the_code_stays_readable(client, world, booked, clock):
    login(client, "hugo")

    response = client.post(
        reverse("scheduling:ticket-print", args=[booked.pk]), {"kiosk": world.kiosk_coutances.pk}, follow=True
    )

    page = page_text(response)
    assert "La borne BRN-COUT-01 est hors ligne : le ticket ne peut pas y être imprimé." in page
    assert f"{booked.code[:3]} {booked.code[3:]}" in page
    assert not TicketPrint.objects.exists()


def test_a_partner_agent_posting_a_print_is_refused(client, world, booked, online):
    login(client, "karim")

    response = client.post(
        reverse("scheduling:ticket-print", args=[booked.pk]), {"kiosk": world.kiosk_coutances.pk}, follow=True
    )

    assert "Seul l'accueil du site peut imprimer un ticket sur cette borne" in page_text(response)
    assert not TicketPrint.objects.exists()


def test_the_bridge_of_the_kiosk_fetches_the_ticket_while_it_waits_to_be_printed(world, booked, online):
    from django.test import Client

    ticket = ticket_print(user=world.hugo, appointment_id=booked.pk, kiosk_id=world.kiosk_coutances.pk)
    url = reverse("scheduling:ticket-pdf", args=[ticket.pk])
    own = Client(HTTP_AUTHORIZATION=f"Bearer {device_token(world, world.kiosk_coutances)}")
    other = Client(HTTP_AUTHORIZATION=f"Bearer {device_token(world, world.kiosk_saint_lo)}")

    fetched = own.get(url)
    by_other, anonymous = other.get(url), Client().get(url)
    ticket_print_update(kiosk=world.kiosk_coutances, ticket_id=ticket.pk, state="done")
    after = own.get(url)

    assert fetched.status_code == 200
    assert fetched["Content-Type"] == "application/pdf"
    assert booked.code in pdf_text(fetched.content).replace(" ", "")
    assert (by_other.status_code, anonymous.status_code, after.status_code) == (404, 403, 404)


# The ticket itself.


def pdf_text(data: bytes) -> str:
    """The PDF's text, its line breaks and runs of spaces made single spaces."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def test_the_ticket_is_one_page_with_partner_time_place_and_code_and_no_contact(world, booked):
    data = ticket_pdf(appointment=booked)

    reader = PdfReader(io.BytesIO(data))
    text = pdf_text(data)
    assert len(reader.pages) == 1
    assert "France Travail" in text
    assert "jeudi 5 mars 2026 à 9 h" in text
    assert "heure de Paris" in text
    assert "Borne de Coutances" in text
    assert "France Services de Coutances" in text
    assert f"{booked.code[:3]} {booked.code[3:]}" in text
    assert "J'ai un rendez-vous" in text
    for personal in ("Lehoux", "lehoux@exemple.fr", "06 12 34 56 78", "612345678"):
        assert personal not in text
