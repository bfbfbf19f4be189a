from django.urls import path

from visiorelais.kiosk import views

app_name = "kiosk"

urlpatterns = [
    path("borne/", views.home, name="home"),
    path("borne/enrolement/", views.enrol, name="enrol"),
    path("api/kiosk/enrol", views.api_enrol, name="api-enrol"),
    path("api/kiosk/me", views.api_me, name="api-me"),
]
