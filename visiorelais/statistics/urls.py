"""Every statistics URL. The pages themselves are one generic route: a page is added in
statistics/views/registry.py, not here."""

from django.urls import path, re_path

from visiorelais.statistics.views import network, pages, steering

app_name = "statistics"

urlpatterns = [
    path("statistiques/", pages.index, name="index"),
    path("statistiques/connexion/", pages.StatisticsLoginView.as_view(), name="login"),
    path("statistiques/deconnexion/", pages.StatisticsLogoutView.as_view(), name="logout"),
    path("statistiques/reseau/appels.csv", network.call_facts_csv_view, name="call-facts-csv"),
    path("statistiques/reseau/appels.schema.json", network.call_facts_schema_view, name="call-facts-schema"),
    path("statistiques/pilotage/rapport.pdf", steering.report_view, name="steering-report"),
    path("statistiques/<slug:page>/", pages.page_view, name="page"),
    re_path(
        r"^statistiques/(?P<page>[a-z0-9-]+)/export/(?P<table>[a-z0-9-]+)\.(?P<fmt>[a-z0-9-]+)$",
        pages.export_view,
        name="export",
    ),
]
