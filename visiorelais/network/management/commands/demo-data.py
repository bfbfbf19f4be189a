"""`visiorelais demo-data`: loads the Manche reference network and the demo accounts, then says how to look.

The file name carries a hyphen so that the command reads `demo-data`; Django imports it with importlib.
"""

from collections.abc import Callable

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import Resolver404, resolve

from visiorelais.network.demo import DemoSummary, demo_data_load

LOCAL_ADDRESS = "http://127.0.0.1:8000"
LINKS = [
    ("Borne (écran usager)", "/borne/"),
    ("Console des agents", "/console/"),
    ("Back-office", "/admin/"),
    ("Rendez-vous et rappels", "/rendez-vous/"),
    ("Statistiques", "/statistiques/"),
    ("Chiffres publics", "/statistiques/publiques/"),
]


def _is_served(path: str) -> bool:
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


def print_demo_summary(summary: DemoSummary, write: Callable[[str], None]) -> None:
    """Writes, in French, what the demo network holds, where to look, and how to log in."""
    counts = summary.counts
    write("Réseau de démonstration de la Manche chargé :")
    write(
        f"  {counts['authorities']} collectivités d'accueil, {counts['sites']} sites d'accueil "
        f"({counts['openings']} plages d'ouverture), {counts['kiosks']} bornes "
        f"dont {summary.kiosks_in_maintenance} en maintenance ;"
    )
    write(
        f"  {counts['partners']} partenaires, {counts['stations']} postes de réception, "
        f"{counts['topics']} motifs, {counts['windows']} plages de permanence, "
        f"{counts['entitlements']} ouvertures ;"
    )
    write(f"  {counts['accounts']} comptes de démonstration.")
    if summary.changed_anything:
        write(
            f"Cette fois : {summary.created} créations, {summary.updated} mises à jour, {summary.deleted} suppressions."
        )
    else:
        write("Rien à changer : la base contenait déjà le réseau de démonstration.")

    write("")
    write("Liens, une fois le serveur lancé (make demo) :")
    width = max(len(label) for label, _path in LINKS)
    for label, path in LINKS:
        note = "" if _is_served(path) else "  (pas encore disponible)"
        write(f"  {label:<{width}}  {LOCAL_ADDRESS}{path}{note}")

    write("")
    write(f"Comptes de démonstration (mot de passe commun : {summary.password}) :")
    rows = [("identifiant", "rôle", "rattachement", "mot de passe")]
    rows += [(a.username, a.role_label, a.attached_to or "—", summary.password) for a in summary.accounts]
    user_width, role_width, attached_width = (max(len(row[column]) for row in rows) for column in range(3))
    for username, role, attached_to, password in rows:
        write(f"  {username:<{user_width}}  {role:<{role_width}}  {attached_to:<{attached_width}}  {password}")


class Command(BaseCommand):
    help = (
        "Charge le réseau de référence de la Manche (21 bornes, 7 partenaires) et un compte de "
        "démonstration par rôle. Peut être relancée sans risque : rien n'est dupliqué."
    )

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="N'affiche rien.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Charge même avec DEBUG=0 (les comptes de démonstration ont un mot de passe public).",
        )

    def handle(self, *args, quiet: bool, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG est désactivé : ceci ressemble à une production. Les comptes de démonstration "
                "ont un mot de passe public ; relancez avec --force si c'est bien voulu."
            )
        summary = demo_data_load()
        if not quiet:
            print_demo_summary(summary, self.stdout.write)
