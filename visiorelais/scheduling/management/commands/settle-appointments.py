"""`visiorelais settle-appointments`: records no-shows and closes the appointments whose call has ended.

Run it every few minutes; it is safe to run twice or from two machines at once.
"""

from django.core.management.base import BaseCommand

from visiorelais.scheduling.services import appointment_mark_no_shows, appointment_settle_calls


class Command(BaseCommand):
    help = "Enregistre les absences aux rendez-vous et clôt les rendez-vous dont l'appel est terminé."

    def handle(self, *args, **options):
        no_shows = appointment_mark_no_shows()
        settled = appointment_settle_calls()
        self.stdout.write(f"{len(no_shows)} absence(s) enregistrée(s), {len(settled)} rendez-vous clos.")
