"""The call-level export: one line per call in Paris time, valid against its TableSchema, and free of any
resident's data."""

import datetime as dt

import pytest
from frictionless import Schema

from tests.scheduling.conftest import book, ft, ft_slot, paris  # noqa: F401
from tests.statistics.conftest import record_call
from tests.statistics.test_exports import validate
from visiorelais.calls.models import Call
from visiorelais.calls.services import call_accept, call_end, station_take
from visiorelais.scheduling.services import appointment_check_in
from visiorelais.statistics.exports import call_facts_csv, call_facts_schema
from visiorelais.statistics.exports.calls import COLUMNS
from visiorelais.statistics.models import CallFact
from visiorelais.statistics.periods import Period
from visiorelais.statistics.services import call_facts_refresh

pytestmark = pytest.mark.django_db
O = Call.Outcome  # noqa: E741
MONDAY = paris(2026, 3, 2, 9, 0)
THURSDAY = paris(2026, 3, 5, 9, 0)

# Every CallFact field, and whether the call-level export may carry it. None holds a resident's data; station
# and agent are left out too. A new CallFact field fails this test until it is placed here.
CALL_FACT_FIELDS = {
    "call_id": True,
    "partner": True,
    "kiosk": True,
    "site": True,
    "topic_id": False,
    "appointment": True,
    "requested_at": True,
    "day": True,
    "week": False,
    "month": False,
    "hour_of_week": False,
    "ended_at": False,
    "outcome": True,
    "end_reason": True,
    "answered": True,
    "wait_seconds": True,
    "talk_seconds": True,
    "wrap_up_seconds": True,
    "offers": True,
    "offers_accepted": False,
    "offers_declined": True,
    "offers_timed_out": True,
    "offers_cancelled": False,
    "rating": True,
    "station_id": False,
    "agent_id": False,
    "last_event_id": False,
}


def test_the_call_level_export_reads_only_reviewed_fields_of_the_fact_table():
    assert {field.name for field in CallFact._meta.get_fields()} == set(CALL_FACT_FIELDS)
    exported = {name.split("__")[0] for name, _ in COLUMNS}
    assert exported == {name for name, allowed in CALL_FACT_FIELDS.items() if allowed}
    assert {name for name, _ in COLUMNS if "__" in name} == {"partner__short_name", "site__name", "kiosk__code"}


def test_the_call_level_export_has_one_line_per_call_in_paris_time(world):
    record_call(world.kiosk_coutances, world.caf, MONDAY, outcome=O.COMPLETED, wait=12, talk=300, rating=5)
    record_call(
        world.kiosk_saint_lo, world.cpam, MONDAY + dt.timedelta(minutes=1), outcome=O.UNAVAILABLE, reason="closed"
    )
    call_facts_refresh()

    lines = "".join(call_facts_csv(period=Period.day(MONDAY.date()))).splitlines()

    assert len(lines) == 3
    assert lines[0].startswith("appel;partenaire;site;borne;demandé le (Paris)")
    assert ";CAF;France Services de Coutances;BRN-COUT-01;2026-03-02 09:00:00;2026-03-02;completed;" in lines[1]
    assert lines[1].endswith(";12;300;;1;0;0;5;non")
    assert ";unavailable_closed;closed;non;0;" in lines[2]


def test_the_call_level_csv_is_valid_against_its_schema(world):
    kiosk, caf = world.kiosk_coutances, world.caf
    record_call(kiosk, caf, MONDAY, outcome=O.COMPLETED, wait=12.4, talk=300, rating=5)
    record_call(world.kiosk_saint_lo, world.cpam, MONDAY, outcome=O.UNAVAILABLE, reason="closed")
    record_call(kiosk, caf, MONDAY, outcome=O.ABANDONED, reason="given_up", wait=40, declines=1, timeouts=1)
    call_facts_refresh()
    descriptor = call_facts_schema()

    content = "".join(call_facts_csv(period=Period.day(MONDAY.date()))).encode()

    assert list(Schema.metadata_validate(descriptor)) == []
    report = validate(content, descriptor, delimiter=";")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert report.tasks[0].stats["rows"] == 3
    broken = content.replace(b";completed;", b";completed;en plus;", 1)
    assert not validate(broken, descriptor, delimiter=";").valid


def test_an_appointment_call_exports_no_name_phone_e_mail_or_code(world, ft, ft_slot, clock):  # noqa: F811
    appointment = book(world, ft, ft_slot, name="Mme Lehoux", phone="06 12 34 56 78", email="lehoux@exemple.fr")
    clock.move_to(paris(2026, 3, 5, 8, 45), tick=False)
    station_take(agent=ft.karim, station_id=ft.station.pk)
    clock.move_to(THURSDAY, tick=False)
    call = appointment_check_in(kiosk=world.kiosk_coutances, code=appointment.code).call
    call_accept(agent=ft.karim, call_id=call.pk)
    call_end(call_id=call.pk, agent=ft.karim)
    call_facts_refresh()

    _header, line = "".join(call_facts_csv(period=Period.day(THURSDAY.date()))).splitlines()

    assert line.startswith(f"{call.pk};France Travail;France Services de Coutances;BRN-COUT-01;2026-03-05 09:00:00;")
    assert line.endswith(";oui")  # on appointment: said, and nothing more
    for personal in ("Lehoux", "06 12 34 56 78", "0612345678", "+33612345678", "lehoux@exemple.fr", appointment.code):
        assert personal not in line
    for someone in (ft.karim.username, ft.karim.get_full_name() or ft.karim.username, world.hugo.username):
        assert someone not in line
