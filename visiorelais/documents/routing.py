from django.urls import path

from visiorelais.documents import consumers

websocket_urlpatterns = [
    path("ws/bridge/", consumers.BridgeConsumer.as_asgi()),
]
