"""The test world, shared by every test: one small network and one person per role.

    Manche: the intercommunality hosting two sites.
      Coutances France Services (kiosk BRN-COUT-01), Saint-Lô town hall (kiosk BRN-STLO-01),
      and a retired kiosk BRN-OLD-01 at Saint-Lô.
    Partners: CAF (two stations, topics), CPAM (one station).
    People: olivia (operator), oscar (observer), paula (CAF partner admin), alice (CAF agent),
      bob (CPAM agent), mona (site manager of Coutances), hugo (host agent at Coutances).

Factories in tests/factories.py give variety beyond this world.
"""

import datetime as dt
from types import SimpleNamespace

import pytest
from asgiref.sync import SyncToAsync
from django.db import connections

from visiorelais.accounts.models import Role, User
from visiorelais.network.models import (
    Entitlement,
    HostAuthority,
    HostSite,
    Kiosk,
    Partner,
    ServiceWindow,
    Station,
    Topic,
)

PASSWORD = "motdepasse-de-test-1"


@pytest.fixture(scope="session", autouse=True)
def async_orm_connection_closed(django_db_setup):
    """The ORM's async methods (`aexists`, `aupdate`…) called from async tests run in asgiref's one shared thread,
    whose database connection outlives the tests; it is closed here, before the test database is dropped (on
    PostgreSQL an open session makes that drop fail)."""
    yield
    SyncToAsync.single_thread_executor.submit(connections.close_all).result(timeout=30)


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """Production hashing costs about 0.2 s a password; tests need many and prove nothing with it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_user(username: str, role: Role, *, partner=None, sites=()) -> User:
    user = User(username=username, role=role, partner=partner, first_name=username.capitalize())
    user.set_password(PASSWORD)
    user.save()
    if sites:
        user.host_sites.set(sites)
    return user


@pytest.fixture
def world(db):
    authority = HostAuthority.objects.create(name="Coutances mer et bocage", kind=HostAuthority.Kind.INTERCOMMUNALITY)
    coutances = HostSite.objects.create(
        authority=authority,
        name="France Services de Coutances",
        kind=HostSite.Kind.FRANCE_SERVICES,
        address="2 rue de la Halle",
        postcode="50200",
        commune="Coutances",
        insee_code="50147",
    )
    saint_lo = HostSite.objects.create(
        authority=authority,
        name="Mairie de Saint-Lô",
        kind=HostSite.Kind.TOWN_HALL,
        address="Place du Général de Gaulle",
        postcode="50000",
        commune="Saint-Lô",
        insee_code="50502",
    )
    kiosk_coutances = Kiosk.objects.create(site=coutances, code="BRN-COUT-01", label="Borne de Coutances")
    kiosk_saint_lo = Kiosk.objects.create(site=saint_lo, code="BRN-STLO-01", label="Borne de Saint-Lô")
    kiosk_retired = Kiosk.objects.create(
        site=saint_lo, code="BRN-OLD-01", label="Ancienne borne", status=Kiosk.Status.RETIRED
    )
    caf = Partner.objects.create(name="Caisse d'allocations familiales", short_name="CAF", colour="#0055A4")
    cpam = Partner.objects.create(name="Caisse primaire d'assurance maladie", short_name="CPAM", colour="#00785A")
    caf_station_1 = Station.objects.create(partner=caf, label="CAF poste 1")
    caf_station_2 = Station.objects.create(partner=caf, label="CAF poste 2")
    cpam_station = Station.objects.create(partner=cpam, label="CPAM poste 1")
    caf_topic = Topic.objects.create(partner=caf, label="Prime d'activité")
    cpam_topic = Topic.objects.create(partner=cpam, label="Carte Vitale")
    Entitlement.objects.create(partner=caf, kiosk=None, mode=Entitlement.Mode.WALK_IN)
    Entitlement.objects.create(partner=cpam, kiosk=kiosk_coutances, mode=Entitlement.Mode.WALK_IN)
    for weekday in range(5):
        ServiceWindow.objects.create(partner=caf, weekday=weekday, start=dt.time(9), end=dt.time(12))
        ServiceWindow.objects.create(partner=caf, weekday=weekday, start=dt.time(13, 30), end=dt.time(16, 30))
        ServiceWindow.objects.create(partner=cpam, weekday=weekday, start=dt.time(8, 30), end=dt.time(12))
    return SimpleNamespace(
        authority=authority,
        coutances=coutances,
        saint_lo=saint_lo,
        kiosk_coutances=kiosk_coutances,
        kiosk_saint_lo=kiosk_saint_lo,
        kiosk_retired=kiosk_retired,
        caf=caf,
        cpam=cpam,
        caf_station_1=caf_station_1,
        caf_station_2=caf_station_2,
        cpam_station=cpam_station,
        caf_topic=caf_topic,
        cpam_topic=cpam_topic,
        olivia=make_user("olivia", Role.OPERATOR),
        oscar=make_user("oscar", Role.OBSERVER),
        paula=make_user("paula", Role.PARTNER_ADMIN, partner=caf),
        alice=make_user("alice", Role.PARTNER_AGENT, partner=caf),
        bob=make_user("bob", Role.PARTNER_AGENT, partner=cpam),
        mona=make_user("mona", Role.SITE_MANAGER, sites=[coutances]),
        hugo=make_user("hugo", Role.HOST_AGENT, sites=[coutances]),
    )
