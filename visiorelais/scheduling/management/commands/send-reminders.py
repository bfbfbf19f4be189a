"""`visiorelais send-reminders`: reminds tomorrow's residents by e-mail and SMS.

Run it once a day (cron, a systemd timer), in the afternoon; running it again the same day sends nothing new.
"""

from django.core.management.base import BaseCommand

from visiorelais.scheduling.services import reminders_send


class Command(BaseCommand):
    help = "Envoie les rappels (e-mail, SMS) des rendez-vous de demain ; chaque envoi est journalisé."

    def handle(self, *args, **options):
        run = reminders_send()
        self.stdout.write(f"{run.sent} rappel(s) envoyé(s), {run.failed} en échec.")
        if run.failed:
            self.stderr.write("Des rappels n'ont pas pu partir : ils seront retentés au prochain passage.")
