from django.urls import path

from visiorelais.documents import views

app_name = "documents"

urlpatterns = [
    path("api/calls/<int:call_id>/documents", views.upload, name="upload"),
    path("api/calls/<int:call_id>/receipt.pdf", views.receipt, name="receipt"),
    path("api/documents/<int:document_id>", views.metadata, name="metadata"),
    path("api/documents/<int:document_id>/content", views.content, name="content"),
    path("api/documents/<int:document_id>/pages/<int:page>.png", views.page_thumbnail, name="thumbnail"),
]
