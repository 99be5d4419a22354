from django.urls import path

from csfpilot.webapp.intake import views

app_name = "intake"

urlpatterns = [
    path(
        "orgs/<slug:slug>/profiles/community-workbook/",
        views.community_workbook,
        name="community",
    ),
    path("orgs/<slug:slug>/profiles/csf11-migration/", views.csf11_migration, name="csf11"),
]
