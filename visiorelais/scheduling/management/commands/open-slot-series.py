"""`visiorelais open-slot-series`: opens the slots that came within reach of every running series.

Run it every day; a slot a series already has is left alone.
"""

from django.core.management.base import BaseCommand

from visiorelais.scheduling.services import slot_series_open_all


class Command(BaseCommand):
    help = "Ouvre les créneaux des séries récurrentes pour les mois à venir (sans doublon)."

    def handle(self, *args, **options):
        opened = slot_series_open_all()
        clashes = [start for start, code in opened.skipped if code != "closed"]
        self.stdout.write(f"{len(opened.created)} créneau(x) ouvert(s), {len(clashes)} en conflit avec un autre.")
