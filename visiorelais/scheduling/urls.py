from django.urls import path

from visiorelais.scheduling import views

app_name = "scheduling"

urlpatterns = [
    path("rendez-vous/", views.slots, name="slots"),
    path("rendez-vous/connexion/", views.SchedulingLoginView.as_view(), name="login"),
    path("rendez-vous/deconnexion/", views.SchedulingLogoutView.as_view(), name="logout"),
    path("rendez-vous/creneaux/<int:slot_id>/", views.book, name="book"),
    path("rendez-vous/<int:appointment_id>/ticket/", views.ticket, name="ticket"),
    path("rendez-vous/<int:appointment_id>/imprimer/", views.ticket_print_view, name="ticket-print"),
    path("rendez-vous/<int:appointment_id>/impression/", views.ticket_print_status_view, name="ticket-print-status"),
    path("rendez-vous/<int:appointment_id>/annuler/", views.cancel, name="cancel"),
    path("rendez-vous/agendas/", views.calendars, name="calendars"),
    path("agenda/<str:secret>.ics", views.feed, name="feed"),
    path("api/tickets/<int:ticket_id>.pdf", views.ticket_pdf_for_bridge, name="ticket-pdf"),
    path("rappels/", views.callbacks, name="callbacks"),
    path("rappels/<int:request_id>/prendre/", views.callback_take_view, name="callback-take"),
    path("rappels/<int:request_id>/tentative/", views.callback_attempt_view, name="callback-attempt"),
]
