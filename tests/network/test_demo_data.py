"""The demo network: `visiorelais demo-data` and the service behind it, demo_data_load()."""

import datetime as dt
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import ManagementUtility, call_command, get_commands
from django.core.management.base import CommandError
from django.db import connection

from visiorelais.accounts.models import Role, User
from visiorelais.network.demo import data, demo_data_load
from visiorelais.network.models import Entitlement, HostSite, Kiosk, Partner, ServiceWindow
from visiorelais.statistics.models import StatisticsRefresh

pytestmark = pytest.mark.django_db

SEVEN_PARTNERS = {"CAF", "MSA", "CPAM", "URSSAF", "CDAD", "SDeau50", "France Travail"}
DEMO_USERNAMES = [account["username"] for account in data.ACCOUNTS]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The loader hashes a dozen passwords per run; the default hasher would make these tests slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo():
    return demo_data_load()


def row_counts() -> dict[str, int]:
    """Rows of every table in the database, whatever the app (sessions, permissions, m2m tables included), but
    the log of statistics refreshes: the loader refreshes the figures each time it runs, and says when."""
    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.table_names(cursor):
            if table == StatisticsRefresh._meta.db_table:
                continue
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def test_it_loads_at_least_21_kiosks_in_real_communes_of_the_manche(demo):
    assert Kiosk.objects.count() >= 21
    assert demo.counts["kiosks"] == Kiosk.objects.count()
    for site in HostSite.objects.all():
        assert site.insee_code.startswith("50"), site
        assert site.postcode.startswith("50"), site
        assert site.latitude is not None and 48.4 < site.latitude < 49.8, site
        assert site.longitude is not None and -2.0 < site.longitude < -0.7, site
        assert site.openings.exists(), f"{site} has no opening hours"
        assert site.kiosks.exists(), f"{site} has no kiosk"
    assert {site.kind for site in HostSite.objects.all()} >= {
        HostSite.Kind.TOWN_HALL,
        HostSite.Kind.FRANCE_SERVICES,
        HostSite.Kind.PUBLIC_DIGITAL_SPACE,
    }
    assert HostSite.objects.filter(step_free_access=False).exists()
    assert len({site.confidentiality for site in HostSite.objects.all()}) == 3


def test_most_kiosks_are_fully_equipped_a_few_lack_a_scanner_and_one_is_in_maintenance(demo):
    kiosks = Kiosk.objects.all()
    fully_equipped = kiosks.filter(has_camera=True, has_scanner=True, has_printer=True)
    assert fully_equipped.count() > kiosks.count() / 2
    assert kiosks.filter(has_scanner=False).exists()
    assert kiosks.filter(status=Kiosk.Status.MAINTENANCE).count() == 1
    assert demo.kiosks_in_maintenance == 1


def test_it_loads_the_seven_partners_caf_with_two_stations_the_others_with_one(demo):
    assert set(Partner.objects.values_list("short_name", flat=True)) == SEVEN_PARTNERS
    for partner in Partner.objects.all():
        expected_stations = 2 if partner.short_name == "CAF" else 1
        assert partner.stations.count() == expected_stations, partner
        assert 3 <= partner.topics.count() <= 6, partner
        assert partner.service_windows.exists(), partner
        assert partner.description, partner
    assert "Tribunal judiciaire de Coutances" in Partner.objects.get(short_name="CDAD").description


def test_france_travail_answers_one_half_day_a_week(demo):
    windows = ServiceWindow.objects.filter(partner__short_name="France Travail")
    assert windows.count() == 1
    window = windows.get()
    assert window.weekday < 5
    assert dt.datetime.combine(dt.date.today(), window.end) - dt.datetime.combine(
        dt.date.today(), window.start
    ) <= dt.timedelta(hours=4)


def test_france_travail_is_open_on_exactly_one_kiosk_by_appointment_only(demo):
    entitlements = Entitlement.objects.filter(partner__short_name="France Travail")
    assert entitlements.count() == 1
    entitlement = entitlements.get()
    assert entitlement.kiosk is not None
    assert entitlement.mode == Entitlement.Mode.APPOINTMENT_ONLY


def test_every_other_partner_is_open_on_every_kiosk_without_appointment(demo):
    for partner in Partner.objects.exclude(short_name="France Travail"):
        entitlement = Entitlement.objects.get(partner=partner)
        assert entitlement.kiosk is None, partner
        assert entitlement.mode == Entitlement.Mode.WALK_IN, partner


def test_it_creates_one_account_per_role_that_can_log_in(demo, client):
    for role in Role:
        accounts = User.objects.filter(username__in=DEMO_USERNAMES, role=role)
        assert accounts.exists(), f"no demo account for {role.label}"
        for user in accounts:
            assert client.login(username=user.username, password=data.DEMO_PASSWORD), user.username
            client.logout()
    assert User.objects.get(username="admin-caf").partner.short_name == "CAF"
    for partner in Partner.objects.all():
        assert partner.users.filter(role=Role.PARTNER_AGENT).exists(), f"no demo agent for {partner}"
    assert User.objects.get(username="responsable-coutances").host_sites.get().commune == "Coutances"
    assert {a.username for a in demo.accounts} == set(DEMO_USERNAMES)


def test_running_it_twice_changes_no_row_and_keeps_passwords_valid(demo, client):
    before = row_counts()
    passwords = dict(User.objects.values_list("username", "password"))

    second = demo_data_load()

    assert row_counts() == before
    assert not second.changed_anything
    assert second.created == second.updated == second.deleted == 0
    assert dict(User.objects.values_list("username", "password")) == passwords
    assert client.login(username="agent-caf", password=data.DEMO_PASSWORD)


def test_running_it_again_brings_a_drifted_demo_back_to_the_reference(demo, client):
    france_travail = Partner.objects.get(short_name="France Travail")
    Entitlement.objects.create(partner=france_travail, kiosk=None, mode=Entitlement.Mode.WALK_IN)
    ServiceWindow.objects.create(partner=france_travail, weekday=0, start=dt.time(8), end=dt.time(18))
    Kiosk.objects.filter(code="BRN-STLO-01").update(has_printer=False)
    operator = User.objects.get(username="operateur")
    operator.set_password("un-autre-mot-de-passe")
    operator.save()
    before = row_counts()

    again = demo_data_load()

    assert again.deleted == 2
    assert row_counts()["network_entitlement"] == before["network_entitlement"] - 1
    assert france_travail.entitlements.get().mode == Entitlement.Mode.APPOINTMENT_ONLY
    assert france_travail.service_windows.count() == 1
    assert Kiosk.objects.get(code="BRN-STLO-01").has_printer
    assert client.login(username="operateur", password=data.DEMO_PASSWORD)


def test_every_row_it_loads_passes_full_clean(demo):
    checked = 0
    loaded_models = [*apps.get_app_config("network").get_models(), *apps.get_app_config("accounts").get_models()]
    for model in loaded_models:
        for instance in model.objects.all():
            instance.full_clean()
            checked += 1
    assert checked > 300


def test_the_command_prints_the_counts_the_links_and_the_accounts(settings):
    settings.DEBUG = True
    out = StringIO()

    call_command("demo-data", stdout=out)

    printed = out.getvalue()
    assert "21 bornes" in printed
    assert "7 partenaires" in printed
    for link in ("http://127.0.0.1:8000/borne/", "http://127.0.0.1:8000/console/", "http://127.0.0.1:8000/admin/"):
        assert link in printed
    for username in DEMO_USERNAMES:
        assert username in printed
    assert data.DEMO_PASSWORD in printed


def test_the_command_says_when_there_was_nothing_to_change(settings):
    settings.DEBUG = True
    call_command("demo-data", quiet=True)
    out = StringIO()

    call_command("demo-data", stdout=out)

    assert "Rien à changer" in out.getvalue()


def test_the_command_prints_nothing_with_quiet(settings):
    settings.DEBUG = True
    out = StringIO()

    call_command("demo-data", "--quiet", stdout=out)

    assert out.getvalue() == ""
    assert Kiosk.objects.count() >= 21


def test_the_command_refuses_to_load_public_passwords_with_debug_off_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("demo-data", quiet=True)
    assert not User.objects.exists()

    call_command("demo-data", "--force", quiet=True)

    assert User.objects.filter(username="operateur").exists()


def test_the_command_is_named_demo_data_and_listed_by_help():
    assert get_commands()["demo-data"] == "visiorelais.network"
    assert "demo-data" in ManagementUtility(["visiorelais"]).main_help_text()
