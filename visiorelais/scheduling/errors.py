"""What the scheduling services refuse, with the French sentence shown to the person (docs/scheduling.md).

A refusal is a ValidationError, so that a form shows it as it is: `code` is stable (screens and tests),
`field` names the form field it concerns, if any.
"""

from django.core.exceptions import ValidationError

MESSAGES: dict[str, str] = {
    # Opening slots (back-office).
    "slot_place": "Indiquez une borne ou un site d'accueil, pas les deux.",
    "slot_station": "Choisissez un poste en service de ce partenaire.",
    "slot_not_entitled": (
        "Ce partenaire n'est pas ouvert sur cette borne : l'opérateur du réseau doit d'abord l'y ouvrir."
    ),
    "slot_length": "Un créneau dure de 5 minutes à 4 heures.",
    "slot_in_past": "Ce créneau est déjà passé : choisissez une date à venir.",
    "slot_overlap_station": ("Ce créneau chevauche celui du %(other)s sur le même poste ; modifiez l'un des deux."),
    "slot_overlap_kiosk": (
        "Ce créneau chevauche celui du %(other)s sur la même borne : une borne ne reçoit qu'un rendez-vous à la fois."
    ),
    "slot_booked": "Ce créneau a un rendez-vous : annulez d'abord le rendez-vous.",
    "series_rule": "Pour une règle mensuelle, choisissez le rang du jour dans le mois (1er, 2e, 3e, 4e ou dernier).",
    "series_times": "L'heure de fin doit suivre l'heure de début, avec au moins un créneau entre les deux.",
    "series_until": "La date de fin ne peut pas précéder la date de début.",
    # Booking.
    "not_allowed": "Vous ne pouvez réserver que les créneaux de votre partenaire ou de vos sites d'accueil.",
    "slot_unknown": "Ce créneau n'existe pas ou ne vous concerne pas.",
    "slot_inactive": "Ce créneau n'est plus proposé : choisissez-en un autre.",
    "booking_past": "Ce créneau est déjà passé : on ne peut plus le réserver.",
    "slot_taken": "Ce créneau vient d'être réservé : choisissez-en un autre.",
    "name_required": "Indiquez le nom de la personne (un nom suffit).",
    "bad_topic": "Choisissez un des motifs proposés par ce partenaire.",
    "bad_phone": (
        "Ce numéro n'est pas un numéro de téléphone français valide. "
        "Saisissez ses 10 chiffres, par exemple 06 12 34 56 78."
    ),
    "phone_not_mobile": (
        "Ce numéro n'est pas un portable : le rappel par SMS ne pourrait pas partir. "
        "Donnez un numéro en 06 ou 07, ou une adresse e-mail."
    ),
    "bad_email": "Cette adresse e-mail n'est pas valide (exemple : nom@exemple.fr).",
    "appointment_unknown": "Ce rendez-vous n'existe pas ou ne vous concerne pas.",
    "not_cancellable": "Ce rendez-vous n'est plus à venir : il ne peut plus être annulé.",
    # Printing the ticket on a kiosk (the code stays on the ticket page whatever happens).
    "ticket_print_not_allowed": (
        "Seul l'accueil du site peut imprimer un ticket sur cette borne, pour un rendez-vous qui y a lieu."
    ),
    "ticket_not_printable": "Ce rendez-vous n'est plus à venir : son ticket ne s'imprime plus.",
    "kiosk_no_printer": "La borne %(kiosk)s n'a pas d'imprimante : recopiez le code pour la personne.",
    "kiosk_offline": (
        "La borne %(kiosk)s est hors ligne : le ticket ne peut pas y être imprimé. "
        "Recopiez le code pour la personne, ou réessayez dans quelques minutes."
    ),
    "printer_offline": (
        "L'imprimante de la borne %(kiosk)s ne répond pas : le ticket ne peut pas y être imprimé. "
        "Recopiez le code pour la personne."
    ),
    "ticket_printing": "Le ticket est déjà en cours d'impression : attendez le résultat avant de recommencer.",
    "ticket_print_unknown": "Cette impression de ticket est inconnue.",
    "ticket_print_finished": "Cette impression de ticket est déjà terminée.",
    # Check-in at the kiosk.
    "code_malformed": "Tapez les 6 chiffres de votre code de rendez-vous.",
    "code_unknown": (
        "Ce code ne correspond à aucun rendez-vous. Vérifiez-le sur votre ticket, ou demandez à l'accueil."
    ),
    "code_used": "Ce code a déjà servi : votre rendez-vous a déjà commencé. Demandez à l'accueil.",
    "code_cancelled": "Ce rendez-vous a été annulé. Demandez à l'accueil pour en prendre un nouveau.",
    "code_other_place": "Ce rendez-vous a lieu sur une autre borne : %(place)s.",
    "too_early": "Votre rendez-vous est à %(time)s. Revenez à partir de %(earliest)s et tapez à nouveau votre code.",
    "too_late": (
        "Votre rendez-vous était à %(time)s : il est trop tard pour le commencer. "
        "Demandez à l'accueil pour en prendre un nouveau."
    ),
    "station_not_staffed": (
        "Votre conseiller n'est pas encore connecté. "
        "Patientez quelques minutes puis tapez à nouveau votre code, ou demandez à l'accueil."
    ),
    "kiosk_busy": "La borne est déjà en communication. Attendez la fin de l'appel puis tapez à nouveau votre code.",
    # Callbacks.
    "callback_not_entitled": "Ce partenaire n'est pas proposé sur cette borne.",
    "callback_not_needed": "Ce partenaire peut vous répondre maintenant : touchez son nom pour l'appeler.",
    "callback_duplicate": "Une demande de rappel est déjà enregistrée pour ce numéro : le partenaire vous rappellera.",
    "bad_period": "Choisissez le moment de la journée qui vous convient : matin, après-midi ou indifférent.",
    "callback_unknown": "Cette demande de rappel n'existe pas ou ne concerne pas votre partenaire.",
    "callback_not_pending": "Cette demande a déjà été prise par un autre agent, ou elle est close.",
    "callback_not_yours": "Prenez d'abord cette demande : elle est suivie par un autre agent.",
    "bad_outcome": "Indiquez si le rappel a abouti ou échoué.",
    "not_partner_agent": "Réservé aux agents des partenaires.",
    # Calendar feeds.
    "feed_not_allowed": "Vous ne pouvez gérer que votre agenda et celui de vos sites d'accueil.",
}


class SchedulingRefused(ValidationError):
    """A refused change. Nothing was written."""

    def __init__(self, code: str, *, field: str | None = None, **params):
        text = MESSAGES[code] % params if params else MESSAGES[code]
        super().__init__(text, code=code)
        self.field = field
        self.text = text

    def __str__(self) -> str:
        return self.text
