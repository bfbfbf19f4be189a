"""The back-office refuses bad network data through its HTTP forms: a clear French message, nothing saved."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.admin_pages import admin_url, form_data, page_text
from visiorelais.network.models import (
    Entitlement,
    HostSite,
    Kiosk,
    Partner,
    ServiceWindow,
    SiteOpening,
)

SATURDAY, MONDAY = 5, 0


def add_inline_rows(data: dict, prefix: str, *rows: dict) -> dict:
    """Appends new rows to the inline formset `prefix` of posted admin data, as the "Ajouter" link would."""
    total = int(data[f"{prefix}-TOTAL_FORMS"][0])
    for offset, row in enumerate(rows):
        for name, value in row.items():
            data[f"{prefix}-{total + offset}-{name}"] = [value]
    data[f"{prefix}-TOTAL_FORMS"] = [str(total + len(rows))]
    return data


def inline_row(data: dict, prefix: str, instance) -> int:
    """The index of `instance` in the inline formset `prefix` of posted admin data."""
    return next(
        index
        for index in range(int(data[f"{prefix}-TOTAL_FORMS"][0]))
        if data.get(f"{prefix}-{index}-id") == [str(instance.pk)]
    )


def test_a_service_window_ending_before_it_starts_is_refused(client, world):
    client.force_login(world.paula)
    before = ServiceWindow.objects.count()
    response = client.post(
        admin_url(ServiceWindow, "add"),
        {"partner": world.caf.pk, "weekday": SATURDAY, "start": "12:00", "end": "09:00"},
    )
    assert response.status_code == 200
    assert "L'heure de fin doit suivre l'heure de début." in page_text(response)
    assert ServiceWindow.objects.count() == before


def test_a_service_window_overlapping_one_of_the_same_partner_is_refused(client, world):
    client.force_login(world.paula)
    before = ServiceWindow.objects.count()
    response = client.post(
        admin_url(ServiceWindow, "add"),
        {"partner": world.caf.pk, "weekday": MONDAY, "start": "11:00", "end": "14:00"},
    )
    assert response.status_code == 200
    assert "chevauche la plage existante lundi 09:00–12:00" in page_text(response)
    assert ServiceWindow.objects.count() == before


def test_the_same_hours_for_another_partner_are_accepted(client, world):
    client.force_login(world.olivia)
    response = client.post(
        admin_url(ServiceWindow, "add"),
        {"partner": world.cpam.pk, "weekday": MONDAY, "start": "13:30", "end": "16:30"},
    )
    assert response.status_code == 302, page_text(response)


def test_two_overlapping_service_windows_posted_together_are_refused_and_nothing_is_saved(client, world):
    client.force_login(world.paula)
    url = admin_url(Partner, "change", world.caf.pk)
    data = form_data(client.get(url))
    data["description"] = ["Ne doit pas être enregistré"]
    add_inline_rows(
        data,
        "service_windows",
        {"weekday": str(SATURDAY), "start": "09:00", "end": "12:00"},
        {"weekday": str(SATURDAY), "start": "11:00", "end": "13:00"},
    )
    add_inline_rows(data, "stations", {"label": "CAF poste 3", "active": "on"})
    before = (ServiceWindow.objects.count(), world.caf.stations.count())

    response = client.post(url, data)

    assert response.status_code == 200
    assert "Les plages « samedi 09:00–12:00 » et « samedi 11:00–13:00 » se chevauchent" in page_text(response)
    assert (ServiceWindow.objects.count(), world.caf.stations.count()) == before
    world.caf.refresh_from_db()
    assert world.caf.description == ""


def test_a_service_window_posted_in_the_partner_page_overlapping_a_saved_one_is_refused(client, world):
    client.force_login(world.paula)
    url = admin_url(Partner, "change", world.caf.pk)
    data = add_inline_rows(
        form_data(client.get(url)), "service_windows", {"weekday": str(MONDAY), "start": "10:00", "end": "11:00"}
    )
    before = ServiceWindow.objects.count()
    response = client.post(url, data)
    assert response.status_code == 200
    assert "se chevauchent" in page_text(response)
    assert ServiceWindow.objects.count() == before


def test_service_windows_rearranged_in_one_submission_are_accepted(client, world):
    """Shortening a window and adding one in the freed time is judged on the result, not step by step."""
    client.force_login(world.paula)
    url = admin_url(Partner, "change", world.caf.pk)
    data = form_data(client.get(url))
    morning = ServiceWindow.objects.get(partner=world.caf, weekday=MONDAY, start=dt.time(9))
    data[f"service_windows-{inline_row(data, 'service_windows', morning)}-end"] = ["10:30"]
    add_inline_rows(data, "service_windows", {"weekday": str(MONDAY), "start": "10:30", "end": "12:00"})

    response = client.post(url, data)

    assert response.status_code == 302, page_text(response)
    monday = ServiceWindow.objects.filter(partner=world.caf, weekday=MONDAY).values_list("start", "end")
    assert list(monday) == [
        (dt.time(9), dt.time(10, 30)),
        (dt.time(10, 30), dt.time(12)),
        (dt.time(13, 30), dt.time(16, 30)),
    ]


def test_a_deleted_window_frees_its_hours_in_the_same_submission(client, world):
    client.force_login(world.paula)
    url = admin_url(Partner, "change", world.caf.pk)
    data = form_data(client.get(url))
    morning = ServiceWindow.objects.get(partner=world.caf, weekday=MONDAY, start=dt.time(9))
    data[f"service_windows-{inline_row(data, 'service_windows', morning)}-DELETE"] = ["on"]
    add_inline_rows(data, "service_windows", {"weekday": str(MONDAY), "start": "08:00", "end": "11:00"})
    assert client.post(url, data).status_code == 302
    assert not ServiceWindow.objects.filter(pk=morning.pk).exists()
    assert ServiceWindow.objects.filter(partner=world.caf, weekday=MONDAY, start=dt.time(8)).exists()


def test_two_overlapping_site_openings_posted_together_are_refused(client, world):
    client.force_login(world.mona)
    url = admin_url(HostSite, "change", world.coutances.pk)
    data = add_inline_rows(
        form_data(client.get(url)),
        "openings",
        {"weekday": str(MONDAY), "start": "09:00", "end": "12:00"},
        {"weekday": str(MONDAY), "start": "08:30", "end": "09:30"},
    )
    response = client.post(url, data)
    assert response.status_code == 200
    assert "se chevauchent" in page_text(response)
    assert not SiteOpening.objects.exists()


def test_an_entitlement_to_a_retired_kiosk_is_refused(client, world):
    client.force_login(world.olivia)
    before = Entitlement.objects.count()
    response = client.post(
        admin_url(Entitlement, "add"),
        {"partner": world.cpam.pk, "kiosk": world.kiosk_retired.pk, "mode": Entitlement.Mode.WALK_IN},
    )
    assert response.status_code == 200
    assert "Cette borne est retirée du réseau : on ne peut plus y ouvrir de partenaire." in page_text(response)
    assert Entitlement.objects.count() == before


def test_a_duplicate_kiosk_code_is_refused(client, world):
    client.force_login(world.olivia)
    before = Kiosk.objects.count()
    url = admin_url(Kiosk, "add")
    data = form_data(client.get(url)) | {
        "code": ["BRN-COUT-01"],
        "label": ["Doublon"],
        "site": [str(world.saint_lo.pk)],
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Une borne porte déjà ce code ; choisissez-en un autre." in page_text(response)
    assert Kiosk.objects.count() == before


def test_a_malformed_partner_colour_is_refused(client, world):
    client.force_login(world.paula)
    url = admin_url(Partner, "change", world.caf.pk)
    data = form_data(client.get(url)) | {"colour": ["bleu"]}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Une couleur s'écrit #RRVVBB, par exemple #0055A4." in page_text(response)
    world.caf.refresh_from_db()
    assert world.caf.colour == "#0055A4"


@pytest.mark.parametrize("insee_code", ["5014", "50A47", "2C004"])
def test_a_malformed_insee_code_is_refused(client, world, insee_code):
    client.force_login(world.olivia)
    before = HostSite.objects.count()
    url = admin_url(HostSite, "add")
    data = form_data(client.get(url)) | {
        "authority": [str(world.authority.pk)],
        "name": ["Mairie de Gavray"],
        "kind": [HostSite.Kind.TOWN_HALL],
        "address": ["1 place de la Mairie"],
        "postcode": ["50450"],
        "commune": ["Gavray-sur-Sienne"],
        "insee_code": [insee_code],
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Le code INSEE compte cinq caractères" in page_text(response)
    assert HostSite.objects.count() == before


def test_the_back_office_speaks_french(client, world):
    client.force_login(world.olivia)
    index = page_text(client.get(reverse("admin:index")))
    for words in ("Bornes", "Sites d'accueil", "Partenaires", "Plages de permanence", "Comptes et accès"):
        assert words in index
    assert "Déconnexion" in index
    kiosk_list = page_text(client.get(admin_url(Kiosk, "changelist")))
    assert "Émettre un code d'enrôlement" in kiosk_list and "Rechercher" in kiosk_list
    partner_page = page_text(client.get(admin_url(Partner, "change", world.caf.pk)))
    assert "Postes de réception" in partner_page and "Enregistrer" in partner_page
