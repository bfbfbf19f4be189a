from django.contrib import admin
from django.urls import include, path

from visiorelais import health

admin.site.site_header = "Visio-relais — administration du réseau"
admin.site.site_title = "Visio-relais"
admin.site.index_title = "Gestion du réseau"
admin.site.index_template = "statistics/admin_index.html"  # the admin home plus a link to the statistics

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("", include("visiorelais.kiosk.urls")),
    path("", include("visiorelais.console.urls")),
    path("", include("visiorelais.documents.urls")),
    path("", include("visiorelais.scheduling.urls")),
    path("", include("visiorelais.statistics.urls")),
]
