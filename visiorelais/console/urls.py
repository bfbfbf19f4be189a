from django.urls import path

from visiorelais.console import views

app_name = "console"

urlpatterns = [
    path("console/", views.console, name="home"),
    path("console/connexion/", views.ConsoleLoginView.as_view(), name="login"),
    path("console/deconnexion/", views.ConsoleLogoutView.as_view(), name="logout"),
]
