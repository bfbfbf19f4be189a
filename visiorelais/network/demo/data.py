"""The reference network of the Manche (Normandy), as plain data: what `visiorelais demo-data` loads.

Communes are real, with their INSEE code, postcode and intercommunality as of 2024; coordinates are the
town centre, to five decimals at most. Street addresses are indicative and no phone number is given: the
demo must not send anyone to a real desk. People are fictitious.

Natural keys, used to load this idempotently: authority name, site name + commune, kiosk code,
partner short name, topic and station label within their partner, username.
"""

from visiorelais.accounts.models import Role
from visiorelais.network.models import Entitlement, HostAuthority, HostSite, Kiosk, Weekday

MON, TUE, WED, THU, FRI, SAT = (
    Weekday.MONDAY,
    Weekday.TUESDAY,
    Weekday.WEDNESDAY,
    Weekday.THURSDAY,
    Weekday.FRIDAY,
    Weekday.SATURDAY,
)
WEEK = (MON, TUE, WED, THU, FRI)

# Public on purpose: printed by the command and written in the README. The command refuses to run with
# DEBUG=0 unless forced, so that these accounts do not reach a production database by accident.
DEMO_PASSWORD = "visio-demo-2026"  # noqa: S105

# --- Host authorities ------------------------------------------------------------------------------------

INTERCOMMUNALITY = HostAuthority.Kind.INTERCOMMUNALITY
COMMUNE = HostAuthority.Kind.COMMUNE

COTENTIN = "Communauté d'agglomération du Cotentin"
SAINT_LO_AGGLO = "Saint-Lô Agglo"
COUTANCES_MER_ET_BOCAGE = "Communauté de communes Coutances Mer et Bocage"
COTE_OUEST_CENTRE_MANCHE = "Communauté de communes Côte Ouest Centre Manche"
MONT_SAINT_MICHEL_NORMANDIE = "Communauté d'agglomération Mont-Saint-Michel-Normandie"
VILLEDIEU_INTERCOM = "Villedieu Intercom"
BAIE_DU_COTENTIN = "Communauté de communes de la Baie du Cotentin"
GRANVILLE_TERRE_ET_MER = "Communauté de communes Granville, Terre et Mer"

AUTHORITIES = [
    (COTENTIN, INTERCOMMUNALITY),
    (SAINT_LO_AGGLO, INTERCOMMUNALITY),
    (COUTANCES_MER_ET_BOCAGE, INTERCOMMUNALITY),
    (COTE_OUEST_CENTRE_MANCHE, INTERCOMMUNALITY),
    (MONT_SAINT_MICHEL_NORMANDIE, INTERCOMMUNALITY),
    (VILLEDIEU_INTERCOM, INTERCOMMUNALITY),
    (BAIE_DU_COTENTIN, INTERCOMMUNALITY),
    (GRANVILLE_TERRE_ET_MER, INTERCOMMUNALITY),
    ("Commune de Saint-Lô", COMMUNE),
    ("Commune de Lessay", COMMUNE),
    ("Commune de Saint-Hilaire-du-Harcouët", COMMUNE),
    ("Commune de Brécey", COMMUNE),
    ("Commune de Gavray-sur-Sienne", COMMUNE),
    ("Commune de Cerisy-la-Salle", COMMUNE),
    ("Commune de Saint-James", COMMUNE),
    ("Commune de Saint-Pierre-Église", COMMUNE),
]

# --- Opening hours of host sites: (weekdays, start, end) -------------------------------------------------

FRANCE_SERVICES_HOURS = [(WEEK, "09:00", "12:30"), (WEEK, "13:30", "17:00")]
FRANCE_SERVICES_SATURDAY_HOURS = [*FRANCE_SERVICES_HOURS, ((SAT,), "09:00", "12:00")]
TOWN_HALL_HOURS = [(WEEK, "09:00", "12:00"), ((MON, TUE, THU, FRI), "14:00", "17:00")]
SMALL_TOWN_HALL_HOURS = [(WEEK, "09:00", "12:00"), ((TUE, THU), "14:00", "17:30")]
DIGITAL_SPACE_HOURS = [
    ((TUE, WED, THU, FRI), "10:00", "12:00"),
    ((TUE, WED, THU, FRI), "14:00", "18:00"),
    ((SAT,), "10:00", "12:30"),
]

# --- Host sites and their kiosk (one kiosk per site) -----------------------------------------------------

TOWN_HALL = HostSite.Kind.TOWN_HALL
FRANCE_SERVICES = HostSite.Kind.FRANCE_SERVICES
DIGITAL_SPACE = HostSite.Kind.PUBLIC_DIGITAL_SPACE
CLOSED_ROOM = HostSite.Confidentiality.CLOSED_ROOM
BOOTH = HostSite.Confidentiality.BOOTH
OPEN_SPACE = HostSite.Confidentiality.OPEN_SPACE

FULL = {"has_camera": True, "has_scanner": True, "has_printer": True, "has_handset": False}
FULL_WITH_HANDSET = {**FULL, "has_handset": True}
NO_SCANNER = {**FULL, "has_scanner": False}

SITES = [
    {
        "name": "France Services de Coutances",
        "kind": FRANCE_SERVICES,
        "authority": COUTANCES_MER_ET_BOCAGE,
        "address": "2 rue de la Halle",
        "commune": "Coutances",
        "postcode": "50200",
        "insee_code": "50147",
        "coordinates": (49.0475, -1.4453),
        "step_free_access": True,
        "confidentiality": CLOSED_ROOM,
        "hours": FRANCE_SERVICES_SATURDAY_HOURS,
        "kiosk": {"code": "BRN-COUT-01", "label": "Borne de Coutances", **FULL_WITH_HANDSET},
    },
    {
        "name": "Mairie de Saint-Lô",
        "kind": TOWN_HALL,
        "authority": "Commune de Saint-Lô",
        "address": "Place du Général-de-Gaulle",
        "commune": "Saint-Lô",
        "postcode": "50000",
        "insee_code": "50502",
        "coordinates": (49.1158, -1.0906),
        "step_free_access": True,
        "confidentiality": CLOSED_ROOM,
        "hours": TOWN_HALL_HOURS,
        "kiosk": {"code": "BRN-STLO-01", "label": "Borne de Saint-Lô", **FULL},
    },
    {
        "name": "France Services d'Avranches",
        "kind": FRANCE_SERVICES,
        "authority": MONT_SAINT_MICHEL_NORMANDIE,
        "address": "Place Littré",
        "commune": "Avranches",
        "postcode": "50300",
        "insee_code": "50025",
        "coordinates": (48.6844, -1.3569),
        "step_free_access": True,
        "confidentiality": BOOTH,
        "hours": FRANCE_SERVICES_HOURS,
        "kiosk": {"code": "BRN-AVRA-01", "label": "Borne d'Avranches", **FULL},
    },
    {
        "name": "Espace public numérique de Granville",
        "kind": DIGITAL_SPACE,
        "authority": GRANVILLE_TERRE_ET_MER,
        "address": "Cours Jonville",
        "commune": "Granville",
        "postcode": "50400",
        "insee_code": "50218",
        "coordinates": (48.8374, -1.5939),
        "step_free_access": True,
        "confidentiality": BOOTH,
        "hours": DIGITAL_SPACE_HOURS,
        "kiosk": {"code": "BRN-GRAN-01", "label": "Borne de Granville", **FULL},
    },
    {
        "name": "France Services de Valognes",
        "kind": FRANCE_SERVICES,
        "authority": COTENTIN,
        "address": "Rue de l'Hôtel-Dieu",
        "commune": "Valognes",
        "postcode": "50700",
        "insee_code": "50615",
        "coordinates": (49.5092, -1.4703),
        "step_free_access": True,
        "confidentiality": CLOSED_ROOM,
        "hours": FRANCE_SERVICES_HOURS,
        "kiosk": {"code": "BRN-VALO-01", "label": "Borne de Valognes", **FULL},
    },
    {
        "name": "France Services de Carentan-les-Marais",
        "kind": FRANCE_SERVICES,
        "authority": BAIE_DU_COTENTIN,
        "address": "Boulevard de Verdun",
        "commune": "Carentan-les-Marais",
        "postcode": "50500",
        "insee_code": "50099",
        "coordinates": (49.3039, -1.2469),
        "step_free_access": True,
        "confidentiality": CLOSED_ROOM,
        "hours": FRANCE_SERVICES_HOURS,
        "kiosk": {"code": "BRN-CARE-01", "label": "Borne de Carentan", **FULL},
    },
    {
        "name": "France Services de Villedieu-les-Poêles",
        "kind": FRANCE_SERVICES,
        "authority": VILLEDIEU_INTERCOM,
        "address": "Place de la République",
        "commune": "Villedieu-les-Poêles-Rouffigny",
        "postcode": "50800",
        "insee_code": "50639",
        "coordinates": (48.8386, -1.2225),
        "step_free_access": True,
        "confidentiality": BOOTH,
        "hours": FRANCE_SERVICES_HOURS,
        "kiosk": {"code": "BRN-VILL-01", "label": "Borne de Villedieu", **FULL},
    },
    {
        "name": "France Services de Périers",
        "kind": FRANCE_SERVICES,
        "authority": COTE_OUEST_CENTRE_MANCHE,
        "address": "Rue du Docteur-Callegari",
        "commune": "Périers",
        "postcode": "50190",
        "insee_code": "50394",
        "coordinates": (49.1864, -1.4072),
        "step_free_access": True,
        "confidentiality": CLOSED_ROOM,
        "hours": FRANCE_SERVICES_HOURS,
        "kiosk": {"code": "BRN-PERI-01", "label": "Borne de Périers", **FULL},
    },
    {
        "name": "Mairie de Lessay",
        "kind": TOWN_HALL,
        "authority": "Commune de Lessay",
        "address": "Place Saint-Cloud",
        "commune": "Lessay",
        "postcode": "50430",
        "insee_code": "50267",
        "coordinates": (49.2181, -1.5294),
        "step_free_access": False,
        "confidentiality": OPEN_SPACE,
        "hours": SMALL_TOWN_HALL_HOURS,
        "kiosk": {"code": "BRN-LESS-01", "label": "Borne de Lessay", **NO_SCANNER},
    },
    {
        "name": "France Services de La Haye",
        "kind": FRANCE_SERVICES,
        "authority": COTE_OUEST_CENTRE_MANCHE,
        "address": "Place du Général-de-Gaulle",
        "commune": "La Haye",
        "postcode": "50250",
        "insee_code": "50236",
        "coordinates": (49.2911, -1.5450),
        "step_free_access": True,
        "confidentiality": BOOTH,
        "hours": FRANCE_SERVICES_HOURS,
        "kiosk": {"code": "BRN-HAYE-01", "label": "Borne de La Haye", **FULL},
    },
    {
        "name": "Mairie de Saint-Hilaire-du-Harcouët",
        "kind": TOWN_HALL,
        "authority": "Commune de Saint-Hilaire-du-Harcouët",
        "address": "Place Delaunay",
        "commune": "Saint-Hilaire-du-Harcouët",
        "postcode": "50600",
        "insee_code": "50484",
        "coordinates": (48.5772, -1.0908),
        "step_free_access": True,
        "confidentiality": CLOSED_ROOM,
        "hours": TOWN_HALL_HOURS,
        "kiosk": {"code": "BRN-STHI-01", "label": "Borne de Saint-Hilaire", **FULL},
    },
    {
        "name": "France Services de Mortain-Bocage",
        "kind": FRANCE_SERVICES,
        "authority": MONT_SAINT_MICHEL_NORMANDIE,
        "address": "Rue du Bourglopin",
        "commune": "Mortain-Bocage",
        "postcode": "50140",
        "insee_code": "50359",
        "coordinates": (48.6478, -0.9416),
        "step_free_access": False,
        "confidentiality": CLOSED_ROOM,
        "hours": FRANCE_SERVICES_HOURS,
        "kiosk": {"code": "BRN-MORT-01", "label": "Borne de Mortain", **FULL},
    },
    {
        "name": "Espace public numérique de Pontorson",
        "kind": DIGITAL_SPACE,
        "authority": MONT_SAINT_MICHEL_NORMANDIE,
        "address": "Rue Saint-Michel",
        "commune": "Pontorson",
        "postcode": "50170",
        "insee_code": "50410",
        "coordinates": (48.5542, -1.5058),
        "step_free_access": True,
        "confidentiality": OPEN_SPACE,
        "hours": DIGITAL_SPACE_HOURS,
        "kiosk": {"code": "BRN-PONT-01", "label": "Borne de Pontorson", **NO_SCANNER},
    },
    {
        "name": "Mairie de Brécey",
        "kind": TOWN_HALL,
        "authority": "Commune de Brécey",
        "address": "Place de l'Hôtel-de-Ville",
        "commune": "Brécey",
        "postcode": "50370",
        "insee_code": "50074",
        "coordinates": (48.7247, -1.1664),
        "step_free_access": False,
        "confidentiality": BOOTH,
        "hours": SMALL_TOWN_HALL_HOURS,
        "kiosk": {"code": "BRN-BREC-01", "label": "Borne de Brécey", **FULL},
    },
    {
        "name": "Mairie de Gavray-sur-Sienne",
        "kind": TOWN_HALL,
        "authority": "Commune de Gavray-sur-Sienne",
        "address": "Place de la Mairie",
        "commune": "Gavray-sur-Sienne",
        "postcode": "50450",
        "insee_code": "50197",
        "coordinates": (48.9097, -1.3500),
        "step_free_access": True,
        "confidentiality": CLOSED_ROOM,
        "hours": SMALL_TOWN_HALL_HOURS,
        # Its printer is away for repair: the kiosk stays out of service until it comes back.
        "kiosk": {
            "code": "BRN-GAVR-01",
            "label": "Borne de Gavray",
            **FULL,
            "status": Kiosk.Status.MAINTENANCE,
        },
    },
    {
        "name": "Mairie de Cerisy-la-Salle",
        "kind": TOWN_HALL,
        "authority": "Commune de Cerisy-la-Salle",
        "address": "1 place de la Mairie",
        "commune": "Cerisy-la-Salle",
        "postcode": "50210",
        "insee_code": "50111",
        "coordinates": (49.0269, -1.2811),
        "step_free_access": True,
        "confidentiality": BOOTH,
        "hours": SMALL_TOWN_HALL_HOURS,
        "kiosk": {"code": "BRN-CERI-01", "label": "Borne de Cerisy-la-Salle", **FULL},
    },
    {
        "name": "France Services de Torigny-les-Villes",
        "kind": FRANCE_SERVICES,
        "authority": SAINT_LO_AGGLO,
        "address": "Place Charles-de-Gaulle",
        "commune": "Torigny-les-Villes",
        "postcode": "50160",
        "insee_code": "50601",
        "coordinates": (49.0350, -0.9790),
        "step_free_access": True,
        "confidentiality": CLOSED_ROOM,
        "hours": FRANCE_SERVICES_HOURS,
        "kiosk": {"code": "BRN-TORI-01", "label": "Borne de Torigny", **FULL},
    },
    {
        "name": "Mairie de Saint-James",
        "kind": TOWN_HALL,
        "authority": "Commune de Saint-James",
        "address": "Place de l'Hôtel-de-Ville",
        "commune": "Saint-James",
        "postcode": "50240",
        "insee_code": "50487",
        "coordinates": (48.5236, -1.3233),
        "step_free_access": True,
        "confidentiality": OPEN_SPACE,
        "hours": TOWN_HALL_HOURS,
        "kiosk": {"code": "BRN-STJA-01", "label": "Borne de Saint-James", **FULL},
    },
    {
        "name": "Espace public numérique de Barneville-Carteret",
        "kind": DIGITAL_SPACE,
        "authority": COTENTIN,
        "address": "Rue Guillaume-le-Conquérant",
        "commune": "Barneville-Carteret",
        "postcode": "50270",
        "insee_code": "50031",
        "coordinates": (49.3817, -1.7514),
        "step_free_access": True,
        "confidentiality": BOOTH,
        "hours": DIGITAL_SPACE_HOURS,
        "kiosk": {"code": "BRN-BARN-01", "label": "Borne de Barneville-Carteret", **FULL},
    },
    {
        "name": "France Services des Pieux",
        "kind": FRANCE_SERVICES,
        "authority": COTENTIN,
        "address": "Rue Centrale",
        "commune": "Les Pieux",
        "postcode": "50340",
        "insee_code": "50402",
        "coordinates": (49.5139, -1.8067),
        "step_free_access": True,
        "confidentiality": CLOSED_ROOM,
        "hours": FRANCE_SERVICES_HOURS,
        "kiosk": {"code": "BRN-PIEU-01", "label": "Borne des Pieux", **FULL_WITH_HANDSET},
    },
    {
        "name": "Mairie de Saint-Pierre-Église",
        "kind": TOWN_HALL,
        "authority": "Commune de Saint-Pierre-Église",
        "address": "Place de l'Abbé-de-Saint-Pierre",
        "commune": "Saint-Pierre-Église",
        "postcode": "50330",
        "insee_code": "50539",
        "coordinates": (49.6683, -1.4039),
        "step_free_access": False,
        "confidentiality": OPEN_SPACE,
        "hours": SMALL_TOWN_HALL_HOURS,
        "kiosk": {"code": "BRN-STPE-01", "label": "Borne de Saint-Pierre-Église", **NO_SCANNER},
    },
]

# --- Partners: who answers, on what, when, from where ----------------------------------------------------

WALK_IN = Entitlement.Mode.WALK_IN
APPOINTMENT_ONLY = Entitlement.Mode.APPOINTMENT_ONLY
ALL_KIOSKS = None

# France Travail is trialled on one kiosk only, by appointment (see DESIGN.md, "The job").
FRANCE_TRAVAIL_KIOSK = "BRN-COUT-01"

PARTNERS = [
    {
        "short_name": "CAF",
        "name": "Caisse d'allocations familiales de la Manche",
        "colour": "#0055A4",
        "description": "Prestations familiales, aides au logement, prime d'activité et RSA : "
        "un conseiller de la CAF de la Manche vous répond.",
        "topics": [
            "Prime d'activité",
            "Aides au logement (APL)",
            "Revenu de solidarité active (RSA)",
            "Naissance et allocations familiales",
            "Déclarer un changement de situation",
            "Garde d'enfant",
        ],
        "stations": ["CAF poste 1", "CAF poste 2"],
        "hours": [(WEEK, "09:00", "12:00"), ((MON, TUE, THU), "13:30", "16:30")],
        "entitlements": [(ALL_KIOSKS, WALK_IN)],
    },
    {
        "short_name": "MSA",
        "name": "MSA Côtes Normandes",
        "colour": "#2E7D32",
        "description": "La protection sociale du monde agricole : santé, famille, retraite et cotisations "
        "des exploitants et salariés agricoles.",
        "topics": [
            "Santé et remboursements",
            "Cotisations des exploitants",
            "Retraite agricole",
            "Prestations familiales",
            "Installation en agriculture",
        ],
        "stations": ["MSA poste 1"],
        "hours": [(WEEK, "09:00", "12:00"), ((TUE, THU), "14:00", "16:30")],
        "entitlements": [(ALL_KIOSKS, WALK_IN)],
    },
    {
        "short_name": "CPAM",
        "name": "Caisse primaire d'assurance maladie de la Manche",
        "colour": "#00695C",
        "description": "L'Assurance maladie de la Manche : carte Vitale, remboursements, "
        "complémentaire santé solidaire, arrêts de travail.",
        "topics": [
            "Carte Vitale",
            "Remboursements de soins",
            "Complémentaire santé solidaire",
            "Arrêt de travail et indemnités journalières",
            "Déclarer un médecin traitant",
        ],
        "stations": ["CPAM poste 1"],
        "hours": [(WEEK, "08:30", "12:00"), ((MON, WED), "13:30", "16:30")],
        "entitlements": [(ALL_KIOSKS, WALK_IN)],
    },
    {
        "short_name": "URSSAF",
        "name": "Urssaf Normandie",
        "colour": "#5E35B1",
        "description": "Cotisations sociales des indépendants, micro-entrepreneurs et particuliers employeurs.",
        "topics": [
            "Micro-entrepreneur : déclarer et payer",
            "Créer son entreprise",
            "Demander un délai de paiement",
            "Particulier employeur (Cesu, Pajemploi)",
        ],
        "stations": ["URSSAF poste 1"],
        "hours": [((TUE, THU), "09:00", "12:00"), ((TUE,), "14:00", "16:00")],
        "entitlements": [(ALL_KIOSKS, WALK_IN)],
    },
    {
        "short_name": "CDAD",
        "name": "Conseil départemental de l'accès au droit de la Manche",
        "colour": "#8E2430",
        "description": "Information juridique gratuite et confidentielle, avec le concours du "
        "Tribunal judiciaire de Coutances : famille, logement, travail, dettes.",
        "topics": [
            "Famille : séparation, pension alimentaire",
            "Logement et voisinage",
            "Droit du travail",
            "Dettes et surendettement",
            "Aide juridictionnelle",
        ],
        "stations": ["CDAD poste 1"],
        "hours": [((WED,), "09:30", "12:00"), ((FRI,), "14:00", "17:00")],
        "entitlements": [(ALL_KIOSKS, WALK_IN)],
    },
    {
        "short_name": "SDeau50",
        "name": "Syndicat départemental de l'eau de la Manche",
        "colour": "#01579B",
        "description": "Votre abonnement et votre facture d'eau : compteur, relève, fuite, paiement.",
        "topics": [
            "Comprendre ma facture d'eau",
            "Ouvrir ou fermer un compteur",
            "Fuite d'eau et relève",
            "Mensualisation et prélèvement",
            "Qualité de l'eau",
        ],
        "stations": ["SDeau50 poste 1"],
        "hours": [((MON, WED, FRI), "09:00", "12:00"), ((WED,), "14:00", "16:30")],
        "entitlements": [(ALL_KIOSKS, WALK_IN)],
    },
    {
        "short_name": "France Travail",
        "name": "France Travail",
        "colour": "#C8102E",
        "description": "Inscription, indemnisation et recherche d'emploi, sur rendez-vous avec votre conseiller.",
        "topics": [
            "Inscription et actualisation",
            "Indemnisation",
            "Recherche d'emploi et CV",
            "Formation",
        ],
        "stations": ["France Travail poste 1"],
        "hours": [((THU,), "09:00", "12:00")],
        "entitlements": [(FRANCE_TRAVAIL_KIOSK, APPOINTMENT_ONLY)],
    },
]

# --- Demo accounts: one per role, one agent per partner --------------------------------------------------

COUTANCES_SITE = ("France Services de Coutances", "Coutances")

ACCOUNTS = [
    {"username": "operateur", "role": Role.OPERATOR, "first_name": "Claire", "last_name": "Lemonnier"},
    {"username": "observateur", "role": Role.OBSERVER, "first_name": "Henri", "last_name": "Duval"},
    {
        "username": "admin-caf",
        "role": Role.PARTNER_ADMIN,
        "partner": "CAF",
        "first_name": "Sophie",
        "last_name": "Marie",
    },
    *(
        {
            "username": f"agent-{short_name.lower().replace(' ', '-')}",
            "role": Role.PARTNER_AGENT,
            "partner": short_name,
            "first_name": first_name,
            "last_name": last_name,
        }
        for short_name, first_name, last_name in [
            ("CAF", "Julien", "Hébert"),
            ("MSA", "Nathalie", "Lecoq"),
            ("CPAM", "Thomas", "Leroux"),
            ("URSSAF", "Isabelle", "Vautier"),
            ("CDAD", "Marc", "Le Goff"),
            ("SDeau50", "Élodie", "Lepetit"),
            ("France Travail", "Karim", "Benali"),
        ]
    ),
    {
        "username": "responsable-coutances",
        "role": Role.SITE_MANAGER,
        "sites": [COUTANCES_SITE],
        "first_name": "Anne",
        "last_name": "Lefranc",
    },
    {
        "username": "accueil-coutances",
        "role": Role.HOST_AGENT,
        "sites": [COUTANCES_SITE],
        "first_name": "Lucas",
        "last_name": "Pigeon",
    },
]

# The operator account is also a superuser, so that the demo's back-office shows everything at once.
SUPERUSERS = {"operateur"}
