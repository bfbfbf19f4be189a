"""Loads the reference network (demo/data.py) into the database, idempotently."""

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import models, transaction

from visiorelais.accounts.models import User
from visiorelais.network.demo import data
from visiorelais.network.models import (
    Entitlement,
    HostAuthority,
    HostSite,
    Kiosk,
    Partner,
    ServiceWindow,
    SiteOpening,
    Station,
    Topic,
)
from visiorelais.scheduling.demo import scheduling_demo_load
from visiorelais.statistics.demo import statistics_demo_load

COORDINATE_STEP = Decimal("0.00001")


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role_label: str
    attached_to: str


@dataclass
class DemoSummary:
    """What the demo network holds after loading, and what this run changed."""

    counts: dict[str, int]
    kiosks_in_maintenance: int
    accounts: list[DemoAccount]
    password: str
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0

    @property
    def changed_anything(self) -> bool:
        return bool(self.created or self.updated or self.deleted)


class _Tally:
    """Counts rows created, updated, deleted and left unchanged by one run."""

    def __init__(self) -> None:
        self.created = self.updated = self.deleted = self.unchanged = 0

    def record(self, outcome: str, count: int = 1) -> None:
        setattr(self, outcome, getattr(self, outcome) + count)


def _upsert(
    model: type[models.Model],
    *,
    lookup: dict,
    values: dict,
    tally: _Tally,
    on_create: Callable[[models.Model], None] | None = None,
) -> models.Model:
    """Brings the row found by `lookup` to `values`, creating it if needed; writes only on a difference.

    Every written row passes full_clean() first, so the demo never holds what the back-office would refuse.
    `on_create` prepares a new instance before validation (a user's password, say).
    """
    instance = model.objects.filter(**lookup).first()
    created = instance is None
    if created:
        instance = model(**lookup, **values)
        if on_create:
            on_create(instance)
    differs = created or any(getattr(instance, name) != value for name, value in values.items())
    if not differs:
        tally.record("unchanged")
        return instance
    for name, value in values.items():
        setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    tally.record("created" if created else "updated")
    return instance


def _time(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


def _ranges(hours: list) -> list[tuple[int, dt.time, dt.time]]:
    return [(weekday, _time(start), _time(end)) for weekdays, start, end in hours for weekday in weekdays]


def _sync_ranges(model, owner_field: str, owner, hours: list, tally: _Tally) -> int:
    """Makes the owner's weekly ranges exactly `hours`: stale ranges go first, so none can overlap."""
    wanted = _ranges(hours)
    stale = model.objects.filter(**{owner_field: owner})
    for weekday, start, _end in wanted:
        stale = stale.exclude(weekday=weekday, start=start)
    deleted, _ = stale.delete()
    if deleted:
        tally.record("deleted", deleted)
    for weekday, start, end in wanted:
        _upsert(
            model,
            lookup={owner_field: owner, "weekday": weekday, "start": start},
            values={"end": end},
            tally=tally,
        )
    return len(wanted)


def _load_sites(tally: _Tally) -> tuple[dict[str, Kiosk], dict[tuple[str, str], HostSite], int]:
    authorities = {
        name: _upsert(HostAuthority, lookup={"name": name}, values={"kind": kind}, tally=tally)
        for name, kind in data.AUTHORITIES
    }
    kiosks: dict[str, Kiosk] = {}
    sites: dict[tuple[str, str], HostSite] = {}
    openings = 0
    for spec in data.SITES:
        latitude, longitude = (Decimal(str(value)).quantize(COORDINATE_STEP) for value in spec["coordinates"])
        site = _upsert(
            HostSite,
            lookup={"name": spec["name"], "commune": spec["commune"]},
            values={
                "authority": authorities[spec["authority"]],
                "kind": spec["kind"],
                "address": spec["address"],
                "postcode": spec["postcode"],
                "insee_code": spec["insee_code"],
                "latitude": latitude,
                "longitude": longitude,
                "step_free_access": spec["step_free_access"],
                "confidentiality": spec["confidentiality"],
                "phone": "",
            },
            tally=tally,
        )
        sites[(site.name, site.commune)] = site
        openings += _sync_ranges(SiteOpening, "site", site, spec["hours"], tally)
        kiosk_spec = {"status": Kiosk.Status.ACTIVE, **spec["kiosk"]}
        code = kiosk_spec.pop("code")
        kiosks[code] = _upsert(Kiosk, lookup={"code": code}, values={"site": site, **kiosk_spec}, tally=tally)
    return kiosks, sites, openings


def _load_partners(kiosks: dict[str, Kiosk], tally: _Tally) -> tuple[dict[str, Partner], Counter]:
    partners: dict[str, Partner] = {}
    counts: Counter = Counter()
    for spec in data.PARTNERS:
        partner = _upsert(
            Partner,
            lookup={"short_name": spec["short_name"]},
            values={"name": spec["name"], "colour": spec["colour"], "description": spec["description"]},
            tally=tally,
        )
        partners[partner.short_name] = partner
        for label in spec["topics"]:
            _upsert(Topic, lookup={"partner": partner, "label": label}, values={"active": True}, tally=tally)
        for label in spec["stations"]:
            _upsert(Station, lookup={"partner": partner, "label": label}, values={"active": True}, tally=tally)
        counts["topics"] += len(spec["topics"])
        counts["stations"] += len(spec["stations"])
        counts["windows"] += _sync_ranges(ServiceWindow, "partner", partner, spec["hours"], tally)

        # The reference says exactly where a partner is open: any other opening of it is removed.
        wanted = [(kiosks[code] if code else None, mode) for code, mode in spec["entitlements"]]
        stale = Entitlement.objects.filter(partner=partner)
        for kiosk, _mode in wanted:
            stale = stale.exclude(kiosk__isnull=True) if kiosk is None else stale.exclude(kiosk=kiosk)
        deleted, _ = stale.delete()
        if deleted:
            tally.record("deleted", deleted)
        for kiosk, mode in wanted:
            _upsert(Entitlement, lookup={"partner": partner, "kiosk": kiosk}, values={"mode": mode}, tally=tally)
        counts["entitlements"] += len(wanted)
    return partners, counts


def _load_accounts(
    partners: dict[str, Partner], sites: dict[tuple[str, str], HostSite], tally: _Tally
) -> list[DemoAccount]:
    accounts = []
    for spec in data.ACCOUNTS:
        partner = partners[spec["partner"]] if spec.get("partner") else None
        created_before = tally.created
        user = _upsert(
            User,
            lookup={"username": spec["username"]},
            values={
                "role": spec["role"],
                "partner": partner,
                "first_name": spec["first_name"],
                "last_name": spec["last_name"],
                "email": f"{spec['username']}@demo.visiorelais.invalid",
                "is_active": True,
                "is_superuser": spec["username"] in data.SUPERUSERS,
            },
            tally=tally,
            on_create=lambda new_user: new_user.set_password(data.DEMO_PASSWORD),
        )
        # Re-hashing on every run would change the row for nothing: only a wrong password is reset.
        if not user.check_password(data.DEMO_PASSWORD):
            user.set_password(data.DEMO_PASSWORD)
            user.save(update_fields=["password"])
            tally.record("updated")
        host_sites = [sites[key] for key in spec.get("sites", [])]
        if set(user.host_sites.all()) != set(host_sites):
            user.host_sites.set(host_sites)
            if tally.created == created_before:
                tally.record("updated")
        attached_to = partner.short_name if partner else ", ".join(site.name for site in host_sites)
        accounts.append(DemoAccount(user.username, str(user.get_role_display()), attached_to))
    return accounts


@transaction.atomic
def demo_data_load() -> DemoSummary:
    """Loads the reference network of the Manche and one demo account per role.

    Idempotent: rows are found by natural key (authority name, site name + commune, kiosk code, partner
    short name, topic/station label, username) and written only when they differ from the reference, so a
    second run writes nothing. The weekly hours of demo sites and partners, and the entitlements of demo
    partners, are made exactly those of the reference (extra rows are deleted); other rows in the database
    are left alone. Demo passwords are reset to `data.DEMO_PASSWORD` only when they no longer match it.
    Then France Travail's monthly slots, a few appointments and callback requests (scheduling/demo.py).
    """
    tally = _Tally()
    kiosks, sites, openings = _load_sites(tally)
    partners, partner_counts = _load_partners(kiosks, tally)
    accounts = _load_accounts(partners, sites, tally)
    scheduling_counts = scheduling_demo_load(tally.record)
    statistics_demo_load(tally.record)
    return DemoSummary(
        counts={
            "authorities": len(data.AUTHORITIES),
            "sites": len(sites),
            "openings": openings,
            "kiosks": len(kiosks),
            "partners": len(partners),
            "topics": partner_counts["topics"],
            "stations": partner_counts["stations"],
            "windows": partner_counts["windows"],
            "entitlements": partner_counts["entitlements"],
            "accounts": len(accounts),
            **scheduling_counts,
        },
        kiosks_in_maintenance=sum(kiosk.status == Kiosk.Status.MAINTENANCE for kiosk in kiosks.values()),
        accounts=accounts,
        password=data.DEMO_PASSWORD,
        created=tally.created,
        updated=tally.updated,
        deleted=tally.deleted,
        unchanged=tally.unchanged,
    )
