"""The call metrics, read from CallFact: requests, access and unavailability, answer rate, the service level and
its two variants, waits, handle times, abandons, offers and satisfaction; the partners' shares; the dashboard."""

from django.db.models import Count

from visiorelais.statistics.metrics.base import NETWORK, Rate, Result, Thresholds, ratio
from visiorelais.statistics.metrics.facts import FactMetric, MeanMetric, RatioMetric, call_facts
from visiorelais.statistics.periods import Period, Scope


class ShareOfEnded(RatioMetric):
    """A share of the ended requests (access and unavailability)."""

    denominator = ("ended",)


class ShareOfQueued(RatioMetric):
    """A share of the queued calls (ended, not unavailable): answered, abandoned."""

    denominator = ("queued",)


class ServiceLevelRate(RatioMetric):
    """The service level and its variants: one target, so that they compare."""

    thresholds = Thresholds(0.8, 0.7)


class Requests(FactMetric):
    key, name, unit = "requests", "Demandes d'appel", "appels"
    formula = "nombre d'appels demandés, datés du jour de la demande (heure de Paris)"
    needs = ("requests",)

    def evaluate(self, row):
        return row["requests"], row["requests"]


class AccessRate(ShareOfEnded):
    key, name = "access_rate", "Taux d'accès"
    formula = "(demandes terminées − indisponibles) / demandes terminées"
    thresholds = Thresholds(0.9, 0.8)
    numerator = ("queued",)


class UnavailabilityRate(ShareOfEnded):
    key, name = "unavailability_rate", "Taux d'indisponibilité"
    formula = "indisponibles (hors horaires + aucun poste tenu) / demandes terminées"
    thresholds = Thresholds(0.1, 0.2, higher_is_better=False)
    numerator = ("unavailable",)


class UnavailableClosedRate(ShareOfEnded):
    key, name = "unavailable_closed_rate", "Indisponibilité : hors horaires"
    formula = "demandes hors des plages de permanence / demandes terminées"
    numerator = ("unavailable_closed",)


class UnavailableUnstaffedRate(ShareOfEnded):
    key, name = "unavailable_unstaffed_rate", "Indisponibilité : aucun poste tenu"
    formula = "demandes pendant une permanence sans aucun poste tenu / demandes terminées"
    thresholds = Thresholds(0.02, 0.05, higher_is_better=False)
    numerator = ("unavailable_unstaffed",)


class AnswerRate(ShareOfQueued):
    key, name = "answer_rate", "Taux de décroché"
    formula = "appels décrochés / appels mis en attente (demandes terminées − indisponibles)"
    thresholds = Thresholds(0.9, 0.8)
    numerator = ("answered",)


class ServiceLevel(ServiceLevelRate):
    key, name = "service_level", "Niveau de service"
    formula = (
        "décrochés en T secondes au plus / (décrochés + abandons longs + sans réponse + refusés par tous) ; "
        "les abandons courts sont exclus"
    )
    numerator, denominator = ("answered_in_t",), ("answered", "abandoned_long", "unanswered", "declined")


class ServiceLevelAnswered(ServiceLevelRate):
    key, name = "service_level_answered", "Niveau de service (variante : décrochés seuls)"
    formula = "décrochés en T secondes au plus / décrochés (les abandons ne comptent pas)"
    numerator, denominator = ("answered_in_t",), ("answered",)


class ServiceLevelAbandonsInT(ServiceLevelRate):
    key, name = "service_level_abandons_in_t", "Niveau de service (variante : abandons en T comptés réussis)"
    formula = "(décrochés en T + abandonnés en T) / (décrochés + abandonnés)"
    numerator, denominator = ("answered_in_t", "abandoned_in_t"), ("answered", "abandoned")


class AbandonRate(ShareOfQueued):
    key, name = "abandon_rate", "Taux d'abandon"
    formula = "abandons (courts et longs) / appels mis en attente"
    thresholds = Thresholds(0.05, 0.1, higher_is_better=False)
    numerator = ("abandoned",)


class LongAbandonRate(ShareOfQueued):
    key, name = "long_abandon_rate", "Taux d'abandon long"
    formula = "abandons après le seuil d'abandon court / appels mis en attente"
    thresholds = Thresholds(0.05, 0.1, higher_is_better=False)
    numerator = ("abandoned_long",)


class OfferAcceptance(RatioMetric):
    key, name = "offer_acceptance", "Acceptation des propositions"
    formula = "propositions acceptées / (acceptées + refusées + non décrochées) ; annulées exclues"
    thresholds = Thresholds(0.9, 0.75)
    numerator, denominator = ("offers_accepted",), ("offers_accepted", "offers_declined", "offers_timed_out")


class SatisfactionTop(RatioMetric):
    key, name = "satisfaction_top", "Satisfaction : meilleurs visages"
    formula = "évaluations 4 ou 5 (les deux meilleurs visages sur 5) / évaluations"
    thresholds = Thresholds(0.8, 0.6)
    numerator, denominator = ("rated_top",), ("rated",)


class RatingResponseRate(RatioMetric):
    key, name = "rating_response_rate", "Taux de réponse à l'évaluation"
    formula = "appels décrochés évalués / appels décrochés terminés"
    thresholds = Thresholds(0.5, 0.2)
    numerator, denominator = ("rated",), ("answered_ended",)


class SatisfactionMean(MeanMetric):
    key, name, unit = "satisfaction_mean", "Satisfaction moyenne", "/5"
    formula = "somme des évaluations (1 à 5) / évaluations"
    thresholds = Thresholds(4.0, 3.0)
    total, count = "rating_sum", "rated"


class WaitMean(MeanMetric):
    key, name = "wait_mean", "Attente moyenne"
    formula = "moyenne de (décroché − demande) sur les appels décrochés"
    thresholds = Thresholds(60, 180, higher_is_better=False)
    total, count = "wait_sum", "answered"


class TalkMean(MeanMetric):
    key, name = "talk_mean", "Durée moyenne de communication"
    formula = "moyenne de (fin − décroché) sur les appels décrochés terminés"
    total, count = "talk_sum", "talk_n"


class WrapUpMean(MeanMetric):
    key, name = "wrap_up_mean", "Durée moyenne de fin d'appel"
    formula = "moyenne du temps passé par le poste en « fin d'appel » après chaque appel"
    thresholds = Thresholds(120, 300, higher_is_better=False)
    total, count = "wrap_up_sum", "wrap_up_n"


class HandleMean(FactMetric):
    key, name, unit = "handle_mean", "Durée moyenne de traitement", "s"
    formula = "moyenne de (communication + fin d'appel) sur les appels décrochés dont la fin d'appel est close"
    needs = ("handle_talk_sum", "handle_wrap_sum", "handle_n")

    def evaluate(self, row):
        n = int(row["handle_n"] or 0)
        return ratio((row["handle_talk_sum"] or 0) + (row["handle_wrap_sum"] or 0), n), n


class WaitPercentile(FactMetric):
    percentile_name = ""
    unit = "s"
    thresholds = Thresholds(60, 180, higher_is_better=False)

    @property
    def needs(self) -> tuple[str, ...]:
        return (self.percentile_name, "answered")

    def evaluate(self, row):
        return row[self.percentile_name], int(row["answered"] or 0)


class WaitMedian(WaitPercentile):
    key, name, percentile_name = "wait_median", "Attente médiane", "wait_p50"
    formula = "médiane de (décroché − demande) sur les appels décrochés"


class WaitP90(WaitPercentile):
    key, name, percentile_name = "wait_p90", "Attente au 90e centile", "wait_p90"
    formula = "90e centile de (décroché − demande) sur les appels décrochés (interpolé)"
    thresholds = Thresholds(120, 300, higher_is_better=False)


class PartnerShares(Rate):
    key, name = "partner_share", "Part de chaque partenaire"
    formula = "demandes au partenaire / demandes (tous partenaires, même périmètre)"

    def compute_all(self, *, period: Period, scope: Scope = NETWORK) -> dict[int, Result]:
        """{partner id: its share of the requests}, over a network, site or kiosk scope."""
        rows = dict(
            call_facts(period, scope).values("partner_id").annotate(n=Count("call_id")).values_list("partner_id", "n")
        )
        total = sum(rows.values())
        return {partner_id: self.rate(n, total, total, period=period, scope=scope) for partner_id, n in rows.items()}


CALL_METRICS: list[FactMetric] = [
    Requests(),
    AccessRate(),
    UnavailabilityRate(),
    UnavailableClosedRate(),
    UnavailableUnstaffedRate(),
    AnswerRate(),
    ServiceLevel(),
    ServiceLevelAnswered(),
    ServiceLevelAbandonsInT(),
    WaitMean(),
    WaitMedian(),
    WaitP90(),
    TalkMean(),
    WrapUpMean(),
    HandleMean(),
    AbandonRate(),
    LongAbandonRate(),
    OfferAcceptance(),
    SatisfactionTop(),
    SatisfactionMean(),
    RatingResponseRate(),
]
