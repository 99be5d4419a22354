from django.urls import path

from csfpilot.webapp.mapping import views

app_name = "mapping"

C = "orgs/<slug:slug>/crosswalks"
P = C + "/<int:project>"

urlpatterns = [
    path(f"{C}/", views.project_list, name="projects"),
    path(f"{C}/new/", views.project_new, name="project_new"),
    path(f"{P}/", views.project_page, name="project"),
    path(f"{P}/propose/", views.propose, name="propose"),
    path(f"{P}/pairs/<int:pair>/", views.review, name="review"),
    path(f"{P}/bulk/", views.bulk, name="bulk"),
    path(f"{P}/crosswalk/", views.crosswalk, name="crosswalk"),
    path(f"{P}/crosswalk/export/<str:fmt>", views.export, name="export"),
    path(f"{P}/delete/", views.delete, name="delete"),
]
