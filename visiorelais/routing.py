"""WebSocket routes of every app, gathered in one list."""

from visiorelais.calls.routing import websocket_urlpatterns as calls_websockets
from visiorelais.documents.routing import websocket_urlpatterns as documents_websockets

websocket_urlpatterns = [*calls_websockets, *documents_websockets]
