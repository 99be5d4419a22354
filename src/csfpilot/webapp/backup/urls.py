from django.urls import path

from csfpilot.webapp.backup import restore_views, views

app_name = "backup"
urlpatterns = [
    path("orgs/<slug:slug>/settings/backup/", views.download, name="download"),
    path("instance/restore/", restore_views.restore, name="restore"),
    path("instance/restore/confirm/", restore_views.confirm, name="restore_confirm"),
]
