"""Two years of call history for the demo, like the reference network, so that every figure shows something.

About 3,000 requests a year; CAF ≈ 65 %, MSA + CPAM ≈ 30 %, the rest to URSSAF, CDAD and the water utility
(France Travail answers by appointment only and gets none). Attendance is uneven between sites (a fixed
weight per kiosk), with seasons (a quiet August, a busy September and January) and a weekly rhythm (Monday
busiest, Saturday quiet). Requests fall within the sites' opening hours, mostly within the partner's windows;
the others end `unavailable` (closed). Stations are staffed per service window (CAF's second station about
half the time), so some requests find nobody seated. Waits come from the queue itself: each partner's calls
go to its earliest free staffed station after a ring; residents give up after an exponential patience, a
few at once (short abandons); a few offers time out or are declined; a few calls fail; about half the
answered calls are rated. Kiosks go online at opening and offline after closing, with rare outages; printers
and scanners have a few incidents a year.

Written as the services would have written them (Call, CallEvent, StationEvent, KioskPresenceEvent,
PeripheralReport rows), in bulk. Deterministic (seeded, anchored on yesterday in Paris) and
idempotent: nothing is written when the history is already there (its `requested` rows carry `demo: true`).
"""

import datetime as dt
import math
import random
from collections import defaultdict
from collections.abc import Callable

from django.db import transaction

from visiorelais.accounts.models import User
from visiorelais.calls.models import Call, CallEvent, KioskPresenceEvent, StationEvent
from visiorelais.documents.models import PeripheralReport
from visiorelais.network.models import Kiosk, Partner, ServiceWindow, SiteOpening, Station, Topic
from visiorelais.network.selectors import is_french_public_holiday
from visiorelais.statistics.periods import PARIS, Period, paris_midnight
from visiorelais.statistics.services import call_facts_refresh, rows_insert

Record = Callable[[str, int], None]
SEED = 50
DAYS = 730
REQUESTS_PER_YEAR = 3000
PARTNER_SHARES = {"CAF": 0.65, "MSA": 0.16, "CPAM": 0.14, "URSSAF": 0.02, "CDAD": 0.015, "SDeau50": 0.015}
MONTH_FACTORS = [1.15, 1.05, 1.05, 1.0, 0.9, 0.95, 0.75, 0.5, 1.25, 1.15, 1.05, 0.85]
WEEKDAY_FACTORS = [1.35, 1.1, 1.0, 1.0, 0.8, 0.3, 0.0]
STAFFING = {"CAF poste 2": 0.5}
STAFFING_DEFAULT = 0.95
RATINGS = [(5, 0.58), (4, 0.24), (3, 0.1), (2, 0.04), (1, 0.04)]


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=PARIS)


def _weekly(rows) -> dict[int, list[tuple[dt.time, dt.time]]]:
    found = defaultdict(list)
    for owner, weekday, start, end in rows:
        found[(owner, weekday)].append((start, end))
    return found


def _clip(ranges: list[tuple[dt.time, dt.time]], day: dt.date, stretches: list[tuple[dt.datetime, dt.datetime]]):
    """The parts of the stretches within the day's wall-clock ranges."""
    clipped = [(max(a, _at(day, s)), min(b, _at(day, e))) for s, e in ranges for a, b in stretches]
    return [(a, b) for a, b in clipped if a < b]


class _History:
    def __init__(self, rng: random.Random, first: dt.date, last: dt.date):
        self.rng, self.first, self.last = rng, first, last
        self.kiosks = list(
            Kiosk.objects.filter(code__startswith="BRN-").exclude(status=Kiosk.Status.RETIRED).order_by("code")
        )
        self.site_hours = _weekly(SiteOpening.objects.values_list("site_id", "weekday", "start", "end"))
        self.partners = {p.short_name: p for p in Partner.objects.filter(short_name__in=PARTNER_SHARES)}
        self.windows = _weekly(ServiceWindow.objects.values_list("partner_id", "weekday", "start", "end"))
        self.stations = defaultdict(list)
        for station in Station.objects.filter(partner__in=self.partners.values(), active=True).order_by("label"):
            self.stations[station.partner_id].append(station)
        self.topics = defaultdict(list)
        for topic in Topic.objects.filter(active=True).order_by("pk"):
            self.topics[topic.partner_id].append(topic.pk)
        agents = {
            u.username: u
            for u in User.objects.filter(username__startswith="agent-")
            | User.objects.filter(username__startswith="admin-")
        }
        self.agent_of = {}
        for partner_id, stations in self.stations.items():
            short = next(p.short_name for p in self.partners.values() if p.pk == partner_id)
            names = [f"agent-{short.lower()}", f"admin-{short.lower()}"]
            for station, name in zip(stations, names, strict=False):
                self.agent_of[station.pk] = agents.get(name) or agents.get(names[0])
        # Attendance: a fixed weight per kiosk (accessibility, confidentiality, the host agent, other services).
        self.kiosk_weight = {kiosk.pk: math.exp(rng.gauss(0, 0.7)) for kiosk in self.kiosks}
        self.calls: list[tuple[Call, list[tuple]]] = []
        self.station_events: list[StationEvent] = []
        self.kiosk_events: list[KioskPresenceEvent] = []
        self.reports: list[PeripheralReport] = []

    def kiosk_day(self, kiosk: Kiosk, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """The kiosk's online stretches that day (on at opening, off after closing; a rare outage)."""
        hours = sorted(self.site_hours.get((kiosk.site_id, day.weekday()), []))
        if not hours or is_french_public_holiday(day) or kiosk.status != Kiosk.Status.ACTIVE:
            return []
        rng = self.rng
        on = _at(day, hours[0][0]) - dt.timedelta(minutes=rng.uniform(5, 25))
        off = _at(day, hours[-1][1]) + dt.timedelta(minutes=rng.uniform(0, 30))
        stretches = [(on, off)]
        if rng.random() < 0.015:
            cut = on + (off - on) * rng.uniform(0.2, 0.8)
            stretches = [(on, cut), (cut + dt.timedelta(minutes=rng.uniform(20, 150)), off)]
            stretches = [(a, b) for a, b in stretches if a < b]
        for start, end in stretches:
            self.kiosk_events.append(KioskPresenceEvent(kiosk=kiosk, online=True, at=start))
            self.kiosk_events.append(KioskPresenceEvent(kiosk=kiosk, online=False, at=end))
        return stretches

    def requests_of_day(self, day: dt.date, online: dict[int, list]) -> list[tuple[dt.datetime, Kiosk, Partner]]:
        rng = self.rng
        expected = REQUESTS_PER_YEAR / 255 * MONTH_FACTORS[day.month - 1] * WEEKDAY_FACTORS[day.weekday()]
        count = max(0, round(rng.gauss(expected, math.sqrt(expected)))) if expected else 0
        kiosks = [kiosk for kiosk in self.kiosks if online.get(kiosk.pk)]
        if not kiosks:
            return []
        weights = [self.kiosk_weight[kiosk.pk] for kiosk in kiosks]
        names = list(PARTNER_SHARES)
        found = []
        for _ in range(count):
            kiosk = rng.choices(kiosks, weights)[0]
            partner = self.partners[rng.choices(names, [PARTNER_SHARES[n] for n in names])[0]]
            stretches = online[kiosk.pk]
            windows = _clip(self.windows.get((partner.pk, day.weekday()), []), day, stretches)
            hours = _clip(self.site_hours.get((kiosk.site_id, day.weekday()), []), day, stretches)
            pool = windows if windows and rng.random() < 0.9 else hours
            if not pool:
                continue
            start, end = rng.choice(pool)
            found.append((start + (end - start) * rng.random(), kiosk, partner))
        return sorted(found, key=lambda item: item[0])

    def partner_day(self, partner: Partner, day: dt.date, requests: list) -> None:
        """Staffs the partner's stations for each window of the day and serves its requests in order."""
        rng = self.rng
        windows = [] if is_french_public_holiday(day) else sorted(self.windows.get((partner.pk, day.weekday()), []))
        windows = [(_at(day, s), _at(day, e)) for s, e in windows]
        pending = list(requests)
        for window_start, window_end in windows:
            staffed = []
            for station in self.stations[partner.pk]:
                if rng.random() < STAFFING.get(station.label, STAFFING_DEFAULT):
                    login = window_start + dt.timedelta(minutes=rng.uniform(-5, 8))
                    staffed.append([login, station, login])  # [free at, station, login]
            for entry in staffed:
                self.station_event(entry[1], "available", "taken", entry[2])
            in_window = [r for r in pending if window_start <= r[0] < window_end]
            pending = [r for r in pending if not window_start <= r[0] < window_end]
            for at, kiosk, partner_ in in_window:
                seated = [entry for entry in staffed if entry[2] <= at]
                if not seated:
                    self.unavailable(at, kiosk, partner_, "no_station_staffed")
                    continue
                self.serve(at, kiosk, partner_, seated, window_end)
            for free_at, station, _login in staffed:
                leave = max(free_at, window_end + dt.timedelta(minutes=rng.uniform(0, 10)))
                self.station_event(station, "offline", "left", leave)
        for at, kiosk, partner_ in pending:
            self.unavailable(at, kiosk, partner_, "closed")

    def station_event(self, station, state, reason, at, call=None):
        agent = self.agent_of.get(station.pk)
        self.station_events.append(
            StationEvent(station=station, state=state, reason=reason, agent=agent, call=call, at=at)
        )

    def new_call(self, at, kiosk, partner) -> tuple[Call, list]:
        topics = self.topics.get(partner.pk) or [None]
        call = Call(
            kiosk=kiosk, partner=partner, topic_id=self.rng.choice(topics), requested_at=at, status=Call.Status.ENDED
        )
        events = [
            (
                "requested",
                at,
                None,
                {
                    "kiosk_id": kiosk.pk,
                    "kiosk_code": kiosk.code,
                    "site_id": kiosk.site_id,
                    "partner_id": partner.pk,
                    "topic_id": call.topic_id,
                    "demo": True,
                },
            )
        ]
        self.calls.append((call, events))
        return call, events

    def end(self, call, events, at, outcome, reason, station=None):
        call.outcome, call.end_reason, call.ended_at = outcome, reason, at
        events.append(("ended", at, station, {"outcome": outcome, "reason": reason}))

    def unavailable(self, at, kiosk, partner, reason):
        call, events = self.new_call(at, kiosk, partner)
        self.end(call, events, at, Call.Outcome.UNAVAILABLE, reason)

    def serve(self, at, kiosk, partner, seated, window_end):
        rng = self.rng
        call, events = self.new_call(at, kiosk, partner)
        call.queued_at = at
        events.append(("queued", at, None, {"position": 1}))
        patience = 2 + rng.expovariate(1 / 420) if rng.random() > 0.04 else rng.uniform(2, 9)
        entry = min(seated, key=lambda e: e[0])
        ring_start = max(at, entry[0]) + dt.timedelta(seconds=rng.uniform(1, 4))
        if ring_start > window_end + dt.timedelta(minutes=10):
            self.end(call, events, window_end + dt.timedelta(minutes=10), Call.Outcome.UNANSWERED, "no_station_staffed")
            return
        if (ring_start - at).total_seconds() > patience:
            self.end(call, events, at + dt.timedelta(seconds=patience), Call.Outcome.ABANDONED, "given_up")
            return
        station = entry[1]
        roll = rng.random()
        if roll < 0.03:  # nobody picks up: the station is paused, the call goes back to the head of the queue
            timeout_at = ring_start + dt.timedelta(seconds=30)
            events.append(("offered", ring_start, station, {}))
            events.append(("ring_timeout", timeout_at, station, {}))
            self.station_event(station, "ringing", "offered", ring_start, call)
            self.station_event(station, "paused", "ring_timeout", timeout_at, call)
            self.station_event(station, "available", "ready", timeout_at + dt.timedelta(minutes=2))
            entry[0] = timeout_at + dt.timedelta(minutes=2)
            others = [e for e in seated if e is not entry]
            entry = min(others, key=lambda e: e[0]) if others else entry
            ring_start = max(timeout_at, entry[0]) + dt.timedelta(seconds=2)
            station = entry[1]
            if (ring_start - at).total_seconds() > patience:
                self.end(call, events, at + dt.timedelta(seconds=patience), Call.Outcome.ABANDONED, "given_up")
                return
        elif roll < 0.05:  # declined (wrong partner, say); by all when it was the only seated station
            events.append(("offered", ring_start, station, {}))
            declined_at = ring_start + dt.timedelta(seconds=rng.uniform(3, 12))
            events.append(("declined", declined_at, station, {}))
            self.station_event(station, "ringing", "offered", ring_start, call)
            self.station_event(station, "available", "declined", declined_at, call)
            entry[0] = declined_at
            others = [e for e in seated if e is not entry]
            if not others:
                self.end(call, events, declined_at, Call.Outcome.DECLINED_BY_ALL, "declined_by_all")
                return
            entry = min(others, key=lambda e: e[0])
            ring_start = max(declined_at, entry[0]) + dt.timedelta(seconds=2)
            station = entry[1]
        answer = ring_start + dt.timedelta(seconds=rng.uniform(3, 22))
        agent = self.agent_of.get(station.pk)
        events.append(("offered", ring_start, station, {}))
        events.append(("accepted", answer, station, {}))
        events.append(("connected", answer, station, {}))
        self.station_event(station, "ringing", "offered", ring_start, call)
        self.station_event(station, "busy", "accepted", answer, call)
        call.station, call.agent, call.connected_at = station, agent, answer
        talk = dt.timedelta(seconds=max(60, rng.lognormvariate(math.log(600), 0.5)))
        failed = rng.random() < 0.015
        ended_at = answer + (talk / 3 if failed else talk)
        outcome = Call.Outcome.FAILED if failed else Call.Outcome.COMPLETED
        self.end(call, events, ended_at, outcome, "kiosk_gone" if failed else "hung_up_by_agent", station)
        self.station_event(station, "wrap_up", "call_ended", ended_at, call)
        ready = ended_at + dt.timedelta(seconds=rng.uniform(30, 240))
        if not failed and rng.random() < 0.55:
            rating = rng.choices([r for r, _ in RATINGS], [w for _, w in RATINGS])[0]
            events.append(("rated", ended_at + dt.timedelta(seconds=rng.uniform(5, 40)), None, {"rating": rating}))
        events.append(("wrapped_up", ready, station, {"outcome": "resolved", "topic_id": call.topic_id}))
        if rng.random() < 0.08:
            self.station_event(station, "paused", "agent", ready)
            ready += dt.timedelta(minutes=rng.uniform(5, 15))
        self.station_event(station, "available", "ready", ready)
        entry[0] = ready

    def peripherals(self):
        rng = self.rng
        start = _at(self.first, dt.time(8))
        span = (_at(self.last, dt.time(20)) - start).total_seconds()
        ok_scanner = {"present": True, "ready": True, "detail": "test:0", "adf": True}
        ok_printer = {"present": True, "ready": True, "state": "idle", "reasons": []}
        for kiosk in self.kiosks:
            ok = {"present": False, "ready": False, "detail": "no_scanner"} if not kiosk.has_scanner else ok_scanner
            changes = [(start, ok, ok_printer)]
            for _ in range(rng.randint(4, 12)):
                at = start + dt.timedelta(seconds=rng.uniform(0, span))
                hours = rng.uniform(1, 48)
                if rng.random() < 0.7:
                    bad = (ok, {"present": True, "ready": False, "state": "stopped", "reasons": ["media-empty"]})
                elif kiosk.has_scanner:
                    bad = ({"present": True, "ready": False, "detail": "jammed", "adf": True}, ok_printer)
                else:
                    continue
                changes.append((at, *bad))
                changes.append((at + dt.timedelta(hours=hours), ok, ok_printer))
            changes.sort(key=lambda change: change[0])
            for at, scanner, printer in changes:
                self.reports.append(
                    PeripheralReport(kiosk=kiosk, at=at, last_seen_at=at, scanner=scanner, printer=printer)
                )

    def build(self) -> None:
        for day in Period(self.first, self.last).days():
            online = {kiosk.pk: self.kiosk_day(kiosk, day) for kiosk in self.kiosks}
            by_partner = defaultdict(list)
            for request in self.requests_of_day(day, online):
                by_partner[request[2].pk].append(request)
            for partner in self.partners.values():
                self.partner_day(partner, day, by_partner.get(partner.pk, []))
        self.peripherals()


def statistics_demo_load(record: Record) -> None:
    """Writes the two years of history before today (unless it is there), then refreshes the figures."""
    if not CallEvent.objects.filter(kind=CallEvent.Kind.REQUESTED, detail__demo=True).exists():
        last = (dt.datetime.now(PARIS) - dt.timedelta(days=1)).date()
        history = _History(random.Random(SEED), last - dt.timedelta(days=DAYS - 1), last)  # noqa: S311
        history.build()
        with transaction.atomic():
            calls = Call.objects.bulk_create([call for call, _ in history.calls], batch_size=2000)
            events = [
                CallEvent(
                    call=call,
                    kind=kind,
                    at=at,
                    station=station,
                    agent=history.agent_of.get(station.pk) if station else None,
                    detail=d,
                )
                for call, (_, rows) in zip(calls, history.calls, strict=True)
                for kind, at, station, d in rows
            ]
            # Ordered by time, as the services append them.
            events.sort(key=lambda event: event.at)
            rows_insert(events)
            history.station_events.sort(key=lambda event: event.at)
            rows_insert(history.station_events)
            history.kiosk_events.sort(key=lambda event: event.at)
            rows_insert(history.kiosk_events)
            rows_insert(history.reports)
        record("created", len(calls) + len(events) + len(history.station_events) + len(history.kiosk_events))
        # From the first day: the calls are made partner by partner, so the first made is not the earliest.
        call_facts_refresh(since=paris_midnight(history.first))
        return
    call_facts_refresh()
