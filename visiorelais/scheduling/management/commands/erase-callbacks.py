"""`visiorelais erase-callbacks`: erases the phone numbers of callback requests past their partner's delay.

Run it every day; it is safe to run twice or from two machines at once.
"""

from django.core.management.base import BaseCommand

from visiorelais.scheduling.services import callbacks_erase


class Command(BaseCommand):
    help = "Efface les numéros des demandes de rappel closes depuis le délai du partenaire (les fiches restent)."

    def handle(self, *args, **options):
        count = callbacks_erase()
        self.stdout.write(f"{count} numéro(s) effacé(s).")
