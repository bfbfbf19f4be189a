"""The booking and callback pages, and the back-office of slots, through HTTP: who sees what, clear errors,
nothing lost on error."""

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.scheduling.conftest import book, open_ft_slot, paris
from visiorelais.scheduling.models import Appointment, CallbackRequest, Slot
from visiorelais.scheduling.services import appointment_cancel, callback_request, callback_take, slot_open


def login(client, username):
    assert client.login(username=username, password=PASSWORD)


@pytest.fixture
def caf_slot(world, clock):
    return slot_open(
        partner=world.caf,
        station=world.caf_station_1,
        kiosk=world.kiosk_saint_lo,
        starts_at=paris(2026, 3, 3, 9, 0),
        length_minutes=30,
    )


def listed_slots(client):
    response = client.get(reverse("scheduling:slots"))
    assert response.status_code == 200
    return {slot.pk for _day, slots in response.context["days"] for slot in slots}


def test_a_host_agent_sees_only_the_slots_at_its_sites(client, world, ft, ft_slot, caf_slot):
    login(client, "hugo")
    assert listed_slots(client) == {ft_slot.pk}
    client.logout()
    login(client, "sarah")
    assert listed_slots(client) == {caf_slot.pk}


def test_a_partner_agent_sees_only_its_partners_slots(client, world, ft, ft_slot, caf_slot):
    login(client, "alice")
    assert listed_slots(client) == {caf_slot.pk}
    client.logout()
    login(client, "karim")
    assert listed_slots(client) == {ft_slot.pk}


def test_a_host_agent_cannot_open_the_booking_form_of_another_sites_slot(client, world, ft, ft_slot):
    login(client, "sarah")
    assert client.get(reverse("scheduling:book", args=[ft_slot.pk])).status_code == 404
    response = client.post(reverse("scheduling:book", args=[ft_slot.pk]), {"name": "X", "topic": ft.topic.pk})
    assert response.status_code == 404
    assert not Appointment.objects.exists()


def test_the_operator_and_the_anonymous_do_not_get_in(client, world):
    assert client.get(reverse("scheduling:slots")).status_code == 302
    login(client, "olivia")
    response = client.get(reverse("scheduling:slots"))
    assert response.status_code == 403
    assert "réservées aux agents" in response.content.decode()


def test_booking_shows_every_error_in_french_and_keeps_what_was_typed(client, world, ft, ft_slot):
    login(client, "hugo")
    response = client.post(
        reverse("scheduling:book", args=[ft_slot.pk]),
        {"name": "Mme Lehoux", "topic": ft.topic.pk, "phone": "06 12 34", "email": "lehoux@"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Ce numéro n&#x27;est pas un numéro de téléphone français valide." in page
    assert "Cette adresse e-mail n&#x27;est pas valide" in page
    assert 'value="Mme Lehoux"' in page and 'value="06 12 34"' in page
    assert not Appointment.objects.exists()


def test_booking_leads_to_the_printable_ticket_with_the_code(client, world, ft, ft_slot):
    login(client, "hugo")
    response = client.post(
        reverse("scheduling:book", args=[ft_slot.pk]),
        {"name": "Mme Lehoux", "topic": ft.topic.pk, "phone": "06 12 34 56 78"},
        follow=True,
    )
    appointment = Appointment.objects.get()
    page = response.content.decode()
    assert f"{appointment.code[:3]} {appointment.code[3:]}" in page
    assert "Jeudi 5 mars 2026 à 9 h" in page
    assert "« J'ai un rendez-vous »" in page


def test_a_slot_booked_meanwhile_is_said_so_on_the_form(client, world, ft, ft_slot):
    book(world, ft, ft_slot)
    login(client, "karim")
    response = client.post(reverse("scheduling:book", args=[ft_slot.pk]), {"name": "M. Hamel", "topic": ft.topic.pk})
    assert response.status_code == 400
    assert "Ce créneau vient d&#x27;être réservé" in response.content.decode()


def test_a_ticket_of_another_partner_is_not_found(client, world, ft, booked):
    login(client, "alice")
    assert client.get(reverse("scheduling:ticket", args=[booked.pk])).status_code == 404


def test_cancelling_from_the_list(client, world, ft, booked):
    login(client, "hugo")
    response = client.post(reverse("scheduling:cancel", args=[booked.pk]), follow=True)
    assert "est annulé" in response.content.decode()
    assert Appointment.objects.get().status == Appointment.Status.CANCELLED


def test_the_callback_list_shows_the_partners_requests_and_the_number_once_taken(client, world, clock):
    clock.move_to(paris(2026, 3, 6, 18, 0), tick=False)
    caf = callback_request(
        kiosk=world.kiosk_coutances, partner_id=world.caf.pk, phone="0233456789", preferred_period="any"
    )
    cpam = callback_request(
        kiosk=world.kiosk_coutances, partner_id=world.cpam.pk, phone="0233456780", preferred_period="any"
    )
    login(client, "alice")
    page = client.get(reverse("scheduling:callbacks")).content.decode()
    assert f"Demande n° {caf.pk}" in page and f"Demande n° {cpam.pk}" not in page
    assert "02 33 45 67 89" not in page
    client.post(reverse("scheduling:callback-take", args=[caf.pk]))
    page = client.get(reverse("scheduling:callbacks")).content.decode()
    assert "02 33 45 67 89" in page
    response = client.post(reverse("scheduling:callback-attempt", args=[caf.pk]), {"outcome": "done"}, follow=True)
    assert "rappelé" in response.content.decode()
    assert CallbackRequest.objects.get(pk=caf.pk).status == CallbackRequest.Status.DONE


def test_an_agent_cannot_take_another_partners_callback_nor_a_host_agent_see_the_list(client, world, clock):
    clock.move_to(paris(2026, 3, 6, 18, 0), tick=False)
    cpam = callback_request(
        kiosk=world.kiosk_coutances, partner_id=world.cpam.pk, phone="0233456780", preferred_period="any"
    )
    login(client, "alice")
    response = client.post(reverse("scheduling:callback-take", args=[cpam.pk]), follow=True)
    assert "ne concerne pas votre partenaire" in response.content.decode()
    assert CallbackRequest.objects.get(pk=cpam.pk).status == CallbackRequest.Status.PENDING
    client.logout()
    login(client, "hugo")
    assert client.get(reverse("scheduling:callbacks")).status_code == 403
    callback_take(agent=world.bob, request_id=cpam.pk)


# The back-office.


def test_a_partner_admin_lists_only_its_own_slots(client, world, ft, ft_slot, caf_slot):
    login(client, "paula")
    response = client.get(reverse("admin:scheduling_slot_changelist"))
    assert response.status_code == 200
    assert list(response.context["cl"].queryset) == [caf_slot]
    assert client.get(reverse("admin:scheduling_slot_change", args=[ft_slot.pk])).status_code == 302


def test_the_back_office_slot_list_says_which_slots_are_booked(client, world, ft, booked, caf_slot):
    cancelled = book(world, ft, open_ft_slot(world, ft, starts_at=paris(2026, 3, 5, 10, 0)))
    appointment_cancel(user=world.hugo, appointment_id=cancelled.pk)
    login(client, "olivia")

    response = client.get(reverse("admin:scheduling_slot_changelist"))

    changelist = response.context["cl"]
    shown = {slot.pk: changelist.model_admin.booked(slot) for slot in changelist.result_list}
    assert shown == {booked.slot_id: True, cancelled.slot_id: False, caf_slot.pk: False}


def test_a_partner_admin_opens_a_slot_at_a_kiosk_where_its_partner_is_open(client, world, clock):
    login(client, "paula")
    add = reverse("admin:scheduling_slot_add")
    form = client.get(add).context["adminform"].form
    assert set(form.fields["kiosk"].queryset) == {world.kiosk_coutances, world.kiosk_saint_lo}
    response = client.post(
        add,
        {
            "partner": world.caf.pk,
            "station": world.caf_station_2.pk,
            "kiosk": world.kiosk_coutances.pk,
            "site": "",
            "starts_at_0": "04/03/2026",
            "starts_at_1": "14:00",
            "length_minutes": 30,
            "active": "on",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Slot.objects.get().starts_at == paris(2026, 3, 4, 14, 0)


def test_the_back_office_refuses_an_overlapping_slot_in_french(client, world, caf_slot):
    login(client, "paula")
    response = client.post(
        reverse("admin:scheduling_slot_add"),
        {
            "partner": world.caf.pk,
            "station": world.caf_station_1.pk,
            "kiosk": world.kiosk_saint_lo.pk,
            "starts_at_0": "03/03/2026",
            "starts_at_1": "09:15",
            "length_minutes": 30,
            "active": "on",
        },
    )
    assert response.status_code == 200
    assert "chevauche celui du mardi 3 mars 2026 à 9 h sur le même poste" in response.content.decode()
    assert Slot.objects.count() == 1


def test_a_partner_admin_opens_a_series_which_opens_its_slots(client, world, clock):
    login(client, "paula")
    response = client.post(
        reverse("admin:scheduling_slotseries_add"),
        {
            "partner": world.caf.pk,
            "station": world.caf_station_2.pk,
            "kiosk": world.kiosk_saint_lo.pk,
            "rule": "monthly",
            "rank": 1,
            "weekday": 1,
            "start_time": "09:00",
            "end_time": "10:00",
            "slot_minutes": 30,
            "first_day": "01/03/2026",
        },
        follow=True,
    )
    assert "créneaux ouverts" in response.content.decode()
    # Three months ahead: 3 March, 7 April, 5 May, 2 June; two half-hours each.
    assert Slot.objects.filter(partner=world.caf).count() == 8


def test_a_partner_agent_has_no_back_office(client, world):
    login(client, "alice")
    assert client.get(reverse("admin:scheduling_slot_changelist")).status_code == 302
