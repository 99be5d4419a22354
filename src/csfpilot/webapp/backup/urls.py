from django.urls import path

from csfpilot.webapp.backup import views

app_name = "backup"
urlpatterns = [
    path("orgs/<slug:slug>/settings/backup/", views.download, name="download"),
]
