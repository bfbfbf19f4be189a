"""`visiorelais erase-personal-data`: erases the residents' personal data past their partner's delay: the phone
numbers of closed callback requests, and the name, phone and e-mail of appointments whose slot is over.

Run it every day; it is safe to run twice or from two machines at once.
"""

from django.core.management.base import BaseCommand

from visiorelais.scheduling.services import appointments_erase, callbacks_erase


class Command(BaseCommand):
    help = (
        "Efface les données personnelles passé le délai du partenaire : numéros des demandes de rappel closes, "
        "nom, téléphone et e-mail des rendez-vous passés (les fiches restent pour les statistiques)."
    )

    def handle(self, *args, **options):
        callbacks = callbacks_erase()
        appointments = appointments_erase()
        self.stdout.write(
            f"{callbacks} numéro(s) de demande de rappel effacé(s), {appointments} rendez-vous anonymisé(s)."
        )
