from django.apps import AppConfig


class StatisticsConfig(AppConfig):
    name = "visiorelais.statistics"
    label = "statistics"
    verbose_name = "Statistiques"
