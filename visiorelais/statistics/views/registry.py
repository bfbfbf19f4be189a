"""Every statistics page, in the order of the navigation: its key (the URL /statistiques/<key>/), its French
title, the roles that may open it (None: everyone, the public page), its builder `(user, period) ->
list[Table]`, the periods it offers and its template. The page view, the export view, the navigation and the
tests of the role matrix all read this one dict; see statistics/views/base.py for how a page is served."""

from django.utils.translation import gettext_lazy as _

from visiorelais.accounts.models import Role
from visiorelais.statistics import selectors
from visiorelais.statistics.reports import agent, network, partner, public, site, steering
from visiorelais.statistics.views.base import Page

PAGES: dict[str, Page] = {
    page.key: page
    for page in [
        Page(
            key="reseau",
            title=_("Le réseau"),
            roles=frozenset({Role.OPERATOR}),
            build=network.network_tables,
            kinds=("month", "week"),
            template="statistics/network.html",
            intro=_(
                "Les chiffres de tout le réseau : demandes, décroché, attentes, présence des postes et couverture "
                "des horaires, par mois ou par semaine. Chaque tableau s'exporte ; le graphique est tiré du tableau."
            ),
        ),
        Page(
            key="pilotage",
            title=_("Pilotage"),
            roles=frozenset({Role.OBSERVER, Role.OPERATOR}),
            build=steering.steering_tables,
            kinds=("quarter", "year"),
            template="statistics/steering.html",
            intro=_(
                "Pour le comité de pilotage : les tendances du trimestre ou de l'année, comparées à la période "
                "précédente et à la même période un an plus tôt, et les points faibles du réseau."
            ),
        ),
        Page(
            key="partenaire",
            title=_("Mon partenaire"),
            roles=frozenset({Role.PARTNER_ADMIN}),
            build=partner.partner_tables,
            kinds=("month", "week", "quarter", "year"),
            intro=_(
                "Les chiffres de votre partenaire seulement : demandes, décroché, niveau de service et attentes, "
                "présence et occupation de vos postes, appels de vos agents, demandes par site d'accueil, et les "
                "heures de la semaine où les usagers appellent et où vos postes sont tenus."
            ),
        ),
        Page(
            key="site",
            title=_("Mes sites d'accueil"),
            roles=frozenset({Role.SITE_MANAGER}),
            build=site.site_tables,
            kinds=("month", "week", "quarter", "year"),
            intro=_(
                "Les chiffres de vos sites d'accueil, borne par borne : demandes par partenaire, décroché, "
                "indisponibilités (hors horaires ou aucun poste tenu), attentes, satisfaction et disponibilité des "
                "bornes et de leurs périphériques pendant vos horaires d'ouverture."
            ),
        ),
        Page(
            key="ma-journee",
            title=_("Ma journée"),
            roles=frozenset({Role.PARTNER_AGENT}),
            build=agent.agent_tables,
            kinds=("day",),
            template="statistics/agent.html",
            intro=_(
                "Vos appels du jour, vos temps de communication et de fin d'appel, les évaluations reçues, les "
                "propositions refusées ou restées sans réponse et le temps de votre poste par état."
            ),
            extra={"last_refresh": selectors.last_refresh},
        ),
        Page(
            key="publiques",
            title=_("Chiffres publics"),
            roles=None,
            build=public.public_tables,
            kinds=("week",),
            template="statistics/public.html",
            intro=_(
                "Les demandes d'appel et les appels décrochés de chaque partenaire du réseau Visio-relais, semaine "
                "par semaine, sur les douze dernières semaines complètes. Chiffres mis à jour chaque jour."
            ),
        ),
    ]
}
