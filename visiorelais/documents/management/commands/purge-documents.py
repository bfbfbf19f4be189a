"""`visiorelais purge-documents`: deletes the files of documents past their partner's retention.

Run it every few minutes (cron, a systemd timer); it is safe to run twice or from two machines at once.
"""

from django.core.management.base import BaseCommand

from visiorelais.documents.services import documents_purge


class Command(BaseCommand):
    help = "Supprime les fichiers des documents dont le délai de conservation est passé (les fiches restent)."

    def handle(self, *args, **options):
        count = documents_purge()
        self.stdout.write(f"{count} document(s) purgé(s).")
