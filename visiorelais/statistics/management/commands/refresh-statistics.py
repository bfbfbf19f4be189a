"""`visiorelais refresh-statistics`: brings the figures' tables (CallFact, StationInterval) up to the event record.

Incremental by default; `--since YYYY-MM-DD` re-reads from that day (Paris); `--full` rebuilds everything (after a
change of STATS_SHORT_ABANDON_SECONDS). Meant for a periodic task (every few minutes) and after a restore.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from visiorelais.statistics.periods import paris_midnight
from visiorelais.statistics.services import call_facts_refresh


class Command(BaseCommand):
    help = "Met à jour les tables des statistiques à partir du journal des appels et des postes."

    def add_arguments(self, parser):
        parser.add_argument("--since", help="relire depuis ce jour (AAAA-MM-JJ, heure de Paris)")
        parser.add_argument("--full", action="store_true", help="tout reconstruire")

    def handle(self, *args, since=None, full=False, verbosity=1, **options):
        start = None
        if since:
            try:
                start = paris_midnight(dt.date.fromisoformat(since))
            except ValueError:
                raise CommandError("--since attend une date AAAA-MM-JJ") from None
        result = call_facts_refresh(since=start, full=full)
        if verbosity:
            self.stdout.write(f"{result.calls} appels et {result.station_intervals} intervalles de postes mis à jour.")
