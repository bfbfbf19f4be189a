"""Settings of the figures, read at use time so that tests can override them."""

from django.conf import settings


def service_level_seconds() -> int:
    """T of the service level: a call answered within T seconds of its request is answered "in time"."""
    return int(getattr(settings, "STATS_SERVICE_LEVEL_SECONDS", 60))


def short_abandon_seconds() -> int:
    """A resident who gives up within this many seconds of the request made a "short abandon" (a wrong touch,
    a change of mind): kept apart, and out of the service level's denominator."""
    return int(getattr(settings, "STATS_SHORT_ABANDON_SECONDS", 10))


# Rates and averages computed over fewer calls than this are shown greyed, as "not significant".
MIN_SIGNIFICANT_N = 10
