from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallsConfig(AppConfig):
    name = "visiorelais.calls"
    label = "calls"
    verbose_name = _("Appels")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_out

        from visiorelais.calls.events import group_for_session, publish_on_commit

        def close_sockets_of_session(sender, request, user, **kwargs):
            # Sent before the session is flushed: its key still names the sockets to close.
            if request is not None and request.session.session_key:
                publish_on_commit(group_for_session(request.session.session_key), "session.ended", {})

        user_logged_out.connect(close_sockets_of_session, dispatch_uid="calls.close_sockets_of_session")
