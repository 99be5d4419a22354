from django.urls import path

from csfpilot.webapp.jobs import views

app_name = "jobs"
urlpatterns = [
    path("orgs/<slug:slug>/jobs/", views.job_list, name="list"),
    path("orgs/<slug:slug>/jobs/import/", views.job_import, name="import"),
    path("orgs/<slug:slug>/jobs/<int:job_id>/", views.job_detail, name="detail"),
]
