"""The call-level export: one CSV line per call of the fact table, streamed (a generator of text lines), so that a
StreamingHttpResponse can send a million calls without holding them. Columns are named in French.

It carries no resident's data: CallFact holds none (no name, phone, e-mail, free text, appointment code, not
even the appointment's id: only whether the call was booked), and the columns below leave out the station and
the agent too. Partner, site and kiosk are named; the rest are codes, times, durations and counts. A column
added here must keep to that (tests/statistics/test_exports_calls.py holds the list).
"""

import csv
import io
from collections.abc import Iterator

from visiorelais.statistics.metrics.facts import call_facts
from visiorelais.statistics.periods import PARIS, Period, Scope

COLUMNS = [
    ("call_id", "appel"),
    ("partner__short_name", "partenaire"),
    ("site__name", "site"),
    ("kiosk__code", "borne"),
    ("requested_at", "demandé le (Paris)"),
    ("day", "jour"),
    ("outcome", "issue"),
    ("end_reason", "motif de fin"),
    ("answered", "décroché"),
    ("wait_seconds", "attente (s)"),
    ("talk_seconds", "communication (s)"),
    ("wrap_up_seconds", "fin d'appel (s)"),
    ("offers", "propositions"),
    ("offers_declined", "refus"),
    ("offers_timed_out", "non décrochées"),
    ("rating", "évaluation"),
    ("appointment", "sur rendez-vous"),
]

# TableSchema of each column: type, then a description (the outcome codes are those of docs/statistics.md).
_FIELDS = {
    "call_id": ("integer", "identifiant de l'appel"),
    "partner__short_name": ("string", "partenaire appelé (sigle)"),
    "site__name": ("string", "site d'accueil de la borne"),
    "kiosk__code": ("string", "code de la borne"),
    "requested_at": ("datetime", "date et heure de la demande, heure de Paris (AAAA-MM-JJ HH:MM:SS)"),
    "day": ("date", "jour de la demande (Paris) : la période de l'appel"),
    "outcome": ("string", "issue de l'appel (code, règles ordonnées de docs/statistics.md)"),
    "end_reason": ("string", "motif de fin (code)"),
    "answered": ("boolean", "l'appel a été décroché (oui / non)"),
    "wait_seconds": ("integer", "attente en secondes, arrondie : demande → décroché, ou demande → fin"),
    "talk_seconds": ("integer", "communication en secondes, arrondie : décroché → fin"),
    "wrap_up_seconds": ("integer", "fin d'appel du poste en secondes, arrondie"),
    "offers": ("integer", "propositions faites aux postes"),
    "offers_declined": ("integer", "propositions refusées"),
    "offers_timed_out": ("integer", "propositions non décrochées (sonnerie expirée)"),
    "rating": ("integer", "évaluation du résident, de 1 à 5"),
    "appointment": ("boolean", "appel sur rendez-vous (oui / non)"),
}


def _text(value) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float):
        return f"{value:.0f}"
    return value


def call_facts_csv(*, period: Period, scope: Scope | None = None, chunk_size: int = 5000) -> Iterator[str]:
    """The header, then one line per call requested in the period (Paris days), oldest first."""
    scope = scope or Scope.network()
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([title for _, title in COLUMNS])
    facts = call_facts(period, scope).order_by("requested_at", "call_id").values_list(*[name for name, _ in COLUMNS])
    at = [name for name, _ in COLUMNS].index("requested_at")
    for row in facts.iterator(chunk_size=chunk_size):
        row = list(row)
        row[at] = row[at].astimezone(PARIS).strftime("%Y-%m-%d %H:%M:%S")
        writer.writerow([_text(value) for value in row])
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def call_facts_schema() -> dict:
    """The TableSchema of `call_facts_csv` (semicolon-separated, UTF-8, French headers as field names). The
    descriptor is valid Frictionless; its `description` says how to read the file."""
    fields = []
    for name, title in COLUMNS:
        kind, description = _FIELDS[name]
        field = {"name": title, "title": title, "type": kind, "description": description}
        if kind == "boolean":
            field |= {"trueValues": ["oui"], "falseValues": ["non"]}
        if kind == "datetime":
            field["format"] = "%Y-%m-%d %H:%M:%S"
        if name == "rating":
            field["constraints"] = {"minimum": 1, "maximum": 5}
        fields.append(field)
    return {
        "$schema": "https://datapackage.org/profiles/2.0/tableschema.json",
        "name": "appels",
        "title": "Appels (une ligne par appel)",
        "description": (
            "Une ligne par appel, datée du jour de sa demande en heure de Paris. Fichier CSV en UTF-8, séparateur "
            "point-virgule. Aucune donnée personnelle : ni nom, ni téléphone, ni e-mail, ni texte libre, ni poste "
            "ou agent. Cellule vide : valeur absente (appel en cours, non décroché, non évalué)."
        ),
        "fields": fields,
        "missingValues": [""],
        "primaryKey": ["appel"],
    }
