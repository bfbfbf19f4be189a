"""`visiorelais enrolment-code KIOSK_CODE`: issues a one-time enrolment code for a kiosk, from the command line."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from visiorelais.accounts.services import EnrolmentError, kiosk_enrolment_issue
from visiorelais.network.models import Kiosk


class Command(BaseCommand):
    help = "Émet un code d'enrôlement à usage unique pour une borne et affiche le lien qui l'enrôle."

    def add_arguments(self, parser):
        parser.add_argument("kiosk_code", help="le code de la borne, par exemple BRN-COUT-01")
        parser.add_argument("--ttl-minutes", type=int, default=None, help="durée de validité du code")
        parser.add_argument("--base-url", default="http://127.0.0.1:8000", help="adresse du serveur")

    def handle(self, *args, kiosk_code, ttl_minutes, base_url, **options):
        kiosk = Kiosk.objects.filter(code=kiosk_code).first()
        if kiosk is None:
            raise CommandError(f"Aucune borne ne porte le code {kiosk_code}.")
        if ttl_minutes is not None and ttl_minutes < 1:
            raise CommandError("La durée de validité est d'au moins une minute.")
        try:
            enrolment, code = kiosk_enrolment_issue(kiosk=kiosk, issued_by=None, ttl_minutes=ttl_minutes)
        except EnrolmentError as error:
            raise CommandError(error.message) from None
        expires = timezone.localtime(enrolment.expires_at).strftime("%d/%m/%Y à %H:%M")
        self.stdout.write(f"Code d'enrôlement de {kiosk} : {code} (valable jusqu'au {expires}, heure de Paris)")
        self.stdout.write(f"Enrôler ce navigateur comme borne : {base_url.rstrip('/')}/borne/enrolement/?code={code}")
