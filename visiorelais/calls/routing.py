from django.urls import path

from visiorelais.calls import consumers

websocket_urlpatterns = [
    path("ws/kiosk/", consumers.KioskConsumer.as_asgi()),
    path("ws/console/", consumers.ConsoleConsumer.as_asgi()),
]
