"""The agent's own day, against hand-computed figures: only the calls, offers and station time naming the agent."""

import datetime as dt

import pytest

from tests.statistics.conftest import record_call
from tests.statistics.reports.conftest import answered_by, at
from visiorelais.calls.models import Call
from visiorelais.statistics.periods import Period
from visiorelais.statistics.reports.agent import agent_tables
from visiorelais.statistics.services import call_facts_refresh

pytestmark = pytest.mark.django_db
O = Call.Outcome  # noqa: E741
MONDAY = Period.day(dt.date(2026, 3, 2))


def tables_of(user, period=MONDAY):
    return {table.key: table for table in agent_tables(user, period)}


def test_my_day_counts_my_calls_times_ratings_and_offers(alice_day):
    table = tables_of(alice_day.alice)["agent-ma-journee"]
    rows = {row[0]: dict(zip([c.key for c in table.columns], row, strict=True)) for row in table.rows}

    assert rows["Appels décrochés"]["valeur"] == 2
    assert rows["Durée moyenne de communication"]["valeur"] == 450.0
    assert rows["Durée moyenne de fin d'appel"]["valeur"] == 120.0
    assert (rows["Durée moyenne de traitement"]["valeur"], rows["Durée moyenne de traitement"]["n"]) == (420.0, 1)
    assert (rows["Satisfaction : meilleurs visages"]["valeur"], rows["Satisfaction : meilleurs visages"]["n"]) == (
        50.0,
        2,
    )
    assert rows["Satisfaction moyenne"]["valeur"] == 3.5
    assert (rows["Propositions refusées"]["valeur"], rows["Propositions non décrochées"]["valeur"]) == (1, 1)


def test_my_calls_hour_by_hour(alice_day):
    table = tables_of(alice_day.alice)["agent-par-heure"]

    assert table.rows == [("9 h", 1, 300.0), ("10 h", 1, 600.0)]


def test_my_station_time_by_state(alice_day):
    table = tables_of(alice_day.alice)["agent-temps-par-etat"]

    rows = {row[0]: row[1:] for row in table.rows}
    assert rows["disponible"] == (83.0, 69.2)
    assert rows["en communication"] == (5.0, 4.2)
    assert rows["fin d'appel"] == (2.0, 1.7)
    assert rows["en pause"] == (30.0, 25.0)


def test_another_agent_sees_none_of_alices_figures(alice_day):
    tables = tables_of(alice_day.bob)

    day = {row[0]: row[1] for row in tables["agent-ma-journee"].rows}
    assert day["Appels décrochés"] == 1
    assert day["Propositions refusées"] == 0
    assert tables["agent-par-heure"].rows == [("9 h", 1, 60.0)]
    assert all(row[1] == 0 for row in tables["agent-temps-par-etat"].rows)


def test_the_page_says_when_the_figures_were_last_refreshed(alice_day):
    for table in tables_of(alice_day.alice).values():
        assert "Chiffres mis à jour le 02/03/2026 à 11:30" in table.notes[0]


def test_a_call_after_the_last_refresh_waits_for_the_next_one(alice_day, time_machine):
    answered_by(
        alice_day.alice,
        record_call(
            alice_day.kiosk_coutances,
            alice_day.caf,
            at(11, 40),
            outcome=O.COMPLETED,
            wait=5,
            talk=60,
            station=alice_day.caf_station_1,
        ),
    )
    assert tables_of(alice_day.alice)["agent-ma-journee"].rows[0][1] == 2

    time_machine.move_to(at(11, 45), tick=False)
    call_facts_refresh()

    tables = tables_of(alice_day.alice)
    assert tables["agent-ma-journee"].rows[0][1] == 3
    assert "à 11:45" in tables["agent-ma-journee"].notes[0]
