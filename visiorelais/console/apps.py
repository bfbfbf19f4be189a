from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsoleConfig(AppConfig):
    name = "visiorelais.console"
    label = "console"
    verbose_name = _("Console des agents partenaires")
