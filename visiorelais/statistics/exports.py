"""The call-level export: one CSV line per call of the fact table, streamed (a generator of text lines), so that a
StreamingHttpResponse can send a million calls without holding them. Columns are named in French."""

import csv
import io
from collections.abc import Iterator

from visiorelais.statistics.models import CallFact
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
    facts = (
        CallFact.objects.filter(day__gte=period.first, day__lte=period.last, **scope.fact_filter())
        .order_by("requested_at", "call_id")
        .values_list(*[name for name, _ in COLUMNS])
    )
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
