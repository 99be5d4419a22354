from django.urls import path

from csfpilot.webapp.audit import views

app_name = "audit"
urlpatterns = [
    path("orgs/<slug:slug>/audit/", views.event_list, name="events"),
    path("orgs/<slug:slug>/audit/audit-trail.csv", views.export_csv, name="export_csv"),
    path("orgs/<slug:slug>/audit/audit-trail.json", views.export_json, name="export_json"),
]
