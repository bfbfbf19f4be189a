"""Liveness and readiness probes for load balancers and orchestrators."""

import asyncio
import secrets

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

READINESS_TIMEOUT_SECONDS = 2.0


@never_cache
@require_GET
def healthz(request):
    """Alive: the process answers. Touches nothing else, so that a database outage does not restart it."""
    return JsonResponse({"status": "ok"})


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


async def _channel_layer_ok() -> bool:
    """Round-trips one message through the channel layer (Redis in production)."""
    layer = get_channel_layer()
    if layer is None:
        return False
    try:
        # The default prefix: with Redis, a private prefix would wait on the process's shared inbox lock.
        channel = await layer.new_channel()
        token = secrets.token_hex(8)
        await layer.send(channel, {"type": "readyz.ping", "token": token})
        message = await asyncio.wait_for(layer.receive(channel), READINESS_TIMEOUT_SECONDS)
        return message.get("token") == token
    except Exception:
        return False


@never_cache
@require_GET
async def readyz(request):
    """Ready: the database and the channel layer both answer. 503 with the failing parts otherwise."""
    checks = {
        "database": await sync_to_async(_database_ok)(),
        "channel_layer": await _channel_layer_ok(),
    }
    ready = all(checks.values())
    return JsonResponse({"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503)
